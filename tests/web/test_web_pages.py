"""What the pages and the API show, checked against the commands and library that own the
figures: `hearth features` for the day so far, `hearth meds --recorded` for adherence,
the stored events for sensor health, the alert store for acknowledgements and modes,
and hub.summary for the weekly summary. Bad requests get one readable line.
"""

from __future__ import annotations

import io
import json
import sqlite3
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pypdf
import sqlite_utils

from hub.alerts.model import AlertState, Via
from hub.alerts.store import AlertStore
from hub.events import Event, Kind, Source
from hub.modes import Mode
from hub.reminders.dose_table import store_outcomes
from hub.reminders.doses import DoseOutcome, Outcome
from hub.store.database import open_database
from hub.store.event_table import insert_events, to_micros
from hub.summary import weekly
from tests.web.conftest import NOW, ZONE, RunningHub, csrf_of, hearth, log_in, make_home


def test_today_is_the_feature_code_over_the_day_so_far(hub: RunningHub) -> None:
    day = NOW.astimezone(ZONE).date()
    features = hearth("features", "--config", hub.home.config_path, "--db", hub.home.db,
                      "--format", "json", "--since", str(day), "--until", str(day))  # fmt: skip
    assert features.returncode == 0, features.stderr
    whole_day = json.loads(features.stdout)
    with closing(log_in(hub.url, "fiona")) as client:
        today = client.get("/api/today")  # a family account has no API
        assert today.status_code == 403
        page = client.get("/today").text
    with closing(log_in(hub.url, "cora")) as client:
        shown = client.get("/api/today").json()["today"]
    assert shown["date"] == str(day)
    # Up and breakfast were over by 19:00, so the day so far agrees with the whole day.
    assert shown["time_up"] == whole_day["time_up"]
    assert shown["first_kitchen_activity"] == whole_day["first_kitchen_activity"]
    assert shown["meals"]["breakfast"] == whole_day["breakfast_kitchen_minutes"]
    assert shown["meals"]["lunch"] == whole_day["lunch_kitchen_minutes"]
    time_up = datetime.fromisoformat(whole_day["time_up"])
    assert f"<dt>Got up</dt>\n  <dd>{time_up:%H:%M}</dd>" in page
    # The last movement is a real stored change of that sensor, at or before now.
    last = shown["last_movement"]
    moment = datetime.fromisoformat(last["at"])
    assert moment <= NOW
    with closing(sqlite3.connect(hub.home.db)) as conn:
        (count,) = conn.execute(
            "SELECT count(*) FROM events WHERE sensor = ? AND time_us = ?",
            (last["sensor"], to_micros(moment)),
        ).fetchone()
        (newest,) = conn.execute(
            "SELECT max(time_us) FROM events WHERE time_us <= ?", (to_micros(NOW),)
        ).fetchone()
    assert count == 1
    assert to_micros(moment) <= newest


def test_alerts_show_how_each_ended(hub: RunningHub) -> None:
    taken = hub.raise_alert("kitchen-ended")
    left = hub.raise_alert("bathroom-ended")
    with closing(log_in(hub.url, "paula")) as client:
        acked = client.post(f"/alerts/{taken}/ack", data={"csrf": csrf_of(client)})
        assert acked.status_code == 303
        assert acked.headers["location"] == f"/alerts?done={taken}"
        again = client.post(f"/alerts/{taken}/ack", data={"csrf": csrf_of(client)})
        assert again.status_code == 409
        assert f"Alert {taken}:" in again.text
        missing = client.post("/alerts/999999/ack", data={"csrf": csrf_of(client)})
        assert missing.status_code == 404
        assert "There is no alert 999999." in missing.text
    hub.clear_alert(taken)
    hub.clear_alert(left)
    with closing(log_in(hub.url, "adam")) as client:
        rows = {row["id"]: row for row in client.get("/api/alerts").json()["alerts"]}
        page = client.get("/alerts").text
    assert rows[taken]["state"] == "resolved"
    assert rows[taken]["acknowledged_by"] == "paula"
    assert rows[taken]["ending"] == "taken on by paula, then cleared by itself"
    assert rows[left]["ending"] == "cleared by itself, nobody took it on"
    assert "taken on by paula, then cleared by itself" in page
    with closing(open_database(hub.home.db).conn) as conn:
        history = AlertStore(conn).history(taken)
    assert any(t.via is Via.WEB and t.actor == "paula" for t in history)


