"""The simulator beside the real homes: the same daily statistics for each, as a Markdown page.

    python -m hub.simulate.calibration > docs/simulator.md

Every statistic is computed by the routine engine's own `daily_features`
over whole days only (a recording's first and last days are partial), for
each real dataset home (hub/evaluate.py says where each file is; the CASAS
and van Kasteren files live in ../shared/datasets and are not in the repo)
and for the simulated home (config/simulated-home.yaml) with each built-in
profile. The `typical` profile is the simulator's default and is tuned to
sit inside the real homes' range; tests/simulate/test_calibration_table.py
fails when the committed page drifts from what this module computes.
"""

from __future__ import annotations

import statistics
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hub.config.loader import load_config
from hub.config.models import HearthConfig
from hub.evaluate import (
    CONFIGS,
    DATASET_FILES,
    EvaluateError,
    data_file,
    dataset_configs,
    default_datasets,
    home_events,
)
from hub.events import Event
from hub.routine import DayFeatures, daily_features
from hub.simulate.changes import EXAMPLE_SIZES, MEANINGS
from hub.simulate.generate import simulate
from hub.simulate.profile import BUILTIN, builtin_profile, reference

SIMULATED_CONFIG = CONFIGS / "simulated-home.yaml"
SIMULATED_START = date(2026, 1, 5)
SIMULATED_DAYS = 84  # twelve weeks, longer than any real recording here
SIMULATED_SEED = 1
TUNED_PROFILE = "typical"
MISSING = "–"


@dataclass(frozen=True)
class Column:
    name: str  # a dataset home's id, or "sim: <profile>"
    days: list[DayFeatures]  # whole days only
    events_per_day: list[int]
    sensors: int


@dataclass(frozen=True)
class Statistic:
    label: str
    value: Callable[[Column], float | None]
    shown: Callable[[float], str]
    # Whether the tuned profile must sit inside the real homes' range on this row.
    tuned: bool = True


def _clock(minutes: float) -> str:
    minutes = round(minutes) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _number(value: float) -> str:
    return f"{value:.1f}" if abs(value) < 10 else f"{value:.0f}"


def _of_day(moment: datetime | None, evening: bool) -> float | None:
    """Minutes from midnight; a bedtime before noon counts past 24:00 (01:00 is 1500)."""
    if moment is None:
        return None
    minutes = moment.hour * 60 + moment.minute + moment.second / 60
    return minutes + 24 * 60 if evening and minutes < 12 * 60 else minutes


def _values(column: Column, pick: Callable[[DayFeatures], float | None]) -> list[float]:
    return [value for value in map(pick, column.days) if value is not None]


def _median(pick: Callable[[DayFeatures], float | None]) -> Callable[[Column], float | None]:
    def statistic(column: Column) -> float | None:
        values = _values(column, pick)
        return statistics.median(values) if values else None

    return statistic


def _mean(pick: Callable[[DayFeatures], float | None]) -> Callable[[Column], float | None]:
    def statistic(column: Column) -> float | None:
        values = _values(column, pick)
        return statistics.fmean(values) if values else None

    return statistic


def _spread(pick: Callable[[DayFeatures], float | None]) -> Callable[[Column], float | None]:
    """The interquartile range: how much one day differs from the next, robust to odd days."""

    def statistic(column: Column) -> float | None:
        values = _values(column, pick)
        if len(values) < 4:
            return None
        low, _, high = statistics.quantiles(values, n=4)
        return high - low

    return statistic


def _kitchen(day: DayFeatures) -> float | None:
    meals = (day.breakfast_kitchen_minutes, day.lunch_kitchen_minutes, day.dinner_kitchen_minutes)
    return None if meals[0] is None else float(sum(m or 0 for m in meals))


def _up(day: DayFeatures) -> float | None:
    return _of_day(day.time_up, evening=False)


def _bed(day: DayFeatures) -> float | None:
    return _of_day(day.bedtime, evening=True)


