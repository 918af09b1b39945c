"""The weekly summary of real dataset homes against `hearth routine`, `features` and `meds`.

The committed Ordonez homes are replayed with a pill box added (openings on
time, late, or not at all, by day) and, in home B, the kitchen no longer used
from its 16th day (so the routine engine has changes to report). For each
full week the summary is built, rendered as a page and as a PDF, and the
PDF's text and the summary's figures are compared with what the real `hearth`
commands print for the same database: day types, getting-up and bed times,
toilet visits, kitchen minutes, change sentences with their onsets, and the
medication rows.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from click.testing import CliRunner
from pypdf import PdfReader
from sqlite_utils import Database

from hub.cli import main
from hub.config.loader import load_config
from hub.config.models import HearthConfig
from hub.datasets.jsonl import write_jsonl
from hub.events import Event, Kind, Source
from hub.replay import replay
from hub.routine.explain import duration
from hub.store.database import open_database
from hub.store.event_table import read_events
from hub.summary import WeeklySummary, build, weeks_available
from hub.summary.render import html_fragment, pdf
from tests.datasets.conftest import CONFIG, ORDONEZ
from tests.routine.routine_changes import without_sensors
from tests.summary.summary_helpers import words

MEDICINE = {"name": "Metformin", "times": [{"at": "09:00"}]}


@dataclass(frozen=True)
class Home:
    config_path: Path
    config: HearthConfig
    db: Path


def _home(name: str, data: Path, folder: Path, *, kitchen_stops_on_day: int | None) -> Home:
    base = load_config(CONFIG / f"ordonez-{name}.yaml")
    scratch = folder / "scratch.db"
    replay(base, scratch, [data])
    conn = open_database(scratch).conn
    try:
        events = list(read_events(conn))
    finally:
        conn.close()
    zone = ZoneInfo(base.home.timezone)
    dates = sorted({e.time.astimezone(zone).date() for e in events})
    if kitchen_stops_on_day is not None:
        kitchen = [s.id for s in base.sensors if s.room == "kitchen"]
        events = without_sensors(events, kitchen, dates[kitchen_stops_on_day], zone)
    # The pill box: on time most days, late on some (11:15, after the hour's window), none
    # on others.
    for index, day in enumerate(dates[1:-1]):
        if index % 6 == 2:
            continue
        at = time(11, 15) if index % 6 == 4 else time(9, 10)
        opened = datetime.combine(day, at, zone)
        events.append(Event(opened, "pillbox_lid", Kind.CONTACT, True, Source.JSONL))
        events.append(
            Event(opened + timedelta(seconds=40), "pillbox_lid", Kind.CONTACT, False, Source.JSONL)
        )
    events.sort(key=lambda e: e.time)
    document = base.model_dump(mode="json")
    document["sensors"].append(
        {
            "id": "pillbox_lid",
            "match": {"source": "jsonl", "device": "pillbox_lid"},
            "kind": "contact",
            "room": "kitchen",
            "role": "pillbox",
        }
    )
    document["medication"] = {"medicines": [MEDICINE]}
    config_path = folder / f"ordonez-{name}-pills.yaml"
    config_path.write_text(yaml.safe_dump(document), encoding="utf-8")
    config = load_config(config_path)
    jsonl = folder / "events.jsonl"
    with jsonl.open("w", encoding="utf-8") as out:
        write_jsonl(events, out)
    db = folder / "home.db"
    replay(config, db, [jsonl])
    return Home(config_path, config, db)


@pytest.fixture(scope="module")
def ordonez_a(tmp_path_factory: pytest.TempPathFactory) -> Home:
    data = ORDONEZ / "OrdonezA_Sensors.txt"
    return _home("a", data, tmp_path_factory.mktemp("weekly-a"), kitchen_stops_on_day=None)


@pytest.fixture(scope="module")
def ordonez_b(tmp_path_factory: pytest.TempPathFactory) -> Home:
    data = ORDONEZ / "OrdonezB_Sensors.txt"
    return _home("b", data, tmp_path_factory.mktemp("weekly-b"), kitchen_stops_on_day=16)


def _cli(*args: str | Path) -> list[dict[str, Any]]:
    """A `hearth` command's JSON Lines, run in-process through click."""
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def _pdf_text(document: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(document))
    return len(reader.pages), words(" ".join(page.extract_text() for page in reader.pages))


