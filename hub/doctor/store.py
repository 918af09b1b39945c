"""The database: opens, passes SQLite's integrity check; and which sensors have reported lately."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from hub.config.models import HearthConfig
from hub.doctor.findings import Finding, Level
from hub.store.event_table import count_unsure, from_micros

QUIET_SENSOR = timedelta(hours=24)  # a sensor that only reports on change may be quiet a day
SHOWN = 8  # sensors named in one line at most


@dataclass(frozen=True)
class StoreFacts:
    findings: list[Finding]
    newest_event: datetime | None


def check_store(config: HearthConfig, now: datetime) -> StoreFacts:
    path = config.storage.path
    if not path.exists():
        fix = "`hearth run` creates it; check storage.path if the hub has been running"
        return StoreFacts(
            [Finding(Level.WARNING, "database", f"no database at {path} yet", fix)], None
        )
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    except sqlite3.Error as exc:
        return StoreFacts([_broken(path, exc)], None)
    try:
        # quick_check: the integrity check without the slow index cross-check.
        verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
        last_seen = dict(
            conn.execute(
                "SELECT sensor, max(time_us) FROM events WHERE clock_ok = 1 GROUP BY sensor"
            ).fetchall()
        )
        unsure = count_unsure(conn)
    except sqlite3.Error as exc:
        return StoreFacts([_broken(path, exc)], None)
    finally:
        conn.close()
    if verdict != "ok":
        finding = Finding(
            Level.PROBLEM,
            "database",
            f"{path} failed the integrity check: {str(verdict)[:120]}",
            "stop the hub and restore the latest backup",
        )
        return StoreFacts([finding], None)
    seen = {sensor: from_micros(int(us)) for sensor, us in last_seen.items()}
    findings = [Finding(Level.OK, "database", f"{path} passes the integrity check")]
    if unsure:
        findings.append(Finding(
            Level.WARNING, "clock",
            f"{unsure} events were stored while the clock was not set and could not be "
            "corrected (the hub restarted before NTP); they are left out of the routine",
            "check that NTP works after a boot (`timedatectl timesync-status`)",
        ))  # fmt: skip
    findings += _sensors(config, seen, now)
    return StoreFacts(findings, max(seen.values(), default=None))


def _broken(path: Path, exc: sqlite3.Error) -> Finding:
    return Finding(
        Level.PROBLEM,
        "database",
        f"cannot read {path}: {exc}",
        "check the file's owner and permissions, or restore the latest backup",
    )


def _sensors(config: HearthConfig, seen: dict[str, datetime], now: datetime) -> list[Finding]:
    never, quiet = [], []
    for sensor in config.sensors:
        limit = QUIET_SENSOR
        if sensor.expected_interval_s is not None:
            limit = timedelta(seconds=2 * sensor.expected_interval_s)
        last = seen.get(sensor.id)
        if last is None:
            never.append(sensor.id)
        elif now - last > limit:
            quiet.append(f"{sensor.id} ({_ago(now - last)})")
    findings = []
    if never:
        findings.append(
            Finding(
                Level.WARNING,
                "sensors",
                f"never reported: {_names(never)}",
                "check the match: lines (`hearth devices` lists what is heard)",
            )
        )
    if quiet:
        findings.append(
            Finding(
                Level.WARNING,
                "sensors",
                f"silent lately: {_names(quiet)}",
                "check batteries and range",
            )
        )
    if not findings:
        count = len(config.sensors)
        findings.append(Finding(Level.OK, "sensors", f"all {count} sensors reported recently"))
    return findings


def _names(items: list[str]) -> str:
    more = f" and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
    return ", ".join(items[:SHOWN]) + more


def _ago(delta: timedelta) -> str:
    hours = delta / timedelta(hours=1)
    return f"{hours:.0f} h ago" if hours < 48 else f"{hours / 24:.0f} days ago"
