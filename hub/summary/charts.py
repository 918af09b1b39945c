"""The weekly summary's charts, drawn by matplotlib (Agg, no display needed).

Each chart comes with a text alternative that states its values, so a
screen-reader user, or a co-ordinator reading a black-and-white print, gets
the same facts. Colours are the Okabe-Ito palette (safe for the common kinds
of colour blindness) and never the only cue: getting up and going to bed have
different marker shapes and labels, bars carry their values, heat-map cells
carry their minutes.

Figures are built with `matplotlib.figure.Figure`, not pyplot, so no global
state is shared between the web server's threads.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib as mpl

mpl.use("Agg")  # before any other matplotlib import: no display on the hub

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from hub.routine.explain import clock, duration
from hub.summary.weekly import DayLine, UsualRange, WeeklySummary

BLUE, ORANGE, GREEN, GREY = "#0072B2", "#E69F00", "#009E73", "#999999"
HEAT_MAP = "cividis"  # perceptually uniform and readable with colour-blindness
_ID = re.compile(r'\b(id)="([^"]+)"')
_REFERENCE = re.compile(r'(href="|url\()#([^")]+)')
_RC: dict[Any, object] = {  # matplotlib types the keys as a Literal of every rc name
    "svg.fonttype": "none",  # SVG text stays text: selectable, read by screen readers
    "svg.hashsalt": "hearth",  # the same figure gives the same SVG
    "pdf.fonttype": 42,  # TrueType in PDFs: the text can be extracted
    "font.size": 9,
    "font.family": "DejaVu Sans",
}


@dataclass(frozen=True, slots=True)
class Chart:
    name: str  # heat_map, sleep_times, daily_counts
    title: str
    alt: str  # the values in words
    figure: Figure

    def svg(self) -> str:
        with mpl.rc_context(_RC):
            out = io.StringIO()
            self.figure.savefig(out, format="svg", metadata={"Date": None})
        # Drop the XML prolog and DOCTYPE: the SVG goes inline into an HTML page.
        text = out.getvalue()
        text = text[text.index("<svg") :]
        # matplotlib numbers element ids per figure (text_1, ...); three charts on one
        # page would repeat them, and a page with duplicate ids is invalid (and fails
        # accessibility checks). Each id and every reference to it gets the chart's name.
        text = _ID.sub(rf'\1="{self.name}-\2"', text)
        return _REFERENCE.sub(rf"\1#{self.name}-\2", text)

    def png(self, dpi: int = 150) -> bytes:
        with mpl.rc_context(_RC):
            out = io.BytesIO()
            self.figure.savefig(out, format="png", dpi=dpi)
        return out.getvalue()


def charts(summary: WeeklySummary) -> list[Chart]:
    with mpl.rc_context(_RC):
        return [heat_map(summary), sleep_times(summary), daily_counts(summary)]


def _day_labels(days: Sequence[DayLine]) -> list[str]:
    return [f"{day.date:%a} {day.date.day}" for day in days]


def heat_map(summary: WeeklySummary) -> Chart:
    """Active minutes per hour (columns) and day (rows), each cell labelled with its minutes."""
    figure = Figure(figsize=(9, 3.4), layout="constrained")
    axes = figure.add_subplot()
    values = [list(day.hourly_activity) for day in summary.days]
    image = axes.imshow(values, cmap=HEAT_MAP, vmin=0, vmax=60, aspect="auto")
    axes.set_yticks(range(len(summary.days)), _day_labels(summary.days))
    axes.set_xticks(range(0, 24, 2), [f"{h:02d}" for h in range(0, 24, 2)])
    axes.set_xlabel("hour of the day (local time)")
    for row, hours in enumerate(values):
        for column, minutes in enumerate(hours):
            if minutes:
                # Dark text on the light end of the scale, light text on the dark end.
                colour = "black" if minutes > 30 else "white"
                axes.text(
                    column, row, str(minutes), ha="center", va="center", fontsize=6, color=colour
                )
    bar = figure.colorbar(image, ax=axes, fraction=0.03)
    bar.set_label("active minutes in the hour")
    busiest = [
        f"{day.date:%A}: {day.active_minutes} active minutes, most around "
        f"{max(range(24), key=lambda h: day.hourly_activity[h]):02d}:00"
        for day in summary.days
        if day.has_data and day.active_minutes
    ]
    alt = (
        "Heat map of active minutes by hour and day. "
        + ("; ".join(busiest) if busiest else "No activity recorded this week")
        + "."
    )
    return Chart("heat_map", "Activity by hour and day", alt, figure)


def sleep_times(summary: WeeklySummary) -> Chart:
    """Getting up (circles) and going to bed (squares) each day, with the usual range shaded."""
    figure = Figure(figsize=(9, 3.6), layout="constrained")
    axes = figure.add_subplot()
    xs = list(range(len(summary.days)))
    for series, colour, marker, label in (
        ("time_up", BLUE, "o", "got up"),
        ("bedtime", ORANGE, "s", "went to bed"),
    ):
        ranges: list[UsualRange | None] = [getattr(d, f"{series}_usual") for d in summary.days]
        low = [u.low if u else float("nan") for u in ranges]
        high = [u.high if u else float("nan") for u in ranges]
        axes.fill_between(
            xs, low, high, color=colour, alpha=0.18, step="mid", label=f"usual range ({label})"
        )
        points = [
            (x, getattr(day, f"{series}_minutes")) for x, day in zip(xs, summary.days, strict=True)
        ]
        shown = [(x, y) for x, y in points if y is not None]
        if shown:
            axes.plot(
                [x for x, _ in shown],
                [y for _, y in shown],
                marker=marker,
                color=colour,
                linestyle="-",
                label=label,
            )
            for x, y in shown:
                axes.annotate(
                    clock(y),
                    (x, y),
                    textcoords="offset points",
                    xytext=(0, 7),
                    ha="center",
                    fontsize=8,
                )
    axes.set_xticks(xs, _day_labels(summary.days))
    axes.set_xlim(-0.5, len(xs) - 0.5)
    seen = [
        value
        for day in summary.days
        for value in (day.time_up_minutes, day.bedtime_minutes)
        if value is not None
    ] + [
        edge
        for day in summary.days
        for usual in (day.time_up_usual, day.bedtime_usual)
        if usual is not None
        for edge in (usual.low, usual.high)
    ]
    # An hour's margin, on whole hours; the night window keeps values in -360..840.
    top = max(-360, (min(seen, default=360) - 60) // 60 * 60)
    bottom = min(24 * 60, (max(seen, default=1320) + 119) // 60 * 60)
    step = 60 if bottom - top <= 12 * 60 else 120
    ticks = range(int(top), int(bottom) + 1, step)
    axes.set_yticks(list(ticks), [clock(t) for t in ticks])
    axes.set_ylim(bottom, top)  # inverted: the evening before at the top, as a day is read
    axes.set_ylabel("time of day")
    axes.grid(axis="y", color=GREY, linewidth=0.4)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=7, frameon=False)
    words = []
    for day in summary.days:
        up = clock(day.time_up_minutes) if day.time_up_minutes is not None else "unknown"
        bed = clock(day.bedtime_minutes) if day.bedtime_minutes is not None else "unknown"
        usual = day.time_up_usual
        range_ = f" (usual {clock(usual.low)}-{clock(usual.high)})" if usual else ""
        words.append(f"{day.date:%A}: up {up}{range_}, to bed {bed}")
    alt = "Getting-up and bed times each day. " + "; ".join(words) + "."
    return Chart("sleep_times", "Getting up and going to bed", alt, figure)


def daily_counts(summary: WeeklySummary) -> Chart:
    """Three small bar panels: night-time toilet visits, kitchen minutes, time out of home."""
    figure = Figure(figsize=(9, 2.8), layout="constrained")
    panels = figure.subplots(1, 3, sharex=True)
    labels = [f"{day.date:%a}" for day in summary.days]
    series: list[tuple[str, list[float | None], str, Callable[[float], str]]] = [
        ("Toilet visits at night", [d.night_toilet_visits for d in summary.days], GREEN, _count),
        ("Kitchen minutes (meals)", [d.kitchen_minutes for d in summary.days], ORANGE, duration),
        ("Time out of home", [d.minutes_out for d in summary.days], BLUE, duration),
    ]
    words = []
    for axes, (title, values, colour, show) in zip(panels, series, strict=True):
        heights = [0 if v is None else v for v in values]
        bars = axes.bar(range(len(values)), heights, color=colour)
        axes.bar_label(bars, labels=["-" if v is None else show(v) for v in values], fontsize=7)
        axes.set_title(title, fontsize=9)
        if show is _count:
            axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # no "1.5 visits"
        axes.set_xticks(range(len(labels)), labels, fontsize=7)
        axes.spines[["top", "right"]].set_visible(False)
        axes.margins(y=0.2)
        told = ", ".join(
            f"{label} {'unknown' if v is None else show(v)}"
            for label, v in zip(labels, values, strict=True)
        )
        words.append(f"{title}: {told}")
    alt = "Bar charts per day. " + ". ".join(words) + "."
    return Chart("daily_counts", "Toilet visits at night, kitchen, time out", alt, figure)


def _count(value: float) -> str:
    return f"{value:g}"