STATISTICS: tuple[Statistic, ...] = (
    Statistic("whole days", lambda c: float(len(c.days)), _number, tuned=False),
    Statistic("time up, median", _median(_up), _clock),
    Statistic("time up, spread (IQR, min)", _spread(_up), _number),
    Statistic("bedtime, median", _median(_bed), _clock),
    Statistic("bedtime, spread (IQR, min)", _spread(_bed), _number),
    Statistic("night toilet visits, mean", _mean(lambda d: d.night_toilet_visits), _number),
    Statistic("kitchen minutes at meals, median", _median(_kitchen), _number),
    Statistic("fridge uses, median", _median(lambda d: d.fridge_uses), _number),
    Statistic("outings a day, mean", _mean(lambda d: d.outings), _number),
    Statistic("minutes out, mean", _mean(lambda d: d.minutes_out), _number),
    Statistic("active minutes, median", _median(lambda d: float(d.active_minutes)), _number),
    Statistic("active hours, median", _median(lambda d: float(d.active_hours)), _number),
    Statistic(
        "events a day, median",
        lambda c: statistics.median(c.events_per_day) if c.events_per_day else None,
        _number,
    ),
    Statistic(
        "sensors reporting, share",
        _mean(
            lambda d: len(d.sensors_reporting) / (len(d.sensors_reporting) + len(d.sensors_silent))
        ),
        lambda v: f"{v:.2f}",
    ),
)


def column(name: str, events: Sequence[Event], config: HearthConfig) -> Column:
    days = [day for day in daily_features(events, config) if not day.partial]
    whole = {day.date for day in days}
    zone = ZoneInfo(config.home.timezone)
    per_date = Counter(event.time.astimezone(zone).date() for event in events)
    return Column(
        name=name,
        days=days,
        events_per_day=[per_date[day] for day in sorted(whole)],
        sensors=len(config.sensors),
    )


def real_columns(datasets: Path, only: Sequence[str] | None = None) -> list[Column]:
    """A column per dataset home whose file is found (committed Ordonez files always are)."""
    columns = []
    for path in dataset_configs():
        config = load_config(path)
        if config.home.id not in DATASET_FILES or (only is not None and config.home.id not in only):
            continue  # the simulated home, or one not asked for
        try:
            events = home_events(config, data_file(config, datasets))
        except EvaluateError:
            continue
        columns.append(column(config.home.id, events, config))
    return columns


def simulated_columns(profiles: Sequence[str] = tuple(BUILTIN)) -> list[Column]:
    config = load_config(SIMULATED_CONFIG)
    return [
        column(
            f"sim: {name}",
            list(
                simulate(
                    config,
                    builtin_profile(name),
                    SIMULATED_START,
                    SIMULATED_DAYS,
                    SIMULATED_SEED,
                )
            ),
            config,
        )
        for name in profiles
    ]


def table(real: Sequence[Column], simulated: Sequence[Column]) -> dict[str, dict[str, str]]:
    """Each statistic's cell per column, plus the real homes' range: {row: {column: text}}."""
    rows: dict[str, dict[str, str]] = {}
    for stat in STATISTICS:
        cells: dict[str, str] = {}
        found = []
        for col in [*real, *simulated]:
            value = stat.value(col)
            cells[col.name] = MISSING if value is None else stat.shown(value)
            if value is not None and col in real:
                found.append(value)
        cells["real range"] = (
            f"{stat.shown(min(found))} – {stat.shown(max(found))}" if found else MISSING
        )
        rows[stat.label] = cells
    return rows


def outside_range(real: Sequence[Column], tuned: Column) -> list[str]:
    """The statistics on which the tuned profile is outside the real homes' range."""
    outside = []
    for stat in STATISTICS:
        found = [v for v in (stat.value(c) for c in real) if v is not None]
        value = stat.value(tuned)
        if stat.tuned and found and value is not None and not min(found) <= value <= max(found):
            outside.append(f"{stat.label}: {stat.shown(value)} not in {stat.shown(min(found))}"
                           f" – {stat.shown(max(found))}")  # fmt: skip
    return outside


