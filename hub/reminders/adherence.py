"""Adherence: per medicine and per week (Monday to Sunday, local), how each dose went.

A week row counts doses by outcome: on time, late, missed, away (due while
the home was in away mode). `doubled` counts doses after which a second
opening of the pill box came within the watch: such a dose is also counted as
on time or late, since it was taken. Only final outcomes are counted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from hub.reminders.doses import DoseOutcome, Outcome


@dataclass(frozen=True, slots=True)
class WeekAdherence:
    medicine: str
    week: date  # the Monday
    on_time: int
    late: int
    missed: int
    doubled: int
    away: int

    @property
    def due(self) -> int:
        return self.on_time + self.late + self.missed + self.away

    def record(self) -> dict[str, object]:
        return asdict(self) | {"week": self.week.isoformat(), "due": self.due}


def weekly(outcomes: Iterable[DoseOutcome]) -> list[WeekAdherence]:
    """One row per medicine and week with at least one final dose, by medicine then week."""
    counts: dict[tuple[str, date], dict[str, int]] = {}
    for outcome in outcomes:
        day = date.fromisoformat(outcome.day)
        monday = day - timedelta(days=day.weekday())
        row = counts.setdefault((outcome.medicine, monday), dict.fromkeys(_FIELDS, 0))
        row[outcome.outcome.value] += 1
        if outcome.doubled_at is not None:
            row["doubled"] += 1
    return [
        WeekAdherence(medicine, monday, **row) for (medicine, monday), row in sorted(counts.items())
    ]


_FIELDS = (*(o.value for o in Outcome), "doubled")
