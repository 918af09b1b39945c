"""The alert service: rule conditions in, durable alerts and deliveries out.

It runs on the hub's event loop and keeps the database as the truth: each
step (new conditions, the passing of time, an acknowledgement) runs on one
worker thread that reads the alerts covering a condition, applies the pure
lifecycle and writes the result in one transaction, then wakes the
dispatcher. Steps run in the order they were asked for, so two never race,
and an acknowledgement typed into `hearth alerts ack` by another process is
simply seen by the next step.

The loop itself only compares sets of condition keys (cheap, per event) and
schedules a step when they differ.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from hub.alerts import lifecycle
from hub.alerts.dispatcher import ChannelLookup, Dispatcher
from hub.alerts.lifecycle import Change
from hub.alerts.messages import link_key, renderer
from hub.alerts.model import Alert, AlertState, Condition, Via
from hub.alerts.routing import Policy, nobody_outside
from hub.alerts.store import AlertStore, Render
from hub.clock import Clock
from hub.config.models import HearthConfig
from hub.modes import Mode, ModeSetting
from hub.store.database import open_database

log = logging.getLogger(__name__)

T = TypeVar("T")
TICK_S = 1.0  # how often the passing of time is checked (escalation, "I'm OK" window)
FAILURE_LOG_EVERY_S = 60.0
MODE_READ_EVERY = 30  # ticks between reads of a mode set by `hearth mode`


class InHome(Protocol):
    """What the home hears and sees: the "are you OK?" question and announcements."""

    def ask(self, alert: Alert) -> None:
        """Ask the resident whether they are all right (spoken, and a device prompt)."""
        ...

    def announce(self, alert: Alert) -> None:
        """Tell the home that help has been called (an alarm is going out)."""
        ...


class AlertService:
    def __init__(
        self,
        config: HearthConfig,
        clock: Clock,
        lookup: ChannelLookup,
        *,
        in_home: InHome | None = None,
        db_path: Path | None = None,
    ) -> None:
        self.config = config
        self.clock = clock
        self.policy = Policy(config.alerts, ZoneInfo(config.home.timezone))
        self._db_path = db_path or config.storage.path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="alerts-db")
        self._store: AlertStore | None = None
        self._in_home = in_home
        self.dispatcher = Dispatcher(self.run, lookup, clock, config.alerts.delivery)
        self._covering: list[Alert] = []
        self._latest: tuple[datetime, list[Condition]] | None = None
        self._step_pending = False
        self._asked_at: dict[int, datetime] = {}
        self._mode: ModeSetting | None = None
        self._link_key = b""  # read at start
        self._tasks: list[asyncio.Task[None]] = []
        self.steps = 0
        # Told the alerts that cover a condition after every change (Home Assistant's count).
        self.on_change: Callable[[Sequence[Alert]], None] = lambda covering: None
        self._ticks = 0
        self.storage_failures = 0
        self._last_failure_log = float("-inf")

    # Running ----------------------------------------------------------------

    async def start(self) -> None:
        """Open the store, load what is pending, and start sending and ticking."""

        def opening(_: AlertStore | None) -> tuple[list[Alert], ModeSetting | None, bytes]:
            self._store = AlertStore(open_database(self._db_path).conn)
            return (
                self._store.covering(),
                self._store.mode_setting(),
                link_key(self.config, self._store),
            )

        loop = asyncio.get_running_loop()
        self._covering, self._mode, self._link_key = await loop.run_in_executor(
            self._executor, opening, None
        )
        unheard = nobody_outside(self.config.alerts, self.config.topic_prefix)
        if unheard is not None:
            log.warning("alerts: %s", unheard)
        pending = await self.run(lambda store: store.pending_count())
        if pending:
            log.info("alerts: %d messages waiting from before the restart", pending)
        self._tasks = [
            asyncio.create_task(self.dispatcher.run(), name="alert-dispatcher"),
            asyncio.create_task(self._tick_forever(), name="alert-timer"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        store = self._store

        def closing() -> None:
            if store is not None:
                store.conn.close()

        await asyncio.get_running_loop().run_in_executor(self._executor, closing)
        self._executor.shutdown(wait=True)

    def run(self, work: Callable[[AlertStore], T]) -> asyncio.Future[T]:
        """Run `work` on the store's thread, after everything asked for before it."""
        store = self._store
        if store is None:
            raise RuntimeError("the alert service has not been started")
        return asyncio.get_running_loop().run_in_executor(self._executor, work, store)

    # What the rules report ---------------------------------------------------

    def conditions(self, now: datetime, conditions: Sequence[Condition]) -> None:
        """The conditions that hold at `now`; a step is scheduled when the set changed."""
        self._latest = (now, list(conditions))
        keys = {condition.key for condition in conditions}
        if keys != {alert.key for alert in self._covering} and not self._step_pending:
            self._step_pending = True
            asyncio.get_running_loop().create_task(self._condition_step())

    async def _condition_step(self) -> None:
        # Cleared first: conditions arriving while this step runs schedule another.
        self._step_pending = False
        if self._latest is None:
            return
        now, conditions = self._latest

        def plan(store: AlertStore) -> list[Change]:
            covering = store.covering()
            covered = {alert.key for alert in covering}
            # A run already alerted and ended (its condition seen again after a
            # restart, when its end had not reached the disk) is not a new run.
            ended = store.runs([c.key for c in conditions if c.key not in covered])
            return lifecycle.on_conditions(
                covering, conditions, now, self.policy, already_raised=ended
            )

        try:
            await self._step(plan, now)
        except sqlite3.Error as exc:
            # Nothing was written (one transaction): the conditions still differ
            # from the alerts, so the next event or tick tries again.
            self._storage_failed(exc)

    async def tick(self) -> None:
        """Let time act: the "I'm OK" window ends, quiet hours end, escalation; ask again."""
        now = self.clock.now()
        self._ticks += 1
        if self._ticks % MODE_READ_EVERY == 0:
            # `hearth mode` writes to the database from another process.
            self._mode = await self.run(lambda store: store.mode_setting())
        if any(lifecycle.time_acts(alert, now, self.policy) for alert in self._covering):
            await self._step(
                lambda store: lifecycle.on_time(store.covering(), now, self.policy), now
            )
        self._ask_again(now)

    async def _tick_forever(self) -> None:
        while True:
            await asyncio.sleep(TICK_S)
            try:
                await self.tick()
            except sqlite3.Error as exc:
                self._storage_failed(exc)

    def _storage_failed(self, exc: sqlite3.Error) -> None:
        """One error line a minute at most while the database refuses writes (full disk)."""
        self.storage_failures += 1
        now = time.monotonic()
        if now - self._last_failure_log >= FAILURE_LOG_EVERY_S:
            self._last_failure_log = now
            log.error(
                "alerts: cannot record alert changes in %s (%s); retrying on every event "
                "and tick, nothing is lost while the condition holds",
                self._db_path,
                exc,
            )

    # What people do -----------------------------------------------------------

    async def alert(self, alert_id: int) -> Alert | None:
        return await self.run(lambda store: store.alert(alert_id))

    async def acknowledge(self, alert_id: int, by: str, via: Via) -> Alert:
        """A person takes the alert on; raises LifecycleError or LookupError if it cannot be."""
        now = self.clock.now()
        return await self._one(
            alert_id, lambda a: lifecycle.acknowledge(a, by, via, now, self.policy)
        )

    async def resolve(self, alert_id: int, by: str, via: Via) -> Alert:
        now = self.clock.now()
        return await self._one(alert_id, lambda a: lifecycle.resolve(a, by, via, now, self.policy))

    async def resident_ok(self, via: Via = Via.BUTTON) -> list[Alert]:
        """The resident pressed "I'm OK"."""
        now = self.clock.now()
        return await self._step(
            lambda store: lifecycle.resident_ok(store.covering(), now, via, self.policy), now
        )

    async def set_mode(self, setting: ModeSetting) -> None:
        await self.run(lambda store: store.set_mode(setting))
        self._mode = setting
        until = f" until {setting.until:%Y-%m-%d %H:%M} UTC" if setting.until else ""
        log.info(
            "mode: %s%s (set by %s via %s)", setting.mode.value, until, setting.set_by, setting.via
        )

    async def reload(self) -> None:
        """Read the alerts and the mode again, and the outbox at once: their stored
        times were put right after a clock step (Hub._after_clock_change)."""
        self._covering, self._mode = await self.run(
            lambda store: (store.covering(), store.mode_setting())
        )
        self.dispatcher.wake()

    @property
    def covering(self) -> list[Alert]:
        """The alerts covering a condition now, as of the last step."""
        return list(self._covering)

    @property
    def mode_setting(self) -> ModeSetting | None:
        """The latest mode set (it may have ended: see `mode`)."""
        return self._mode

    def mode(self, now: datetime) -> Mode:
        return Mode.HOME if self._mode is None else self._mode.in_force(now)

    # Steps ----------------------------------------------------------------------

    async def _step(self, plan: Callable[[AlertStore], list[Change]], now: datetime) -> list[Alert]:
        def work(store: AlertStore) -> tuple[list[Change], list[Alert], list[Alert]]:
            changes = plan(store)
            done = store.apply(changes, now, self._render(now))
            return changes, done, store.covering()

        changes, done, covering = await self.run(work)
        self.steps += 1
        self._covering = covering
        self.on_change(covering)
        self._after(changes, done, now)
        return done

    async def _one(self, alert_id: int, plan: Callable[[Alert], Change]) -> Alert:
        now = self.clock.now()

        def work(store: AlertStore) -> tuple[Change, Alert, list[Alert]]:
            change, done = store.apply_to(alert_id, plan, now, self._render(now))
            return change, done, store.covering()

        change, done, covering = await self.run(work)
        self._covering = covering
        self.on_change(covering)
        self._after([change], [done], now)
        return done

    def _after(self, changes: list[Change], done: list[Alert], now: datetime) -> None:
        """In-home side effects of a step, then wake the dispatcher."""
        for change, alert in zip(changes, done, strict=True):
            if change.before is None or change.before.state is not alert.state:
                # Rule and state only: the summary can name rooms and times.
                log.info(
                    "alert %d (%s, %s): %s",
                    alert.id,
                    alert.rule,
                    alert.severity.value,
                    alert.state.value,
                )
            if change.ask_resident:
                self._asked_at[alert.id] = now
                if self._in_home is not None:
                    self._in_home.ask(alert)
            if (
                self._in_home is not None
                and change.before is not None
                and change.before.state is AlertState.ASKING
                and alert.state is AlertState.OPEN
            ):
                self._in_home.announce(alert)  # nobody answered: say that help is called
            if alert.state is not AlertState.ASKING:
                self._asked_at.pop(alert.id, None)
        if any(change.targets for change in changes):
            self.dispatcher.wake()

    def _ask_again(self, now: datetime) -> None:
        repeat = timedelta(seconds=self.config.alerts.im_ok.repeat_s)
        for alert in self._covering:
            if alert.state is not AlertState.ASKING:
                continue
            last = self._asked_at.get(alert.id)
            if last is None or now - last >= repeat:
                self._asked_at[alert.id] = now
                if self._in_home is not None:
                    self._in_home.ask(alert)

    def _render(self, now: datetime) -> Render:
        return renderer(self.config, self.policy, self._link_key, now)

    @property
    def link_key(self) -> bytes:
        """The key acknowledgement links are signed with (known once started)."""
        return self._link_key
