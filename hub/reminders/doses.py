"""One dose's life, and the values the engine hands out about it.

    planned ──due time decided──> due ──window ends──> overdue (missed_dose condition holds)
       due ──evidence in the window (or early_min before)──> taken on time
    overdue ──evidence before the late limit──> taken late (the condition clears)
    overdue ──late limit passes──> missed        due ──window ends in away mode──> away

The *late limit* is the end of the local day in which the window ends, or
sooner the moment the same medicine's next dose starts to count (but never
before the window ends).
A taken dose stays watched for `doubled_within_min`: another opening of its
pill box then is a doubled dose. An outcome is *final* once nothing can
change it any more (the watch over, or the dose missed or away).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from hub.reminders.schedule import PlannedDose


class Outcome(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    MISSED = "missed"
    AWAY = "away"  # due while the home was in away mode and not taken: not a missed dose


@dataclass(frozen=True, slots=True)
class DoseOutcome:
    """What became of one dose, once final. `doubled_at`: a second dose seemed to be taken."""

    key: str
    medicine: str
    slot: int
    day: str  # local date, ISO
    due: datetime
    fallback: bool  # due at the fallback time: the moment it follows was not seen
    outcome: Outcome
    taken_at: datetime | None
    evidence: str  # what confirmed it: a sensor id, "carer:<name>", "cli:<name>", or ""
    doubled_at: datetime | None
    decided_at: datetime


@dataclass
class Dose:
    """A dose the engine is following; only the engine changes it."""

    planned: PlannedDose
    due: datetime | None = None  # None until its moment (or the fallback) is reached
    fallback: bool = False
    accepts_from: datetime | None = None  # due - early_min
    window_end: datetime | None = None
    late_limit: datetime | None = None
    prompts_given: int = 0
    taken_at: datetime | None = None
    late: bool = False
    evidence: str = ""
    doubled_at: datetime | None = None
    away: bool = False
    missed: bool = False
    final: bool = False

    @property
    def key(self) -> str:
        return self.planned.key

    @property
    def name(self) -> str:
        return self.planned.medicine.name

    def overdue(self, moment: datetime) -> bool:
        """Not taken, its window over, and neither missed nor away yet."""
        return (
            self.window_end is not None
            and moment >= self.window_end
            and self.taken_at is None
            and not (self.missed or self.away)
        )

    def outcome(self, decided_at: datetime) -> DoseOutcome:
        if self.taken_at is not None:
            outcome = Outcome.LATE if self.late else Outcome.ON_TIME
        else:
            outcome = Outcome.AWAY if self.away else Outcome.MISSED
        assert self.due is not None  # only a dose with a due time becomes final
        return DoseOutcome(
            key=self.key,
            medicine=self.name,
            slot=self.planned.slot,
            day=self.planned.day.isoformat(),
            due=self.due,
            fallback=self.fallback,
            outcome=outcome,
            taken_at=self.taken_at,
            evidence=self.evidence,
            doubled_at=self.doubled_at,
            decided_at=decided_at,
        )
