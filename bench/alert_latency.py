"""Time from a help-button press to the urgent alert on MQTT and at the webhook.

Not part of the test suite. With a private Mosquitto, a real webhook server
(checking the HMAC signature) and `hearth run` in its own process, as
installed, each trial:

  1. a device-side paho client publishes a Zigbee2MQTT help-button press
     (QoS 1) and notes the wall time;
  2. the hub ingests it, the help rule fires, the alert is written to SQLite
     (synchronous=FULL) with its outbox rows, and the dispatcher sends it;
  3. a raw paho subscriber notes when `<prefix>/alerts/<id>` arrives, and the
     webhook server when the POST arrives;
  4. an "I'm OK" press clears it, and the next trial waits for the all-clear.

Baselines in the same run: one raw MQTT hop (paho publisher -> Mosquitto ->
paho subscriber) and one raw signed POST to the same webhook server. Both
ends of every measurement are on this machine, so wall times compare.
Printed as JSON with each round's p50/p99 and the medians over rounds.
Run: python -m bench.alert_latency [--trials 100] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import queue
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import paho.mqtt.client as paho
import yaml
from paho.mqtt.enums import CallbackAPIVersion

from hub.alerts.channels.webhook import sign
from hub.local_broker import DEVICES, HUB, LocalBroker
from tests.alerts.test_hub_alerts import SECRET, alert_config
from tests.alerts.webhook_receiver import WebhookReceiver


class Arrivals:
    """A raw paho subscriber queueing (topic, payload, arrival wall time)."""

    def __init__(self, broker: LocalBroker, topic: str) -> None:
        self.queue: queue.Queue[tuple[str, bytes, float]] = queue.Queue()
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"arr-{time.time_ns()}")
        self.client.username_pw_set(HUB.username, HUB.password)
        self.client.on_message = lambda c, u, m: self.queue.put(
            (m.topic, bytes(m.payload), time.time())
        )
        self.client.connect(broker.host, broker.port)
        self.client.subscribe(topic, qos=1)
        self.client.loop_start()
        time.sleep(0.2)

    def wait(self, accept: object, timeout: float = 10.0) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                topic, payload, arrived = self.queue.get(timeout=0.1)
            except queue.Empty:
                continue
            if callable(accept) and accept(topic, payload):
                return arrived
        raise TimeoutError("expected MQTT message did not arrive")

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def device_client(broker: LocalBroker) -> paho.Client:
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"dev-{time.time_ns()}")
    client.username_pw_set(DEVICES.username, DEVICES.password)
    client.connect(broker.host, broker.port)
    client.loop_start()
    return client


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(values_ms: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(values_ms), 2),
        "p99_ms": round(percentile(values_ms, 0.99), 2),
        "max_ms": round(max(values_ms), 2),
    }


def raw_mqtt_hop(broker: LocalBroker, trials: int) -> list[float]:
    arrivals = Arrivals(broker, "bench/raw/#")
    sender = device_client(broker)
    out = []
    for n in range(trials):
        sent = time.time()
        sender.publish(f"bench/raw/{n}", b'{"action":"single"}', qos=1)
        arrived = arrivals.wait(lambda t, p, n=n: t == f"bench/raw/{n}")
        out.append((arrived - sent) * 1000)
    sender.loop_stop()
    sender.disconnect()
    arrivals.close()
    return out


def raw_post(hook: WebhookReceiver, trials: int) -> list[float]:
    out = []
    for n in range(trials):
        body = json.dumps({"id": f"raw-{n}"}).encode()
        stamp = int(time.time())
        request = urllib.request.Request(
            hook.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Idempotency-Key": f"raw-{n}",
                "X-Hearth-Timestamp": str(stamp),
                "X-Hearth-Signature": sign(SECRET, stamp, body),
            },
        )
        before = len(hook.deliveries)
        sent = time.time()
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
        assert len(hook.deliveries) == before + 1
        out.append((hook.deliveries[-1].arrived - sent) * 1000)
    return out


def hub_round(broker: LocalBroker, folder: Path, trials: int) -> tuple[list[float], list[float]]:
    with WebhookReceiver(SECRET) as hook:
        data = alert_config(broker, folder, hook.url)
        data["alerts"]["voice"] = {"enabled": False}
        data["storage"]["commit_interval_s"] = 1.0  # as installed: events batch, alerts do not
        config_file = folder / "home.yaml"
        config_file.write_text(yaml.safe_dump(data))
        prefix = f"hearth/{data['home']['id']}"
        arrivals = Arrivals(broker, f"{prefix}/alerts/+")
        log = (folder / "hub.log").open("ab")
        hub = subprocess.Popen(
            [sys.executable, "-m", "hub", "run", "--config", str(config_file)],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        devices = device_client(broker)
        time.sleep(2.0)  # the hub connects and subscribes
        to_mqtt, to_webhook = [], []
        try:
            for n in range(1, trials + 1):
                pressed = time.time()
                devices.publish("zigbee2mqtt/Help Button", b'{"action":"single"}', qos=1)
                on_mqtt = arrivals.wait(
                    lambda t, p, n=n: t == f"{prefix}/alerts/{n}" and b'"open"' in p
                )
                for _ in range(1000):
                    if len(hook.deliveries) >= 2 * n - 1:
                        break
                    time.sleep(0.005)
                on_webhook = hook.deliveries[2 * n - 2].arrived
                to_mqtt.append((on_mqtt - pressed) * 1000)
                to_webhook.append((on_webhook - pressed) * 1000)
                devices.publish("zigbee2mqtt/Help Button", b'{"action":""}', qos=1)
                devices.publish("zigbee2mqtt/OK Button", b'{"action":"single"}', qos=1)
                arrivals.wait(lambda t, p, n=n: t == f"{prefix}/alerts/{n}" and b'"resolved"' in p)
                for _ in range(1000):
                    if len(hook.deliveries) >= 2 * n:
                        break
                    time.sleep(0.005)
                time.sleep(0.05)
        finally:
            hub.send_signal(signal.SIGTERM)
            hub.wait(30)
            devices.loop_stop()
            devices.disconnect()
            arrivals.close()
        return to_mqtt, to_webhook


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rounds = []
    with tempfile.TemporaryDirectory() as tmp, LocalBroker(Path(tmp) / "mosquitto") as broker:
        for index in range(args.rounds):
            folder = Path(tmp) / f"round-{index}"
            folder.mkdir()
            with WebhookReceiver(SECRET) as hook:
                raw_hop = raw_mqtt_hop(broker, args.trials)
                raw_hook = raw_post(hook, args.trials)
            to_mqtt, to_webhook = hub_round(broker, folder, args.trials)
            result = {
                "raw_mqtt_hop": summary(raw_hop),
                "raw_webhook_post": summary(raw_hook),
                "hub_press_to_mqtt_alert": summary(to_mqtt),
                "hub_press_to_webhook_alert": summary(to_webhook),
            }
            rounds.append(result)
            print(json.dumps({"round": index + 1, **result}), file=sys.stderr)

    def median_of(name: str, key: str) -> float:
        return round(statistics.median(r[name][key] for r in rounds), 2)

    medians = {
        name: {key: median_of(name, key) for key in ("p50_ms", "p99_ms", "max_ms")}
        for name in rounds[0]
    }
    print(
        json.dumps(
            {
                "trials_per_round": args.trials,
                "rounds": rounds,
                "medians": medians,
                "ratio_p50_hub_mqtt_to_raw_hop": round(
                    medians["hub_press_to_mqtt_alert"]["p50_ms"]
                    / medians["raw_mqtt_hop"]["p50_ms"],
                    1,
                ),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
