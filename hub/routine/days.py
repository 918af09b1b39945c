"""The routine day: which stretch of local time each day's features describe.

Days are local to the home (`home.timezone`), because a routine is lived on the
wall clock ("got up at 07:40"), while events are stored in UTC. A routine day
for the local date D has two windows:

- the **day**: the calendar day D, local midnight to local midnight. It is 24
  hours long, or 23 / 25 hours on the days the clocks change. Daytime features
  (kitchen, outings, rooms, the hourly profile) are counted in it.
- the **night**: D-1 at 18:00 local to D at 14:00 local. The night belongs to
  the day that follows it, so the sleep that starts on Sunday evening is
  Monday's sleep: Monday's "time to bed" is usually a Sunday-evening time. Sleep
  features look for the main sleep period inside this window only. 18:00 and
  14:00 are wide on purpose: late sleepers (to bed at 02:00, up at 11:30, as in
  one dataset home) and early ones both fit, and the window never holds two
  nights. The two windows of one day overlap (00:00 to 14:00); that is fine,
  because they feed different features.

Window edges are found by attaching the zone to local wall times. A wall time
the clocks skip (a spring-forward gap) is read with the offset in force before
the change (zoneinfo's `fold=0`); in zones that skip midnight itself, that
lands on the first instant the day really has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

NIGHT_STARTS = time(18, 0)  # on the evening before the day
NIGHT_ENDS = time(14, 0)  # on the day itself


@dataclass(frozen=True, slots=True)
class RoutineDay:
    """The windows of local date `date`; every instant is UTC."""

    date: date
    zone: ZoneInfo
    start: datetime  # local midnight starting `date`
    end: datetime  # local midnight ending it
    night_start: datetime  # 18:00 local on the day before
    night_end: datetime  # 14:00 local on the day

    @property
    def hours(self) -> int:
        """23, 24 or 25: the length of the calendar day on the wall clock's terms."""
        return round((self.end - self.start) / timedelta(hours=1))

    def at(self, wall: time, days_before: int = 0) -> datetime:
        """The UTC instant of local wall time `wall` on this date (or `days_before` earlier)."""
        return local_instant(self.date - timedelta(days=days_before), wall, self.zone)

    def local(self, moment: datetime) -> datetime:
        """A UTC instant as the home's wall-clock time."""
        return moment.astimezone(self.zone)


def local_instant(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The UTC instant at which the home's clock reads `wall` on `day` (fold=0)."""
    return datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)


def routine_day(day: date, zone: ZoneInfo) -> RoutineDay:
    return RoutineDay(
        date=day,
        zone=zone,
        start=local_instant(day, time(0), zone),
        end=local_instant(day + timedelta(days=1), time(0), zone),
        night_start=local_instant(day - timedelta(days=1), NIGHT_STARTS, zone),
        night_end=local_instant(day, NIGHT_ENDS, zone),
    )


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def routine_days(first: datetime, last: datetime, zone: ZoneInfo) -> list[RoutineDay]:
    """Every local date from the one holding `first` to the one holding `last`."""
    day, final = local_date(first, zone), local_date(last, zone)
    days = []
    while day <= final:
        days.append(routine_day(day, zone))
        day += timedelta(days=1)
    return days
