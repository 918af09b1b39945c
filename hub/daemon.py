"""`hearth run`: ingest, store, rules and alerts (later reminders) in one asyncio process.

Flow per message: MqttLink -> Ingest.handle -> EventBus (the rules see each
event at once; `Safety` evaluates them and hands conditions to the alert
service) -> BatchWriter (stored within commit_interval_s) -> ack to the broker.
SIGTERM or SIGINT: stop reading, write everything held, acknowledge it,
publish "offline", disconnect. Nothing the broker handed over is lost: what
was not stored was not acknowledged, and the broker hands it over again.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import signal
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from hub import systemd_notify
from hub.alerts.channels.mqtt import PahoPublisher
from hub.alerts.control import control_topics
from hub.alerts.model import Condition
from hub.broker_access import BrokerAccess
from hub.bus import EventBus
from hub.clock import Clock
from hub.clock_guard import (
    ClockGuard,
    Step,
    ask_until_after_step,
    mode_after_step,
    retry_after_step,
    system_clock,
    system_clock_guard,
)
from hub.config.models import HearthConfig
from hub.config.secrets import read_broker_password
from hub.home_assistant import HomeAssistantLink
from hub.ingest.ledger import Ledger
from hub.ingest.mqtt_link import LinkSettings, MqttLink
from hub.ingest.pipeline import Ingest, IngestStats
from hub.reminders.marking import taken_topic
from hub.safety import Safety
from hub.store import redelivery
from hub.store.batch_writer import BatchWriter
from hub.store.database import StoreError, open_database
from hub.store.disk_guard import (
    EMERGENCY_KEEP_DAYS,
    DiskState,
    DiskUsage,
    disk_condition,
    storage_state,
)
from hub.store.disk_guard import disk_usage as real_disk_usage
from hub.store.retention import prune_raw_events, retention_cutoff
from hub.web.app import create_app
from hub.web.server import WebServer

log = logging.getLogger(__name__)

RETENTION_EVERY_S = 24 * 3600
DISK_CHECK_EVERY_S = 60.0
CLOCK_CHECK_EVERY_S = 5.0
DISK_PRUNE_EVERY_S = 3600.0  # while the disk stays low, prune again this often
STATUS_EVERY_S = 5.0  # how often systemd's STATUS= line is refreshed without a watchdog
# A database that cannot be opened with less than this free is waiting for space
# (SQLite's -shm file is 32 KiB, a WAL commit a few pages).
STARTUP_FULL_BYTES = 2**20
STORAGE_RETRY_S = 5.0


@dataclass(frozen=True)
class RunSummary:
    stats: IngestStats
    stored_events: int
    commits: int
    pauses: int


def link_settings(config: HearthConfig, subscriptions: list[str]) -> LinkSettings:
    broker = config.broker
    access = BrokerAccess.from_config(
        broker, username=broker.username, password=read_broker_password(broker)
    )
    return LinkSettings(
        access=access,
        client_id=config.client_id,
        status_topic=f"{config.topic_prefix}/status",
        subscriptions=tuple(subscriptions),
        receive_maximum=config.ingest.max_unacknowledged,
    )


class Hub:
    """The running hub; `run()` returns after a stop request has been handled."""

    def __init__(
        self,
        config: HearthConfig,
        clock: Clock | None = None,
        *,
        disk_usage: DiskUsage = real_disk_usage,
        clock_guard: ClockGuard | None = None,
    ) -> None:
        self.config = config
        self.clock = clock or system_clock()
        self._disk_usage = disk_usage
        self.disk_low_since: datetime | None = None
        self._disk_state: DiskState | None = None
        self.bus = EventBus()
        self.ledger = Ledger(config.ingest.malformed_log_interval_s)
        self.db = open_database(config.storage.path)
        # Only on the system clock: a ManualClock or the demo's AcceleratedClock would
        # look like a clock that was stepped or never synchronised.
        self.guard = (
            clock_guard
            if clock_guard is not None
            else (
                system_clock_guard(self.db.conn, on_change=self._clock_changed)
                if clock is None
                else None
            )
        )
        self._clock_changed_at: float | None = None
        self._steps_handled = 0  # the guard's steps already acted on
        self._rebuilding = False  # reading paused while the rules are rebuilt
        self.ingest = Ingest(config, self.clock, self.ledger, self.guard)
        self.stop_requested = asyncio.Event()
        self.ready = asyncio.Event()
        self.pauses = 0
        self.home_assistant = HomeAssistantLink(
            config,
            config.home_assistant,
            lambda topic, payload, retain: self.link.publish(topic, payload, retain=retain),
        )
        self._home_assistant_topics = frozenset(self.home_assistant.topics)
        self._control = set(control_topics(config.topic_prefix))
        self._control.add(taken_topic(config.topic_prefix))  # a carer marks a dose taken
        self.link = MqttLink(
            link_settings(
                config,
                self.ingest.router.subscriptions()
                + sorted(self._control)
                + sorted(self._home_assistant_topics),
            ),
            self._on_message,
        )
        self.safety = Safety(
            config,
            self.clock,
            PahoPublisher(self.link.client),
            lambda topic, payload, retain: self.link.publish(topic, payload, retain=retain),
        )
        self.bus.subscribe(self.safety.observe)
        if self.home_assistant.wants_events:
            self.bus.subscribe(self.home_assistant.observe)
        self.safety.alerts.on_change = self.home_assistant.publish_summary
        self.link.on_connected = self._connected
        self.safety.system_conditions = self._system_conditions
        self.safety.clock_trusted = self.ingest.check_clock
        alerts = self.safety.alerts
        self.web = (
            WebServer(
                create_app(config, alerts, lambda: alerts.link_key, self.clock.now), config.web
            )
            if config.web.enabled
            else None
        )
        storage = config.storage
        self.writer = BatchWriter(
            self.db.conn,
            self.ledger,
            batch_max=storage.batch_max,
            commit_interval_s=storage.commit_interval_s,
            on_committed=self._committed,
            on_space=self._maybe_resume,
        )

    def _on_message(self, topic: str, payload: bytes, token: int, qos: int, dup: bool) -> None:
        if topic in self._home_assistant_topics:
            self.home_assistant.handle(topic, payload)  # Home Assistant restarted: announce again
            if qos:
                self.link.ack([token])
            return
        if topic in self._control:
            # A request, not a reading: acted on (and recorded) by the alert service.
            self.safety.control(topic, payload)
            if qos:
                self.link.ack([token])
            return
        digest = redelivery.digest(topic, payload) if qos else None
        if dup and digest is not None and self.writer.redelivered(token & 0xFFFF, digest, token):
            return  # stored before a crash or a dropped connection: not again
        events = self.ingest.handle(topic, payload)
        if events:
            self.bus.publish(events)
            self.safety.after_message()
        self.writer.add(events, token if qos else None, digest)
        if self.writer.full or self.bus.congested:
            if not self.link.paused:
                self.pauses += 1
                log.debug("ingest paused: writer or a consumer is behind")
            self.link.pause()

    def _connected(self) -> None:
        """After every (re)connect: retained state again, in case the broker lost it."""
        self.writer.connection_restarted()
        self.safety.publish_mode(force=True)
        self.home_assistant.on_connected()
        self.home_assistant.publish_summary(self.safety.alerts.covering)

    def _committed(self, tokens: list[int]) -> None:
        self.writer.acknowledged(self.link.ack(tokens))

    def _maybe_resume(self) -> None:
        if (
            self.link.paused
            and not self._rebuilding
            and not self.writer.full
            and not self.bus.congested
            and not self.stop_requested.is_set()
        ):
            self.link.resume()

    async def _retention(self) -> None:
        """Prune raw events past the retention period now and then once a day."""
        while True:
            done = await self._prune(self.config.storage.raw_retention_days)
            await asyncio.sleep(RETENTION_EVERY_S if done else CLOCK_CHECK_EVERY_S * 12)

    async def _prune(self, keep_days: int) -> bool:
        """Prune; False when the clock cannot be trusted yet (nothing was deleted)."""
        if not self.ingest.check_clock():
            # A Pi that boots 40 days ahead would otherwise delete real events.
            return False
        cutoff = retention_cutoff(self.clock.now(), keep_days)
        keep_boot = self.guard.boot if self.guard is not None else None
        try:
            removed = await self.writer.run_exclusive(
                functools.partial(prune_raw_events, before=cutoff, keep_boot=keep_boot)
            )
        except sqlite3.Error as exc:
            # One readable line; the hub goes on, and tries again later.
            log.error("could not prune events older than %d days: %s", keep_days, exc)  # noqa: TRY400
        else:
            if removed:
                log.info("retention: removed %d events older than %d days", removed, keep_days)
        return True

    async def _watch_disk(self) -> None:
        """Every minute: a nearly full disk means less raw detail, and a maintenance alert."""
        pruned_at: float | None = None
        loop = asyncio.get_running_loop()
        while True:
            try:
                state = storage_state(self.config.storage.path, self._disk_usage)
            except OSError as exc:
                log.warning("cannot read the free space of the storage folder: %s", exc)
                await asyncio.sleep(DISK_CHECK_EVERY_S)
                continue
            self._disk_state = state
            if not state.low:
                self.disk_low_since = None
            else:
                if self.disk_low_since is None:
                    self.disk_low_since = self.clock.now()
                    log.warning(
                        "storage %s: keeping only %d days of raw events",
                        state.describe(),
                        EMERGENCY_KEEP_DAYS,
                    )
                if pruned_at is None or loop.time() - pruned_at >= DISK_PRUNE_EVERY_S:
                    pruned_at = loop.time()
                    await self._prune(
                        min(EMERGENCY_KEEP_DAYS, self.config.storage.raw_retention_days)
                    )
            await asyncio.sleep(DISK_CHECK_EVERY_S)

    def _clock_changed(self) -> None:
        """The clock stepped, or became trustworthy: see `_watch_clock`."""
        self._clock_changed_at = time.monotonic()

    async def _watch_clock(self) -> None:
        """Judge the clock when messages are rare; after a change, put the rules right.

        The rules' state holds times read from the old clock: a step of +3 h
        would make "no movement" fire at once. So once the correction has been
        committed (it goes with the next batch), the rules are rebuilt from the
        stored, corrected events.
        """
        while True:
            await asyncio.sleep(CLOCK_CHECK_EVERY_S)
            self.ingest.check_clock()
            if self._clock_changed_at is None or self.guard is None:
                continue
            self._clock_changed_at = None
            await self._after_clock_change(self.guard)

    async def _after_clock_change(self, guard: ClockGuard) -> None:
        """Rules and reminders rebuilt from the corrected events; stored times put right.

        Reading stops meanwhile (the broker holds what comes): an event taken in
        during the rebuild would reach only the rules being replaced, and one
        stored during it could reach the new rules twice.
        """
        steps = guard.steps[self._steps_handled :]
        self._steps_handled = len(guard.steps)
        self._rebuilding = True
        self.link.pause()
        try:
            await self.writer.flush()
            now = self.clock.now()
            this_boot = guard.this_boot(now)
            await self.safety.rebuild_rules(self.config.storage.path, this_boot)
            await self.safety.reminders.start(this_boot)
            for step in steps:
                await self._retime_after(step, now)
        finally:
            self._rebuilding = False
            self._maybe_resume()

    async def _retime_after(self, step: Step, now: datetime) -> None:
        """Times ahead that were computed from the old clock (see clock_guard.py)."""
        alerts = self.config.alerts
        longest = timedelta(seconds=alerts.delivery.retry_max_s)
        window = timedelta(seconds=alerts.im_ok.window_s)
        try:
            retries, asking, modes = await self.safety.alerts.run(
                lambda store: store.retime_after_step(
                    lambda moment: retry_after_step(moment, now, longest),
                    lambda moment: ask_until_after_step(moment, step, now, window),
                    lambda setting: mode_after_step(setting, step),
                )
            )
        except sqlite3.Error as exc:
            # A full disk: the old times stand (retries at worst late), and one line says so.
            log.error("clock: could not correct stored retry and mode times: %s", exc)  # noqa: TRY400
            return
        if retries or asking or modes:
            log.info(
                'clock: after the step, %d retries, %d "are you OK?" windows and %d mode '
                "times put right",
                retries,
                asking,
                modes,
            )
        await self.safety.alerts.reload()

    def _system_conditions(self, now: datetime) -> list[Condition]:
        """Conditions about the hub itself, alerted like the rules' (a nearly full disk)."""
        if self.disk_low_since is None or self._disk_state is None:
            return []
        return [disk_condition(self._disk_state, self.disk_low_since)]

    async def _watch_congestion(self) -> None:
        while True:
            await asyncio.sleep(0.05)
            self._maybe_resume()

    def status_line(self) -> str:
        """One line for `systemctl status`: the broker connection and the sensors."""
        address = self.link.settings.access.address
        state = "connected to" if self.link.connected.is_set() else "reconnecting to"
        return f"{state} {address}, {len(self.config.sensors)} sensors"

    async def _systemd_heartbeat(self) -> None:
        """Ping systemd's watchdog at half its period, and keep STATUS= current.

        A task on the event loop on purpose: if the loop wedges (a callback that
        never returns), the pings stop and systemd restarts the hub. Without
        WatchdogSec= it only refreshes the status line.
        """
        interval = systemd_notify.watchdog_interval()
        period = interval / 2 if interval is not None else STATUS_EVERY_S
        shown = ""
        while True:
            if interval is not None:
                systemd_notify.watchdog()
            line = self.status_line()
            # Not before READY (the start sets its own line), nor while stopping.
            if line != shown and self.ready.is_set() and not self.stop_requested.is_set():
                systemd_notify.status(line)
                shown = line
            await asyncio.sleep(period)

    def request_stop(self) -> None:
        self.stop_requested.set()

    async def run(self, on_ready: Callable[[], None] | None = None) -> RunSummary:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            # Not possible outside the main thread (tests run the hub in a worker thread).
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self.request_stop)
        self.writer.start()
        timer = asyncio.create_task(self.writer.run_timer(), name="commit-timer")
        watcher = asyncio.create_task(self._watch_congestion(), name="congestion")
        retention = asyncio.create_task(self._retention(), name="retention")
        disk = asyncio.create_task(self._watch_disk(), name="disk")
        clock_watch = asyncio.create_task(self._watch_clock(), name="clock")
        heartbeat = asyncio.create_task(self._systemd_heartbeat(), name="systemd")
        systemd_notify.status(f"connecting to {self.link.settings.access.address}")
        try:
            # Before the link: the first live event must find the rules and alerts ready.
            now = self.clock.now()
            this_boot = self.guard.this_boot(now) if self.guard is not None else None
            await self.safety.start(self.config.storage.path, this_boot)
            if self.web is not None:
                self.web.start()
            await self.link.start()
            self.ready.set()
            # Only now: the database was opened in __init__ and the broker is connected.
            systemd_notify.ready(self.status_line())
            log.info(
                "hub ready: %d sensors configured, database %s",
                len(self.config.sensors),
                self.config.storage.path,
            )
            if on_ready is not None:
                on_ready()
            await self.stop_requested.wait()
            log.info("stopping: writing what is held, then disconnecting")
            systemd_notify.stopping("stopping: writing what is held, then disconnecting")
            self.link.pause()
            try:
                await self.writer.drain()
                if self.web is not None:
                    await self.web.stop()
                await self.safety.stop()
            finally:
                # Even when the disk refused the last batch: say "offline" and leave
                # cleanly; what was not written was not acknowledged either.
                await self.link.stop()
        finally:
            for task in (timer, watcher, retention, heartbeat, disk, clock_watch):
                task.cancel()
            self.writer.close()
            self.db.conn.close()
        return RunSummary(
            self.ingest.stats, self.writer.committed_events, self.writer.commits, self.pauses
        )


