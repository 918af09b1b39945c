"""`ReminderEngine`: the medication schedule followed through the person's day, with no I/O.

Feed it every event (`observe`) and a person's word (`confirm`), and move it
through time (`advance`); each step says what to do in the home (prompts,
"already taken" warnings), which dose outcomes became final, and which
missed-dose conditions hold now. Nothing here reads a clock, a database or
the network, so a replay of stored events gives what the live hub gave.

For the same results live and in replay, call `advance(event.time, mode)`
before `observe(event)`: then every decision that depends on time (a fallback
reached, a window over) is taken with exactly the events before that moment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from hub.alerts.model import Condition, Severity
from hub.config.medication import Anchor
from hub.config.models import HearthConfig
from hub.events import Event
from hub.modes import Mode
from hub.reminders.anchors import MORNING, DayMoments
from hub.reminders.doses import Dose, DoseOutcome
from hub.reminders.evidence import Evidence, EvidenceReader
from hub.reminders.prompts import Prompt, Warning, prompt_for, warning_for
from hub.reminders.schedule import clock_due, doses_on, fallback_at, usual_times
from hub.routine.days import local_instant
from hub.routine.layout import layout_of

RULE = "missed_dose"
SAME_TAKING = timedelta(minutes=5)  # openings this close to the taking are that same taking
KEEP_UNCLAIMED = timedelta(hours=24)
MAX_UNCLAIMED = 200


class UnknownMedicine(ValueError):
    """A confirmation names a medicine the config does not list."""


@dataclass(frozen=True)
class Step:
    """What one `advance` found: things to do in the home, outcomes, conditions holding now."""

    prompts: list[Prompt] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)
    outcomes: list[DoseOutcome] = field(default_factory=list)
    conditions: list[Condition] = field(default_factory=list)


class ReminderEngine:
    def __init__(self, config: HearthConfig, start: datetime) -> None:
        """`start`: when watching began; doses that needed watching before it are not followed."""
        self.config = config
        self.settings = config.medication
        self.layout = layout_of(config)
        self.zone = self.layout.zone
        self.moments = DayMoments(self.layout)
        self._reader = EvidenceReader(config, self.settings.medicines)
        self._names = {m.name.casefold(): m.name for m in self.settings.medicines}
        self._start = start
        self._planned_through: date | None = None
        self._doses: list[Dose] = []  # not yet final, in order of planning
        self._pending: list[Evidence] = []
        self._unclaimed: list[tuple[str, Evidence]] = []  # (medicine, evidence) no dose took
        self._usual: tuple[date, dict[Anchor, time]] | None = None

    # Input -------------------------------------------------------------------------

    def observe(self, event: Event) -> None:
        self.moments.observe(event)
        evidence = self._reader.read(event)
        if evidence is not None:
            self._pending.append(evidence)

    def confirm(self, medicine: str, at: datetime, by: str) -> str:
        """A person says `medicine` was taken at `at`; returns the name as configured."""
        name = self._names.get(medicine.strip().casefold())
        if name is None:
            raise UnknownMedicine(f"{medicine!r} is not in medication.medicines")
        self._pending.append(Evidence(at, frozenset({name}), by, from_person=True))
        return name

    # Time --------------------------------------------------------------------------

    def advance(self, now: datetime, mode: Mode) -> Step:
        self._plan(now)
        self._resolve(now)
        warnings = self._apply_evidence()
        prompts = [] if mode is Mode.AWAY else self._prompts(now)
        outcomes = self._finish(now, mode)
        return Step(prompts, warnings, outcomes, self.conditions(now))

    def conditions(self, now: datetime) -> list[Condition]:
        """A missed_dose warning for each dose overdue now (see `doses.py` for how long)."""
        found = []
        for dose in self._doses:
            if not dose.overdue(now):
                continue
            assert dose.due is not None
            assert dose.window_end is not None
            due = dose.due.astimezone(self.zone)
            summary = (
                f"{dose.name} ({due:%H:%M} dose) not confirmed by "
                f"{dose.window_end.astimezone(self.zone):%H:%M}."
            )
            found.append(
                Condition(
                    rule=RULE,
                    subject=f"{dose.name}@{due:%Y-%m-%dT%H:%M}",
                    severity=Severity.WARNING,
                    since=dose.window_end,
                    summary=summary,
                )
            )
        return found

    def open_doses(self) -> list[Dose]:
        """Doses followed and not yet final (for displays and tests)."""
        return list(self._doses)

    # Steps of `advance` ------------------------------------------------------------

    def _plan(self, now: datetime) -> None:
        today = now.astimezone(self.zone).date()
        day = self._planned_through + timedelta(days=1) if self._planned_through else None
        day = day or self._start.astimezone(self.zone).date()
        early = timedelta(minutes=self.settings.early_min)
        while day <= today:
            watched_morning = self._start <= local_instant(day, MORNING, self.zone)
            for planned in doses_on(day, self.settings.medicines):
                dose = Dose(planned)
                due = clock_due(planned, self.zone)
                if due is None and not watched_morning:
                    continue  # its moment may have passed before we watched
                if due is not None and due - early < self._start:
                    continue
                self._doses.append(dose)
            self._planned_through = day
            day += timedelta(days=1)

    def _resolve(self, now: datetime) -> None:
        margin = timedelta(minutes=self.settings.fallback_margin_min)
        for dose in self._doses:
            if dose.due is not None:
                continue
            planned = dose.planned
            due = clock_due(planned, self.zone)
            if due is None:
                at = planned.time.at
                seen = self.moments.found(planned.day).get(at.anchor)
                if seen is not None:
                    due = seen + at.offset
                else:
                    fallback = fallback_at(planned, self.zone, self._usual_on(planned.day), margin)
                    # Up since a little before the fallback, and about to be confirmed: wait.
                    if now < fallback or self.moments.pending(planned.day, at.anchor, now):
                        continue
                    due, dose.fallback = fallback, True
            self._set_due(dose, due)

    def _set_due(self, dose: Dose, due: datetime) -> None:
        dose.due = due
        dose.accepts_from = due - timedelta(minutes=self.settings.early_min)
        dose.window_end = due + timedelta(minutes=dose.planned.time.window_min)
        # Late until the end of the local day the window ends in: for a dose at 23:30
        # that is tomorrow's midnight, so its missed-dose warning still gets a day.
        window_day = dose.window_end.astimezone(self.zone).date()
        dose.late_limit = local_instant(window_day + timedelta(days=1), time(0), self.zone)
        self._limit_lateness(dose.name)
        for item in sorted(self._unclaimed, key=lambda pair: pair[1].time):
            name, evidence = item
            fits = dose.accepts_from <= evidence.time < dose.window_end
            if fits and name == dose.name and dose.taken_at is None:
                self._take(dose, evidence, late=False)
                self._unclaimed.remove(item)

    def _limit_lateness(self, name: str) -> None:
        """A dose can be taken late only until the medicine's next dose starts to count:
        evidence from then on belongs to the next one. Due times are decided in any order
        (a clock dose at midnight, a relative one when its moment comes), so every pair."""
        decided = [d for d in self._doses if d.name == name and d.due is not None]
        for earlier in decided:
            for later in decided:
                assert earlier.window_end is not None
                assert earlier.late_limit is not None
                assert later.accepts_from is not None
                if later is not earlier and earlier.window_end <= later.accepts_from:
                    limit = min(earlier.late_limit, later.accepts_from)
                    earlier.late_limit = max(earlier.window_end, limit)

    def _usual_on(self, day: date) -> dict[Anchor, time]:
        if self._usual is None or self._usual[0] != day:
            self._usual = (day, usual_times(self.moments.history, day, self.zone))
        return self._usual[1]

    def _apply_evidence(self) -> list[Warning]:
        if not self._pending:
            return []  # the common case, called for every event: nothing to scan
        warnings = []
        for evidence in sorted(self._pending, key=lambda e: e.time):
            doubled = []
            for name in sorted(evidence.medicines):
                claimed = self._claim(name, evidence)
                if claimed is None and not evidence.from_person:
                    claimed = self._doubled(name, evidence)
                    if claimed is not None:
                        doubled.append(claimed)
                if claimed is None:
                    # A relative dose whose moment is seen a little later may still take it.
                    self._unclaimed.append((name, evidence))
            if doubled:
                warnings.append(warning_for(evidence.time, doubled, self.zone))
        self._pending.clear()
        if self._unclaimed:
            newest = max(e.time for _, e in self._unclaimed)
            # A chattering lid contact must not grow this without bound: the newest
            # MAX_UNCLAIMED within a day are plenty to confirm any dose.
            self._unclaimed = [
                (n, e) for n, e in self._unclaimed if newest - e.time < KEEP_UNCLAIMED
            ][-MAX_UNCLAIMED:]
        return warnings

    def _claim(self, name: str, evidence: Evidence) -> Dose | None:
        """The dose `evidence` confirms: one open for it, else one overdue; else None."""
        moment = evidence.time
        mine = [d for d in self._doses if d.name == name and d.due is not None]
        for dose in mine:
            assert dose.accepts_from is not None
            assert dose.window_end is not None
            if dose.taken_at is None and dose.accepts_from <= moment < dose.window_end:
                return self._take(dose, evidence, late=False)
        for dose in mine:
            assert dose.window_end is not None
            assert dose.late_limit is not None
            still_open = dose.taken_at is None and not (dose.missed or dose.away)
            if still_open and dose.window_end <= moment < dose.late_limit:
                return self._take(dose, evidence, late=True)
        return None

    def _take(self, dose: Dose, evidence: Evidence, *, late: bool) -> Dose:
        dose.taken_at, dose.late, dose.evidence = evidence.time, late, evidence.by
        return dose

    def _doubled(self, name: str, evidence: Evidence) -> Dose | None:
        watch = timedelta(minutes=self.settings.doubled_within_min)
        taken = [
            dose
            for dose in self._doses
            if dose.name == name
            and dose.taken_at is not None
            and SAME_TAKING <= evidence.time - dose.taken_at < watch
        ]
        if not taken:
            return None
        latest = max(taken, key=lambda dose: dose.taken_at or evidence.time)
        latest.doubled_at = latest.doubled_at or evidence.time
        return latest

    def _prompts(self, now: datetime) -> list[Prompt]:
        prompts = []
        for dose in self._doses:
            if dose.due is None or dose.taken_at is not None or dose.window_end is None:
                continue
            if now >= dose.window_end:
                continue
            scheduled = dose.planned.time
            every = timedelta(minutes=scheduled.repeat_every_min)
            times = [dose.due + every * k for k in range(scheduled.repeats)]
            times = [t for t in times if t < dose.window_end]
            due_now = sum(1 for t in times if t <= now)
            if due_now > dose.prompts_given:
                # Several due at once (after a restart): one reminder, not a burst.
                dose.prompts_given = due_now
                prompts.append(
                    prompt_for(dose, due_now, len(times), self.zone, self.config.topic_prefix)
                )
        return prompts

    def _finish(self, now: datetime, mode: Mode) -> list[DoseOutcome]:
        watch = timedelta(minutes=self.settings.doubled_within_min)
        outcomes = []
        for dose in self._doses:
            if dose.window_end is None or dose.late_limit is None:
                continue
            if dose.taken_at is not None:
                dose.final = now >= max(dose.taken_at + watch, dose.window_end)
            elif now >= dose.window_end and not (dose.missed or dose.away):
                if mode is Mode.AWAY:
                    dose.away = dose.final = True
                elif now >= dose.late_limit:
                    dose.missed = dose.final = True
            if dose.final:
                outcomes.append(dose.outcome(now))
        self._doses = [d for d in self._doses if not d.final]
        return outcomes
