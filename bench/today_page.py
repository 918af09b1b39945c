"""Today-page benchmark: the carers' "how was today" page with a year of events stored.

The database: Ordonez home B (committed, 21 real days) resampled into 365 days
ending on the benchmark's "today": each day is a real day of the home, drawn at
random (seeded), its events moved to the new date at the same local wall time.
Every sensor also reports its battery hourly, as Zigbee devices do, so the
table is as large as a busy home's. A hundred alerts over the year go through
the real lifecycle into the alert store, with one still open.

Then the real web app (uvicorn, the hub's WebServer, the real alert service)
serves it, and each round times over HTTP, one request after another on one
keep-alive connection, logged in as a family carer:

today_uncached:  GET /today with the app's cache off: every request reads the
                 day so far and runs the feature code (the cost that matters).
today_cached:    GET /today with the app's 30 s cache, as the hub runs it.
api_today:       GET /api/today (coordinator), cache off.
static:          GET /static/hearth.css from the same server: the HTTP floor.
raw_read:        in process, the raw SQLite read of the events the page needs
                 (read_events over the same window), no HTTP, no features.

Run: python -m bench.today_page [--rounds 5] [--requests 40] [--days 365]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from hub.accounts.roles import Role
from hub.accounts.store import AccountStore
from hub.alerts import lifecycle
from hub.alerts.messages import renderer
from hub.alerts.model import Condition, Severity
from hub.alerts.routing import Policy
from hub.alerts.service import AlertService
from hub.alerts.store import AlertStore
from hub.clock import ManualClock
from hub.config import load_config
from hub.config.models import HearthConfig
from hub.config.web import Web
from hub.evaluate import CONFIGS, data_file, default_datasets, home_events
from hub.events import Event, Kind, Source
from hub.store.database import open_database
from hub.store.event_table import insert_events, read_events
from hub.web.app import create_app
from hub.web.server import WebServer
from hub.web.today import events_since

PASSWORD = "benchmark password"  # noqa: S105 (accounts in a throwaway database)
TODAY = date(2026, 11, 20)  # a Friday; "now" is 19:00 local on it
BATTERY_EVERY = timedelta(hours=1)


def year_of_events(config: HearthConfig, days: int, seed: int) -> list[Event]:
    """`days` days ending on TODAY, each a real day of the home at its local wall times."""
    zone = ZoneInfo(config.home.timezone)
    source = home_events(config, data_file(config, default_datasets()))
    by_day: dict[date, list[Event]] = defaultdict(list)
    for event in source:
        by_day[event.time.astimezone(zone).date()].append(event)
    # Whole days only: the first and last recorded days are cut by the recording.
    whole = sorted(by_day)[1:-1]
    rng = random.Random(seed)
    out: list[Event] = []
    for offset in range(days - 1, -1, -1):
        target = TODAY - timedelta(days=offset)
        picked = rng.choice(whole)
        for event in by_day[picked]:
            local = event.time.astimezone(zone)
            moved = datetime.combine(target, local.time(), zone).astimezone(UTC)
            out.append(Event(moved, event.sensor, event.kind, event.value, event.source))
        start = datetime.combine(target, datetime.min.time(), zone).astimezone(UTC)
        for sensor in config.sensors:
            moment = start + timedelta(minutes=rng.randrange(60))
            while moment.astimezone(zone).date() == target:
                level = 100.0 - offset * 0.1 + rng.uniform(-1, 1)
                out.append(Event(moment, sensor.id, Kind.BATTERY, level, Source.ZIGBEE2MQTT))
                moment += BATTERY_EVERY
    out.sort(key=lambda e: e.time)
    return out


def alerts_over_the_year(config: HearthConfig, db: Path, now: datetime, count: int) -> None:
    """`count` alerts through the real lifecycle, spread over the year; the last stays open."""
    store = AlertStore(open_database(db, durable=False).conn)
    policy = Policy(config.alerts, ZoneInfo(config.home.timezone))
    key = store.secret("ack-links")
    try:
        for index in range(count):
            raised = now - timedelta(days=365) + timedelta(days=365 * index / count)
            condition = Condition(
                "no_movement", f"room{index}", Severity.URGENT, raised, "No movement for 3 h."
            )
            changes = lifecycle.on_conditions(store.covering(), [condition], raised, policy)
            store.apply(changes, raised, renderer(config, policy, key, raised))
            if index < count - 1:
                ended = raised + timedelta(hours=2)
                changes = lifecycle.on_conditions(store.covering(), [], ended, policy)
                store.apply(changes, ended, renderer(config, policy, key, ended))
        # Their messages went out long ago (this home has no channels configured).
        with store.conn:
            store.conn.execute("UPDATE outbox SET state = 'sent'")
    finally:
        store.conn.close()


def build_database(config: HearthConfig, db: Path, days: int, now: datetime) -> int:
    events = year_of_events(config, days, seed=2026)
    conn = open_database(db, durable=False).conn
    try:
        for start in range(0, len(events), 50_000):
            with conn:
                conn.execute("BEGIN")
                insert_events(conn, events[start : start + 50_000])
        accounts = AccountStore(conn)
        accounts.add("fiona", Role.FAMILY, PASSWORD, now)
        accounts.add("cora", Role.COORDINATOR, PASSWORD, now)
    finally:
        conn.close()
    alerts_over_the_year(config, db, now, 100)
    return len(events)


class Served:
    """Two apps on one event loop in a thread: cache off and cache on."""

    def __init__(self, config: HearthConfig, db: Path, now: datetime) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        clock = ManualClock(now)
        self.alerts = AlertService(config, clock, lambda r, i: None, db_path=db)
        self.servers = {}
        for name, cache_s in (("uncached", 0.0), ("cached", 30.0)):
            app = create_app(
                config, self.alerts, lambda: self.alerts.link_key, clock.now,
                db_path=db, cache_s=cache_s,
            )  # fmt: skip
            self.servers[name] = WebServer(app, Web(host="127.0.0.1", port=_free_port()))
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(60)

    async def _start(self) -> None:
        await self.alerts.start()
        for server in self.servers.values():
            server.start()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.servers[name].port}"

    def stop(self) -> None:
        async def stopping() -> None:
            for server in self.servers.values():
                await server.stop()
            await self.alerts.stop()

        asyncio.run_coroutine_threadsafe(stopping(), self.loop).result(60)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def logged_in(url: str, name: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=60)
    form = client.get("/login").text
    token = re.search(r'name="login_token" value="([^"]+)"', form)
    assert token is not None
    answer = client.post(
        "/login",
        data={"name": name, "password": PASSWORD, "login_token": token[1]},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return client


def timed_requests(client: httpx.Client, path: str, count: int) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        answer = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, (path, answer.status_code)
    return times


def timed_raw_reads(db: Path, now: datetime, zone: ZoneInfo, count: int) -> list[float]:
    conn = open_database(db).conn
    times = []
    try:
        since = events_since(now, zone)
        for _ in range(count):
            started = time.perf_counter()
            events = list(read_events(conn, since, now + timedelta(microseconds=1)))
            times.append((time.perf_counter() - started) * 1000)
            assert events
    finally:
        conn.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description="today page with a year of events")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--out", type=Path, default=None, help="also write the JSON here")
    args = parser.parse_args()
    config = load_config(CONFIGS / "ordonez-b.yaml")
    zone = ZoneInfo(config.home.timezone)
    now = datetime.combine(TODAY, datetime.min.time(), zone).replace(hour=19).astimezone(UTC)
    with tempfile.TemporaryDirectory(prefix="hearth-today-bench-") as folder:
        db = Path(folder) / "year.db"
        started = time.perf_counter()
        stored = build_database(config, db, args.days, now)
        built_s = time.perf_counter() - started
        print(f"built {stored} events in {built_s:.1f} s", file=sys.stderr)
        served = Served(config, db, now)
        rounds: list[dict[str, Any]] = []
        try:
            family = {n: logged_in(served.url(n), "fiona") for n in served.servers}
            coordinator = logged_in(served.url("uncached"), "cora")
            window = timed_raw_reads(db, now, zone, 1)  # warm the page cache of the OS
            page = family["uncached"].get("/today").text
            assert "Today, Friday 20 November" in page
            for _ in range(args.rounds):
                measured = {
                    "today_uncached": timed_requests(family["uncached"], "/today", args.requests),
                    "today_cached": timed_requests(family["cached"], "/today", args.requests),
                    "api_today": timed_requests(coordinator, "/api/today", args.requests),
                    "static": timed_requests(
                        family["uncached"], "/static/hearth.css", args.requests
                    ),
                    "raw_read": timed_raw_reads(db, now, zone, args.requests),
                }
                rounds.append(
                    {name: round(statistics.median(ms), 3) for name, ms in measured.items()}
                    | {"today_uncached_max": round(max(measured["today_uncached"]), 3)}
                )
            window_events = len(list(read_events(
                open_database(db).conn, events_since(now, zone), now
            )))  # fmt: skip
        finally:
            served.stop()
    medians = {
        name: round(statistics.median(r[name] for r in rounds), 3)
        for name in ("today_uncached", "today_cached", "api_today", "static", "raw_read")
    }
    result = {
        "benchmark": "today_page",
        "home": "ordonez-b resampled",
        "days": args.days,
        "events_stored": stored,
        "events_read_per_page": window_events,
        "database_built_s": round(built_s, 1),
        "requests_per_round": args.requests,
        "rounds": rounds,
        "median_ms": medians,
        "ratio_today_uncached_to_static": round(medians["today_uncached"] / medians["static"], 1),
        "ratio_today_uncached_to_raw_read": round(
            medians["today_uncached"] / medians["raw_read"], 1
        ),
        "target_ms": 200,
        "within_target": medians["today_uncached"] < 200,
        "first_warm_read_ms": round(window[0], 3),
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.out is not None:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
