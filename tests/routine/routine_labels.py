"""The tests' reading of a dataset's activity labels as reference sleep, outings and toilet visits.

Written from the labels alone (nothing from hub.routine), so that features
computed from sensor events can be checked against what annotators saw.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from statistics import median
from zoneinfo import ZoneInfo

from hub.datasets import LabelInterval
from hub.routine import DayFeatures

# Label names per dataset: Ordonez, CASAS, van Kasteren 2008, van Kasteren TL.
SLEEP = {"Sleeping", "Sleep", "go to bed", "go-to-bed"}
AWAY = {"Leaving", "leave house", "leave-house"}
TOILET = {"Toileting", "Bed_Toilet_Transition", "use toilet", "use-toilet"}
SAME_NIGHT = timedelta(hours=2)  # sleep labels this close are one night (a toilet trip between)


@dataclass(frozen=True)
class LabelledNight:
    bedtime: datetime
    time_up: datetime


def labelled_night(labels: list[LabelInterval], day: date, zone: ZoneInfo) -> LabelledNight | None:
    """The longest chain of sleep labels in the night before `day` (18:00 to 14:00 local)."""
    start = datetime.combine(day - timedelta(days=1), time(18), zone)
    end = datetime.combine(day, time(14), zone)
    sleeps = [i for i in labels if i.label in SLEEP and i.end > start and i.start < end]
    chains: list[list[LabelInterval]] = []
    for interval in sleeps:
        if chains and interval.start - chains[-1][-1].end <= SAME_NIGHT:
            chains[-1].append(interval)
        else:
            chains.append([interval])
    if not chains:
        return None
    best = max(chains, key=lambda c: sum((i.end - i.start for i in c), timedelta(0)))
    return LabelledNight(best[0].start, best[-1].end)


def absences(labels: list[LabelInterval]) -> list[tuple[datetime, datetime]]:
    """Labelled times away: intervals (Ordonez, van Kasteren); CASAS: Leave_Home to Enter_Home."""
    away = [(i.start, i.end) for i in labels if i.label in AWAY]
    leaving: datetime | None = None
    for interval in labels:
        if interval.label == "Leave_Home" and leaving is None:
            leaving = interval.start
        elif interval.label == "Enter_Home" and leaving is not None:
            away.append((leaving, interval.end))
            leaving = None
    return sorted(away)


def night_toilet_labels(labels: list[LabelInterval], night: LabelledNight) -> int:
    """Toilet trips annotated inside the labelled night."""
    names = {"Toileting", "Bed_Toilet_Transition"}
    return sum(1 for i in labels if i.label in names and night.bedtime <= i.start <= night.time_up)


@dataclass(frozen=True)
class Agreement:
    nights: int  # nights both the labels and the features describe
    up_within_30: float  # share of them whose time up is within 30 minutes of the label
    up_median_minutes: float
    bed_within_30: float
    toilet_equal: float  # share of nights with the same number of toilet trips
    toilet_within_1: float
    labelled_outings: int  # labelled absences of at least 15 minutes
    outings_found: float  # share of those overlapped by a computed outing
    outings_true: float  # share of computed outings overlapping a labelled absence

    def lines(self) -> str:
        return (
            f"{self.nights} nights: time up within 30 min {self.up_within_30:.0%} "
            f"(median {self.up_median_minutes:.1f} min), bedtime within 30 min "
            f"{self.bed_within_30:.0%}, toilet trips equal {self.toilet_equal:.0%} "
            f"(within 1: {self.toilet_within_1:.0%}); {self.labelled_outings} labelled "
            f"absences: found {self.outings_found:.0%}, outings true {self.outings_true:.0%}"
        )


def agreement(
    days: list[DayFeatures],
    labels: list[LabelInterval],
    outings: list[tuple[datetime, datetime]],
    zone: ZoneInfo,
) -> Agreement:
    up_errors, bed_errors, toilet_errors = [], [], []
    for day in days:
        night = labelled_night(labels, day.date, zone)
        if day.partial or night is None or day.time_up is None or day.bedtime is None:
            continue
        up_errors.append(abs(day.time_up - night.time_up) / timedelta(minutes=1))
        bed_errors.append(abs(day.bedtime - night.bedtime) / timedelta(minutes=1))
        if day.night_toilet_visits is not None:
            toilet_errors.append(abs(day.night_toilet_visits - night_toilet_labels(labels, night)))
    away = [(s, e) for s, e in absences(labels) if e - s >= timedelta(minutes=15)]
    # Only outings inside the labelled span can be judged (one home is labelled for half of it).
    first, last = min(i.start for i in labels), max(i.end for i in labels)
    outings = [(s, e) for s, e in outings if s >= first and e <= last]
    found = sum(1 for s, e in away if any(o_s < e and o_e > s for o_s, o_e in outings))
    true = sum(1 for o_s, o_e in outings if any(s < o_e and e > o_s for s, e in away))
    return Agreement(
        nights=len(up_errors),
        up_within_30=_share(up_errors, 30),
        up_median_minutes=median(up_errors),
        bed_within_30=_share(bed_errors, 30),
        toilet_equal=_share(toilet_errors, 0),
        toilet_within_1=_share(toilet_errors, 1),
        labelled_outings=len(away),
        outings_found=found / len(away) if away else 1.0,
        outings_true=true / len(outings) if outings else 1.0,
    )


def _share(errors: list[float] | list[int], limit: float) -> float:
    return sum(1 for e in errors if e <= limit) / len(errors) if errors else 0.0
