"""The summary page and PDF from a database: a week with a clock change, alerts, a change.

Events of a small home are written for the fortnight before and the week of
the change to summer time in London (Sunday 31 March 2024), with the person
getting up 2 hours later from Wednesday 27 March; alerts are written through
the alert store around the week's edges.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from hub.alerts.lifecycle import NEW, Change, Target
from hub.alerts.model import Action, Alert, AlertMessage, AlertState, Severity, Transition, Via
from hub.alerts.store import AlertStore
from hub.events import Event, Kind, Source
from hub.store.database import open_database
from hub.store.event_table import insert_events
from hub.summary import WeeklySummary, build, weeks_available
from hub.summary.render import html_document, html_fragment, pdf
from tests.summary.summary_helpers import small_home, words

LONDON = ZoneInfo("Europe/London")
WEEK = date(2024, 3, 25)  # Monday; the clocks go forward on Sunday the 31st
LATER_FROM = date(2024, 3, 27)


def _events() -> list[Event]:
    events: list[Event] = []

    def at(day: date, wall: time, sensor: str, value: bool) -> None:
        moment = datetime.combine(day, wall, LONDON).astimezone(UTC)
        kind = {"bed": Kind.PRESSURE, "flush": Kind.FLUSH, "front_door": Kind.CONTACT}.get(
            sensor, Kind.MOTION
        )
        events.append(Event(moment, sensor, kind, value, Source.GENERIC))

    day = WEEK - timedelta(days=21)
    while day <= WEEK + timedelta(days=6):
        up = time(9, 30) if day >= LATER_FROM else time(7, 30)
        evening = day - timedelta(days=1)
        at(evening, time(22, 45), "bed", True)
        at(day, time(3, 10), "bed", False)
        at(day, time(3, 12), "flush", True)
        at(day, time(3, 12, 30), "flush", False)
        at(day, time(3, 15), "bed", True)
        at(day, up, "bed", False)
        for minutes in range(5, 12 * 60, 10):  # the kitchen now and then all day
            moment = (datetime.combine(day, up) + timedelta(minutes=minutes)).time()
            at(day, moment, "kitchen_pir", True)
            at(day, moment.replace(second=30), "kitchen_pir", False)
        day += timedelta(days=1)
    return sorted(events, key=lambda e: e.time)


def _alert(raised: datetime, summary: str) -> Alert:
    return Alert(
        id=NEW,
        key=f"no_movement:{raised:%H%M}",
        rule="no_movement",
        subject="home",
        severity=Severity.URGENT,
        summary=summary,
        since=raised - timedelta(hours=3),
        raised_at=raised,
        state=AlertState.RESOLVED,
        condition_active=False,
        resolved_at=raised + timedelta(minutes=30),
    )


@pytest.fixture(scope="module")
def summary(tmp_path_factory: pytest.TempPathFactory) -> WeeklySummary:
    db = open_database(tmp_path_factory.mktemp("weekly-render") / "home.db")
    insert_events(db.conn, _events())
    # Sunday 23:30 BST is in the week; Monday 00:30 BST (Sunday 23:30 UTC) is not.
    inside = datetime(2024, 3, 31, 22, 30, tzinfo=UTC)
    outside = datetime(2024, 3, 31, 23, 30, tzinfo=UTC)
    store = AlertStore(db.conn)
    for raised, words_ in ((inside, "Inside the week."), (outside, "The next week.")):
        resolved = Transition(NEW, raised + timedelta(minutes=30), Action.RESOLVED, "hub", Via.RULE)
        store.apply([Change(None, _alert(raised, words_), (resolved,))], raised, _no_message)
    assert WEEK in weeks_available(db, small_home())
    found = build(db, small_home(), WEEK)
    db.conn.close()
    return found


def _no_message(alert: Alert, target: Target, key: str) -> AlertMessage:
    raise AssertionError("no message is queued in this test")


def test_the_week_of_the_clock_change(summary: WeeklySummary) -> None:
    assert [d.date for d in summary.days][-1] == date(2024, 3, 31)
    assert [d.hours for d in summary.days] == [24] * 6 + [23]
    assert all(d.has_data for d in summary.days)
    # Getting up at 09:30 wall time also on the Sunday, after the clocks changed.
    assert summary.days[6].time_up_minutes == 9 * 60 + 30
    assert [d.night_toilet_visits for d in summary.days] == [1] * 7
    assert [a.summary for a in summary.alerts] == ["Inside the week."]
    assert summary.alerts[0].raised_at.strftime("%a %H:%M %Z") == "Sun 23:30 BST"
    assert summary.alerts[0].outcome == "resolved Mon 00:00"
    later = [c for c in summary.changes if c.behaviour == "time_up"]
    assert later
    assert {c.direction for c in later} == {"later"}
    assert all(c.onset >= LATER_FROM for c in later)
    assert all(c.sentence.startswith("Getting up later") for c in later)
    # The lasting change comes before the single unusual days it began with.
    assert later[0].shape == "shift"


def test_the_page_is_accessible_html_with_its_charts_as_svg(summary: WeeklySummary) -> None:
    page = str(html_fragment(summary))
    assert page.startswith('<section class="weekly"')
    # Three charts, each an image with a text alternative and a caption.
    assert page.count('<svg role="img" aria-label="') == 3
    assert page.count("<figcaption") == 3
    # No id twice on the page (matplotlib numbers ids per figure).
    ids = Counter(re.findall(r'\bid="([^"]+)"', page))
    assert [i for i, n in ids.items() if n > 1] == []
    # Every reference inside the SVGs points at an id that exists.
    for target in re.findall(r'(?:href="|url\()#([^")]+)', page):
        assert target in ids, target
    assert "Getting up later" in page
    assert "Inside the week." in page
    assert "The next week." not in page
    # The getting-up chart's alternative states each day's time.
    assert "Sunday: up 09:30" in page


def test_the_pdf_has_the_figures_as_text(summary: WeeklySummary, tmp_path: Path) -> None:
    document = pdf(summary)
    assert document.startswith(b"%PDF-")
    (tmp_path / "week.pdf").write_bytes(document)
    reader = PdfReader(io.BytesIO(document))
    text = words(" ".join(page.extract_text() for page in reader.pages))
    assert "Week of 25 March 2024" in text
    assert "Sun 2024-03-31" in text
    assert words(next(c.sentence for c in summary.changes if c.behaviour == "time_up")) in text
    assert "Inside the week." in text
    # Chart words are text too (axis label and a point's label in the getting-up chart).
    assert "time of day" in text
    assert "09:30" in text
    assert f"page 1 of {len(reader.pages)}" in text
    assert "<title>" in html_document(summary)
