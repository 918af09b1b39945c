"""The alert lifecycle as pure functions: raise, ask, cancel, escalate, acknowledge, resolve."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest

from hub.alerts import lifecycle
from hub.alerts.lifecycle import Change, LifecycleError, Target
from hub.alerts.model import Action, Alert, AlertState, Purpose, Severity, Via
from hub.alerts.routing import Policy
from tests.alerts.alert_policies import MORNING, condition, policy

MIN = timedelta(minutes=1)


def numbered(changes: Sequence[Change], first_id: int = 1) -> list[Alert]:
    """What the store would hold after `changes`: new alerts get ids."""
    out = []
    for offset, change in enumerate(changes):
        after = change.after
        if change.before is None:
            after = dataclasses.replace(after, id=first_id + offset)
        out.append(after)
    return out


def people_told(change: Change) -> set[str]:
    return {t.recipient for t in change.targets if t.recipient}


def test_an_urgent_condition_tells_the_first_step_at_once_and_the_mqtt_topic() -> None:
    (change,) = lifecycle.on_conditions([], [condition()], MORNING, policy())
    alert = change.after
    assert change.before is None
    assert alert.state is AlertState.OPEN
    assert alert.notified_at == MORNING
    assert alert.told == ("anna",)
    assert [t.action for t in change.transitions] == [Action.RAISED, Action.NOTIFIED]
    assert change.transitions[1].detail == "told Anna"
    # Each of Anna's two channels, and the home's MQTT topic.
    assert set(change.targets) == {
        Target("anna", 0, Purpose.RAISED),
        Target("anna", 1, Purpose.RAISED),
        Target("", 0, Purpose.UPDATE),
    }


def test_the_same_ongoing_condition_is_one_alert() -> None:
    p = policy()
    (alert,) = numbered(lifecycle.on_conditions([], [condition()], MORNING, p))
    later = lifecycle.on_conditions([alert], [condition()], MORNING + 5 * MIN, p)
    assert later == []


def test_an_inactivity_condition_asks_the_resident_first_and_tells_nobody_outside() -> None:
    (change,) = lifecycle.on_conditions([], [condition(asks=True)], MORNING, policy())
    assert change.after.state is AlertState.ASKING
    assert change.ask_resident
    assert change.after.asks_until == MORNING + 10 * MIN
    assert people_told(change) == set()
    assert [t.action for t in change.transitions] == [Action.RAISED, Action.ASKED_RESIDENT]


def test_no_answer_within_the_window_sends_the_alert() -> None:
    p = policy()
    (asking,) = numbered(lifecycle.on_conditions([], [condition(asks=True)], MORNING, p))
    assert lifecycle.on_time([asking], MORNING + 9 * MIN, p) == []
    (change,) = lifecycle.on_time([asking], MORNING + 10 * MIN, p)
    assert change.after.state is AlertState.OPEN
    assert people_told(change) == {"anna"}
    assert "no answer in the home" in change.transitions[0].detail


def test_i_am_ok_in_time_cancels_and_records_it() -> None:
    p = policy()
    (asking,) = numbered(lifecycle.on_conditions([], [condition(asks=True)], MORNING, p))
    (change,) = lifecycle.resident_ok([asking], MORNING + 3 * MIN, Via.BUTTON, p)
    assert change.after.state is AlertState.CANCELLED
    assert change.transitions[0].action is Action.CANCELLED_BY_RESIDENT
    assert change.transitions[0].via is Via.BUTTON
    assert people_told(change) == set()
    # Cancelled, it still covers the condition: no second question for the same stillness.
    assert lifecycle.on_conditions([change.after], [condition(asks=True)], MORNING, p) == []


def test_i_am_ok_after_the_alarm_went_out_acknowledges_it_and_lets_the_family_know() -> None:
    p = policy()
    (asking,) = numbered(lifecycle.on_conditions([], [condition(asks=True)], MORNING, p))
    (sent,) = lifecycle.on_time([asking], MORNING + 10 * MIN, p)
    (change,) = lifecycle.resident_ok([sent.after], MORNING + 12 * MIN, Via.BUTTON, p)
    assert change.after.state is AlertState.ACKNOWLEDGED
    assert change.after.acknowledged_by == "resident"
    assert people_told(change) == {"anna"}
    assert {t.purpose for t in change.targets if t.recipient} == {Purpose.ACKNOWLEDGED}


def test_nobody_acknowledging_escalates_step_by_step_then_reminds_the_last_step() -> None:
    p = policy()
    (alert,) = numbered(lifecycle.on_conditions([], [condition()], MORNING, p))
    assert lifecycle.on_time([alert], MORNING + 4 * MIN, p) == []
    (to_bob,) = lifecycle.on_time([alert], MORNING + 5 * MIN, p)
    assert people_told(to_bob) == {"bob"}
    assert to_bob.after.level == 1
    assert to_bob.transitions[0].action is Action.ESCALATED
    assert to_bob.after.told == ("anna", "bob")
    (to_cora,) = lifecycle.on_time([to_bob.after], MORNING + 15 * MIN, p)
    assert people_told(to_cora) == {"cora"}
    (reminder,) = lifecycle.on_time([to_cora.after], MORNING + 45 * MIN, p)
    assert people_told(reminder) == {"cora"}
    assert reminder.transitions[0].detail.startswith("reminded")


def test_an_acknowledgement_stops_escalation_and_tells_the_others_who_were_told() -> None:
    p = policy()
    (alert,) = numbered(lifecycle.on_conditions([], [condition()], MORNING, p))
    (to_bob,) = lifecycle.on_time([alert], MORNING + 5 * MIN, p)
    change = lifecycle.acknowledge(to_bob.after, "bob", Via.LINK, MORNING + 6 * MIN, p)
    assert change.after.state is AlertState.ACKNOWLEDGED
    assert change.transitions[0].actor == "bob"
    assert change.transitions[0].via is Via.LINK
    assert people_told(change) == {"anna"}
    assert lifecycle.on_time([change.after], MORNING + 60 * MIN, p) == []
    with pytest.raises(LifecycleError, match="acknowledged, not open"):
        lifecycle.acknowledge(change.after, "anna", Via.LINK, MORNING + 7 * MIN, p)


def test_a_condition_that_clears_resolves_the_alert_and_sends_the_all_clear() -> None:
    p = policy()
    (alert,) = numbered(lifecycle.on_conditions([], [condition()], MORNING, p))
    (change,) = lifecycle.on_conditions([alert], [], MORNING + 3 * MIN, p)
    assert change.after.state is AlertState.RESOLVED
    assert not change.after.condition_active
    assert people_told(change) == {"anna"}
    assert {t.purpose for t in change.targets if t.recipient} == {Purpose.RESOLVED}


def test_a_question_answered_by_movement_resolves_without_telling_anyone() -> None:
    p = policy()
    (asking,) = numbered(lifecycle.on_conditions([], [condition(asks=True)], MORNING, p))
    (change,) = lifecycle.on_conditions([asking], [], MORNING + 2 * MIN, p)
    assert change.after.state is AlertState.RESOLVED
    assert change.transitions[0].detail == "condition cleared before anyone was told"
    assert people_told(change) == set()


def test_closed_by_hand_it_is_not_raised_again_until_the_condition_clears() -> None:
    p = policy()
    (alert,) = numbered(lifecycle.on_conditions([], [condition("low_battery")], MORNING, p))
    closed = lifecycle.resolve(alert, "anna", Via.CLI, MORNING + MIN, p).after
    assert closed.state is AlertState.RESOLVED
    assert closed.condition_active
    assert lifecycle.on_conditions([closed], [condition("low_battery")], MORNING, p) == []
    (released,) = lifecycle.on_conditions([closed], [], MORNING + 2 * MIN, p)
    assert not released.after.condition_active
    assert released.transitions == ()
    assert released.targets == ()
    (again,) = lifecycle.on_conditions([], [condition("low_battery")], MORNING + 3 * MIN, p)
    assert again.before is None


def quiet_policy() -> Policy:
    return policy(quiet="22:00-07:00")


def at(hour: int, minute: int = 0, *, next_day: bool = False) -> datetime:
    moment = MORNING.replace(hour=hour, minute=minute)  # London is on GMT in March
    return moment + timedelta(days=1) if next_day else moment


def test_quiet_hours_hold_a_warning_until_morning() -> None:
    p = quiet_policy()
    warning = condition("appliance_unused", Severity.WARNING)
    (change,) = lifecycle.on_conditions([], [warning], at(23), p)
    assert change.after.notified_at is None
    assert change.transitions[-1].action is Action.HELD
    assert people_told(change) == set()
    (held,) = numbered([change])
    assert lifecycle.on_time([held], at(6, 59, next_day=True), p) == []
    (morning,) = lifecycle.on_time([held], at(7, next_day=True), p)
    assert people_told(morning) == {"anna"}
    assert "quiet hours over" in morning.transitions[0].detail


def test_a_held_warning_that_clears_at_night_is_never_sent() -> None:
    p = quiet_policy()
    warning = condition("temperature", Severity.WARNING)
    (held,) = numbered(lifecycle.on_conditions([], [warning], at(23), p))
    (change,) = lifecycle.on_conditions([held], [], at(2, next_day=True), p)
    assert change.after.state is AlertState.RESOLVED
    assert people_told(change) == set()


def test_urgent_alerts_ignore_quiet_hours_and_pass_over_people_off_duty() -> None:
    p = quiet_policy()
    (alert,) = numbered(lifecycle.on_conditions([], [condition("night_exit")], at(3), p))
    assert alert.told == ("anna",)
    # Bob works 08:00-20:00: at 03:05 step 2 is passed over and Cora is told.
    (change,) = lifecycle.on_time([alert], at(3, 5), p)
    assert people_told(change) == {"cora"}
    assert "step 2 passed over" in change.transitions[0].detail


def test_with_nobody_to_tell_the_alert_is_still_recorded_and_published() -> None:
    p = policy()
    bare = Policy(p.alerts.model_copy(update={"recipients": []}), p.zone)
    (change,) = lifecycle.on_conditions([], [condition()], MORNING, bare)
    assert change.after.state is AlertState.OPEN
    assert "nobody" in change.transitions[-1].detail
    assert change.targets == (Target("", 0, Purpose.UPDATE),)


def test_a_zero_window_sends_inactivity_alerts_at_once() -> None:
    (change,) = lifecycle.on_conditions([], [condition(asks=True)], MORNING, policy(window_s=0))
    assert change.after.state is AlertState.OPEN
    assert people_told(change) == {"anna"}


def test_a_run_already_alerted_and_ended_is_not_raised_again() -> None:
    # After a restart the rules may see the help press again before the "I'm OK"
    # that ended it is redelivered: same key, same start, so the same run.
    help_pressed = condition("help_button", subject="help")
    run = (help_pressed.key, help_pressed.since)
    p = policy()
    assert lifecycle.on_conditions([], [help_pressed], MORNING, p, already_raised={run}) == []
    later = dataclasses.replace(help_pressed, since=MORNING + 10 * MIN)  # pressed again
    (change,) = lifecycle.on_conditions([], [later], MORNING + 11 * MIN, p, already_raised={run})
    assert change.before is None
