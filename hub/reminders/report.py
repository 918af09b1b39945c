"""Adherence from a database: the engine run over the stored events, or the live hub's record.

`replayed_outcomes` runs the same engine the live hub runs over the stored
events, marks and modes, in event time, so after `hearth replay` it gives
the outcomes the live hub would have stored in `doses`.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

from hub.config.models import HearthConfig
from hub.reminders.dose_table import marks_after, mode_history, stored_outcomes
from hub.reminders.doses import DoseOutcome
from hub.reminders.history import run
from hub.store.event_table import from_micros, read_events


def replayed_outcomes(config: HearthConfig, conn: sqlite3.Connection) -> list[DoseOutcome]:
    """Final outcomes of every dose due between the first and the last stored event."""
    row = conn.execute("SELECT min(time_us), max(time_us) FROM events").fetchone()
    if row is None or row[0] is None:
        return []
    first, last = from_micros(row[0]), from_micros(row[1])
    marks = [mark for _, mark in marks_after(conn)]
    steps = run(
        config, read_events(conn), start=first, until=last, marks=marks, modes=mode_history(conn)
    )
    return [outcome for _, step in steps for outcome in step.outcomes]


def recorded_outcomes(conn: sqlite3.Connection) -> list[DoseOutcome]:
    """What the live hub stored as doses became final."""
    return stored_outcomes(conn)


def within(outcomes: list[DoseOutcome], first: date | None, last: date | None) -> list[DoseOutcome]:
    """Outcomes of doses due on local dates from `first` to `last` (both included)."""
    return [
        o
        for o in outcomes
        if (first is None or date.fromisoformat(o.day) >= first)
        and (last is None or date.fromisoformat(o.day) <= last)
    ]


def outcome_record(outcome: DoseOutcome) -> dict[str, object]:
    def iso(moment: datetime | None) -> str | None:
        return None if moment is None else moment.isoformat()

    return {
        "medicine": outcome.medicine,
        "date": outcome.day,
        "slot": outcome.slot,
        "due": iso(outcome.due),
        "fallback": outcome.fallback,
        "outcome": outcome.outcome.value,
        "taken_at": iso(outcome.taken_at),
        "evidence": outcome.evidence,
        "doubled_at": iso(outcome.doubled_at),
    }
