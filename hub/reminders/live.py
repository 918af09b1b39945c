"""Medication reminders on the live hub: the pure engine, with speech, MQTT and the database.

How the hub uses it (see docs/medication.md, "On the live hub"):

- `await start()` once, before the first live event: the engine is rebuilt
  from the events and marks stored since the start of yesterday, so a restart
  neither forgets a dose taken this morning nor raises a second missed-dose
  alert (the alert service already holds the first);
- `observe(event)` for every event;
- `conditions(now, mode)` wherever the rules' conditions are gathered: its
  missed-dose conditions go to the alert service with the rules' own;
- `await tick()` every few seconds: reads marks others wrote (`hearth meds
  taken`), and stores outcomes that became final;
- `handle(topic, payload)` for messages on `topics` (a carer's word);
  `await confirm(medicine, by)` for the web app;
- `await stop()` at the end.

The conditions must reach the alert service in the same call as the rules'
own: the service resolves every alert whose condition is not in the set.

Prompts and warnings are carried out as soon as a step finds them: spoken
(when a speaker is given), published as JSON on `medication.topic`, and a
pill box command published on its bridge topic. Logs never name a medicine.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import Callable, Coroutine, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

from hub.alerts.channels import DeliveryError
from hub.alerts.channels.voice import Speaker
from hub.alerts.model import Condition
from hub.clock import Clock
from hub.config.models import HearthConfig
from hub.events import Event
from hub.modes import Mode
from hub.reminders.dose_table import add_mark, marks_after, mode_history, store_outcomes
from hub.reminders.doses import DoseOutcome
from hub.reminders.engine import ReminderEngine, Step, UnknownMedicine
from hub.reminders.history import Mark, feed, mode_at
from hub.reminders.marking import MarkError, parse_taken, taken_topic
from hub.reminders.prompts import Prompt, Warning
from hub.routine.days import local_instant
from hub.store.database import open_database
from hub.store.event_table import BootClock, from_micros, read_events

log = logging.getLogger(__name__)

Publish = Callable[[str, bytes, bool], None]
"""Publish (topic, payload, retain) on the hub's MQTT connection, QoS 1, without waiting."""


@dataclass(frozen=True)
class _Rebuilt:
    """What a restart rebuilt from the database."""

    engine: ReminderEngine
    outcomes: list[DoseOutcome]
    missed: list[Prompt]  # reminders that fell due while the hub was down
    mode: Mode
    newest_mark: int
    events: int


class _Counted:
    """Events passed through, counted, remembering the last one's time."""

    def __init__(self, events: Iterable[Event]) -> None:
        self._events = events
        self.count = 0
        self.last: datetime | None = None

    def __iter__(self) -> Iterator[Event]:
        for event in self._events:
            self.count += 1
            self.last = event.time
            yield event