async def wait_for_storage(
    path: Path, usage: DiskUsage = real_disk_usage, every_s: float = STORAGE_RETRY_S
) -> None:
    """Open the database once to see that it can be; on a full disk, wait for space.

    A WAL database cannot even be read on a full file system (SQLite must
    create its -shm file). Exiting would make systemd start us again every
    RestartSec until its start limit gives up, and the hub would stay down
    after the space came back. Nothing is connected yet, so nothing is
    acknowledged while we wait; systemd is told to extend the start timeout.
    """
    warned = False
    while True:
        try:
            open_database(path).conn.close()
        except StoreError as exc:
            state = _free_space(path, usage)
            if state is None or state.free >= STARTUP_FULL_BYTES:
                raise  # not a full disk: one clear line and exit, as before
            if not warned:
                log.warning(
                    "storage full (%s): waiting for space before starting; %s",
                    state.describe(),
                    exc,
                )
                warned = True
            systemd_notify.notify(
                f"EXTEND_TIMEOUT_USEC={int(every_s * 3_000_000)}\n"
                f"STATUS=waiting for disk space ({state.describe()})"
            )
            await asyncio.sleep(every_s)
        else:
            if warned:
                log.info("storage: space again, starting")
            return


def _free_space(path: Path, usage: DiskUsage) -> DiskState | None:
    try:
        return storage_state(path, usage)
    except OSError:
        return None


def run_forever(config: HearthConfig) -> RunSummary:
    """Entry point of `hearth run`."""

    async def main() -> RunSummary:
        await wait_for_storage(config.storage.path)
        return await Hub(config).run()

    return asyncio.run(main())
