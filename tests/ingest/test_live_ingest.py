"""The hub against a real Mosquitto: events stored, status and last will, bad input tolerated."""

from __future__ import annotations

import json
from pathlib import Path

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from hub.config.models import HearthConfig
from hub.daemon import Hub
from hub.ingest.mqtt_link import MqttLinkError
from hub.local_broker import DEVICES, LocalBroker
from tests.ingest.helpers import (
    HubThread,
    Publisher,
    db_rows,
    event_count,
    hub_config,
    hub_config_data,
    wait_for,
)


def retained(broker: LocalBroker, topic: str) -> bytes | None:
    """The retained payload on `topic`, read by a fresh subscriber."""
    got: list[bytes] = []
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id="retained-reader")
    client.username_pw_set(DEVICES.username, DEVICES.password)
    client.on_message = lambda c, u, m: got.append(bytes(m.payload))
    client.on_connect = lambda c, u, f, r, p: c.subscribe(topic, qos=1)
    # 'devices' may only write; use the hub account's read-all rights via a second user.
    client.username_pw_set("hearth", "hub-secret")
    client.connect(broker.host, broker.port)
    client.loop_start()
    wait_for(lambda: bool(got), 3)
    client.loop_stop()
    client.disconnect()
    return got[-1] if got else None


def test_events_from_zigbee2mqtt_are_stored_and_status_is_retained(
    broker: LocalBroker, tmp_path: Path
) -> None:
    config = hub_config(broker, tmp_path)
    runner = HubThread(config).start()
    status_topic = f"{config.topic_prefix}/status"
    assert json.loads(retained(broker, status_topic) or b"{}") == {"state": "online"}
    publisher = Publisher(broker)
    publisher.send(
        "zigbee2mqtt/Bedroom Motion", '{"occupancy":true,"battery":91,"linkquality":102}'
    )
    publisher.send("zigbee2mqtt/Front Door", '{"contact":false,"battery":77}')
    publisher.send("zigbee2mqtt/Kettle Plug", '{"power":2150.5,"state":"ON"}')
    db = config.storage.path
    assert wait_for(lambda: event_count(db) >= 6)
    summary = runner.stop()
    rows = db_rows(db, "SELECT sensor, kind, value, source FROM events ORDER BY id")
    assert ("bedroom_motion", "motion", 1, "zigbee2mqtt") in rows
    assert ("bedroom_motion", "battery", 91.0, "zigbee2mqtt") in rows
    assert ("front_door", "contact", 1, "zigbee2mqtt") in rows  # contact false = open
    assert ("kettle", "power", 2150.5, "zigbee2mqtt") in rows
    assert summary.stored_events == len(rows)
    assert json.loads(retained(broker, status_topic) or b"{}") == {"state": "offline"}
    publisher.close()


def test_unmapped_and_malformed_messages_are_recorded_and_ingest_goes_on(
    broker: LocalBroker, tmp_path: Path
) -> None:
    config = hub_config(broker, tmp_path)
    runner = HubThread(config).start()
    publisher = Publisher(broker)
    publisher.send("zigbee2mqtt/Hall Sensor", '{"occupancy":true,"illuminance":12}')
    for _ in range(5):
        publisher.send("zigbee2mqtt/Bedroom Motion", b'{"occupancy": tru')  # cut short
    publisher.send("zigbee2mqtt/Bedroom Motion", b"\xff\xfe not json")
    publisher.send("zigbee2mqtt/Bedroom Motion", '{"occupancy":false}')
    db = config.storage.path
    assert wait_for(lambda: event_count(db) >= 1)
    summary = runner.stop()
    assert db_rows(db, "SELECT sensor, value FROM events") == [("bedroom_motion", 0)]
    seen = db_rows(db, "SELECT source, device, messages, sample FROM devices_seen")
    assert seen == [("zigbee2mqtt", "Hall Sensor", 1, '{"occupancy":true,"illuminance":12}')]
    bad = db_rows(db, "SELECT topic, count FROM malformed")
    assert bad == [("zigbee2mqtt/Bedroom Motion", 6)]
    assert summary.stats.malformed == 6
    assert summary.stats.unmapped >= 1
    publisher.close()


def test_messages_sent_while_the_hub_is_down_arrive_when_it_returns(
    broker: LocalBroker, tmp_path: Path
) -> None:
    """Persistent session: the broker queues QoS 1 messages for our fixed client id."""
    config = hub_config(broker, tmp_path)
    HubThread(config).start().stop()  # creates the session and its subscriptions
    publisher = Publisher(broker)
    publisher.send_many([("test/sequence", str(i)) for i in range(200)])
    runner = HubThread(config).start()
    db = config.storage.path
    assert wait_for(lambda: event_count(db) >= 200)
    runner.stop()
    values = sorted(v for (v,) in db_rows(db, "SELECT value FROM events"))
    assert values == [float(i) for i in range(200)]
    publisher.close()


