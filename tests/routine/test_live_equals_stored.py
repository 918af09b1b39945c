"""What the live hub tells carers each day is what `hearth routine` says of that day.

A simulated person (the simulator's "typical" home) gets up 90 minutes later
from day 30 and goes out less from day 40. The hub learns once a day, as
`hub.safety` does, from a database that holds only what had been stored by
then; it keeps each final day's summary as it goes. Each day's conditions
must equal those computed afterwards from the whole database by
`hearth routine`'s path, and from a plain replay of the same events into a
database with no summaries at all: one routine, however it is asked for.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hub.alerts.model import Condition
from hub.config.loader import load_config
from hub.evaluate import CONFIGS
from hub.events import Event
from hub.routine.alerting import routine_conditions
from hub.routine.score import RoutineDayResult
from hub.routine.stored import final_day, stored_routine
from hub.safety import _learn_from
from hub.simulate import Change, ChangeKind, builtin_profile, simulate
from hub.store.database import open_database
from hub.store.day_summaries import saved_routine_days
from hub.store.event_table import insert_events

START = date(2025, 1, 6)
DAYS = 56


def _store(path: Path, events: list[Event]) -> None:
    conn = open_database(path).conn
    try:
        with conn:
            conn.execute("BEGIN")
            insert_events(conn, events)
    finally:
        conn.close()


def _expected(results: list[RoutineDayResult], today: date, zone: ZoneInfo) -> list[Condition]:
    last = final_day(today)
    return routine_conditions(
        [r for r in results if r.date <= last], last + timedelta(days=1), zone
    )


@pytest.mark.slow
def test_each_days_conditions_equal_the_stored_routine_and_a_replay(tmp_path: Path) -> None:
    config = load_config(CONFIGS / "simulated-home.yaml")
    config = config.model_copy(
        update={"storage": config.storage.model_copy(update={"path": tmp_path / "live.db"})}
    )
    zone = ZoneInfo(config.home.timezone)
    changes = [
        Change(ChangeKind.TIME_UP, 90, onset=30),
        Change(ChangeKind.OUTINGS, 0, onset=40),
    ]
    events = list(simulate(config, builtin_profile("typical"), START, DAYS, 5, changes=changes))
    live: dict[date, list[Condition]] = {}
    stored = 0
    for index in range(1, DAYS + 1):
        today = START + timedelta(days=index)
        # The hub learns at the first tick of the day, a few seconds after midnight.
        now = datetime.combine(today, time(0, 0, 5), zone)
        fresh = [e for e in events[stored:] if e.time < now]
        _store(config.storage.path, fresh)
        stored += len(fresh)
        _, conditions = _learn_from(config.storage.path, now, today, config)
        live[today] = conditions

    conn = open_database(config.storage.path).conn
    try:
        kept = saved_routine_days(conn, zone)
        routine = stored_routine(conn, config)
    finally:
        conn.close()
    # The final days were kept, with their signs (the first marked partial: the data begin then).
    assert [day.date for day, _ in kept] == [START + timedelta(days=n) for n in range(DAYS - 1)]
    assert kept[0][0].partial
    assert all(signs is not None for _, signs in kept)

    replay_path = tmp_path / "replay.db"
    _store(replay_path, events)
    conn = open_database(replay_path).conn
    try:
        replayed = stored_routine(conn, config)
    finally:
        conn.close()

    told = 0
    for today, conditions in live.items():
        assert conditions == _expected(routine.results, today, zone), today
        replay = _expected(replayed.results, today, zone)
        assert [(c.subject, c.since) for c in conditions] == [
            (c.subject, c.since) for c in replay
        ], today
        told += bool(conditions)
    # The changes were seen, so the comparison compared something.
    subjects = {c.subject for conditions in live.values() for c in conditions}
    assert "time_up" in subjects, subjects
    print(f"{told} of {len(live)} days with routine changes open; about: {sorted(subjects)}")
