"""`hearth demo`: a real dataset home replayed as live MQTT traffic into a running hub.

It starts a private Mosquitto (password file and ACL, as installed), runs the
hub against it with a clock running `speed` times faster than real time, and
publishes the Ordonez home A recording (committed, CC BY 4.0) as the
Zigbee2MQTT messages those sensors would send: motion as `occupancy`, doors as
`contact`, pressure mats as `pressure`, appliances as `state`. The toilet
flush, which Zigbee2MQTT has no field for, is published on a plain generic
topic. One unmapped device and one malformed payload are sent too, to show how
the hub reports them. At the end the stored events are counted per sensor
against what was published. (Counting per day would not be exact: Zigbee2MQTT
messages carry no time, so the hub stamps its receive time, and at 20,000x a
millisecond of delivery is 20 seconds of the recording.)
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import paho.mqtt.client as paho
import yaml
from paho.mqtt.enums import CallbackAPIVersion

from hub.alerts.model import Alert
from hub.alerts.store import AlertStore
from hub.clock import AcceleratedClock
from hub.config import load_config
from hub.config.models import HearthConfig, Sensor
from hub.daemon import Hub
from hub.datasets import read_ordonez_sensors
from hub.events import Kind, Reading
from hub.ingest.sensor_map import SensorMap
from hub.local_broker import DEVICES, HUB, LocalBroker
from hub.store.database import open_database
from hub.store.event_table import read_events

PACKAGE_DATA = Path(__file__).parent / "datasets" / "data" / "ordonez"
REPO_CONFIG = Path(__file__).resolve().parents[1] / "config"


class DemoError(RuntimeError):
    """The demo cannot run (its recording is missing or empty)."""


@dataclass
class DemoResult:
    published: Counter[str] = field(default_factory=Counter)  # per sensor id
    stored: Counter[str] = field(default_factory=Counter)
    db_path: Path = Path()
    config_path: Path = Path()
    alerts: list[Alert] = field(default_factory=list)  # oldest first

    @property
    def complete(self) -> bool:
        return self.published == self.stored


def friendly_name(sensor: Sensor) -> str:
    return sensor.id.replace("_", " ").title()


def z2m_payload(kind: Kind, active: bool) -> dict[str, Any] | None:
    """The Zigbee2MQTT message a device of this kind sends; None if Z2M has no such field."""
    if kind is Kind.MOTION:
        return {"occupancy": active, "battery": 94, "linkquality": 116}
    if kind is Kind.CONTACT:
        return {"contact": not active, "battery": 88, "linkquality": 102}  # true = closed
    if kind is Kind.PRESSURE:
        return {"pressure": active, "linkquality": 90}
    if kind is Kind.SWITCH:
        return {"state": "ON" if active else "OFF", "linkquality": 130}
    return None


def demo_config(dataset: HearthConfig, broker: LocalBroker, workdir: Path) -> dict[str, Any]:
    """The dataset home's config, re-matched to live Zigbee2MQTT names and a generic topic."""
    sensors = []
    for sensor in dataset.sensors:
        entry = sensor.model_dump(mode="json", exclude_defaults=True)
        if z2m_payload(sensor.kind, True) is not None:
            entry["match"] = {"source": "zigbee2mqtt", "device": friendly_name(sensor)}
        else:
            entry["match"] = {"source": "generic", "topic": f"demo/{sensor.id}"}
        sensors.append(entry)
    password_file = workdir / "mqtt.pass"
    password_file.write_text(HUB.password + "\n")
    password_file.chmod(0o600)
    return {
        "home": {"id": "demo", "timezone": dataset.home.timezone},
        "rooms": [room.model_dump(mode="json") for room in dataset.rooms],
        "sensors": sensors,
        "broker": {
            "host": broker.host,
            "port": broker.port,
            "username": HUB.username,
            "password_file": str(password_file),
        },
        "storage": {"path": str(workdir / "demo.db"), "commit_interval_s": 1.0},
        # Alerts go to the MQTT alert topic and the history only: no recipients,
        # and no speech at 20,000x. `hearth alerts` lists them afterwards.
        "alerts": {"home_label": "Ordonez home A (demo)", "voice": {"enabled": False}},
        "web": {"enabled": False},
    }


def _message(sensor: Sensor, reading: Reading) -> tuple[str, str]:
    payload = z2m_payload(sensor.kind, bool(reading.value))
    if payload is None:
        return f"demo/{sensor.id}", "ON" if reading.value else "OFF"
    return f"zigbee2mqtt/{friendly_name(sensor)}", json.dumps(payload)


