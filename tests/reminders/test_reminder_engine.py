"""The reminder engine driven by hand-built events: prompts, each kind of evidence, outcomes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from hub.events import Event, Kind
from hub.modes import Mode, ModeSetting
from hub.reminders import DoseOutcome, Outcome, Prompt, ReminderEngine
from hub.reminders.engine import MAX_UNCLAIMED, Step
from hub.reminders.history import Mark
from tests.reminders.helpers import ZONE, event, home, lid, local, morning, steps

DAY = date(2026, 3, 2)  # a Monday
AT_EIGHT = [{"name": "Aspirin", "dose": "one tablet", "times": [{"at": "08:00"}]}]


def _run(
    medicines: list[dict[str, Any]],
    events: list[Event],
    *,
    marks: Sequence[Mark] = (),
    modes: Sequence[ModeSetting] = (),
) -> list[tuple[datetime, Step]]:
    config = home(medicines)
    until = local(DAY + timedelta(days=1), 6)
    return steps(config, events, start=local(DAY, 0), until=until, marks=marks, modes=modes)


def _outcomes(found: list[tuple[datetime, Step]]) -> dict[str, DoseOutcome]:
    return {o.key: o for _, step in found for o in step.outcomes}


def _prompts(found: list[tuple[datetime, Step]]) -> list[tuple[datetime, Prompt]]:
    return [(moment, p) for moment, step in found for p in step.prompts]


def _cleared_at(found: list[tuple[datetime, Step]]) -> tuple[datetime, datetime]:
    """When the conditions first held, and the time of the first step without them after."""
    held = [index for index, (_, step) in enumerate(found) if step.conditions]
    assert held == list(range(held[0], held[-1] + 1)), "one unbroken run"
    return found[held[0]][0], found[held[-1] + 1][0]


def test_prompts_repeat_within_the_window_until_taken() -> None:
    found = _run(AT_EIGHT, lid(local(DAY, 8, 20)))
    prompts = _prompts(found)
    assert [moment for moment, _ in prompts] == [local(DAY, 8, 0), local(DAY, 8, 15)]
    first = prompts[0][1]
    assert first.text == "It is time to take one tablet of your Aspirin."
    assert first.display["until"] == local(DAY, 9, 0).isoformat()
    outcome = _outcomes(found)["Aspirin@2026-03-02#1"]
    assert outcome.outcome is Outcome.ON_TIME
    assert outcome.taken_at == local(DAY, 8, 20)


def test_no_prompt_after_the_window_and_none_when_taken_early() -> None:
    medicines = [
        {
            "name": "Aspirin",
            "times": [{"at": "08:00", "window_min": 20, "repeats": 5, "repeat_every_min": 10}],
        }
    ]
    prompts = _prompts(_run(medicines, []))
    # 08:00, 08:10; 08:20 would be the window's end.
    assert [moment for moment, _ in prompts] == [local(DAY, 8, 0), local(DAY, 8, 10)]
    early = _run(medicines, lid(local(DAY, 7, 40)))
    assert _prompts(early) == []
    assert _outcomes(early)["Aspirin@2026-03-02#1"].outcome is Outcome.ON_TIME


def test_each_kind_of_device_evidence_confirms() -> None:
    kinds = {
        "lid": [event(local(DAY, 8, 5), "pillbox_lid", Kind.CONTACT, True)],
        "button": [
            event(local(DAY, 8, 5), "pill_button", Kind.BUTTON, "single"),
            event(local(DAY, 8, 5), "pill_button", Kind.BUTTON, ""),
        ],
        "pill box report": [event(local(DAY, 8, 5), "pillbox", Kind.MEDICATION, "taken")],
    }
    for name, events in kinds.items():
        outcome = _outcomes(_run(AT_EIGHT, events))["Aspirin@2026-03-02#1"]
        assert outcome.outcome is Outcome.ON_TIME, name
        assert outcome.taken_at == local(DAY, 8, 5), name


def test_things_that_are_not_evidence_do_not_confirm() -> None:
    events = [
        event(local(DAY, 8, 5), "pillbox_lid", Kind.CONTACT, False),  # closing
        event(local(DAY, 8, 6), "pill_button", Kind.BUTTON, ""),  # Zigbee2MQTT's reset
        event(local(DAY, 8, 7), "pillbox", Kind.MEDICATION, "battery_low"),
        event(local(DAY, 8, 8), "kitchen_motion", Kind.MOTION, True),
    ]
    assert _outcomes(_run(AT_EIGHT, events))["Aspirin@2026-03-02#1"].outcome is Outcome.MISSED


def test_a_carer_mark_confirms_with_the_time_they_give() -> None:
    mark = Mark("aspirin", local(DAY, 8, 10), local(DAY, 11, 0), "carer:anna")
    found = _run(AT_EIGHT, [], marks=[mark])
    outcome = _outcomes(found)["Aspirin@2026-03-02#1"]
    # Said at 11:00 that it was taken at 08:10: on time, though the warning had gone out.
    assert outcome.outcome is Outcome.ON_TIME
    assert outcome.evidence == "carer:anna"
    assert _cleared_at(found) == (local(DAY, 9, 0), local(DAY, 11, 0))


def test_a_second_opening_is_answered_and_recorded_as_doubled() -> None:
    events = lid(local(DAY, 8, 12)) + lid(local(DAY, 8, 14)) + lid(local(DAY, 9, 30))
    found = _run(AT_EIGHT, events)
    warnings = [(moment, w) for moment, step in found for w in step.warnings]
    # 08:14 is the same taking (the lid opened twice within minutes); 09:30 is not.
    assert len(warnings) == 1
    moment, warning = warnings[0]
    assert moment == local(DAY, 9, 30)
    assert "You already took your Aspirin at 08:12" in warning.text
    outcome = _outcomes(found)["Aspirin@2026-03-02#1"]
    assert outcome.doubled_at == local(DAY, 9, 30)
    assert outcome.outcome is Outcome.ON_TIME


def test_late_then_the_condition_clears() -> None:
    found = _run(AT_EIGHT, lid(local(DAY, 10, 30)))
    outcome = _outcomes(found)["Aspirin@2026-03-02#1"]
    assert outcome.outcome is Outcome.LATE
    assert _cleared_at(found) == (local(DAY, 9, 0), local(DAY, 10, 30))
    condition = next(step.conditions[0] for _, step in found if step.conditions)
    assert condition.key == "missed_dose:Aspirin@2026-03-02T08:00"
    assert condition.since == local(DAY, 9, 0)
    assert condition.severity.value == "warning"
    assert not condition.asks_resident


def test_missed_holds_until_the_end_of_the_local_day() -> None:
    found = _run(AT_EIGHT, [])
    held = [moment for moment, step in found if step.conditions]
    assert held[0] == local(DAY, 9, 0)
    assert held[-1] == local(DAY + timedelta(days=1), 0) - timedelta(minutes=1)
    outcome = _outcomes(found)["Aspirin@2026-03-02#1"]
    assert outcome.outcome is Outcome.MISSED


def test_away_mode_records_away_and_gives_no_prompts() -> None:
    away = ModeSetting(Mode.AWAY, local(DAY, 0), local(DAY, 20), "anna", "cli")
    found = _run(AT_EIGHT, [], modes=[away])
    assert _prompts(found) == []
    assert not any(step.conditions for _, step in found)
    assert _outcomes(found)["Aspirin@2026-03-02#1"].outcome is Outcome.AWAY


def test_a_relative_dose_follows_getting_up() -> None:
    medicines = [{"name": "Metformin", "times": [{"at": "30 minutes after getting up"}]}]
    found = _run(medicines, morning(DAY, (7, 10)))
    prompts = _prompts(found)
    assert prompts[0][0] == local(DAY, 7, 40)
    assert prompts[0][1].display["due"] == local(DAY, 7, 40).isoformat()
    assert prompts[0][1].display["fallback"] is False


def test_an_opening_before_getting_up_is_confirmed_counts_once_it_is() -> None:
    # Up at 07:10 (known at 07:25), pills at 07:12: due 07:10, so on time.
    medicines = [{"name": "Metformin", "times": [{"at": "on getting up"}]}]
    found = _run(medicines, morning(DAY, (7, 10)) + lid(local(DAY, 7, 12)))
    assert _prompts(found) == []
    outcome = _outcomes(found)["Metformin@2026-03-02#1"]
    assert outcome.outcome is Outcome.ON_TIME
    assert outcome.due == local(DAY, 7, 10)


def test_staying_in_bed_falls_back_to_the_clock_and_says_so() -> None:
    medicines = [
        {"name": "Metformin", "times": [{"at": "with breakfast", "fallback": "10:15"}]},
        {"name": "Aspirin", "times": [{"at": "on getting up"}]},  # default fallback 10:00
    ]
    found = _run(medicines, [])
    prompts = {p.medicine: (moment, p) for moment, p in _prompts(found) if p.number == 1}
    assert prompts["Metformin"][0] == local(DAY, 10, 15)
    assert prompts["Aspirin"][0] == local(DAY, 10, 0)
    display = prompts["Metformin"][1].display
    assert display["fallback"] is True
    assert "breakfast was not seen" in str(display["note"])
    assert _outcomes(found)["Metformin@2026-03-02#1"].fallback


def test_the_fallback_learns_the_usual_time_plus_the_margin() -> None:
    medicines = [{"name": "Metformin", "times": [{"at": "on getting up"}]}]
    days = [DAY + timedelta(days=n) for n in range(4)]
    events = [
        e
        for d, up in zip(days[:3], [(6, 0), (6, 20), (6, 10)], strict=True)
        for e in morning(d, up)
    ]
    config = home(medicines)
    found = steps(config, events, start=local(DAY, 0), until=local(days[3], 12))
    # Day 4 nobody gets up: usual 06:10 + 60 min margin.
    last = [(m, p) for m, p in _prompts(found) if m.date() == days[3]]
    assert last[0][0] == local(days[3], 7, 10)
    assert last[0][1].display["fallback"] is True


def test_pill_box_command_goes_to_the_bridge_topic_with_a_stable_id() -> None:
    medicines = [
        {
            "name": "Aspirin",
            "times": [{"at": "08:00"}],
            "pillbox": {"port": "pillbox", "action": "buzzer_on", "argument": 10},
        }
    ]
    first = _prompts(_run(medicines, []))
    again = _prompts(_run(medicines, []))
    sends = [p.pillbox for _, p in first if p.pillbox is not None]
    assert len(sends) == len(first) == 3
    send = sends[0]
    assert send.topic == "hearth/flat/bridge/pillbox/command"
    assert send.payload["action"] == "buzzer_on"
    assert send.payload["argument"] == 10
    ids = [int(str(s.payload["id"])) for s in sends]
    assert len(set(ids)) == len(ids)
    assert all(0 < i < 2**32 for i in ids)
    assert ids == [int(str(p.pillbox.payload["id"])) for _, p in again if p.pillbox is not None]


def test_a_shared_pill_box_confirms_each_medicine_due() -> None:
    medicines = [
        {"name": "Aspirin", "times": [{"at": "08:00"}]},
        {"name": "Statin", "times": [{"at": "08:15"}]},
        {"name": "Evening", "times": [{"at": "20:00"}]},
    ]
    found = _run(medicines, lid(local(DAY, 8, 5)))
    outcomes = _outcomes(found)
    assert outcomes["Aspirin@2026-03-02#1"].outcome is Outcome.ON_TIME
    assert outcomes["Statin@2026-03-02#1"].outcome is Outcome.ON_TIME
    assert outcomes["Evening@2026-03-02#1"].outcome is Outcome.MISSED


def test_days_and_course_dates_decide_which_doses_exist() -> None:
    medicines = [
        {
            "name": "Aspirin",
            "days": ["mon", "wed"],
            "start": "2026-03-04",
            "end": "2026-03-09",
            "times": [{"at": "08:00"}],
        }
    ]
    config = home(medicines)
    found = steps(config, [], start=local(DAY, 0), until=local(DAY + timedelta(days=10), 0))
    days = sorted(o.day for o in _outcomes(found).values())
    assert days == ["2026-03-04", "2026-03-09"]


def test_doses_before_the_engine_started_are_not_judged() -> None:
    config = home(AT_EIGHT)
    engine = ReminderEngine(config, local(DAY, 9, 0))
    step = engine.advance(local(DAY, 12, 0), Mode.HOME)
    assert step.conditions == []
    assert engine.open_doses() == []
    assert ZONE.key == "Europe/London"


def test_a_dose_is_late_only_until_the_next_dose_of_its_medicine_counts() -> None:
    medicines = [
        {"name": "Metformin", "times": [{"at": "with breakfast"}, {"at": "12:00"}]},
    ]
    # Up 07:00, breakfast 07:20 (due then; overdue from 08:20); the noon dose was decided
    # first (at midnight), the breakfast dose only when breakfast came.
    events = morning(DAY, (7, 0)) + lid(local(DAY, 11, 40)) + lid(local(DAY, 13, 0))
    found = _run(medicines, events)
    outcomes = _outcomes(found)
    breakfast, noon = outcomes["Metformin@2026-03-02#1"], outcomes["Metformin@2026-03-02#2"]
    assert breakfast.due == local(DAY, 7, 20)
    assert breakfast.outcome is Outcome.MISSED
    assert breakfast.decided_at == local(DAY, 11, 30)  # when the noon dose began to count
    assert noon.outcome is Outcome.ON_TIME
    assert noon.taken_at == local(DAY, 11, 40)
    assert noon.doubled_at == local(DAY, 13, 0)


def test_a_chattering_lid_keeps_a_bounded_list_of_openings() -> None:
    # A broken lid contact that opens every few seconds all day: the engine keeps
    # only the newest openings it could still use, not one per opening.
    config = home(AT_EIGHT)
    start = local(DAY, 0)
    engine = ReminderEngine(config, start)
    for n in range(5000):
        moment = start + timedelta(seconds=7 * n)
        engine.advance(moment, Mode.HOME)
        engine.observe(event(moment, "pillbox_lid", Kind.CONTACT, n % 2 == 0))
    assert len(engine._unclaimed) <= MAX_UNCLAIMED
