"""Rules and alerts on the live hub: each event to the rules, conditions to the alert service.

Per message the hub calls `observe` for each event and then `evaluate` once;
a clock tick evaluates too, so time-based rules (no movement for hours) fire
without an event. On start the rules' state is rebuilt from the events
stored in the last day and a half, and what is usual for the person is
learned from the stored days (again once a day), so a restart neither
forgets that the person has been still since noon nor raises a second alert
for a condition already alerted (the alert service reads the open alerts
from the database).

Medication reminders (`hub/reminders/live.py`) see the same events, and their
missed-dose conditions go to the alert service with the rules' in one set;
once a day the routine engine's open changes join them as warnings.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import Callable, Coroutine
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hub.alerts.channels import Channel, DeliveryError
from hub.alerts.channels.factory import channels_for, speaker_for
from hub.alerts.channels.mqtt import MqttChannel, Publisher
from hub.alerts.control import AlertRequest, ControlError, parse_control
from hub.alerts.in_home import InHomePrompts, Publish
from hub.alerts.lifecycle import LifecycleError
from hub.alerts.model import Condition, Via
from hub.alerts.service import AlertService
from hub.clock import Clock
from hub.config.models import HearthConfig, Role
from hub.events import Event, Kind
from hub.modes import Mode, ModeSetting
from hub.reminders.live import LiveReminders
from hub.routine.alerting import routine_conditions
from hub.routine.features import daily_features
from hub.routine.stored import final_day, stored_routine
from hub.rules import Expectations, RuleEngine, expectations_from
from hub.store.database import open_database
from hub.store.event_table import BootClock, read_events
from hub.summary.mailing import WeeklyMailer

log = logging.getLogger(__name__)

REBUILD_HOURS = 36  # events replayed into the rules on start: covers any one night and day
LEARN_DAYS = 28  # days of stored events the usual figures are learned from
EVALUATE_EVERY_S = 0.02
HOUSEKEEPING_EVERY_S = 3600.0
CLEAR_AFTER = timedelta(days=1)  # an ended alert's retained MQTT message stays this long


class Safety:
    def __init__(
        self,
        config: HearthConfig,
        clock: Clock,
        publisher: Publisher,
        publish_now: Publish,
    ) -> None:
        self.config = config
        self.clock = clock
        self.zone = ZoneInfo(config.home.timezone)
        self.rules = RuleEngine(config)
        channels = _recipient_channels(config, self.zone)
        mqtt = self._mqtt = MqttChannel(publisher, config.topic_prefix)

        def lookup(recipient: str, index: int) -> Channel | None:
            if not recipient:
                return mqtt
            found = channels.get(recipient, [])
            return found[index] if index < len(found) else None

        voice = config.alerts.voice
        speaker = speaker_for(voice, config.resident.language) if voice.enabled else None
        self.alerts = AlertService(
            config, clock, lookup, in_home=InHomePrompts(config, publish_now, speaker)
        )
        self.reminders = LiveReminders(config, clock, publish_now, speaker, config.storage.path)
        self.weekly_mail = WeeklyMailer(config)  # the co-ordinators' weekly summary e-mail
        self._ok_buttons = {s.id for s in config.sensors if s.role is Role.OK_BUTTON}
        self._publish_now = publish_now
        # Conditions about the hub itself (a nearly full disk), set by the Hub.
        self.system_conditions: Callable[[datetime], list[Condition]] = lambda now: []
        self._routine_conditions: list[Condition] = []
        # Whether the clock can be believed (the Hub's clock guard); learning waits if not.
        self.clock_trusted: Callable[[], bool] = lambda: True
        self._mode_published: dict[str, object] | None = None
        self._ok_pressed = False
        self._last_evaluation = float("-inf")
        self._deferred: asyncio.TimerHandle | None = None
        self._learned_on: date | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._background: set[asyncio.Task[object]] = set()

    async def start(self, db_path: Path, this_boot: BootClock | None = None) -> None:
        """Rebuild the rules' state from stored events, learn, then start alerts and ticks."""
        loop = asyncio.get_running_loop()
        now = self.clock.now()
        # Streamed into the rules on a worker thread (nothing else uses them yet),
        # so a busy day and a half is never held in memory at once.
        replayed = await loop.run_in_executor(
            None, _replay_into, self.rules, db_path, now, this_boot
        )
        await self.alerts.start()
        await self.reminders.start(this_boot)
        self.evaluate()
        self._tasks = [
            asyncio.create_task(self._tick_forever(db_path), name="rules-tick"),
            asyncio.create_task(self._housekeeping(), name="alert-housekeeping"),
            # In the background: until it is done the rules use their safe defaults.
            asyncio.create_task(self._learn(db_path), name="rules-learn"),
        ]
        log.info("rules: %d events of the last %d h replayed", replayed, REBUILD_HOURS)

    async def rebuild_rules(self, db_path: Path, this_boot: BootClock | None) -> None:
        """Start the rules again from the stored events (after the clock was corrected).

        The learned expectations are kept; they come from finished days.
        """
        fresh = RuleEngine(self.config, self.rules.expectations)
        loop = asyncio.get_running_loop()
        now = self.clock.now()
        replayed = await loop.run_in_executor(None, _replay_into, fresh, db_path, now, this_boot)
        self.rules = fresh
        log.info("rules: rebuilt from %d stored events after the clock changed", replayed)

    async def stop(self) -> None:
        if self._deferred is not None:
            self._deferred.cancel()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.reminders.stop()
        await self.alerts.stop()

    # Per event and per message ---------------------------------------------------

    def observe(self, event: Event) -> None:
        self.rules.observe(event)
        if self.reminders.active:  # a home without medicines pays no call per event
            self.reminders.observe(event)
        if event.sensor in self._ok_buttons and event.kind is Kind.BUTTON and event.value:
            self._ok_pressed = True  # "" is Zigbee2MQTT's reset after a press

    def after_message(self) -> None:
        """Evaluate after a message's events, at most every EVALUATE_EVERY_S under load.

        A burst of thousands of messages then costs a few evaluations, and an
        urgent condition is still seen within EVALUATE_EVERY_S of its event.
        """
        if self._deferred is not None:
            return
        loop = asyncio.get_running_loop()
        wait = self._last_evaluation + EVALUATE_EVERY_S - loop.time()
        if wait <= 0:
            self.evaluate()
        else:
            self._deferred = loop.call_later(wait, self._deferred_evaluate)

    def _deferred_evaluate(self) -> None:
        self._deferred = None
        self.evaluate()

    def evaluate(self) -> None:
        """Evaluate the rules now and hand the conditions to the alert service."""
        self._last_evaluation = asyncio.get_running_loop().time()
        now = self.clock.now()
        if self._ok_pressed:
            self._ok_pressed = False
            self._spawn(self.alerts.resident_ok(Via.BUTTON))
        mode = self.alerts.mode(now)
        # One call with every condition: the alert service resolves any alert
        # whose condition is missing from the set.
        conditions = self.rules.evaluate(now, mode) + self.reminders.conditions(now, mode)
        if mode is Mode.HOME:  # away or with visitors, the routine is not the person's
            conditions += self._routine_conditions
        self.alerts.conditions(now, conditions + self.system_conditions(now))

    def control(self, topic: str, payload: bytes) -> None:
        """A message on a control topic (acknowledge, resolve, set the mode, a dose taken)."""
        if topic in self.reminders.topics:
            self.reminders.handle(topic, payload)
            return
        try:
            request = parse_control(self.config.topic_prefix, topic, payload, self.clock.now())
        except ControlError as exc:
            log.warning("control message refused: %s", exc)
            return
        self._spawn(self._carry_out(request))

    async def _carry_out(self, request: AlertRequest | ModeSetting) -> None:
        if isinstance(request, ModeSetting):
            await self.alerts.set_mode(request)
            self.publish_mode()
            self.evaluate()
            return
        action = self.alerts.resolve if request.resolve else self.alerts.acknowledge
        try:
            await action(request.alert_id, request.by, Via.MQTT)
        except (LookupError, LifecycleError) as exc:
            log.warning("control message refused: %s", exc)

    def publish_mode(self, *, force: bool = False) -> None:
        """The mode, retained on <prefix>/mode, so every display shows it beside the alerts.

        Published when it changes (set here, set by `hearth mode`, or ended), and
        on every connect (`force`): a broker without persistence forgets it.
        """
        setting = self.alerts.mode_setting
        now = self.clock.now()
        payload: dict[str, object] = {"mode": self.alerts.mode(now).value}
        if setting is not None and setting.in_force(now) is setting.mode:
            until = setting.until.isoformat() if setting.until else None
            payload |= {"until": until, "set_by": setting.set_by}
        if force or payload != self._mode_published:
            self._mode_published = payload
            self._publish_now(
                f"{self.config.topic_prefix}/mode", json.dumps(payload).encode(), True
            )

    # Time ------------------------------------------------------------------------

    async def _tick_forever(self, db_path: Path) -> None:
        while True:
            await asyncio.sleep(self.config.rules.tick_s)
            self.evaluate()
            await self.reminders.tick()
            self.publish_mode()
            today = self.clock.now().astimezone(self.zone).date()
            if self._learned_on != today:
                self._learned_on = today  # before the task starts: one learning a day
                self._spawn(self._learn(db_path))
            if self.weekly_mail.wants(now := self.clock.now()):
                self._spawn(self.weekly_mail.run(db_path, now))

    async def _housekeeping(self) -> None:
        while True:
            await asyncio.sleep(HOUSEKEEPING_EVERY_S)
            try:
                await self.clear_finished(self.clock.now())
            except sqlite3.Error as exc:
                log.warning("alerts: housekeeping could not read the alerts: %s", exc)

    async def clear_finished(self, now: datetime) -> int:
        """Clear the retained MQTT topic of alerts that ended a day or two ago.

        Hourly over a 24-hour span, so each is cleared about 24 times: an empty
        retained message is cheap and idempotent, and a hub that was down for
        a few hours still clears them all.
        """
        start, end = now - 2 * CLEAR_AFTER, now - CLEAR_AFTER
        ids = await self.alerts.run(lambda store: store.finished_between(start, end))
        cleared = 0
        for alert_id in ids:
            try:
                await self._mqtt.clear(alert_id)
            except DeliveryError as exc:
                log.debug("could not clear alert %d's topic yet: %s", alert_id, exc)
            else:
                cleared += 1
        return cleared

    async def _learn(self, db_path: Path) -> None:
        """Learn the usual figures from the stored days (on a worker thread)."""
        if not self.clock_trusted():
            # A clock 40 days ahead would learn from an empty window: try again later.
            self._learned_on = None
            return
        now = self.clock.now()
        self._learned_on = today = now.astimezone(self.zone).date()
        loop = asyncio.get_running_loop()
        try:
            learned, routine = await loop.run_in_executor(
                None, _learn_from, db_path, now, today, self.config
            )
        except sqlite3.Error as exc:
            log.error("rules: cannot read stored events to learn from: %s", exc)  # noqa: TRY400
            return
        self.rules.set_expectations(learned)
        self._routine_conditions = routine

    def _spawn(self, work: Coroutine[object, object, object]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)


