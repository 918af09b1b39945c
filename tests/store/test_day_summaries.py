"""Daily summaries: written by the live hub when it learns, kept after raw events expire."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from hub.config.models import HearthConfig
from hub.events import Event, Kind, Source
from hub.local_broker import LocalBroker
from hub.store.database import open_database
from hub.store.day_summaries import saved_days
from hub.store.event_table import count_events, insert_events
from hub.store.retention import prune_raw_events
from tests.ingest.helpers import HubThread, hub_config_data, wait_for


def test_the_hub_keeps_whole_days_summaries_and_retention_leaves_them(
    broker: LocalBroker, tmp_path: Path
) -> None:
    config = HearthConfig.model_validate(hub_config_data(broker, tmp_path))
    now = datetime.now(UTC)
    start = (now - timedelta(days=5)).replace(hour=0, minute=0, second=0, microsecond=0)
    seeded = [
        Event(start + timedelta(minutes=20 * n), "bedroom_motion", Kind.MOTION, n % 2 == 0,
              Source.ZIGBEE2MQTT)
        for n in range(4 * 24 * 3)  # four days, every 20 minutes: two of them whole
    ]  # fmt: skip
    db = open_database(config.storage.path)
    with db.conn:
        db.conn.execute("BEGIN")
        insert_events(db.conn, seeded)
    db.conn.close()

    def kept() -> list[dict[str, object]]:
        conn = open_database(config.storage.path).conn
        try:
            return saved_days(conn)
        finally:
            conn.close()

    hub = HubThread(config).start()
    try:
        assert wait_for(lambda: len(kept()) >= 3, 20)
    finally:
        hub.stop()
    days = kept()
    # The first day is kept marked partial (the data begin at its midnight, after
    # its night began); the whole days after it are not.
    assert days[0]["partial"] is True
    assert all(day["partial"] is False for day in days[1:])
    assert [day["date"] for day in days] == sorted(str(day["date"]) for day in days)
    conn = open_database(config.storage.path).conn
    try:
        prune_raw_events(conn, now)  # everything raw goes ...
        assert count_events(conn) == 0
        assert saved_days(conn) == days  # ... the summaries stay
    finally:
        conn.close()
