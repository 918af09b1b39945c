"""The weekly summary as an HTML fragment (for the web app's page) and as a PDF.

The PDF is WeasyPrint rendering the same fragment, so the page and the PDF
can never disagree on a figure; charts go in as inline SVG with their text
kept as text, so the PDF's words (chart labels included) can be searched,
copied and checked. WeasyPrint was chosen over reportlab and matplotlib's
PdfPages after measuring all three on the same week (bench/summary_pdf.py,
results in bench/results/summary-pdf-*.json): it took 1.6 to 2.5 times as
long as reportlab on this 2-core machine (seconds, not minutes; the weekly
mail runs on a worker thread and the web app keeps finished weeks' PDFs) and
about the same peak memory (153 against 148 MB), and it needs no second
layout to keep in step with the page.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from hub.routine.explain import clock, duration
from hub.summary.charts import Chart, charts
from hub.summary.errors import PdfError
from hub.summary.weekly import WeeklySummary

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parents[1] / "web" / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)

DAY_TYPES = {"low-coverage": "low coverage"}  # in words; the others read as they are

SHAPES = {
    "unusual_day": "a single unusual day",
    "shift": "a lasting shift",
    "drift": "a slow drift",
}


def html_fragment(summary: WeeklySummary) -> Markup:
    """The summary page's body: headings, tables, charts (inline SVG) with their text."""
    return Markup(  # noqa: S704 (rendered by an autoescaping template)
        TEMPLATES.get_template("weekly_fragment.html").render(
            s=summary,
            charts=[_figure(chart) for chart in charts(summary)],
            shapes=SHAPES,
            day_types=DAY_TYPES,
            clock=clock,
            clock_of=lambda minutes: "-" if minutes is None else clock(minutes),
            number=lambda value: "-" if value is None else f"{value:g}",
            minutes=lambda value: "-" if value is None else duration(value),
        )
    )


def html_document(summary: WeeklySummary) -> str:
    """A whole HTML document around the fragment, with print styles: what the PDF shows."""
    return TEMPLATES.get_template("weekly_pdf.html").render(
        s=summary, fragment=html_fragment(summary)
    )


def pdf(summary: WeeklySummary) -> bytes:
    """The summary as an A4 PDF with real text."""
    try:
        # Imported here: it loads pango through cffi, which the page alone never needs.
        from weasyprint import HTML  # type: ignore[import-untyped]  # noqa: PLC0415
    except (ImportError, OSError) as exc:
        raise PdfError(
            f"cannot make the PDF: WeasyPrint or pango is missing ({exc}); "
            "install the 'summary' extra and Debian's libpango-1.0-0 libpangoft2-1.0-0"
        ) from exc
    data = HTML(string=html_document(summary)).write_pdf()
    if data is None:  # only when a target file is given, which it is not
        raise PdfError("WeasyPrint returned no PDF")
    return bytes(data)


class _Figure:
    """What the template needs of a chart: the inline SVG, labelled, and its words."""

    def __init__(self, chart: Chart) -> None:
        self.name = chart.name
        self.title = chart.title
        self.alt = chart.alt
        label = escape(f"{chart.title}. {chart.alt}")
        # matplotlib's SVG root gets an image role and its text alternative.
        svg = chart.svg().replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)
        self.image = Markup(svg)  # noqa: S704 (matplotlib's own output; the label is escaped)


def _figure(chart: Chart) -> _Figure:
    figure = _Figure(chart)
    chart.figure.clear()  # the SVG is made; free the figure's memory now
    return figure
