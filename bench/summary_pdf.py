"""Weekly summary PDF benchmark: which library makes the PDF, measured on this machine.

The same summary (the last full week of Ordonez B, committed) is rendered by:

weasyprint:  the page's own HTML (tables, inline SVG charts with text as text)
             through WeasyPrint: what hub/summary/render.py ships.
reportlab:   the same tables and sentences as reportlab flowables, the charts as
             PNG (150 dpi) from the same matplotlib figures.
pdfpages:    matplotlib's PdfPages: the three charts as pages and the day table
             as a text page (the cheapest way to get a PDF at all).
page:        the HTML fragment alone (the web page's cost), for scale.

Each is run in its own process (so peak memory is its own): one cold render
(imports, fonts) and --rounds warm ones, each timed; the process reports
its peak RSS and the RSS after building the summary, before rendering
(`base`). Medians of the warm rounds and ratios to the fastest PDF are
printed as JSON and written to bench/results/.

Run: python -m bench.summary_pdf [--rounds 5]
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hub.config import load_config
from hub.evaluate import COMMITTED, CONFIGS, home_events
from hub.routine import daily_features
from hub.routine.score import score_days
from hub.summary.weekly import WeeklySummary, assemble, monday_of

RENDERERS = ("weasyprint", "reportlab", "pdfpages", "page")
RESULTS = Path(__file__).parent / "results"


def summary_of_last_full_week() -> WeeklySummary:
    config = load_config(CONFIGS / "ordonez-b.yaml")
    days = daily_features(home_events(config, COMMITTED / "OrdonezB_Sensors.txt"), config)
    monday = monday_of(days[-1].date) - timedelta(days=7)
    return assemble(config, monday, days=days, results=score_days(days), outcomes=[], alerts=[])


def render_weasyprint(summary: WeeklySummary) -> bytes:
    from hub.summary.render import pdf

    return pdf(summary)


def render_page(summary: WeeklySummary) -> bytes:
    from hub.summary.render import html_fragment

    return str(html_fragment(summary)).encode()


def render_reportlab(summary: WeeklySummary) -> bytes:
    from reportlab.lib import colors  # type: ignore[import-untyped]
    from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
    from reportlab.lib.styles import getSampleStyleSheet  # type: ignore[import-untyped]
    from reportlab.lib.units import mm  # type: ignore[import-untyped]
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Table, TableStyle  # type: ignore[import-untyped]

    from hub.routine.explain import clock, duration
    from hub.summary.charts import charts

    styles = getSampleStyleSheet()
    story: list[Any] = [
        Paragraph(f"Week of {summary.week_start:%-d %B %Y} at {summary.home}", styles["Title"]),
        Paragraph("What changed", styles["Heading2"]),
    ]
    story += [Paragraph(c.sentence, styles["Normal"]) for c in summary.changes] or [
        Paragraph("No change in the routine was found this week.", styles["Normal"])
    ]
    rows = [["Day", "Kind", "Got up", "To bed", "Toilet", "Kitchen", "Out", "Active"]]
    for d in summary.days:
        rows.append(
            [
                f"{d.date:%a %Y-%m-%d}",
                d.day_type or "-",
                "-" if d.time_up_minutes is None else clock(d.time_up_minutes),
                "-" if d.bedtime_minutes is None else clock(d.bedtime_minutes),
                "-" if d.night_toilet_visits is None else str(d.night_toilet_visits),
                "-" if d.kitchen_minutes is None else duration(d.kitchen_minutes),
                "-" if d.minutes_out is None else duration(d.minutes_out),
                "-" if d.active_minutes is None else duration(d.active_minutes),
            ]
        )
    table = Table(rows)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey)]))
    story.append(table)
    for chart in charts(summary):
        story.append(Image(io.BytesIO(chart.png()), width=180 * mm, height=70 * mm))
        story.append(Paragraph(f"{chart.title}. {chart.alt}", styles["Normal"]))
    sensors = [["Sensor", "Room", "Role", "Days"]]
    sensors += [[s.sensor, s.room, s.role, str(s.days_reporting)] for s in summary.sensors]
    story.append(Table(sensors))
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4).build(story)
    return out.getvalue()


def render_pdfpages(summary: WeeklySummary) -> bytes:
    import matplotlib as mpl
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    from hub.routine.explain import clock
    from hub.summary.charts import charts

    out = io.BytesIO()
    with mpl.rc_context({"pdf.fonttype": 42}), PdfPages(out) as pages:
        text = Figure(figsize=(8.27, 11.69))
        lines = [f"Week of {summary.week_start:%-d %B %Y} at {summary.home}", ""]
        lines += [c.sentence for c in summary.changes] or ["No change in the routine was found."]
        for d in summary.days:
            up = "-" if d.time_up_minutes is None else clock(d.time_up_minutes)
            lines.append(
                f"{d.date:%a %Y-%m-%d}  {d.day_type or '-'}  up {up}  "
                f"toilet {d.night_toilet_visits}  out {d.minutes_out}"
            )
        for i, line in enumerate(lines):
            text.text(0.05, 0.95 - i * 0.025, line, fontsize=9)
        pages.savefig(text)
        for chart in charts(summary):
            pages.savefig(chart.figure)
    return out.getvalue()


def one(renderer: str, rounds: int) -> dict[str, Any]:
    """Run in the child process: time a cold render and `rounds` warm ones."""
    summary = summary_of_last_full_week()
    base_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    render = globals()[f"render_{renderer}"]
    started = time.perf_counter()
    data = render(summary)
    cold = time.perf_counter() - started
    warm = []
    for _ in range(rounds):
        started = time.perf_counter()
        render(summary)
        warm.append(time.perf_counter() - started)
    text_ok = None
    if renderer != "page":
        from pypdf import PdfReader

        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
        text_ok = f"{summary.week_start:%-d %B %Y}" in text
    return {
        "renderer": renderer,
        "week": summary.week_start.isoformat(),
        "cold_s": round(cold, 3),
        "warm_s": [round(w, 3) for w in warm],
        "median_warm_s": round(statistics.median(warm), 3),
        "bytes": len(data),
        "text_extractable": text_ok,
        "rss_before_render_mb": round(base_mb, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--one", choices=RENDERERS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.rounds)))
        return
    found = []
    for renderer in RENDERERS:
        child = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.summary_pdf",
                "--one",
                renderer,
                "--rounds",
                str(args.rounds),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        found.append(json.loads(child.stdout.strip().splitlines()[-1]))
    pdfs = [r for r in found if r["renderer"] != "page"]
    fastest = min(r["median_warm_s"] for r in pdfs)
    for r in pdfs:
        r["warm_ratio_to_fastest_pdf"] = round(r["median_warm_s"] / fastest, 2)
    report = {"date": date.today().isoformat(), "rounds": args.rounds, "results": found}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"summary-pdf-{report['date']}.json").write_text(
        json.dumps(report, indent=2) + "\n", encoding="utf-8"
    )
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
