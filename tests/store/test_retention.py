"""Retention deletes exactly the raw events older than the cutoff, in chunks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub.events import Event, Kind, Source
from hub.store import retention
from hub.store.database import open_database
from hub.store.event_table import insert_events, read_events
from hub.store.retention import prune_raw_events, retention_cutoff

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)


def test_prune_removes_only_events_before_the_cutoff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "CHUNK", 7)  # several chunks, and a partial last one
    db = open_database(tmp_path / "h.db")
    stored = [
        Event(
            NOW - timedelta(days=days, seconds=1),
            "bed",
            Kind.PRESSURE,
            days % 2 == 0,
            Source.ZIGBEE2MQTT,
        )
        for days in range(0, 450, 10)
    ]
    db.conn.execute("BEGIN")
    insert_events(db.conn, stored)
    db.conn.execute("COMMIT")
    cutoff = retention_cutoff(NOW, 400)
    removed = prune_raw_events(db.conn, cutoff)
    kept = list(read_events(db.conn))
    assert removed == sum(1 for e in stored if e.time < cutoff)
    assert kept == sorted((e for e in stored if e.time >= cutoff), key=lambda e: e.time)
    assert prune_raw_events(db.conn, cutoff) == 0