class LiveReminders:
    def __init__(
        self,
        config: HearthConfig,
        clock: Clock,
        publish: Publish,
        speaker: Speaker | None,
        db_path: Path,
    ) -> None:
        self.config = config
        self.clock = clock
        self._publish = publish
        self._speaker = speaker if config.medication.speak else None
        self._db_path = db_path
        self._topic = config.medication.topic.format(prefix=config.topic_prefix)
        self.engine = ReminderEngine(config, clock.now())
        self._mode = Mode.HOME
        self._last = clock.now()
        self._last_mark = 0
        self._unsaved: list[DoseOutcome] = []
        self._tasks: set[asyncio.Task[object]] = set()
        # A home with no medicines configured pays nothing per event.
        self.active = bool(config.medication.medicines)

    @property
    def topics(self) -> list[str]:
        """MQTT topics to subscribe to and hand to `handle`."""
        return [taken_topic(self.config.topic_prefix)]

    # Start -------------------------------------------------------------------------

    async def start(self, this_boot: BootClock | None = None) -> None:
        """Rebuild the engine from what was stored since the start of yesterday.

        `this_boot`: this boot's events still waiting for their clock correction
        are read too, at their time on the current clock.
        """
        if not self.active:
            return
        now = self.clock.now()
        loop = asyncio.get_running_loop()
        rebuilt = await loop.run_in_executor(None, self._rebuild, now, this_boot)
        self.engine, self._last = rebuilt.engine, now
        self._unsaved += rebuilt.outcomes
        self._mode = rebuilt.mode
        # Older marks are for doses no longer followed: the next tick need not read them.
        self._last_mark = rebuilt.newest_mark
        for prompt in rebuilt.missed:
            self._prompt(prompt)
        await self._save()
        log.info("reminders: rebuilt from %d stored events", rebuilt.events)

    def _rebuild(self, now: datetime, this_boot: BootClock | None = None) -> _Rebuilt:
        """A new engine taken through what was stored, by the steps `hearth meds` takes.

        On a worker thread (nothing else sees this engine yet), with the events
        streamed from the database rather than held. Reminders that fell due while
        the hub was down (after the last stored event) are handed back to be given
        now, the latest of each dose still in its window; earlier ones were given then.
        """
        zone = self.engine.zone
        since = local_instant(now.astimezone(zone).date() - timedelta(days=1), time(0), zone)
        conn = open_database(self._db_path).conn
        try:
            row = conn.execute("SELECT min(time_us) FROM events WHERE clock_ok = 1").fetchone()
            newest = conn.execute("SELECT max(id) FROM dose_marks").fetchone()
            # Doses are judged only from when the hub was watching: a new home's first
            # day starts now, not yesterday.
            watched = max(since, from_micros(row[0])) if row and row[0] is not None else now
            marks = [mark for _, mark in marks_after(conn, 0, since)]
            modes = mode_history(conn)
            engine = ReminderEngine(self.config, watched)
            seen = _Counted(
                read_events(conn, since, now + timedelta(seconds=1), this_boot=this_boot)
            )
            outcomes: list[DoseOutcome] = []
            prompts: list[tuple[datetime, Prompt]] = []
            steps = feed(engine, seen, start=watched, until=now, marks=marks, modes=modes)
            for moment, step in steps:
                outcomes += step.outcomes
                prompts += [(moment, prompt) for prompt in step.prompts]
        finally:
            conn.close()
        down_since = seen.last or watched
        missed = {p.key: p for moment, p in prompts if moment > down_since}  # latest per dose
        still_open = {dose.key for dose in engine.open_doses() if dose.taken_at is None}
        return _Rebuilt(
            engine=engine,
            outcomes=outcomes,
            missed=[prompt for key, prompt in missed.items() if key in still_open],
            mode=mode_at(modes, now),
            newest_mark=int(newest[0] or 0) if newest else 0,
            events=seen.count,
        )

    # Events, time, conditions -----------------------------------------------------

    def observe(self, event: Event) -> None:
        if not self.active:
            return
        # Time first, so that what was due before this event is decided without it
        # (as `hearth meds` decides it from the stored events).
        self._step(event.time)
        self.engine.observe(event)

    def conditions(self, now: datetime, mode: Mode) -> list[Condition]:
        """The missed-dose conditions that hold now (for the alert service)."""
        if not self.active:
            return []
        self._mode = mode
        return self._step(now).conditions

    async def tick(self) -> None:
        """Take in marks written by others, move time on, store final outcomes."""
        if not self.active:
            return
        await self._read_marks()
        self._step(self.clock.now())
        await self._save()

    # A person's word ---------------------------------------------------------------

    def handle(self, topic: str, payload: bytes) -> None:
        """A message on one of `topics`: a carer says a medicine was taken."""
        try:
            mark = parse_taken(topic, payload, self.clock.now())
        except MarkError as exc:
            log.warning("medication mark refused: %s", exc)
            return
        try:
            name = self._known(mark.medicine)
        except UnknownMedicine:
            # The name stays out of the log: it may be a medicine, and logs leave the home.
            log.warning("medication mark refused: the medicine is not in the config")
            return
        self._spawn(self._record(Mark(name, mark.at, self.clock.now(), f"carer:{mark.by}")))

    async def confirm(self, medicine: str, by: str, at: datetime | None = None) -> str:
        """Record that `medicine` was taken (at `at`, default now), then let the engine know.

        Raises UnknownMedicine for a name not in the config. Stored first, so a
        restart replays it.
        """
        now = self.clock.now()
        name = self._known(medicine)
        await self._record(Mark(name, at or now, now, by))
        return name

    async def _record(self, mark: Mark) -> None:
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(None, self._write_mark, mark)
        except sqlite3.Error as exc:
            log.error("reminders: cannot store a medication mark: %s", exc)  # noqa: TRY400
            return
        await self._read_marks()
        self._step(self.clock.now())

    def _known(self, medicine: str) -> str:
        for candidate in self.config.medication.medicines:
            if candidate.name.casefold() == medicine.strip().casefold():
                return candidate.name
        raise UnknownMedicine(f"{medicine!r} is not in medication.medicines")

    def _write_mark(self, mark: Mark) -> None:
        conn = open_database(self._db_path).conn
        try:
            add_mark(conn, mark)
        finally:
            conn.close()

    async def _read_marks(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            found = await loop.run_in_executor(None, self._marks_since, self._last_mark)
        except sqlite3.Error as exc:
            log.error("reminders: cannot read marks: %s", exc)  # noqa: TRY400
            return
        for row_id, mark in found:
            self._last_mark = max(self._last_mark, row_id)
            self._step(mark.received)
            self._confirm_mark(mark)

    def _marks_since(self, after: int) -> list[tuple[int, Mark]]:
        conn = open_database(self._db_path).conn
        try:
            return marks_after(conn, after)
        finally:
            conn.close()

    def _confirm_mark(self, mark: Mark) -> None:
        try:
            self.engine.confirm(mark.medicine, mark.at, mark.by)
        except UnknownMedicine:
            log.warning("reminders: a stored mark names a medicine no longer configured")

    # Doing what a step says --------------------------------------------------------

    def _step(self, now: datetime) -> Step:
        now = max(now, self._last)  # an event stamped by its device may lag behind
        self._last = now
        step = self.engine.advance(now, self._mode)
        self._unsaved += step.outcomes
        for prompt in step.prompts:
            self._prompt(prompt)
        for warning in step.warnings:
            self._warn(warning)
        return step

    def _prompt(self, prompt: Prompt) -> None:
        log.info("medication reminder %d of %d", prompt.number, prompt.of)
        self._publish(self._topic, json.dumps(prompt.display).encode(), False)
        if prompt.pillbox is not None:
            self._publish(prompt.pillbox.topic, json.dumps(prompt.pillbox.payload).encode(), False)
        self._say(prompt.text)

    def _warn(self, warning: Warning) -> None:
        log.info("medication: a dose already taken was opened again")
        self._publish(self._topic, json.dumps(warning.display).encode(), False)
        self._say(warning.text)

    def _say(self, text: str) -> None:
        if self._speaker is not None:
            self._spawn(self._speak(self._speaker, text))

    async def _speak(self, speaker: Speaker, text: str) -> None:
        try:
            await speaker.speak(text)
        except DeliveryError as exc:
            log.warning("could not speak a medication reminder: %s", exc)

    async def _save(self) -> None:
        if not self._unsaved:
            return
        outcomes, self._unsaved = self._unsaved, []
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(None, self._write_outcomes, outcomes)
        except sqlite3.Error as exc:
            self._unsaved = outcomes + self._unsaved  # tried again at the next tick
            log.error("reminders: cannot store dose outcomes: %s", exc)  # noqa: TRY400

    def _write_outcomes(self, outcomes: list[DoseOutcome]) -> None:
        conn = open_database(self._db_path).conn
        try:
            store_outcomes(conn, outcomes)
        finally:
            conn.close()

    def _spawn(self, work: Coroutine[object, object, object]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def idle(self) -> None:
        """Wait until what was started (speech, marks being stored) is done."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def stop(self) -> None:
        """Finish speaking and store what became final."""
        await self.idle()
        await self._save()
