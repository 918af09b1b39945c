"""The `doses` and `dose_marks` tables (migration 0004_doses): outcomes and people's word.

Outcomes are written once, when final; writing one again (the hub rebuilt its
state after a restart and decided the same dose again) changes nothing.
Marks are written before the engine hears of them, so a restart replays them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime

from hub.modes import Mode, ModeSetting
from hub.reminders.doses import DoseOutcome, Outcome
from hub.reminders.history import Mark
from hub.store.event_table import from_micros, to_micros


def store_outcomes(conn: sqlite3.Connection, outcomes: Iterable[DoseOutcome]) -> int:
    """Write final outcomes in one transaction; returns how many were new."""
    rows = [
        (
            o.medicine,
            o.day,
            o.slot,
            to_micros(o.due),
            int(o.fallback),
            o.outcome.value,
            _micros(o.taken_at),
            o.evidence,
            _micros(o.doubled_at),
            to_micros(o.decided_at),
        )
        for o in outcomes
    ]
    with conn:
        before = conn.total_changes
        conn.executemany(
            "INSERT OR IGNORE INTO doses (medicine, local_date, slot, due_us, fallback, outcome, "
            "taken_us, evidence, doubled_us, decided_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        return conn.total_changes - before


def stored_outcomes(conn: sqlite3.Connection) -> list[DoseOutcome]:
    cursor = conn.execute(
        "SELECT medicine, local_date, slot, due_us, fallback, outcome, taken_us, evidence, "
        "doubled_us, decided_us FROM doses ORDER BY due_us, medicine"
    )
    return [
        DoseOutcome(
            key=f"{medicine}@{day}#{slot}",
            medicine=medicine,
            slot=slot,
            day=day,
            due=from_micros(due),
            fallback=bool(fallback),
            outcome=Outcome(outcome),
            taken_at=_moment(taken),
            evidence=evidence,
            doubled_at=_moment(doubled),
            decided_at=from_micros(decided),
        )
        for medicine, day, slot, due, fallback, outcome, taken, evidence, doubled, decided in cursor
    ]


def add_mark(conn: sqlite3.Connection, mark: Mark) -> int:
    """Record a person's word; returns its row id."""
    with conn:
        cursor = conn.execute(
            "INSERT INTO dose_marks (medicine, taken_us, received_us, by) VALUES (?, ?, ?, ?)",
            (mark.medicine, to_micros(mark.at), to_micros(mark.received), mark.by),
        )
    return int(cursor.lastrowid or 0)


def marks_after(
    conn: sqlite3.Connection, after_id: int = 0, since: datetime | None = None
) -> list[tuple[int, Mark]]:
    """Marks with an id above `after_id` (received at or after `since`), oldest first."""
    low = to_micros(since) if since else -(2**62)
    cursor = conn.execute(
        "SELECT id, medicine, taken_us, received_us, by FROM dose_marks "
        "WHERE id > ? AND received_us >= ? ORDER BY received_us, id",
        (after_id, low),
    )
    return [
        (row_id, Mark(medicine, from_micros(taken), from_micros(received), by))
        for row_id, medicine, taken, received, by in cursor
    ]


def mode_history(conn: sqlite3.Connection) -> list[ModeSetting]:
    """Every mode set (the alert service's `modes` table), oldest first."""
    cursor = conn.execute("SELECT mode, since_us, until_us, set_by, via FROM modes ORDER BY id")
    return [
        ModeSetting(Mode(mode), from_micros(since), _moment(until), set_by, via)
        for mode, since, until, set_by, via in cursor
    ]


def _micros(moment: datetime | None) -> int | None:
    return None if moment is None else to_micros(moment)


def _moment(micros: int | None) -> datetime | None:
    return None if micros is None else from_micros(micros)
