"""What the web app reads from the database, on one worker thread of its own.

The event loop never waits for SQLite: every read runs on this thread with
its own connection, one after another (a Pi serves a handful of carers, and
SQLite's WAL lets the hub keep writing meanwhile). Every query is bounded by
time or by a LIMIT, so a year of events costs what a day does. The figures
that take work to make (the day so far, adherence, sensor health) are kept for
`cache_s` seconds; alerts and the mode are read fresh, so an acknowledgement
shows at once.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from hub.alerts.model import Action, Alert, AlertState, Transition
from hub.alerts.store import AlertStore
from hub.config.models import HearthConfig
from hub.events import Kind
from hub.modes import Mode, ModeSetting
from hub.reminders.adherence import WeekAdherence, weekly
from hub.reminders.report import recorded_outcomes, within
from hub.store.database import open_database
from hub.store.event_table import from_micros, read_events, to_micros
from hub.web.sensors import SensorHealth, sensor_health
from hub.web.today import TodayView, events_since, today_view

T = TypeVar("T")
ALERTS_SHOWN = 100  # the latest alerts on the alerts page
MEDS_WEEKS = 8  # weeks of adherence shown
BATTERY_NEWS = timedelta(days=30)  # an older battery report says little about today


@dataclass(frozen=True, slots=True)
class AlertRow:
    alert: Alert
    ending: str  # how it ended, or where it stands, in words

    def record(self, zone: ZoneInfo) -> dict[str, object]:
        a = self.alert

        def iso(moment: datetime | None) -> str | None:
            return None if moment is None else moment.astimezone(zone).isoformat()

        return {
            "id": a.id,
            "rule": a.rule,
            "severity": a.severity.value,
            "summary": a.summary,
            "state": a.state.value,
            "since": iso(a.since),
            "raised_at": iso(a.raised_at),
            "acknowledged_at": iso(a.acknowledged_at),
            "acknowledged_by": a.acknowledged_by,
            "resolved_at": iso(a.resolved_at),
            "ending": self.ending,
        }


@dataclass(frozen=True, slots=True)
class ModeView:
    mode: Mode
    until: datetime | None  # local
    set_by: str | None

    def record(self) -> dict[str, object]:
        return {
            "mode": self.mode.value,
            "until": None if self.until is None else self.until.isoformat(),
            "set_by": self.set_by,
        }


def ending_of(alert: Alert, history: list[Transition]) -> str:
    """How an alert ended (or stands), from its last deciding transition."""
    decisive = [
        t
        for t in history
        if t.action in (Action.RESOLVED, Action.CANCELLED_BY_RESIDENT, Action.ACKNOWLEDGED)
    ]
    last = decisive[-1] if decisive else None
    if alert.state is AlertState.CANCELLED:
        return "cancelled by the resident (I'm OK)"
    if alert.state is AlertState.RESOLVED:
        acked = next((t for t in decisive if t.action is Action.ACKNOWLEDGED), None)
        taken = f"taken on by {acked.actor}, then " if acked else ""
        if last is not None and last.action is Action.RESOLVED and last.actor != "hub":
            return f"{taken}closed by {last.actor} ({last.via.value})"
        return f"{taken}cleared by itself" if taken else "cleared by itself, nobody took it on"
    if alert.state is AlertState.ACKNOWLEDGED:
        return f"taken on by {alert.acknowledged_by}, still going on"
    if alert.state is AlertState.ASKING:
        return "asking the resident whether all is well"
    return "open: nobody has taken it on yet"


class Readings:
    def __init__(self, config: HearthConfig, db_path: Path, *, cache_s: float = 30.0) -> None:
        self.config = config
        self.zone = ZoneInfo(config.home.timezone)
        self._db_path = db_path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="web-db")
        self._conn: sqlite3.Connection | None = None
        self._cache_s = cache_s
        self._cache: dict[str, tuple[float, object]] = {}

    @property
    def db_path(self) -> Path:
        return self._db_path

    def run(self, work: Callable[[sqlite3.Connection], T]) -> asyncio.Future[T]:
        """Run `work` with the connection on the web app's database thread."""
        return asyncio.get_running_loop().run_in_executor(self._executor, self._call, work)

    def _call(self, work: Callable[[sqlite3.Connection], T]) -> T:
        if self._conn is None:
            self._conn = open_database(self._db_path).conn
        return work(self._conn)

    def close(self) -> None:
        def closing() -> None:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

        self._executor.submit(closing).result()
        self._executor.shutdown(wait=True)

    def _cached(self, key: str, make: Callable[[], T]) -> T:
        """On the database thread: `make()`, or its result of less than cache_s ago."""
        found = self._cache.get(key)
        if found is not None and time.monotonic() - found[0] < self._cache_s:
            return found[1]  # type: ignore[return-value]  # stored by this key's own make()
        value = make()
        self._cache[key] = (time.monotonic(), value)
        return value

    # Reads, each run on the database thread -------------------------------------------

    def today(self, conn: sqlite3.Connection, now: datetime) -> TodayView:
        def make() -> TodayView:
            since = events_since(now, self.zone)
            events = list(read_events(conn, since, now + timedelta(microseconds=1)))
            return today_view(events, self.config, now)

        return self._cached(f"today:{now.astimezone(self.zone).date()}", make)

    def alerts(
        self, conn: sqlite3.Connection, *, limit: int = ALERTS_SHOWN, unfinished: bool = False
    ) -> list[AlertRow]:
        store = AlertStore(conn)
        found = store.recent(limit, unfinished_only=unfinished)
        return [AlertRow(a, ending_of(a, store.history(a.id))) for a in found]

    def mode(self, conn: sqlite3.Connection, now: datetime) -> ModeView:
        setting: ModeSetting | None = AlertStore(conn).mode_setting()
        if setting is None or setting.in_force(now) is Mode.HOME:
            return ModeView(Mode.HOME, None, None)
        until = None if setting.until is None else setting.until.astimezone(self.zone)
        return ModeView(setting.mode, until, setting.set_by)

    def meds(self, conn: sqlite3.Connection, now: datetime) -> list[WeekAdherence]:
        """Adherence of the last MEDS_WEEKS weeks, as the live hub recorded the doses."""
        today = now.astimezone(self.zone).date()
        first = today - timedelta(days=today.weekday(), weeks=MEDS_WEEKS - 1)

        def make() -> list[WeekAdherence]:
            return weekly(within(recorded_outcomes(conn), first, today))

        return self._cached(f"meds:{today}", make)

    def sensors(self, conn: sqlite3.Connection, now: datetime) -> list[SensorHealth]:
        def make() -> list[SensorHealth]:
            heard: dict[str, datetime] = {}
            battery: dict[str, float] = {}
            limit = to_micros(now)
            for sensor in self.config.sensors:
                # One index lookup each (events_sensor_time), however long the history.
                row = conn.execute(
                    "SELECT max(time_us) FROM events WHERE sensor = ? AND time_us <= ? "
                    "AND clock_ok = 1",
                    (sensor.id, limit),
                ).fetchone()
                if row[0] is not None:
                    heard[sensor.id] = from_micros(int(row[0]))
                level = conn.execute(
                    "SELECT value FROM events WHERE sensor = ? AND kind = ? "
                    "AND time_us BETWEEN ? AND ? ORDER BY time_us DESC LIMIT 1",
                    (sensor.id, Kind.BATTERY.value, to_micros(now - BATTERY_NEWS), limit),
                ).fetchone()
                if level is not None and isinstance(level[0], int | float):
                    battery[sensor.id] = float(level[0])
            return sensor_health(self.config, heard, battery, now)

        return self._cached("sensors", make)

    def local_date(self, now: datetime) -> date:
        return now.astimezone(self.zone).date()
