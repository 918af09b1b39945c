"""The live adapter over a real Mosquitto: each kind of evidence arrives as MQTT, goes through
the real ingest adapters, and confirms; prompts, pill box commands and warnings go out as MQTT;
outcomes are stored, and a restart rebuilds without deciding anything twice."""

from __future__ import annotations

import asyncio
import json
import queue
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from hub.clock import ManualClock
from hub.config.models import HearthConfig
from hub.ingest.pipeline import Ingest
from hub.local_broker import HUB, LocalBroker
from hub.modes import Mode
from hub.reminders.live import LiveReminders
from hub.store.database import open_database
from hub.store.event_table import insert_events
from tests.ingest.helpers import Publisher, db_rows
from tests.reminders.helpers import home_data, local

DAY = date(2026, 3, 2)
PREFIX = "hearth/flat"
MEDICINES = [
    {
        "name": "Aspirin",
        "dose": "one tablet",
        "times": [{"at": "08:00"}],
        "pillbox": {"port": "pillbox", "action": "blink", "argument": 30},
    }
]


class HubSide:
    """The hub's MQTT connection, reduced to what the reminders need: what it receives
    (devices, bridge readings, carers' marks) waits in a queue for the test's loop."""

    def __init__(self, broker: LocalBroker, topics: list[str], name: str) -> None:
        self.messages: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id=name)
        self.client.username_pw_set(HUB.username, HUB.password)
        subscribed = queue.Queue[int]()
        self.client.on_message = lambda _c, _u, m: self.messages.put((m.topic, bytes(m.payload)))
        self.client.on_subscribe = lambda _c, _u, mid, _r, _p: subscribed.put(mid)
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()
        _, mid = self.client.subscribe([(topic, 1) for topic in topics])
        assert subscribed.get(timeout=10) == mid

    def publish(self, topic: str, payload: bytes, retain: bool) -> None:
        self.client.publish(topic, payload, qos=1, retain=retain)

    async def next(self, timeout: float = 10.0) -> tuple[str, bytes]:
        for _ in range(int(timeout / 0.01)):
            try:
                return self.messages.get_nowait()
            except queue.Empty:
                await asyncio.sleep(0.01)
        raise AssertionError("no MQTT message arrived")

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


@dataclass
class Home:
    config: HearthConfig
    clock: ManualClock
    db: Path
    hub: HubSide
    display: HubSide  # a display in the home, listening to reminders and the bridge
    devices: Publisher
    ingest: Ingest
    reminders: LiveReminders

    async def send(self, topic: str, payload: dict[str, object]) -> None:
        """A device (or carer) publishes; the hub takes messages in as it would, until this one."""
        self.devices.send(topic, json.dumps(payload))
        while True:
            received, body = await self.hub.next()
            if received.endswith("/control/taken"):
                self.reminders.handle(received, body)
                await self.reminders.idle()
            else:
                events = self.ingest.handle(received, body)
                conn = open_database(self.db).conn
                insert_events(conn, events)  # the hub's writer stores them too
                conn.close()
                for event in events:
                    self.reminders.observe(event)
                self.reminders.conditions(self.clock.now(), Mode.HOME)
            if received == topic:
                return

    def at(self, hour: int, minute: int) -> list[str]:
        """Move the clock and evaluate; the missed-dose keys holding then."""
        self.clock.advance_to(local(DAY, hour, minute))
        return [c.key for c in self.reminders.conditions(self.clock.now(), Mode.HOME)]

    async def shown(self, kind: str | None = None) -> dict[str, Any]:
        """The next message a display in the home sees (of JSON `type` `kind`, if given)."""
        while True:
            topic, payload = await self.display.next()
            data: dict[str, Any] = json.loads(payload)
            data["_topic"] = topic
            if kind is None or data.get("type") == kind:
                return data


@pytest.fixture
async def flat(broker: LocalBroker, tmp_path: Path) -> AsyncIterator[Home]:
    data = home_data(MEDICINES)
    data["broker"] = {"host": broker.host, "port": broker.port}
    data["storage"] = {"path": str(tmp_path / "hub.db")}
    config = HearthConfig.model_validate(data)
    clock = ManualClock(local(DAY, 7, 0))
    db = tmp_path / "hub.db"
    open_database(db).conn.close()
    ingest = Ingest(config, clock)
    hub = HubSide(broker, [*ingest.router.subscriptions(), f"{PREFIX}/control/taken"], "test-hub")
    display = HubSide(broker, [f"{PREFIX}/reminders", f"{PREFIX}/bridge/+/command"], "display")
    reminders = LiveReminders(config, clock, hub.publish, None, db)
    await reminders.start()
    home = Home(config, clock, db, hub, display, Publisher(broker), ingest, reminders)
    yield home
    await reminders.stop()
    home.devices.close()
    hub.close()
    display.close()


def _doses(db: Path) -> list[tuple[Any, ...]]:
    return db_rows(
        db,
        "SELECT medicine, outcome, taken_us IS NOT NULL, evidence, "
        "doubled_us IS NOT NULL FROM doses",
    )


async def test_the_reminder_goes_out_as_mqtt_with_the_pill_box_command(flat: Home) -> None:
    assert flat.at(8, 0) == []
    first, second = await flat.shown(), await flat.shown()
    by_topic = {m["_topic"]: m for m in (first, second)}
    reminder = by_topic[f"{PREFIX}/reminders"]
    assert reminder["type"] == "medication_reminder"
    assert reminder["text"] == "It is time to take one tablet of your Aspirin."
    assert reminder["prompt"] == 1
    command = by_topic[f"{PREFIX}/bridge/pillbox/command"]
    assert command["action"] == "blink"
    assert command["argument"] == 30
    assert isinstance(command["id"], int)


