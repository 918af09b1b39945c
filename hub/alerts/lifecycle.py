"""The alert lifecycle as pure functions: what changes, and who must be told.

    condition appears ──> ASKING ("are you OK?" in the home, nobody outside told)
                      └─> OPEN (told step 1 of the chain, or held by quiet hours)
    ASKING ──"I'm OK"──> CANCELLED        ASKING ──window over──> OPEN
    OPEN ──nobody acknowledges in time──> OPEN, next step told (ESCALATED)
    OPEN ──a person acknowledges──> ACKNOWLEDGED (escalation stops)
    any ──condition clears, or a person closes it──> RESOLVED

Each function takes the alerts that cover a condition now (see
`Alert.condition_active`) and returns `Change`s: the alert after, the
transitions to record and the deliveries to queue. The store applies a list
of changes in one transaction, so a power cut leaves either all of a change or
none of it. Nothing here reads a clock or a database.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass
from datetime import datetime, timedelta

from hub.alerts.model import Action, Alert, AlertState, Condition, Purpose, Transition, Via
from hub.alerts.routing import Policy, describe_reach, names_of, reach
from hub.config.alerts import Recipient

HUB = "hub"
RESIDENT = "resident"
NEW = 0  # the id of an alert the store has not yet numbered


class LifecycleError(ValueError):
    """A request that does not fit the alert's state (acknowledging a resolved alert)."""


@dataclass(frozen=True, slots=True)
class Target:
    """One message to queue: to a recipient's channel, or ("", 0) the home's MQTT topic."""

    recipient: str
    channel: int
    purpose: Purpose


@dataclass(frozen=True, slots=True)
class Change:
    before: Alert | None  # None for a new alert
    after: Alert
    transitions: tuple[Transition, ...]
    targets: tuple[Target, ...] = ()
    ask_resident: bool = False  # start asking "are you OK?" in the home


def on_conditions(
    covering: Sequence[Alert],
    conditions: Iterable[Condition],
    now: datetime,
    policy: Policy,
    *,
    already_raised: Set[tuple[str, datetime]] = frozenset(),
) -> list[Change]:
    """New alerts for conditions that appeared, resolutions for those that cleared.

    A run of a condition is its key and when it began (`since`). A run in
    `already_raised` had its alert, now ended: seen again (after a restart
    the rules may find it before the event that ended it is redelivered), it
    raises nothing.
    """
    by_key = {alert.key: alert for alert in covering}
    active = {condition.key: condition for condition in conditions}
    changes = [
        _raise(c, now, policy)
        for key, c in active.items()
        if key not in by_key and (key, c.since) not in already_raised
    ]
    changes += [_cleared(a, now, policy) for key, a in by_key.items() if key not in active]
    return changes


def on_time(covering: Sequence[Alert], now: datetime, policy: Policy) -> list[Change]:
    """What the passing of time does: the "I'm OK" window ends, quiet hours end, escalation."""
    changes: list[Change] = []
    for alert in covering:
        if not time_acts(alert, now, policy):
            continue
        if alert.state is AlertState.ASKING:
            changes.append(_notify(alert, now, policy, "no answer in the home"))
        elif alert.notified_at is None:
            changes.append(_notify(alert, now, policy, "quiet hours over"))
        else:
            changes.append(_escalate(alert, now, policy))
    return changes


def time_acts(alert: Alert, now: datetime, policy: Policy) -> bool:
    """True when `on_time` at `now` would change `alert`."""
    due = due_at(alert, policy)
    if due is None or now < due:
        return False
    # Held back, or due to escalate, in quiet hours: low severities wait till morning.
    return alert.state is AlertState.ASKING or not policy.quiet(alert.severity, now)


def due_at(alert: Alert, policy: Policy) -> datetime | None:
    """When time next acts on `alert` (quiet hours aside); None when only a person or rule can."""
    if alert.state is AlertState.ASKING:
        return alert.asks_until
    if alert.state is not AlertState.OPEN:
        return None
    if alert.notified_at is None:
        return alert.raised_at  # held: due as soon as quiet hours end
    wait = timedelta(minutes=policy.step(alert.severity, alert.level).wait_min)
    return alert.notified_at + wait


def acknowledge(alert: Alert, by: str, via: Via, now: datetime, policy: Policy) -> Change:
    """A person takes the alert on: escalation stops, the others told are let know."""
    if alert.state is not AlertState.OPEN:
        raise LifecycleError(f"alert {alert.id} is {alert.state.value}, not open")
    after = dataclasses.replace(
        alert, state=AlertState.ACKNOWLEDGED, acknowledged_at=now, acknowledged_by=by
    )
    others = tuple(r for r in alert.told if r != by)
    detail = f"let know: {names_of(others, policy)}" if others else ""
    return Change(
        alert,
        after,
        (Transition(alert.id, now, Action.ACKNOWLEDGED, by, via, detail),),
        _to_told(others, Purpose.ACKNOWLEDGED, policy),
    )


def resolve(alert: Alert, by: str, via: Via, now: datetime, policy: Policy) -> Change:
    """A person closes the alert; it keeps covering its condition until that clears."""
    if alert.state.finished:
        raise LifecycleError(f"alert {alert.id} is already {alert.state.value}")
    return _resolved(alert, now, policy, (by, via), "closed by hand")


