"""What the home is told: the spoken sentence, the display's JSON, the pill box's command.

Words are short and plain, for someone who may be hard of hearing; only
English is written so far. Medicine names are said in the home (the resident
needs them) but never logged by this module's callers.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from hub.config.medication import Anchor
from hub.reminders.doses import Dose


@dataclass(frozen=True, slots=True)
class PillboxSend:
    """A command for the firmware bridge: publish `payload` (JSON) on `topic`."""

    topic: str
    payload: dict[str, object]


@dataclass(frozen=True, slots=True)
class Prompt:
    """Remind the resident of a dose: say `text`, show `display`, send `pillbox`."""

    key: str
    medicine: str
    number: int  # 1 = the first reminder of this dose
    of: int
    text: str
    display: dict[str, object]
    pillbox: PillboxSend | None


@dataclass(frozen=True, slots=True)
class Warning:
    """A second opening for doses already taken: say `text`, show `display`."""

    at: datetime
    medicines: tuple[str, ...]
    text: str
    display: dict[str, object]


_MISSED_MOMENT = {
    Anchor.GETTING_UP: "getting up",
    Anchor.BREAKFAST: "breakfast",
    Anchor.EVENING_MEAL: "the evening meal",
}


def prompt_for(dose: Dose, number: int, of: int, zone: ZoneInfo, prefix: str) -> Prompt:
    medicine = dose.planned.medicine
    what = f"{medicine.dose} of your {medicine.name}" if medicine.dose else f"your {medicine.name}"
    text = f"It is time to take {what}."
    if number > 1:
        text = f"A reminder: it is time to take {what}."
    note = ""
    if dose.fallback:
        anchor = dose.planned.time.at.anchor
        note = f"{_MISSED_MOMENT[anchor]} was not seen, so reminded at the usual time"
    assert dose.due is not None
    assert dose.window_end is not None
    display: dict[str, object] = {
        "type": "medication_reminder",
        "dose": dose.key,
        "medicine": medicine.name,
        "dose_text": medicine.dose,
        "due": dose.due.isoformat(),
        "until": dose.window_end.isoformat(),
        "prompt": number,
        "of": of,
        "text": text,
        "fallback": dose.fallback,
        "note": note,
    }
    pillbox = None
    if medicine.pillbox is not None:
        command = medicine.pillbox
        payload: dict[str, object] = {
            "id": command_id(f"{dose.key}#{number}"),
            "action": command.action,
            "argument": command.argument,
        }
        pillbox = PillboxSend(f"{prefix}/bridge/{command.port}/command", payload)
    return Prompt(dose.key, medicine.name, number, of, text, display, pillbox)


def warning_for(at: datetime, taken: list[Dose], zone: ZoneInfo) -> Warning:
    parts = []
    for dose in taken:
        assert dose.taken_at is not None
        parts.append(f"your {dose.name} at {dose.taken_at.astimezone(zone):%H:%M}")
    again = "them" if len(parts) > 1 else "it"
    text = f"You already took {_and(parts)}. Please do not take {again} again."
    display: dict[str, object] = {
        "type": "already_taken",
        "doses": [d.key for d in taken],
        "at": at.isoformat(),
        "text": text,
    }
    return Warning(at, tuple(d.name for d in taken), text, display)


def command_id(seed: str) -> int:
    """A command id the same on every run for the same reminder (a restart resends, the device
    runs it once), never 0 (PROTOCOL.md)."""
    return zlib.crc32(seed.encode()) or 1


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
