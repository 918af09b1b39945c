"""A month of simulated days with known doses: on time, late, missed, doubled, away.

The plan is drawn first (seeded), then the events and marks that would show it,
so the expected adherence comes from the plan, never from the engine.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from hub.events import Event, Kind
from hub.modes import Mode, ModeSetting
from hub.reminders.history import Mark
from tests.reminders.helpers import dinner, event, lid, local, morning

FIRST = date(2026, 3, 9)  # a Monday; the month spans the spring clock change (29 March)
DAYS = 30
AWAY = (FIRST + timedelta(days=19), FIRST + timedelta(days=21))  # two days away, end excluded
MEDICINES: list[dict[str, Any]] = [
    {
        "name": "Metformin",
        "dose": "one tablet",
        "sensors": ["pillbox_lid"],
        "times": [
            # Every simulated morning is up before 08:00, so the fallback is never used.
            {"at": "30 minutes after getting up", "window_min": 60, "fallback": "10:00"},
            {"at": "with the evening meal", "window_min": 90},
        ],
    },
    {
        "name": "Aspirin",
        "days": ["mon", "wed", "fri"],
        "sensors": ["pill_button"],
        "times": [{"at": "08:00", "window_min": 60}],
    },
]
PLANS = ("on_time", "on_time", "on_time", "late", "missed", "doubled")


@dataclass
class Month:
    events: list[Event] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    modes: list[ModeSetting] = field(default_factory=list)
    plan: dict[tuple[str, date, int], str] = field(default_factory=dict)  # (medicine, day, slot)
    up: dict[date, datetime] = field(default_factory=dict)

    @property
    def start(self) -> datetime:
        return local(FIRST, 0)

    @property
    def until(self) -> datetime:
        return local(FIRST + timedelta(days=DAYS), 6)  # the last day's doses all final


def simulate(seed: int = 5) -> Month:
    rng = random.Random(seed)
    month = Month()
    month.modes.append(ModeSetting(Mode.AWAY, local(AWAY[0], 0), local(AWAY[1], 0), "anna", "cli"))
    for n in range(DAYS):
        day = FIRST + timedelta(days=n)
        if AWAY[0] <= day < AWAY[1]:
            for slot in (1, 2):
                month.plan["Metformin", day, slot] = "away"
            if day.weekday() in (0, 2, 4):
                month.plan["Aspirin", day, 1] = "away"
            continue
        up = (rng.randint(6, 7), rng.choice((0, 10, 20, 30, 40, 50)))  # up before the 08:00 dose
        month.up[day] = local(day, *up)
        month.events += morning(day, up)
        supper = (rng.choice((17, 18)), rng.choice((0, 15, 30)))
        month.events += dinner(day, supper)
        windows = [(month.up[day] + timedelta(minutes=30), 60), (local(day, *supper), 90)]
        for slot, (due, window) in enumerate(windows, start=1):
            plan = rng.choice(PLANS)
            month.plan["Metformin", day, slot] = plan
            month.events += _lid_for(plan, due, window, rng)
        if day.weekday() in (0, 2, 4):
            plan = rng.choice(PLANS)
            month.plan["Aspirin", day, 1] = plan
            _aspirin(month, plan, local(day, 8, 0), rng)
    month.events.sort(key=lambda e: e.time)
    return month


def _lid_for(plan: str, due: datetime, window: int, rng: random.Random) -> list[Event]:
    taken = due + timedelta(minutes=rng.randint(1, window - 10))
    if plan == "on_time":
        return lid(taken)
    if plan == "doubled":
        return lid(taken) + lid(taken + timedelta(minutes=rng.randint(30, 120)))
    if plan == "late":
        return lid(due + timedelta(minutes=window + rng.randint(5, 100)))
    return []


def _aspirin(month: Month, plan: str, due: datetime, rng: random.Random) -> None:
    """Aspirin is confirmed by the pill box's button, or by a carer's word (every other time)."""
    if plan == "missed":
        return
    late = plan == "late"
    taken = due + timedelta(minutes=rng.randint(65, 150) if late else rng.randint(1, 50))
    if rng.random() < 0.5 and plan != "doubled":
        # Said a few minutes after: within the window when it was taken on time.
        month.marks.append(Mark("Aspirin", taken, taken + timedelta(minutes=5), "carer:anna"))
    else:
        month.events += _press(taken)
    if plan == "doubled":
        month.events += _press(taken + timedelta(minutes=rng.randint(30, 120)))


def _press(moment: datetime) -> list[Event]:
    return [
        event(moment, "pill_button", Kind.BUTTON, "single"),
        event(moment + timedelta(seconds=1), "pill_button", Kind.BUTTON, ""),
    ]


def expected_weeks(month: Month) -> list[dict[str, object]]:
    """The adherence table the plan implies (as `WeekAdherence.record()` gives it)."""
    rows: dict[tuple[str, date], dict[str, int]] = {}
    for (medicine, day, _slot), plan in month.plan.items():
        monday = day - timedelta(days=day.weekday())
        row = rows.setdefault(
            (medicine, monday), dict.fromkeys(("on_time", "late", "missed", "doubled", "away"), 0)
        )
        if plan == "doubled":
            row["on_time"] += 1
            row["doubled"] += 1
        else:
            row[plan] += 1
    return [
        {
            "medicine": medicine,
            "week": monday.isoformat(),
            **row,
            "due": row["on_time"] + row["late"] + row["missed"] + row["away"],
        }
        for (medicine, monday), row in sorted(rows.items())
    ]