def _recipient_channels(config: HearthConfig, zone: ZoneInfo) -> dict[str, list[Channel]]:
    return {r.id: channels_for(r, config.alerts, zone=zone) for r in config.alerts.recipients}


def _replay_into(
    rules: RuleEngine, db_path: Path, now: datetime, this_boot: BootClock | None
) -> int:
    """Stream the last REBUILD_HOURS of stored events into `rules` (on a worker thread:
    nothing else uses this engine yet); this boot's not-yet-corrected events come too."""
    conn = open_database(db_path).conn
    count = 0
    try:
        since = now - timedelta(hours=REBUILD_HOURS)
        for event in read_events(conn, since, now + timedelta(seconds=1), this_boot=this_boot):
            rules.observe(event)
            count += 1
    finally:
        conn.close()
    return count


def _learn_from(
    db_path: Path, now: datetime, today: date, config: HearthConfig
) -> tuple[Expectations, list[Condition]]:
    """Expectations from the last LEARN_DAYS of stored events, and the routine's open changes.

    Events are read as streams rather than held in memory: a month of a busy
    home is a few hundred thousand events. The routine comes from the same
    path as `hearth routine` (`stored_routine`: the kept daily summaries, and
    raw events after them), judged up to the last day whose result is final,
    so carers are told what `hearth routine` shows of that day; the days
    found final are kept as summaries, which outlive the raw events.
    """
    conn = open_database(db_path).conn
    try:
        since = now - timedelta(days=LEARN_DAYS)
        days = daily_features(read_events(conn, since, now), config)
        # Only finished days: today's half day would look like a very odd day.
        finished = [d for d in days if d.date < today]
        learned = expectations_from(finished, config, read_events(conn, since, now))
        last = final_day(today)
        try:
            routine = stored_routine(conn, config, until=now, keep_through=last)
        except sqlite3.OperationalError as exc:
            # A full disk, say: judge without keeping; the next learning keeps them.
            log.warning("could not keep the daily summaries: %s", exc)
            routine = stored_routine(conn, config, until=now)
    finally:
        conn.close()
    zone = ZoneInfo(config.home.timezone)
    judged = [r for r in routine.results if r.date <= last]
    return learned, routine_conditions(judged, last + timedelta(days=1), zone)
