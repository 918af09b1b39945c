"""Stored future times computed on a wrong clock, put right after a step.

The rules are pure (hub/clock_guard.py, ModeSetting.after_clock_step); the
store edge (`AlertStore.retime_after_step`) runs them over a real SQLite
database. The clock is wrong by fault injection (`clock_fakes`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub.alerts.store import AlertStore
from hub.clock_guard import (
    ClockGuard,
    Step,
    ask_until_after_step,
    mode_after_step,
    retry_after_step,
)
from hub.modes import Mode, ModeSetting
from hub.store.database import open_database
from hub.store.event_table import from_micros, to_micros
from tests.clock.clock_fakes import FakeSync, FakeTime

TRUE = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
BOOT = TRUE - timedelta(minutes=10)
AHEAD = timedelta(days=40)
LONGEST = timedelta(seconds=300)  # alerts.delivery.retry_max_s
WINDOW = timedelta(seconds=120)  # alerts.im_ok.window_s


def stepped_guard(error: timedelta) -> tuple[ClockGuard, FakeTime, Step]:
    """A hub booted with its clock `error` wrong, then NTP setting it right."""
    time = FakeTime(TRUE, BOOT, error=error)
    guard = ClockGuard(FakeSync(time=time), boot="boot-1", monotonic_ns=time.monotonic_ns)
    guard.check(time.now())
    time.true += timedelta(minutes=5)
    time.error = timedelta(0)
    guard.check(time.now())
    [step] = guard.steps
    return guard, time, step


def test_a_step_knows_which_stored_times_were_read_from_the_old_clock() -> None:
    _, time, step = stepped_guard(AHEAD)
    assert step.size == -AHEAD
    assert step.old_boot_start == BOOT + AHEAD
    assert step.old_now == time.true + AHEAD
    assert step.read_before(TRUE + AHEAD)  # stamped by this boot, before the step
    assert not step.read_before(BOOT + AHEAD - timedelta(seconds=1))  # before this boot
    assert not step.read_before(time.now())  # on the corrected clock
    assert not Step(timedelta(hours=1), trusted_before=True).read_before(TRUE)


def test_a_retry_scheduled_weeks_ahead_comes_within_the_longest_backoff() -> None:
    _, time, _ = stepped_guard(AHEAD)
    now = time.now()
    scheduled_on_wrong_clock = TRUE + AHEAD + timedelta(seconds=30)
    assert retry_after_step(scheduled_on_wrong_clock, now, LONGEST) == now + LONGEST
    # Already sooner than that (or overdue, after a step forward): left alone.
    soon = now + timedelta(seconds=20)
    assert retry_after_step(soon, now, LONGEST) == soon
    assert retry_after_step(now - timedelta(hours=3), now, LONGEST) == now - timedelta(hours=3)


@pytest.mark.parametrize("error", [AHEAD, -timedelta(hours=3)], ids=["ahead", "behind"])
def test_an_are_you_ok_window_moves_with_the_clock(error: timedelta) -> None:
    _, time, step = stepped_guard(error)
    asked = time.now() - timedelta(seconds=30)  # truly 30 s ago, read on the wrong clock
    until = asked + error + WINDOW
    assert ask_until_after_step(until, step, time.now(), WINDOW) == asked + WINDOW


def test_an_are_you_ok_window_asked_on_the_new_clock_is_never_longer_than_a_window() -> None:
    # Asked in the seconds between the step and the guard seeing it (clock was behind).
    _, time, step = stepped_guard(-timedelta(hours=3))
    until = time.now() + WINDOW
    assert ask_until_after_step(until, step, time.now(), WINDOW) == time.now() + WINDOW


def test_a_mode_set_for_three_days_on_a_clock_weeks_ahead_ends_three_days_after_set() -> None:
    _, time, step = stepped_guard(AHEAD)
    set_at = TRUE + timedelta(minutes=1)  # truly; `hearth mode away --for 3d` read TRUE + AHEAD
    ends = set_at + AHEAD + timedelta(days=3)
    wrong = ModeSetting(Mode.AWAY, set_at + AHEAD, ends, "anna", "cli")
    right = mode_after_step(wrong, step)
    assert (right.since, right.until) == (set_at, set_at + timedelta(days=3))
    assert right.in_force(time.now() + timedelta(days=4)) is Mode.HOME  # not 43 days of "away"


def test_a_mode_end_is_never_made_later_by_a_step_forward() -> None:
    # Clock 3 h behind: the end may be a person's own time (right) or a length on the
    # wrong clock (3 h early); the earlier one is kept: rules are never paused longer.
    _, _, step = stepped_guard(-timedelta(hours=3))
    since = TRUE - timedelta(hours=3)
    until = datetime(2026, 3, 9, 18, 0, tzinfo=UTC)
    right = mode_after_step(ModeSetting(Mode.AWAY, since, until, "anna", "mqtt"), step)
    assert (right.since, right.until) == (TRUE, until)


def test_a_mode_set_before_this_boot_is_left_alone() -> None:
    _, _, step = stepped_guard(AHEAD)
    setting = ModeSetting(
        Mode.AWAY, TRUE - timedelta(days=2), TRUE + timedelta(days=5), "anna", "web"
    )
    assert mode_after_step(setting, step) is setting
    home = ModeSetting(Mode.HOME, TRUE + AHEAD, None, "anna", "web")
    assert mode_after_step(home, step).until is None


# The store edge ------------------------------------------------------------------------


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    db = open_database(tmp_path / "hub.db")
    yield db.conn
    db.conn.close()


def add_alert(conn: sqlite3.Connection, state: str, asks_until: datetime | None) -> int:
    cursor = conn.execute(
        "INSERT INTO alerts (key, rule, subject, severity, summary, since_us, raised_us, state, "
        "asks_resident, condition_active, level, asks_until_us) "
        "VALUES (?, 'no_movement', 'home', 'urgent', '', 0, 0, ?, 1, 1, 0, ?)",
        (f"no_movement:{state}", state, None if asks_until is None else to_micros(asks_until)),
    )
    return int(cursor.lastrowid or 0)


def add_message(conn: sqlite3.Connection, alert: int, state: str, at: datetime) -> None:
    conn.execute(
        "INSERT INTO outbox (alert_id, recipient, channel, idempotency_key, message, created_us, "
        "state, next_attempt_us) VALUES (?, 'anna', 0, ?, '{}', 0, ?, ?)",
        (alert, f"key-{state}-{to_micros(at)}", state, to_micros(at)),
    )


def test_the_store_puts_right_pending_retries_asking_windows_and_the_latest_mode(
    conn: sqlite3.Connection,
) -> None:
    _, time, step = stepped_guard(AHEAD)
    now = time.now()
    asked = now - timedelta(seconds=30)
    asking = add_alert(conn, "asking", asked + AHEAD + WINDOW)
    opened = add_alert(conn, "open", None)
    add_message(conn, opened, "pending", TRUE + AHEAD + timedelta(seconds=10))
    add_message(conn, opened, "pending", now + timedelta(seconds=5))  # fine as it is
    add_message(conn, opened, "sent", TRUE + AHEAD)  # history: not touched
    store = AlertStore(conn)
    store.set_mode(ModeSetting(Mode.HOME, TRUE - timedelta(days=9), None, "anna", "web"))
    set_at = TRUE + AHEAD
    store.set_mode(ModeSetting(Mode.VISITORS, set_at, set_at + timedelta(hours=4), "bo", "cli"))

    changed = store.retime_after_step(
        lambda moment: retry_after_step(moment, now, LONGEST),
        lambda moment: ask_until_after_step(moment, step, now, WINDOW),
        lambda setting: mode_after_step(setting, step),
    )

    assert changed == (1, 1, 1)
    attempts = conn.execute("SELECT state, next_attempt_us FROM outbox ORDER BY id").fetchall()
    assert [(s, from_micros(t)) for s, t in attempts] == [
        ("pending", now + LONGEST),
        ("pending", now + timedelta(seconds=5)),
        ("sent", TRUE + AHEAD),
    ]
    alert = store.alert(asking)
    assert alert is not None
    assert alert.asks_until == asked + WINDOW
    mode = store.mode_setting()
    assert mode is not None
    assert (mode.since, mode.until) == (TRUE, TRUE + timedelta(hours=4))
    # The earlier mode row is history, read by the reminders' mode_history: as it was.
    first = conn.execute("SELECT since_us FROM modes ORDER BY id LIMIT 1").fetchone()
    assert from_micros(first[0]) == TRUE - timedelta(days=9)
    # Nothing left to do: a second pass changes nothing.
    assert store.retime_after_step(
        lambda moment: retry_after_step(moment, now, LONGEST),
        lambda moment: moment,
        lambda setting: setting,
    ) == (0, 0, 0)