HEADER = """\
# The home simulator

`hearth simulate` makes up months of sensor events for a configurable person
in a configured home, as the canonical JSON Lines file `hearth replay` reads:

    hearth simulate --config config/simulated-home.yaml --profile typical \\
        --days 90 --start 2026-01-05 --seed 1 --out simulated.jsonl
    hearth replay --config config/simulated-home.yaml --db sim.db simulated.jsonl
    hearth routine --config config/simulated-home.yaml --db sim.db

The same seed gives the same events. `--profile` takes a built-in person,
one of {builtins},
or a YAML profile file: any of the keys listed at the end of this page, each
with a default (an empty file is the typical person).
`--change KIND:SIZE:ONSET[:RAMP]` changes the person from day ONSET
(0-based), abruptly or over RAMP days (the kinds are listed below). The
evaluation calls the library directly:
`hub.simulate.simulate(config, profile, start, days, seed, changes)`.

What it models: time up and bedtime with day-to-day spread and weekend
lie-ins; breakfast, lunch and dinner in the kitchen (fridge, kettle,
cupboards, cooking); toilet visits by day and night; outings through the
front door; visitors (let in, seated together, their own trips to the
kitchen or bathroom while the person stays in the living room: two distant
rooms active at once); a pet moving in the living rooms at any hour (never
the bed or chair mat, never a door); pill-box openings with meals, sometimes
late or missed; sensors falling silent for hours or days; readings sent
twice. Daylight saving time is honoured: a 07:45 time up is 07:45 on the
wall clock on the days the clocks change.

## Simulated beside the real homes

Whole days only, each statistic computed by the routine engine's own daily
features. The real homes are the dataset homes in config/ (Ordonez from the
repository; CASAS and van Kasteren from ../shared/datasets). The simulated
columns are config/simulated-home.yaml, {days} days from {start}, seed {seed}.
`typical` is the default profile and is tuned to lie inside the real range
on every row but the day count. A dash: the home has no sensor for it.

Regenerate with `python -m hub.simulate.calibration > docs/simulator.md`
(tests/simulate/test_calibration_table.py checks that it is current).

"""


def render(real: Sequence[Column], simulated: Sequence[Column]) -> str:
    rows = table(real, simulated)
    names = [c.name for c in [*real, *simulated]]
    header = ["statistic", *names, "real range"]
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    for label, cells in rows.items():
        lines.append("| " + " | ".join([label, *(cells[n] for n in [*names, "real range"])]) + " |")
    tuned = next(c for c in simulated if c.name == f"sim: {TUNED_PROFILE}")
    outside = outside_range(real, tuned)
    verdict = (
        f"\nThe `{TUNED_PROFILE}` profile is inside the real range on every tuned row.\n"
        if not outside
        else "\nOutside the real range: " + "; ".join(outside) + ".\n"
    )
    intro = HEADER.format(
        builtins=", ".join(BUILTIN),
        days=SIMULATED_DAYS,
        start=SIMULATED_START.isoformat(),
        seed=SIMULATED_SEED,
    )
    fields = (
        "\n## Profile keys\n\nA profile file sets any of these (nested keys as YAML sections, "
        "such as `outings:` then `per_day: 2`); what it leaves out keeps the default.\n\n"
        + "\n".join(reference())
        + "\n"
    )
    kinds = [
        "\n## Changes\n",
        "`--change KIND:SIZE:ONSET[:RAMP]` (or `Change(kind, size, onset, ramp_days)`): from day",
        "ONSET (0 = the first simulated day) the person changes by SIZE, at once, or growing",
        "linearly to the whole SIZE over RAMP days. The sizes of the issue's examples:\n",
        "| kind | size means | example size |",
        "|---|---|---|",
        *(f"| `{kind.value}` | {MEANINGS[kind]} | {EXAMPLE_SIZES[kind]:g} |" for kind in MEANINGS),
    ]
    return intro + "\n".join(lines) + "\n" + verdict + "\n".join(kinds) + "\n" + fields


def parse_table(markdown: str) -> dict[str, dict[str, str]]:
    """The page's first table (the statistics) back as {row: {column: text}}."""
    lines: list[str] = []
    for line in markdown.splitlines():
        if line.startswith("|"):
            lines.append(line)
        elif lines:
            break  # the table ended; the profile keys' table is not this one
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = {}
    for line in lines[2:]:  # after the header and its |---| line
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows[cells[0]] = dict(zip(header[1:], cells[1:], strict=True))
    return rows


def main() -> None:
    sys.stdout.write(render(real_columns(default_datasets()), simulated_columns()))


if __name__ == "__main__":
    main()