def test_meds_page_matches_hearth_meds_recorded(hub: RunningHub, tmp_path) -> None:
    home = make_home(tmp_path / "home", replayed_from=hub.home)
    outcomes = []
    for offset, outcome in enumerate([Outcome.ON_TIME, Outcome.LATE, Outcome.MISSED] * 4):
        day = date(2011, 11, 28) + timedelta(days=offset)
        due = datetime(day.year, day.month, day.day, 9, tzinfo=ZONE).astimezone(UTC)
        taken = None if outcome is Outcome.MISSED else due + timedelta(minutes=20)
        outcomes.append(DoseOutcome(f"Aspirin@{day}#1", "Aspirin", 1, str(day), due, False,
                                    outcome, taken, "pill_box", None, due))  # fmt: skip
    with closing(open_database(home.db).conn) as conn:
        store_outcomes(conn, outcomes)
    running = RunningHub(home)
    try:
        with closing(log_in(running.url, "cora")) as client:
            shown = client.get("/api/meds").json()["weeks"]
            page = client.get("/meds").text
    finally:
        running.stop()
    printed = hearth("meds", "--config", home.config_path, "--db", home.db, "--recorded",
                     "--format", "json", "--until", str(NOW.astimezone(ZONE).date()))  # fmt: skip
    assert printed.returncode == 0, printed.stderr
    expected = [json.loads(line) for line in printed.stdout.splitlines()]
    assert shown == expected
    assert [row["week"] for row in shown] == ["2011-11-28", "2011-12-05"]
    assert '<th scope="row">Aspirin</th>' in page


def test_sensor_health_from_the_stored_events(hub: RunningHub, tmp_path) -> None:
    def edit(data: dict[str, Any]) -> None:
        # A sensor never heard, and one that promises a report every 10 minutes.
        data["sensors"].append(
            {
                "id": "spare_pir",
                "kind": "motion",
                "room": "living",
                "match": {"source": "zigbee2mqtt", "device": "spare"},
            }
        )
        toaster = next(s for s in data["sensors"] if s["id"] == "toaster")
        toaster["expected_interval_s"] = 600

    home = make_home(tmp_path / "home", replayed_from=hub.home, edit=edit)
    with closing(open_database(home.db).conn) as conn:
        battery = Event(NOW - timedelta(days=2), "fridge", Kind.BATTERY, 8.0, Source.ZIGBEE2MQTT)
        with conn:
            insert_events(conn, [battery])
        last = dict(conn.execute(
            "SELECT sensor, max(time_us) FROM events WHERE time_us <= ? GROUP BY sensor",
            (to_micros(NOW),),
        ).fetchall())  # fmt: skip
    running = RunningHub(home)
    try:
        with closing(log_in(running.url, "fiona")) as client:
            page = client.get("/sensors")
        with closing(log_in(running.url, "adam")) as client:
            rows = {r["sensor"]: r for r in client.get("/api/sensors").json()["sensors"]}
    finally:
        running.stop()
    assert page.status_code == 200
    assert set(rows) == {s.id for s in home.config.sensors}
    for sensor in home.config.sensors:
        heard, row = last.get(sensor.id), rows[sensor.id]
        allowed = 2 * (sensor.expected_interval_s or 12 * 3600) * 1_000_000
        if heard is None:
            assert row["health"] == "never heard", sensor.id
        elif to_micros(NOW) - heard > allowed:
            assert row["health"] == "silent", sensor.id
        else:
            assert row["health"] == "ok", sensor.id
    assert rows["spare_pir"]["health"] == "never heard"
    assert rows["toaster"]["health"] == "silent"
    assert rows["fridge"]["battery_percent"] == 8.0
    assert rows["fridge"]["battery_low"] is True
    assert not any(row["battery_low"] for name, row in rows.items() if name != "fridge")
    assert "8% (low)" in page.text


