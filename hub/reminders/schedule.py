"""Which doses are due on a local date, and when each becomes due once its moment is known.

A dose is one medicine at one of its times on one local date. Its *key*,
`<medicine>@<date>#<n>` (n counts the medicine's times from 1), is known from
the config alone, so it stays the same however the due time is decided.

Clock times are wall-clock times in the home's zone. On the night the clocks
go forward a time in the skipped hour (02:30 in the UK) is taken with the
offset before the change, so it falls an hour later by the new clock (03:30);
in the repeated hour of the autumn change it is the first of the two.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from statistics import median
from zoneinfo import ZoneInfo

from hub.config.medication import Anchor, Medicine, ScheduledTime
from hub.routine.days import local_instant

# Used for a relative dose's fallback until the person's usual time is known.
DEFAULT_FALLBACK = {
    Anchor.GETTING_UP: time(10, 0),
    Anchor.BREAKFAST: time(10, 30),
    Anchor.EVENING_MEAL: time(19, 30),
}
USUAL_DAYS = 14  # the usual time of a moment is the median of its last 14 days
USUAL_FROM = 3  # ... once it was seen on at least 3 of them
LATEST_FALLBACK = time(23, 0)


@dataclass(frozen=True, slots=True)
class PlannedDose:
    """A dose due on `day`, before its due time is decided."""

    key: str
    medicine: Medicine
    slot: int  # 1-based index into medicine.times
    day: date

    @property
    def time(self) -> ScheduledTime:
        return self.medicine.times[self.slot - 1]


def doses_on(day: date, medicines: Sequence[Medicine]) -> list[PlannedDose]:
    """The doses due on local date `day`: the medicine's weekdays, within its course."""
    planned = []
    for medicine in medicines:
        if day.weekday() not in {weekday.number for weekday in medicine.days}:
            continue
        if medicine.start is not None and day < medicine.start:
            continue
        if medicine.end is not None and day > medicine.end:
            continue
        for slot in range(1, len(medicine.times) + 1):
            key = f"{medicine.name}@{day.isoformat()}#{slot}"
            planned.append(PlannedDose(key, medicine, slot, day))
    return planned


def clock_due(dose: PlannedDose, zone: ZoneInfo) -> datetime | None:
    """The due time (UTC) of a dose at a clock time; None for a relative dose."""
    clock = dose.time.at.clock
    return None if clock is None else local_instant(dose.day, clock, zone)


def fallback_at(
    dose: PlannedDose, zone: ZoneInfo, usual: Mapping[Anchor, time], margin: timedelta
) -> datetime:
    """When a relative dose is reminded anyway if its moment has not been seen (UTC)."""
    anchor = dose.time.at.anchor
    written = dose.time.fallback
    if written is not None:
        wall = written
    elif anchor in usual:
        moment = datetime.combine(dose.day, usual[anchor]) + margin
        latest = datetime.combine(dose.day, LATEST_FALLBACK)
        wall = min(moment, latest).time()
    else:
        wall = DEFAULT_FALLBACK[anchor]
    return local_instant(dose.day, wall, zone)


def usual_times(
    history: Mapping[date, Mapping[Anchor, datetime]], before: date, zone: ZoneInfo
) -> dict[Anchor, time]:
    """Each moment's usual local time: the median over the `USUAL_DAYS` dates before `before`."""
    days = [d for d in sorted(history) if before - timedelta(days=USUAL_DAYS) <= d < before]
    usual: dict[Anchor, time] = {}
    for anchor in DEFAULT_FALLBACK:
        minutes = [_wall_minutes(history[d][anchor], zone) for d in days if anchor in history[d]]
        if len(minutes) >= USUAL_FROM:
            middle = round(median(minutes))
            usual[anchor] = time(middle // 60, middle % 60)
    return usual


def _wall_minutes(moment: datetime, zone: ZoneInfo) -> int:
    local = moment.astimezone(zone)
    return local.hour * 60 + local.minute
