"""Ingest benchmark: the hub against a raw paho subscriber, draining the same queue.

Each round publishes N Zigbee2MQTT-shaped QoS 1 messages once, while four
persistent sessions are offline, so Mosquitto queues N messages for each. Then
each consumer drains its queue in its own process, one after the other:

  raw-paho-311  paho-mqtt, MQTT 3.1.1, automatic acks, counts messages (the baseline)
  raw-paho-5    paho-mqtt, MQTT 5 (the protocol the hub uses), automatic acks
  raw-hub-client  the hub's own paho client (hub/ingest/paho_client.py: chunked
                reads, PUBLISH decoded without Properties), MQTT 5, automatic
                acks, counts messages: what the hub's client costs without the hub
  aiomqtt       aiomqtt 2.x `async for message in client.messages`, counts messages
  hub           the real Hub: parse, map, publish to the bus, write to SQLite
                (synchronous=FULL), acknowledge after commit; done when all is stored

Printed as JSON: per-round figures, medians, and hub/raw ratios.
Run: python -m bench.ingest [--messages 200000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
import psutil
import yaml
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from hub.local_broker import DEVICES, HUB, LocalBroker

ROLES = ("raw-paho-311", "raw-paho-5", "raw-hub-client", "aiomqtt", "hub")
MQTT5_ROLES = ("raw-paho-5", "raw-hub-client")
DEVICES_IN_HOME = 20


def payload_for(index: int) -> tuple[str, bytes]:
    """A realistic mix: motion, door contact, plug power, temperature; device names vary."""
    device = index % DEVICES_IN_HOME
    kind = device % 4
    body: dict[str, object]
    if kind == 0:
        body = {
            "occupancy": index % 2 == 0,
            "battery": 90,
            "linkquality": 120,
            "illuminance": 30 + index % 7,
        }
    elif kind == 1:
        body = {"contact": index % 2 == 0, "battery": 85, "linkquality": 98}
    elif kind == 2:
        body = {"power": 1800.5 + index % 50, "state": "ON", "linkquality": 140}
    else:
        body = {"temperature": 19.5 + (index % 30) / 10, "humidity": 48.0, "battery": 77}
    return f"zigbee2mqtt/Device {device}", json.dumps(body).encode()


def home_config(broker: LocalBroker, workdir: Path) -> Path:
    password_file = workdir / "hub.pass"
    password_file.write_text(HUB.password)
    password_file.chmod(0o600)
    kinds = ["motion", "contact", "power", "temperature"]
    config = {
        "home": {"id": "bench", "timezone": "Europe/London"},
        "rooms": [{"id": "home"}],
        "sensors": [
            {
                "id": f"device_{d}",
                "match": {"source": "zigbee2mqtt", "device": f"Device {d}"},
                "kind": kinds[d % 4],
                "room": "home",
            }
            for d in range(DEVICES_IN_HOME)
        ],
        "broker": {
            "host": broker.host,
            "port": broker.port,
            "username": HUB.username,
            "password_file": str(password_file),
        },
        "storage": {"path": str(workdir / "bench.db"), "commit_interval_s": 1.0},
        "producers": {"tasmota": False, "shelly": False, "rtl_433_topic": ""},
    }
    path = workdir / "bench-home.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


# --- the consumers (each runs in its own process) --------------------------------


def _paho_client(role: str) -> paho.Client:
    from hub.ingest.paho_client import IngestClient

    v5 = role in MQTT5_ROLES
    client_class = IngestClient if role == "raw-hub-client" else paho.Client
    client = client_class(
        CallbackAPIVersion.VERSION2,
        client_id=f"bench-{role}",
        protocol=paho.MQTTv5 if v5 else paho.MQTTv311,
        clean_session=None if v5 else False,  # MQTT 5 uses clean_start at connect instead
    )
    client.username_pw_set(HUB.username, HUB.password)
    return client


def _connect_paho(client: paho.Client, role: str, port: int) -> None:
    if role in MQTT5_ROLES:
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = 3600
        props.ReceiveMaximum = 20000
        client.connect("127.0.0.1", port, clean_start=False, properties=props)
    else:
        client.connect("127.0.0.1", port)


def create_session(role: str, port: int, config: Path) -> None:
    """Connect once to create the persistent session and its subscription."""
    if role == "hub":
        _run_hub(config, 0)
        return
    if role == "aiomqtt":
        asyncio.run(_aiomqtt_drain(port, 0))
        return
    client = _paho_client(role)
    _connect_paho(client, role, port)
    client.subscribe("zigbee2mqtt/#", qos=1)
    for _ in range(20):
        client.loop(0.05)
    client.disconnect()


def _raw_drain(role: str, port: int, n: int) -> dict[str, Any]:
    from hub.ingest.paho_client import IngestClient

    got = 0

    def on_message(client: paho.Client, userdata: object, message: paho.MQTTMessage) -> None:
        nonlocal got
        got += 1

    client = _paho_client(role)
    client.on_message = on_message
    started, cpu = time.perf_counter(), time.process_time()
    _connect_paho(client, role, port)
    deadline = started + 600
    while got < n and time.perf_counter() < deadline:
        if isinstance(client, IngestClient) and client.buffered:
            # Bytes it already read from the socket, which select() cannot see.
            client.loop_read()
        else:
            client.loop(0.5)
    return _measure(started, cpu, got)


async def _aiomqtt_drain(port: int, n: int) -> dict[str, Any]:
    import aiomqtt

    started, cpu = time.perf_counter(), time.process_time()
    got = 0
    async with aiomqtt.Client(
        "127.0.0.1",
        port,
        identifier="bench-aiomqtt",
        username=HUB.username,
        password=HUB.password,
        clean_session=False,
    ) as client:
        if n == 0:
            await client.subscribe("zigbee2mqtt/#", qos=1)
            await asyncio.sleep(0.5)
            return {}
        async for _message in client.messages:
            got += 1
            if got >= n:
                break
    return _measure(started, cpu, got)


def _run_hub(config_path: Path, n: int) -> dict[str, Any]:
    from hub.config import load_config
    from hub.daemon import Hub

    config = load_config(config_path)
    # Each round starts on an empty database, so every round measures the same
    # thing: with the previous rounds' 500,000 events kept, the hub would also
    # replay the last 36 hours into its rules and learn from them while draining.
    for suffix in ("", "-wal", "-shm"):
        Path(f"{config.storage.path}{suffix}").unlink(missing_ok=True)
    rss_samples: list[float] = []
    result: dict[str, Any] = {}

    async def main() -> None:
        hub = Hub(config)
        started, cpu = time.perf_counter(), time.process_time()
        process = psutil.Process()

        async def watch() -> None:
            await hub.ready.wait()
            while hub.ingest.stats.messages < n:
                await asyncio.sleep(0.05)
                rss_samples.append(process.memory_info().rss / 2**20)
            await hub.writer.drain()  # "done" means durably stored
            result.update(_measure(started, cpu, hub.ingest.stats.messages))
            result["stored_events"] = hub.writer.committed_events
            result["pauses"] = hub.pauses
            hub.request_stop()

        watcher = asyncio.create_task(watch())
        await hub.run()
        await watcher

    asyncio.run(main())
    if rss_samples:
        # Steady state: the second half of the drain, once buffers have filled.
        result["steady_rss_mb"] = round(statistics.median(rss_samples[len(rss_samples) // 2 :]), 1)
    return result


def _measure(started: float, cpu_started: float, got: int) -> dict[str, Any]:
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    return {
        "messages": got,
        "seconds": round(seconds, 3),
        "rate": round(got / seconds) if seconds else 0,
        "cpu_us_per_message": round(cpu / got * 1e6, 1) if got else None,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def worker(args: argparse.Namespace) -> None:
    if args.create:
        create_session(args.role, args.port, Path(args.config))
        return
    if args.role == "hub":
        out = _run_hub(Path(args.config), args.messages)
    elif args.role == "aiomqtt":
        out = asyncio.run(_aiomqtt_drain(args.port, args.messages))
    else:
        out = _raw_drain(args.role, args.port, args.messages)
    print(json.dumps(out))


# --- the orchestrator ------------------------------------------------------------


def _spawn(role: str, port: int, config: Path, messages: int, create: bool = False) -> str:
    command = [
        sys.executable,
        "-m",
        "bench.ingest",
        "worker",
        role,
        "--port",
        str(port),
        "--config",
        str(config),
        "--messages",
        str(messages),
    ]
    if create:
        command.append("--create")
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{role} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def publish(port: int, n: int) -> float:
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id="bench-publisher")
    client.username_pw_set(DEVICES.username, DEVICES.password)
    client.max_inflight_messages_set(1000)
    client.connect("127.0.0.1", port)
    client.loop_start()
    started = time.perf_counter()
    info = None
    for index in range(n):
        topic, body = payload_for(index)
        info = client.publish(topic, body, qos=1)
        if index % 1000 == 999:
            info.wait_for_publish(60)
    if info is not None:
        info.wait_for_publish(60)
    client.loop_stop()
    client.disconnect()
    return time.perf_counter() - started


def orchestrate(args: argparse.Namespace) -> None:
    rounds: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="hearth-bench-") as tmp:
        workdir = Path(tmp)
        with LocalBroker(workdir / "mosquitto") as broker:
            config = home_config(broker, workdir)
            for role in ROLES:
                _spawn(role, broker.port, config, 0, create=True)
            for number in range(args.rounds):
                progress = f"round {number + 1}/{args.rounds}"
                print(f"{progress}: publishing {args.messages} messages", file=sys.stderr)
                published_s = publish(broker.port, args.messages)
                figures: dict[str, Any] = {
                    "publish_seconds": round(published_s, 1),
                    # The machine is shared: its load (1, 5, 15 min) as the round began.
                    "load_average": [round(x, 2) for x in os.getloadavg()],
                }
                for role in ROLES:
                    print(f"{progress}: draining with {role}", file=sys.stderr)
                    figures[role] = json.loads(_spawn(role, broker.port, config, args.messages))
                rounds.append(figures)
    print(json.dumps(summarise(rounds, args.messages), indent=2))


def summarise(rounds: list[dict[str, Any]], messages: int) -> dict[str, Any]:
    def median(role: str, key: str) -> float:
        return float(statistics.median(r[role][key] for r in rounds))

    medians = {
        role: {
            key: median(role, key)
            for key in ("rate", "cpu_us_per_message", "peak_rss_mb", "seconds")
        }
        for role in ROLES
    }
    medians["hub"]["steady_rss_mb"] = median("hub", "steady_rss_mb")
    hub_rate = medians["hub"]["rate"]
    return {
        "benchmark": "ingest",
        "messages_per_round": messages,
        "rounds": rounds,
        "median": medians,
        "ratio_hub_to_raw_paho_311": round(hub_rate / medians["raw-paho-311"]["rate"], 3),
        "ratio_hub_to_raw_paho_5": round(hub_rate / medians["raw-paho-5"]["rate"], 3),
        "ratio_hub_to_raw_hub_client": round(hub_rate / medians["raw-hub-client"]["rate"], 3),
        "ratio_aiomqtt_to_raw_paho_311": round(
            medians["aiomqtt"]["rate"] / medians["raw-paho-311"]["rate"], 3
        ),
        "cpu_ratio_aiomqtt_to_raw_paho_311": round(
            medians["aiomqtt"]["cpu_us_per_message"]
            / medians["raw-paho-311"]["cpu_us_per_message"],
            2,
        ),
        "machine": {"cpus": psutil.cpu_count(), "python": sys.version.split()[0]},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    sub = parser.add_subparsers(dest="command")
    work = sub.add_parser("worker")
    work.add_argument("role", choices=ROLES)
    work.add_argument("--port", type=int, required=True)
    work.add_argument("--config", required=True)
    work.add_argument("--messages", type=int, required=True)
    work.add_argument("--create", action="store_true")
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.command == "worker":
        worker(args)
    else:
        orchestrate(args)


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    main()
