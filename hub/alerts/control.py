"""The MQTT control topics: acknowledging or closing an alert, and setting the mode.

    <prefix>/control/ack      {"alert": 12, "by": "anna"}
    <prefix>/control/resolve  {"alert": 12, "by": "anna"}
    <prefix>/control/mode     {"mode": "away", "until": "2026-12-24T18:00:00+00:00", "by": "anna"}

Under a `control/` level of their own, so an ACL can grant a carers' app
`write <prefix>/control/#` and nothing else, and a dashboard reading
`<prefix>/alerts/+` sees only alerts.

Parsing is pure: a payload becomes a request or a ControlError that says what
is wrong in one line. Who may publish here is up to the broker's ACL
(docs/alerts.md, docs/security.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from hub.modes import Mode, ModeSetting


class ControlError(ValueError):
    """A control message that cannot be used; the text says why."""


@dataclass(frozen=True, slots=True)
class AlertRequest:
    alert_id: int
    by: str
    resolve: bool  # False: acknowledge


def control_topics(prefix: str) -> list[str]:
    return [f"{prefix}/control/ack", f"{prefix}/control/resolve", f"{prefix}/control/mode"]


def parse_control(
    prefix: str, topic: str, payload: bytes, now: datetime
) -> AlertRequest | ModeSetting:
    try:
        data = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ControlError(f"{topic}: not JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise ControlError(f"{topic}: expected a JSON object")
    by = data.get("by")
    if not isinstance(by, str) or not by.strip():
        raise ControlError(f'{topic}: say who it is from, as "by": "<name>"')
    if topic in (f"{prefix}/control/ack", f"{prefix}/control/resolve"):
        alert = data.get("alert")
        if not isinstance(alert, int) or isinstance(alert, bool):
            raise ControlError(f'{topic}: "alert" must be the alert number')
        return AlertRequest(alert, by.strip(), resolve=topic.endswith("/resolve"))
    if topic == f"{prefix}/control/mode":
        return _mode(topic, data, by.strip(), now)
    raise ControlError(f"{topic}: not a control topic")


def _mode(topic: str, data: dict[str, object], by: str, now: datetime) -> ModeSetting:
    try:
        mode = Mode(str(data.get("mode")))
    except ValueError as exc:
        choices = ", ".join(m.value for m in Mode)
        raise ControlError(f'{topic}: "mode" must be one of {choices}') from exc
    until_text = data.get("until")
    if mode is Mode.HOME:
        return ModeSetting(mode, now, None, by, "mqtt")
    if not isinstance(until_text, str):
        raise ControlError(f'{topic}: {mode.value} needs an end time, as "until": "<ISO time>"')
    try:
        until = datetime.fromisoformat(until_text)
    except ValueError as exc:
        raise ControlError(f'{topic}: "until" is not an ISO date and time') from exc
    if until.tzinfo is None:
        raise ControlError(f'{topic}: "until" needs a time zone offset, such as +00:00')
    until = until.astimezone(UTC)
    if until <= now:
        raise ControlError(f'{topic}: "until" is already past')
    return ModeSetting(mode, now, until, by, "mqtt")
