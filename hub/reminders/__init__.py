"""Medication reminders: schedule -> in-home prompts -> confirmation -> adherence.

The core is pure (`ReminderEngine`: events and time in, prompts, outcomes and
missed-dose conditions out); `live.LiveReminders` adds speech, MQTT and the
database for the running hub, and `report` runs the same engine over stored
events for `hearth meds`. docs/medication.md describes the behaviour.
"""

from hub.reminders.adherence import WeekAdherence, weekly
from hub.reminders.doses import DoseOutcome, Outcome
from hub.reminders.engine import RULE, ReminderEngine, Step, UnknownMedicine
from hub.reminders.prompts import PillboxSend, Prompt, Warning

__all__ = [
    "RULE",
    "DoseOutcome",
    "Outcome",
    "PillboxSend",
    "Prompt",
    "ReminderEngine",
    "Step",
    "UnknownMedicine",
    "Warning",
    "WeekAdherence",
    "weekly",
]
