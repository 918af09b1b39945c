"""A simulated month: the adherence table exactly as injected, one alert per missed dose,
the routine-relative reminder following each day's getting up, and the live adapter's
record equal to what `hearth meds` computes afterwards."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from click.testing import CliRunner

from hub.alerts import lifecycle
from hub.alerts.model import Action, Alert
from hub.alerts.routing import Policy
from hub.alerts.store import AlertStore
from hub.cli import main
from hub.clock import ManualClock
from hub.config.models import HearthConfig
from hub.events import Event
from hub.reminders import weekly
from hub.reminders.dose_table import add_mark, marks_after, store_outcomes, stored_outcomes
from hub.reminders.doses import DoseOutcome, Outcome
from hub.reminders.engine import Step
from hub.reminders.history import Mark, mode_at
from hub.reminders.live import LiveReminders
from hub.reminders.report import replayed_outcomes
from hub.store.database import open_database
from hub.store.event_table import insert_events
from tests.reminders.helpers import home, home_data, steps
from tests.reminders.month import MEDICINES, Month, expected_weeks, simulate


def _run(month: Month) -> list[tuple[datetime, Step]]:
    return steps(
        home(MEDICINES),
        month.events,
        start=month.start,
        until=month.until,
        marks=month.marks,
        modes=month.modes,
    )


def test_the_adherence_table_is_exactly_as_injected() -> None:
    month = simulate()
    kinds = Counter(month.plan.values())
    assert all(kinds[k] >= 3 for k in ("on_time", "late", "missed", "doubled", "away")), kinds
    outcomes = [o for _, step in _run(month) for o in step.outcomes]
    assert len(outcomes) == len(month.plan)
    assert [row.record() for row in weekly(outcomes)] == expected_weeks(month)


def test_each_missed_dose_raises_exactly_one_alert() -> None:
    month = simulate()
    config = home(MEDICINES)
    policy = Policy(config.alerts, ZoneInfo(config.home.timezone))
    covering: list[Alert] = []
    raised: Counter[str] = Counter()
    next_id = 1
    for now, step in _run(month):
        changes = lifecycle.on_conditions(covering, step.conditions, now, policy)
        for change in changes:
            after = change.after
            if change.before is None:
                after = dataclasses.replace(after, id=next_id)
                next_id += 1
                raised[after.subject] += sum(t.action is Action.RAISED for t in change.transitions)
            covering = [a for a in covering if a.key != after.key]
            if after.condition_active:
                covering.append(after)
    missed_or_late = {
        f"{medicine}@{day.isoformat()}"
        for (medicine, day, _), plan in month.plan.items()
        if plan in ("missed", "late")
    }
    # One alert per dose not taken in its window (late ones resolve when taken), none other.
    per_dose = Counter(subject.rpartition("T")[0] for subject in raised.elements())
    assert set(per_dose) == missed_or_late
    missed_count = sum(plan in ("missed", "late") for plan in month.plan.values())
    assert sum(raised.values()) == missed_count
    assert all(count == 1 for count in raised.values())


def test_one_condition_run_per_dose_not_taken_in_its_window() -> None:
    month = simulate()
    runs: Counter[str] = Counter()
    holding: set[str] = set()
    for _, step in _run(month):
        now_holding = {c.key for c in step.conditions}
        runs.update(now_holding - holding)
        holding = now_holding
    assert all(count == 1 for count in runs.values())
    assert len(runs) == sum(plan in ("missed", "late") for plan in month.plan.values())


def test_the_reminder_follows_getting_up_on_each_day() -> None:
    month = simulate()
    first_prompt = {
        step_prompt.display["dose"]: moment
        for moment, step in _run(month)
        for step_prompt in step.prompts
        if step_prompt.number == 1
    }
    assert len(month.up) >= 25
    for day, up in month.up.items():
        key = f"Metformin@{day.isoformat()}#1"
        assert first_prompt[key] == up + timedelta(minutes=30), day


def test_hearth_meds_after_storing_the_month_gives_the_same_table(tmp_path: Path) -> None:
    month = simulate()
    db = tmp_path / "home.db"
    conn = open_database(db).conn
    insert_events(conn, month.events)
    for mark in month.marks:
        add_mark(conn, mark)
    for setting in month.modes:
        AlertStore(conn).set_mode(setting)  # as `hearth mode` does
    conn.close()
    config_file = tmp_path / "home.yaml"
    data = home_data(MEDICINES)
    data["storage"] = {"path": str(db)}
    config_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    HearthConfig.model_validate(data)
    result = CliRunner().invoke(main, ["meds", "--config", str(config_file), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    # The stored events end on the last simulated day, so its doses are not all final:
    # the weeks before the last must match in full.
    last_week = max(str(row["week"]) for row in rows)
    assert [r for r in rows if r["week"] < last_week] == [
        r for r in expected_weeks(month) if str(r["week"]) < last_week
    ]
    assert len(rows) == len(expected_weeks(month))
    text = CliRunner().invoke(main, ["meds", "--config", str(config_file)])
    assert text.exit_code == 0, text.output
    assert text.output.splitlines()[0].split() == [
        "medicine",
        "week",
        "due",
        "on",
        "time",
        "late",
        "missed",
        "doubled",
        "away",
    ]


def test_hearth_meds_taken_records_a_mark_and_recorded_reads_the_live_table(
    tmp_path: Path,
) -> None:

    db = tmp_path / "home.db"
    open_database(db).conn.close()
    config_file = tmp_path / "home.yaml"
    data = home_data(MEDICINES)
    data["storage"] = {"path": str(db)}
    config_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    base = ["meds", "--config", str(config_file)]
    result = CliRunner().invoke(main, [*base, "taken", "metformin", "--by", "anna"])
    assert result.exit_code == 0, result.output
    unknown = CliRunner().invoke(main, [*base, "taken", "paracetamol"])
    assert unknown.exit_code == 2
    assert "not in medication.medicines" in unknown.output
    conn = open_database(db).conn
    ((_, mark),) = marks_after(conn)
    assert (mark.medicine, mark.by) == ("Metformin", "cli:anna")
    due = datetime.fromisoformat("2026-03-02T08:00:00+00:00")
    store_outcomes(
        conn,
        [
            DoseOutcome(
                "Aspirin@2026-03-02#1",
                "Aspirin",
                1,
                "2026-03-02",
                due,
                False,
                Outcome.LATE,
                due + timedelta(hours=2),
                "pill_button",
                None,
                due,
            ),
        ],
    )
    conn.close()
    shown = CliRunner().invoke(main, [*base, "--recorded", "--format", "json"])
    assert json.loads(shown.output) == {
        "medicine": "Aspirin",
        "week": "2026-03-02",
        "on_time": 0,
        "late": 1,
        "missed": 0,
        "doubled": 0,
        "away": 0,
        "due": 1,
    }
    doses = CliRunner().invoke(main, [*base, "--recorded", "--doses", "--format", "json"])
    assert json.loads(doses.output)["taken_at"] == "2026-03-02T10:00:00+00:00"


async def test_the_live_adapter_stores_what_hearth_meds_computes_after_the_fact(
    tmp_path: Path,
) -> None:
    """The month fed to `LiveReminders` as the live hub would (each event as it comes,
    conditions every 45 s, marks through the database): its `doses` table equals the
    outcomes `hearth meds` computes from the stored events, marks and modes."""

    month = simulate()
    config = home(MEDICINES)
    db = tmp_path / "home.db"
    conn = open_database(db).conn
    for setting in month.modes:
        AlertStore(conn).set_mode(setting)  # as `hearth mode` does
    clock = ManualClock(month.start)
    published: list[tuple[str, bytes, bool]] = []
    live = LiveReminders(config, clock, lambda *m: published.append(m), None, db)
    tick = timedelta(seconds=45)
    moment = month.start
    arrivals: list[tuple[datetime, int, Event | Mark]] = [(e.time, 0, e) for e in month.events]
    arrivals += [(m.received, 1, m) for m in month.marks]
    for at, _, item in sorted(arrivals, key=lambda a: (a[0], a[1])):
        while moment + tick < at:
            moment += tick
            clock.advance_to(moment)
            live.conditions(moment, mode_at(month.modes, moment))
            if moment.minute == 0 and moment.second < 45:
                await live.tick()  # stores what became final
        clock.advance_to(at)
        if isinstance(item, Mark):
            add_mark(conn, item)  # as `hearth meds taken` or the MQTT topic would
            await live.tick()
        else:
            insert_events(conn, [item])  # as the hub's writer would
            live.observe(item)
        live.conditions(at, mode_at(month.modes, at))
    clock.advance_to(month.until)
    live.conditions(month.until, mode_at(month.modes, month.until))
    await live.stop()
    recorded = {o.key: o for o in stored_outcomes(conn)}
    replayed = {o.key: o for o in replayed_outcomes(config, conn)}
    conn.close()

    def same(o: object) -> tuple[object, ...]:
        return tuple(
            getattr(o, f)
            for f in ("outcome", "due", "taken_at", "doubled_at", "evidence", "fallback")
        )

    # The replay stops at the last stored event: the last day's doses may not all be final.
    assert set(replayed) <= set(recorded)
    assert len(replayed) >= len(recorded) - 3
    assert {k: same(o) for k, o in replayed.items()} == {k: same(recorded[k]) for k in replayed}
    assert [r.record() for r in weekly(recorded.values())] == expected_weeks(month)
    assert any(topic.endswith("/reminders") for topic, _, _ in published)