def _hhmm(iso: str | None, on: str) -> str:
    """A feature time as the summary shows it: wall-clock minutes, rounded, as HH:MM."""
    if iso is None:
        return "-"
    moment = datetime.fromisoformat(iso)
    minutes = round(moment.hour * 60 + moment.minute + moment.second / 60) % 1440
    assert moment.date() <= date.fromisoformat(on)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _full_weeks(home: Home, routine: list[dict[str, Any]]) -> list[date]:
    dates = {date.fromisoformat(r["date"]) for r in routine}
    return sorted(
        monday
        for monday in weeks_available(Database(home.db), home.config)
        if all(monday + timedelta(days=n) in dates for n in range(7))
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", ["ordonez_a", "ordonez_b"])
def test_each_full_week_matches_the_hearth_commands(
    name: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    home: Home = request.getfixturevalue(name)
    common = ("--config", home.config_path, "--db", home.db, "--format", "json")
    routine = _cli("routine", *common)
    features = {f["date"]: f for f in _cli("features", *common)}
    meds = _cli("meds", *common)
    routine_of = {r["date"]: r for r in routine}
    weeks = _full_weeks(home, routine)
    assert len(weeks) >= 2, weeks  # A: 2 full weeks, B: 2 (of its 3 partial ones)
    changes_seen = 0
    for monday in weeks:
        summary = build(Database(home.db), home.config, monday)
        page = str(html_fragment(summary))
        document = pdf(summary)
        (tmp_path / f"{name}-{monday}.pdf").write_bytes(document)
        pages, text = _pdf_text(document)
        assert pages >= 2
        assert f"Week of {monday.day} {monday:%B %Y}" in text
        # The charts are vector with their words as text: an axis label is in the PDF text.
        assert "hour of the day (local time)" in text
        assert page.count('<svg role="img" aria-label="') == 3
        week = [(monday + timedelta(days=n)).isoformat() for n in range(7)]
        for day, line in zip(week, summary.days, strict=True):
            expected, found = routine_of[day], features[day]
            assert line.day_type == expected["day_type"], day
            assert line.flagged == expected["flagged"], day
            assert line.score == expected["score"], day
            up, bed = _hhmm(found["time_up"], day), _hhmm(found["bedtime"], day)
            toilet = found["night_toilet_visits"]
            meals = [found[f"{m}_kitchen_minutes"] for m in ("breakfast", "lunch", "dinner")]
            kitchen = "-" if None in meals else duration(sum(meals))
            assert line.night_toilet_visits == toilet, day
            assert line.kitchen_minutes == (None if None in meals else sum(meals)), day
            assert line.minutes_out == found["minutes_out"], day
            assert line.hourly_activity == tuple(found["hourly_activity"]), day
            # The day's row in the PDF: its kind, got up ... to bed, toilet, kitchen.
            label = datetime.fromisoformat(day).strftime("%a %Y-%m-%d")
            row = text.split(label, 1)[1][:160]
            kind = expected["day_type"].replace("-", " ")  # low-coverage in words
            assert re.match(rf"^ {re.escape(kind)}( \(unusual\))? {up} ", row), (day, row)
            toilet_text = "-" if toilet is None else str(toilet)
            assert f" {bed} {toilet_text} {kitchen} " in row, (day, row)
        # What changed: each change the routine engine reported this week, worded as last
        # reported, with its onset, in the summary and in the PDF.
        latest: dict[tuple[str, str, str], str] = {}
        for day in week:
            for change in routine_of[day]["changes"]:
                key = (change["behaviour"], change["shape"], change["onset"])
                latest[key] = change["sentence"]
        found_changes = {
            (c.behaviour, c.shape, c.onset.isoformat()): c.sentence for c in summary.changes
        }
        assert found_changes == latest
        for key, sentence in latest.items():
            assert words(sentence) in text
            assert f"Since {key[2]}" in text
        changes_seen += len(latest)
        # Medication: the row `hearth meds` prints for this week, in the summary and the PDF.
        rows = [m for m in meds if m["week"] == monday.isoformat()]
        assert [_row(m) for m in summary.medication] == [
            tuple(r[k] for k in ("medicine", "due", "on_time", "late", "missed", "doubled", "away"))
            for r in rows
        ]
        assert rows, monday
        for med in rows:
            cells = [med[k] for k in ("due", "on_time", "late", "missed", "doubled", "away")]
            assert f"{med['medicine']} {' '.join(map(str, cells))}" in text
        _print(name, monday, summary, len(latest))
    if name == "ordonez_b":
        assert changes_seen >= 1  # the kitchen left unused is reported
    # Taken, late and missed doses all occur in the replay (the comparison is not empty).
    assert sum(m["on_time"] for m in meds) > 0
    assert sum(m["late"] for m in meds) > 0
    assert sum(m["missed"] for m in meds) > 0


def _row(m: Any) -> tuple[object, ...]:
    return (m.medicine, m.due, m.on_time, m.late, m.missed, m.doubled, m.away)


def _print(name: str, monday: date, summary: WeeklySummary, changes: int) -> None:
    print(
        f"{name} week of {monday}: {summary.days_with_data} days, {changes} change(s), "
        f"medication {[_row(m) for m in summary.medication]}"
    )