def test_hub_reconnects_after_a_broker_restart(fresh_broker: LocalBroker, tmp_path: Path) -> None:
    config = hub_config(fresh_broker, tmp_path)
    runner = HubThread(config).start()
    assert runner.hub is not None
    fresh_broker.restart()  # no persistence: the session is gone, the hub must resubscribe
    assert wait_for(lambda: runner.hub is not None and runner.hub.link.connects >= 2, 30)
    publisher = Publisher(fresh_broker)
    publisher.send("test/sequence", "42")
    db = config.storage.path
    assert wait_for(lambda: event_count(db) >= 1)
    runner.stop()
    assert db_rows(db, "SELECT value FROM events") == [(42.0,)]
    publisher.close()


def test_wrong_password_is_one_clear_error(broker: LocalBroker, tmp_path: Path) -> None:
    data = hub_config_data(broker, tmp_path)
    Path(data["broker"]["password_file"]).write_text("not-the-password\n")
    with pytest.raises(MqttLinkError, match=r"refused the connection.*check broker\.username"):
        HubThread(HearthConfig.model_validate(data)).start()


def test_overload_pauses_reading_and_loses_nothing(broker: LocalBroker, tmp_path: Path) -> None:
    """A slow consumer fills its bounded queue: ingest pauses, the broker holds the rest."""
    config = hub_config(broker, tmp_path, batch_max=50)
    queue_sizes: list[int] = []

    def add_slow_consumer(hub: Hub) -> None:
        queue = hub.bus.subscribe_queue(maxsize=100)

        async def consume() -> None:
            import asyncio

            while True:
                await queue.get()
                queue_sizes.append(queue.qsize())
                await asyncio.sleep(0.0005)

        import asyncio

        asyncio.get_running_loop().create_task(consume())

    runner = HubThread(config, setup=add_slow_consumer).start()
    publisher = Publisher(broker)
    publisher.send_many([("test/sequence", str(i)) for i in range(3000)])
    db = config.storage.path
    assert wait_for(lambda: event_count(db) >= 3000, 60)
    summary = runner.stop()
    values = sorted(v for (v,) in db_rows(db, "SELECT value FROM events"))
    assert values == [float(i) for i in range(3000)]
    assert summary.pauses > 0
    assert max(queue_sizes) < 100
    publisher.close()


def test_hub_prunes_events_older_than_the_retention_period_at_start(
    broker: LocalBroker, tmp_path: Path
) -> None:
    from datetime import UTC, datetime, timedelta

    from hub.events import Event, Kind, Source
    from hub.store.database import open_database
    from hub.store.event_table import insert_events

    config = hub_config(broker, tmp_path, raw_retention_days=30)
    now = datetime.now(UTC)
    old = Event(now - timedelta(days=31), "bedroom_motion", Kind.MOTION, True, Source.ZIGBEE2MQTT)
    recent = Event(
        now - timedelta(days=29), "bedroom_motion", Kind.MOTION, False, Source.ZIGBEE2MQTT
    )
    db = open_database(config.storage.path)
    db.conn.execute("BEGIN")
    insert_events(db.conn, [old, recent])
    db.conn.execute("COMMIT")
    db.conn.close()
    runner = HubThread(config).start()
    assert wait_for(lambda: event_count(config.storage.path) == 1)
    runner.stop()
    assert db_rows(config.storage.path, "SELECT value FROM events") == [(0,)]


def test_the_broker_acl_is_in_force(broker: LocalBroker, tmp_path: Path) -> None:
    """A client the ACL does not allow on device topics cannot inject events."""
    from hub.local_broker import OUTSIDER

    config = hub_config(broker, tmp_path)
    runner = HubThread(config).start()
    outsider = paho.Client(CallbackAPIVersion.VERSION2, client_id="outsider")
    outsider.username_pw_set(OUTSIDER.username, OUTSIDER.password)
    outsider.connect(broker.host, broker.port)
    outsider.loop_start()
    # Mosquitto 2.0 acknowledges a denied QoS 1 publish and then drops it.
    outsider.publish("zigbee2mqtt/Bedroom Motion", '{"occupancy":true}', qos=1).wait_for_publish(5)
    outsider.loop_stop()
    outsider.disconnect()
    publisher = Publisher(broker)
    publisher.send("zigbee2mqtt/Bedroom Motion", '{"occupancy":false}')
    db = config.storage.path
    assert wait_for(lambda: event_count(db) >= 1)
    runner.stop()
    assert db_rows(db, "SELECT value FROM events") == [(0,)]  # only the allowed publisher's
    publisher.close()
