"""A carer's word over MQTT: `<prefix>/control/taken` with `{"medicine", "by", "time"?}`.

`time` (ISO 8601 with an offset) is when it was taken, if not just now; a
time in the future is refused, as is one more than a day old (no dose it
could still decide is that old).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

OLDEST = timedelta(days=1)


class MarkError(ValueError):
    """A marking message that cannot be used; the text says why."""


@dataclass(frozen=True, slots=True)
class CarerMark:
    medicine: str
    by: str
    at: datetime


def taken_topic(prefix: str) -> str:
    return f"{prefix}/control/taken"


def parse_taken(topic: str, payload: bytes, now: datetime) -> CarerMark:
    try:
        data = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise MarkError(f"{topic}: not JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise MarkError(f"{topic}: expected a JSON object")
    medicine, by = data.get("medicine"), data.get("by")
    if not isinstance(medicine, str) or not medicine.strip():
        raise MarkError(f'{topic}: say which medicine, as "medicine": "<name>"')
    if not isinstance(by, str) or not by.strip():
        raise MarkError(f'{topic}: say who it is from, as "by": "<name>"')
    written = data.get("time")
    if written is None:
        return CarerMark(medicine.strip(), by.strip(), now)
    try:
        at = datetime.fromisoformat(str(written))
    except ValueError as exc:
        raise MarkError(f'{topic}: "time" is not an ISO date and time') from exc
    if at.tzinfo is None:
        raise MarkError(f'{topic}: "time" needs a time zone offset, such as +00:00')
    if at > now or now - at > OLDEST:
        raise MarkError(f'{topic}: "time" must be within the last day')
    return CarerMark(medicine.strip(), by.strip(), at)