@pytest.mark.parametrize(
    ("topic", "payload", "evidence"),
    [
        ("zigbee2mqtt/pillbox_lid", {"contact": False}, "pillbox_lid"),  # the lid opens
        ("zigbee2mqtt/pill_button", {"action": "single"}, "pill_button"),
        (
            f"{PREFIX}/bridge/pillbox/reading",
            {"device": "0", "kind": "medication", "value": "taken"},
            "pillbox",
        ),
        (f"{PREFIX}/control/taken", {"medicine": "aspirin", "by": "anna"}, "carer:anna"),
    ],
)
async def test_each_kind_of_evidence_over_mqtt_confirms(
    flat: Home, topic: str, payload: dict[str, object], evidence: str
) -> None:
    flat.at(8, 0)
    flat.clock.advance_to(local(DAY, 8, 10))
    await flat.send(topic, payload)
    assert flat.at(9, 30) == []  # taken in its window: no missed-dose condition
    flat.clock.advance_to(local(DAY, 11, 30))
    await flat.reminders.tick()
    assert _doses(flat.db) == [("Aspirin", "on_time", 1, evidence, 0)]


async def test_a_second_opening_is_answered_over_mqtt_and_recorded(flat: Home) -> None:
    flat.clock.advance_to(local(DAY, 8, 12))
    await flat.send("zigbee2mqtt/pillbox_lid", {"contact": False})
    flat.clock.advance_to(local(DAY, 9, 0))
    await flat.send("zigbee2mqtt/pillbox_lid", {"contact": False})
    warning = await flat.shown("already_taken")
    assert warning["type"] == "already_taken"
    assert warning["text"].startswith("You already took your Aspirin at 08:12.")
    flat.clock.advance_to(local(DAY, 12, 0))
    await flat.reminders.tick()
    assert _doses(flat.db) == [("Aspirin", "on_time", 1, "pillbox_lid", 1)]


async def test_a_missed_dose_holds_one_condition_and_a_restart_keeps_it(flat: Home) -> None:
    flat.clock.advance_to(local(DAY, 7, 30))
    await flat.send("zigbee2mqtt/kitchen_motion", {"occupancy": True})  # the hub was watching
    assert flat.at(8, 59) == []
    assert flat.at(9, 0) == ["missed_dose:Aspirin@2026-03-02T08:00"]
    # Restarted: rebuilt from what is stored, the same condition holds, and the prompts
    # already given are not given again.
    again = LiveReminders(flat.config, flat.clock, flat.hub.publish, None, flat.db)
    await again.start()
    assert [c.key for c in again.conditions(flat.clock.now(), Mode.HOME)] == [
        "missed_dose:Aspirin@2026-03-02T08:00"
    ]
    flat.clock.advance_to(local(DAY + timedelta(days=1), 0, 1))
    await flat.reminders.tick()
    await again.tick()
    assert _doses(flat.db) == [("Aspirin", "missed", 0, "", 0)]


async def test_a_mark_written_by_the_cli_is_taken_in_at_the_next_tick(flat: Home) -> None:
    from hub.reminders.dose_table import add_mark
    from hub.reminders.history import Mark

    flat.at(8, 0)
    conn = open_database(flat.db).conn
    add_mark(conn, Mark("Aspirin", local(DAY, 8, 5), local(DAY, 8, 6), "cli:anna"))
    conn.close()
    flat.clock.advance_to(local(DAY, 8, 6))
    await flat.reminders.tick()
    assert flat.at(9, 30) == []
    flat.clock.advance_to(local(DAY, 11, 30))
    await flat.reminders.tick()
    assert _doses(flat.db) == [("Aspirin", "on_time", 1, "cli:anna", 0)]


async def test_a_reminder_due_while_the_hub_was_down_is_given_at_start(flat: Home) -> None:
    flat.clock.advance_to(local(DAY, 7, 30))
    await flat.send("zigbee2mqtt/kitchen_motion", {"occupancy": True})
    # Down from 07:30 to 08:05: the 08:00 reminder was never given.
    flat.clock.advance_to(local(DAY, 8, 5))
    again = LiveReminders(flat.config, flat.clock, flat.hub.publish, None, flat.db)
    await again.start()
    reminder = await flat.shown("medication_reminder")
    assert reminder["prompt"] == 1
    assert reminder["due"] == local(DAY, 8, 0).isoformat()


async def test_a_reminder_given_before_a_restart_is_not_given_again(flat: Home) -> None:
    flat.clock.advance_to(local(DAY, 7, 30))
    await flat.send("zigbee2mqtt/kitchen_motion", {"occupancy": True})  # the hub was watching
    flat.at(8, 0)
    assert (await flat.shown("medication_reminder"))["prompt"] == 1
    flat.clock.advance_to(local(DAY, 8, 1))
    await flat.send("zigbee2mqtt/kitchen_motion", {"occupancy": True})  # stored: hub was up
    flat.clock.advance_to(local(DAY, 8, 5))
    again = LiveReminders(flat.config, flat.clock, flat.hub.publish, None, flat.db)
    await again.start()
    flat.clock.advance_to(local(DAY, 8, 15))
    again.conditions(flat.clock.now(), Mode.HOME)
    assert (await flat.shown("medication_reminder"))["prompt"] == 2
