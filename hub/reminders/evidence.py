"""Which events say a medicine was taken, and the carer's own word for it.

Evidence is a moment and the medicines it may confirm. From devices: a pill
box lid or cabinet door opening (a contact going open), a button pressed on
one (a Zigbee `action`), a switch on one turning on, or the pill box's own
report (MEDICATION `taken`, `lid_open`, `open`, `opened`). Which sensors
confirm which medicine is in the config (`medication.medicines[].sensors`,
by default every sensor with role pillbox or medicine_cabinet). A person's
word (a carer over MQTT, `hearth meds taken`) names its medicine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from hub.config.medication import Medicine
from hub.config.models import HearthConfig, Role
from hub.events import Event, Kind

TAKEN_REPORTS = frozenset({"taken", "lid_open", "open", "opened"})
CONFIRMING_ROLES = frozenset({Role.PILLBOX, Role.MEDICINE_CABINET})


@dataclass(frozen=True, slots=True)
class Evidence:
    """At `time`, `medicines` (names) may have been taken; `by` says what showed it."""

    time: datetime
    medicines: frozenset[str]
    by: str  # a sensor id, or "carer:<name>" / "cli:<name>" for a person's word
    from_person: bool = False  # a person's word is never a second dose


def confirming_sensors(config: HearthConfig, medicine: Medicine) -> frozenset[str]:
    if medicine.sensors:
        return frozenset(medicine.sensors)
    return frozenset(s.id for s in config.sensors if s.role in CONFIRMING_ROLES)


class EvidenceReader:
    """Turns events into Evidence for the medicines their sensor confirms."""

    def __init__(self, config: HearthConfig, medicines: Sequence[Medicine]) -> None:
        self._by_sensor: dict[str, set[str]] = {}
        for medicine in medicines:
            for sensor in confirming_sensors(config, medicine):
                self._by_sensor.setdefault(sensor, set()).add(medicine.name)

    def read(self, event: Event) -> Evidence | None:
        names = self._by_sensor.get(event.sensor)
        if names is None or not _shows_taking(event):
            return None
        return Evidence(event.time, frozenset(names), event.sensor)


def _shows_taking(event: Event) -> bool:
    if event.kind in (Kind.CONTACT, Kind.SWITCH):
        return event.value is True  # opening, not closing
    if event.kind is Kind.BUTTON:
        return event.value != ""  # "" is Zigbee2MQTT's reset after each press
    if event.kind is Kind.MEDICATION:
        return isinstance(event.value, str) and event.value.lower() in TAKEN_REPORTS
    return False