def resident_ok(covering: Sequence[Alert], now: datetime, via: Via, policy: Policy) -> list[Change]:
    """The resident pressed "I'm OK": questions are cancelled, sent alarms acknowledged."""
    changes: list[Change] = []
    for alert in covering:
        if alert.state is AlertState.ASKING:
            after = dataclasses.replace(alert, state=AlertState.CANCELLED, resolved_at=now)
            moment = Transition(alert.id, now, Action.CANCELLED_BY_RESIDENT, RESIDENT, via)
            changes.append(Change(alert, after, (moment,), _mqtt(policy)))
        elif alert.state is AlertState.OPEN and alert.asks_resident:
            changes.append(acknowledge(alert, RESIDENT, via, now, policy))
    return changes


def _raise(condition: Condition, now: datetime, policy: Policy) -> Change:
    alert = Alert(
        id=NEW,
        key=condition.key,
        rule=condition.rule,
        subject=condition.subject,
        severity=condition.severity,
        summary=condition.summary,
        since=condition.since,
        raised_at=now,
        state=AlertState.OPEN,
        asks_resident=condition.asks_resident,
    )
    raised = Transition(NEW, now, Action.RAISED, HUB, Via.RULE, condition.summary)
    window = policy.alerts.im_ok.window_s
    if condition.asks_resident and window > 0:
        asking = dataclasses.replace(
            alert, state=AlertState.ASKING, asks_until=now + timedelta(seconds=window)
        )
        detail = f"{window / 60:g} min to press I'm OK"
        moment = Transition(NEW, now, Action.ASKED_RESIDENT, HUB, Via.RULE, detail)
        return Change(None, asking, (raised, moment), _mqtt(policy), ask_resident=True)
    notified = _notify(alert, now, policy, "")
    return Change(None, notified.after, (raised, *notified.transitions), notified.targets)


def _notify(alert: Alert, now: datetime, policy: Policy, why: str) -> Change:
    """Tell the first step of the chain, unless quiet hours hold the alert back."""
    before = alert if alert.id != NEW else None
    if policy.quiet(alert.severity, now):
        after = dataclasses.replace(alert, state=AlertState.OPEN, asks_until=None)
        window = policy.alerts.quiet_hours
        moment = Transition(alert.id, now, Action.HELD, HUB, Via.RULE, f"quiet hours {window}")
        return Change(before, after, (moment,), _mqtt(policy))
    found = reach(policy, alert.severity, 0, now)
    told = tuple(r.id for r in found.recipients)
    after = dataclasses.replace(
        alert,
        state=AlertState.OPEN,
        asks_until=None,
        level=found.level,
        notified_at=now,
        told=_union(alert.told, told),
    )
    detail = describe_reach(found, policy) + (f" ({why})" if why else "")
    moment = Transition(alert.id, now, Action.NOTIFIED, HUB, Via.RULE, detail)
    targets = _to(found.recipients, Purpose.RAISED) + _mqtt(policy)
    return Change(before, after, (moment,), targets)


def _escalate(alert: Alert, now: datetime, policy: Policy) -> Change:
    found = reach(policy, alert.severity, alert.level + 1, now)
    told = tuple(r.id for r in found.recipients)
    after = dataclasses.replace(
        alert, level=found.level, notified_at=now, told=_union(alert.told, told)
    )
    last = len(policy.chain(alert.severity)) - 1
    what = "reminded" if alert.level >= last else "escalated"
    detail = f"{what}: {describe_reach(found, policy)}"
    moment = Transition(alert.id, now, Action.ESCALATED, HUB, Via.RULE, detail)
    targets = _to(found.recipients, Purpose.ESCALATED) + _mqtt(policy)
    return Change(alert, after, (moment,), targets)


def _cleared(alert: Alert, now: datetime, policy: Policy) -> Change:
    if alert.state.finished:
        # Closed by hand or cancelled earlier: now the condition is over too.
        return Change(alert, dataclasses.replace(alert, condition_active=False), ())
    detail = "condition cleared" if alert.told else "condition cleared before anyone was told"
    return _resolved(alert, now, policy, (HUB, Via.RULE), detail, condition_active=False)


def _resolved(
    alert: Alert,
    now: datetime,
    policy: Policy,
    by: tuple[str, Via],
    detail: str,
    *,
    condition_active: bool = True,
) -> Change:
    after = dataclasses.replace(
        alert,
        state=AlertState.RESOLVED,
        resolved_at=now,
        asks_until=None,
        condition_active=condition_active and alert.condition_active,
    )
    moment = Transition(alert.id, now, Action.RESOLVED, by[0], by[1], detail)
    return Change(alert, after, (moment,), _to_told(after.told, Purpose.RESOLVED, policy))


def _to(recipients: Iterable[Recipient], purpose: Purpose) -> tuple[Target, ...]:
    """One target per channel of each recipient."""
    return tuple(
        Target(r.id, index, purpose) for r in recipients for index in range(len(r.channels))
    )


def _to_told(recipient_ids: Iterable[str], purpose: Purpose, policy: Policy) -> tuple[Target, ...]:
    people = [policy.recipient(rid) for rid in recipient_ids]
    # Someone removed from the config since is not told any more.
    return _to([p for p in people if p is not None], purpose) + _mqtt(policy)


def _mqtt(policy: Policy) -> tuple[Target, ...]:
    """The home's MQTT alert topic hears of every change (the store writes the state)."""
    return (Target("", 0, Purpose.UPDATE),) if policy.alerts.mqtt else ()


def _union(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    return first + tuple(item for item in second if item not in first)
