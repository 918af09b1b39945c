"""A nearly full disk: the live hub keeps less raw detail and raises a maintenance alert.

The free space is injected (a shared machine's disk cannot be filled safely);
the database, the pruning and the alert are real.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from hub.alerts.store import AlertStore
from hub.config.models import HearthConfig
from hub.daemon import Hub
from hub.events import Event, Kind, Source
from hub.local_broker import LocalBroker
from hub.store.database import open_database
from hub.store.disk_guard import DiskState
from hub.store.event_table import insert_events
from tests.ingest.helpers import HubThread, event_count, hub_config_data, wait_for

GIB = 2**30


def nearly_full(_: Path) -> tuple[int, int]:
    return 32 * GIB, GIB // 4


def alerts_of(db: Path) -> list[tuple[str, str]]:
    conn = open_database(db).conn
    try:
        return [(a.rule, a.severity.value) for a in AlertStore(conn).recent(10)]
    finally:
        conn.close()


def disk_alerts(db: Path) -> list[tuple[str, str]]:
    return [alert for alert in alerts_of(db) if alert[0] == "disk_space"]


def test_a_nearly_full_disk_prunes_old_raw_events_and_raises_one_maintenance_alert(
    broker: LocalBroker, tmp_path: Path
) -> None:
    config = HearthConfig.model_validate(hub_config_data(broker, tmp_path))
    now = datetime.now(UTC)
    db = open_database(config.storage.path)
    with db.conn:
        db.conn.execute("BEGIN")
        insert_events(
            db.conn,
            [
                Event(
                    now - timedelta(days=days), "sequence", Kind.TEMPERATURE, 20.0, Source.GENERIC
                )
                for days in (100, 60, 36, 20, 1)
            ],
        )
    db.conn.close()

    def low_disk(hub: Hub) -> None:
        hub._disk_usage = nearly_full

    hub = HubThread(config, setup=low_disk).start()
    try:
        assert wait_for(lambda: event_count(config.storage.path) == 2, 10)
        # Only the disk's alerts: the safety rules may add their own, depending on the
        # hour the test runs (an empty home is "not up" by late morning).
        assert wait_for(lambda: disk_alerts(config.storage.path) == [("disk_space", "warning")], 10)
    finally:
        hub.stop()


def test_low_means_under_ten_percent_or_under_500_mib() -> None:
    assert not DiskState(32 * GIB, 8 * GIB).low
    assert DiskState(32 * GIB, 3 * GIB).low
    assert DiskState(2 * GIB, GIB // 4).low
    assert DiskState(32 * GIB, 3 * GIB).describe() == "91% full, 3.0 GiB free"
