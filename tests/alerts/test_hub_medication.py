"""A missed dose on the live hub: one warning reaches the family's webhook.

(`hearth meds` agreeing with the live hub is tested in event time in
tests/reminders: a missed dose is final only at the end of its day.)

The hub's clock is the system clock, so the dose is set 45 minutes ago with a
30-minute window, and the database is seeded with an event from before it:
on start the reminders' rebuild judges the dose missed, and the alert goes
out through the real alert path (SQLite outbox, signed webhook).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hub.config.models import HearthConfig
from hub.events import Event, Kind, Source
from hub.local_broker import LocalBroker
from hub.store.database import open_database
from hub.store.event_table import insert_events
from tests.alerts.test_hub_alerts import SECRET, alert_config, wait_until
from tests.alerts.webhook_receiver import WebhookReceiver
from tests.ingest.helpers import HubThread


def test_a_missed_dose_is_one_warning_at_the_webhook(broker: LocalBroker, tmp_path: Path) -> None:
    zone = ZoneInfo("Europe/London")
    now = datetime.now(UTC)
    due = (now - timedelta(minutes=45)).astimezone(zone)
    if due.date() != now.astimezone(zone).date():
        pytest.skip("just after local midnight the dose would belong to yesterday")
    with WebhookReceiver(SECRET) as hook:
        data = alert_config(broker, tmp_path, hook.url)
        data["alerts"]["recipients"][0]["severities"] = ["urgent", "warning"]
        data["medication"] = {
            "medicines": [
                {
                    "name": "Aspirin",
                    "dose": "one tablet",
                    "times": [{"at": f"{due:%H:%M}", "window_min": 30}],
                }
            ],
            "speak": False,
        }
        config = HearthConfig.model_validate(data)
        seed = open_database(config.storage.path)
        with seed.conn:
            seed.conn.execute("BEGIN")
            insert_events(
                seed.conn,
                [Event(now - timedelta(hours=3), "kettle", Kind.POWER, 0.0, Source.ZIGBEE2MQTT)],
            )
        seed.conn.close()
        hub = HubThread(config).start()
        try:
            wait_until(lambda: len(hook.deliveries) == 1)
            time.sleep(0.5)  # and only one
            assert len(hook.deliveries) == 1
            missed = hook.deliveries[0].body
            assert missed["rule"] == "missed_dose"
            assert missed["severity"] == "warning"
        finally:
            hub.stop()