def _load_recording(days: int | None) -> tuple[HearthConfig, list[Reading]]:
    home = REPO_CONFIG / "ordonez-a.yaml"
    if not home.exists():
        raise DemoError(
            f"{home} not found: the demo runs from a clone of the repository (./setup.sh demo)"
        )
    dataset = load_config(home)
    tz = ZoneInfo(dataset.home.timezone)
    read = read_ordonez_sensors(PACKAGE_DATA / "OrdonezA_Sensors.txt", tz)
    readings = [r for r in read.records if isinstance(r, Reading) and r.time is not None]
    first = readings[0].time
    if days is not None and first is not None:
        readings = [r for r in readings if r.time is not None and (r.time - first).days < days]
    return dataset, readings


def _device_client(broker: LocalBroker) -> paho.Client:
    devices = paho.Client(CallbackAPIVersion.VERSION2, client_id="demo-devices")
    devices.username_pw_set(DEVICES.username, DEVICES.password)
    devices.connect(broker.host, broker.port)
    devices.loop_start()
    # One device nobody has mapped yet, and one garbled message: both are reported.
    devices.publish("zigbee2mqtt/Hall Sensor", '{"occupancy":true,"battery":99}', qos=1)
    devices.publish("zigbee2mqtt/Seat", b'{"pressure": tru', qos=1)
    return devices


async def _play(
    readings: list[Reading],
    dataset: HearthConfig,
    clock: AcceleratedClock,
    devices: paho.Client,
    say: Callable[[str], None],
) -> Counter[str]:
    """Publish each reading when the accelerated clock reaches its time; count per sensor."""
    tz = ZoneInfo(dataset.home.timezone)
    mapping = SensorMap(dataset)
    published: Counter[str] = Counter()
    per_day: Counter[date] = Counter()
    current_day: date | None = None
    for reading in readings:
        sensor = mapping.sensor_for(reading)
        if sensor is None or reading.time is None:
            continue
        wait = clock.wall_seconds_until(reading.time)
        if wait > 0:
            await asyncio.sleep(wait)
        day = reading.time.astimezone(tz).date()
        if current_day is not None and day != current_day:
            say(f"  {current_day:%a %d %b %Y}: {per_day[current_day]} changes published")
        current_day = day
        topic, payload = _message(sensor, reading)
        devices.publish(topic, payload, qos=1).wait_for_publish(10)
        per_day[day] += 1
        published[sensor.id] += 1
    if current_day is not None:
        say(f"  {current_day:%a %d %b %Y}: {per_day[current_day]} changes published")
    return published


async def run_demo(
    workdir: Path, speed: float, days: int | None, say: Callable[[str], None]
) -> DemoResult:
    # Absolute: the config written below names files that must not be re-resolved
    # against the config's own folder.
    workdir = workdir.resolve()
    dataset, readings = _load_recording(days)
    if not readings or readings[0].time is None:
        raise DemoError("the Ordonez recording has no readings to play")
    workdir.mkdir(parents=True, exist_ok=True)
    result = DemoResult(config_path=workdir / "demo-home.yaml")
    with LocalBroker(workdir / "mosquitto") as broker:
        data = demo_config(dataset, broker, workdir)
        result.config_path.write_text(yaml.safe_dump(data, sort_keys=False))
        result.db_path = Path(data["storage"]["path"])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{result.db_path}{suffix}").unlink(missing_ok=True)
        config = load_config(result.config_path)
        clock = AcceleratedClock(readings[0].time, speed)
        hub = Hub(config, clock)
        hub_task = asyncio.create_task(hub.run())
        await asyncio.wait_for(hub.ready.wait(), 30)
        say(
            f"broker on 127.0.0.1:{broker.port}, hub ready; replaying {len(readings)} "
            f"sensor changes from Ordonez home A at {speed:,.0f}x real time"
        )
        devices = _device_client(broker)
        result.published = await _play(readings, dataset, clock, devices, say)
        devices.loop_stop()
        devices.disconnect()
        # Let the last batch reach the disk before stopping (stop would flush it anyway).
        await asyncio.sleep(max(2.0, config.storage.commit_interval_s * 2))
        hub.request_stop()
        await hub_task
    result.stored = _stored_per_sensor(result.db_path, {s.id: s.kind for s in config.sensors})
    database = open_database(result.db_path)
    result.alerts = AlertStore(database.conn).recent(1000)[::-1]
    database.conn.close()
    return result


def _stored_per_sensor(db: Path, main_kind: dict[str, Kind]) -> Counter[str]:
    """Stored main-kind events per sensor (battery and link readings are extra)."""
    counts: Counter[str] = Counter()
    database = open_database(db)
    for event in read_events(database.conn):
        if main_kind.get(event.sensor) is event.kind:
            counts[event.sensor] += 1
    database.conn.close()
    return counts