def test_admin_sets_and_clears_a_mode_with_readable_errors(hub: RunningHub) -> None:
    tomorrow = (NOW + timedelta(days=1)).astimezone(ZONE)
    with closing(log_in(hub.url, "adam")) as client:
        csrf = csrf_of(client, "/modes")
        problems = {
            ("away", ""): "away: give the end as a date and time, such as 2026-12-24 18:00",
            ("away", "2011-12-01T10:00"): "away: the end is already past",
            ("visitors", "2012-06-01T10:00"):
                "visitors: a mode can last at most 90 days; set it again when it ends",
            ("party", ""): "choose home, away or visitors",
        }  # fmt: skip
        for (mode, until), line in problems.items():
            answer = client.post("/modes", data={"csrf": csrf, "mode": mode, "until": until})
            assert answer.status_code == 400, (mode, until)
            assert f'id="mode-problem">{line}</p>' in answer.text
        until = f"{tomorrow:%Y-%m-%dT%H:%M}"
        answer = client.post("/modes", data={"csrf": csrf, "mode": "away", "until": until})
        assert answer.status_code == 303
        with closing(open_database(hub.home.db).conn) as conn:
            setting = AlertStore(conn).mode_setting()
        assert setting is not None
        assert (setting.mode, setting.set_by, setting.via) == (Mode.AWAY, "adam", "web")
        assert setting.until == tomorrow.replace(second=0, microsecond=0).astimezone(UTC)
        assert "<strong>away</strong>" in client.get("/today").text
        cleared = client.post("/modes", data={"csrf": csrf, "mode": "home"})
        assert cleared.status_code == 303
        assert "<strong>at home</strong>" in client.get("/today").text


def test_weekly_summary_pages_and_pdf_come_from_hub_summary(hub: RunningHub) -> None:
    db = sqlite_utils.Database(hub.home.db)
    try:
        mondays = weekly.weeks_available(db, hub.home.config)
        expected = weekly.build(db, hub.home.config, date(2011, 12, 5)).to_json()
    finally:
        db.close()
    with closing(log_in(hub.url, "cora")) as client:
        listed = client.get("/api/weekly").json()["weeks"]
        page = client.get("/weekly")
        shown = client.get("/api/weekly/2011-12-05").json()
        week = client.get("/weekly/2011-12-05")
        pdf = client.get("/weekly/2011-12-05/pdf")
        not_monday = client.get("/weekly/2011-12-06")
        no_data = client.get("/weekly/2012-01-02")
        api_no_data = client.get("/api/weekly/2012-01-02")
    assert listed == [m.isoformat() for m in mondays]
    assert "2011-11-28" in listed
    assert "2011-12-05" in listed
    for monday in listed:
        assert f'href="/weekly/{monday}"' in page.text
    assert shown == json.loads(json.dumps(expected))
    assert week.status_code == 200
    assert 'href="/weekly/2011-12-05/pdf"' in week.text
    assert "<svg" in week.text  # the summary's charts, inline
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == 'attachment; filename="hearth-week-2011-12-05.pdf"'
    reader = pypdf.PdfReader(io.BytesIO(pdf.content))
    assert len(reader.pages) >= 1
    assert "2011" in "".join(page.extract_text() for page in reader.pages)
    assert not_monday.status_code == 404
    assert "Weeks are named by their Monday." in not_monday.text
    assert no_data.status_code == 404
    assert "There is no summary for the week of 02 January 2012." in no_data.text
    assert api_no_data.status_code == 404
    assert api_no_data.json() == {"error": "There is no summary for the week of 02 January 2012."}


def test_acknowledging_from_today_returns_to_today(hub: RunningHub) -> None:
    alert_id = hub.raise_alert("living-today")
    with closing(log_in(hub.url, "fiona")) as client:
        today = client.get("/today").text
        assert f'action="/alerts/{alert_id}/ack"' in today
        answer = client.post(
            f"/alerts/{alert_id}/ack", data={"csrf": csrf_of(client), "back": "today"}
        )
        assert answer.headers["location"] == f"/today?done={alert_id}"
        after = client.get(answer.headers["location"]).text
    assert f"You have taken on alert #{alert_id}." in after
    assert f'action="/alerts/{alert_id}/ack"' not in after
    alert = hub.call(hub.alerts.alert(alert_id)).result(10)
    assert alert.state is AlertState.ACKNOWLEDGED
    hub.clear_alert(alert_id)
