"""The broker, with the configured login; and the hub's and bridge's retained status there.

The hub and each bridge port keep a retained `status` with a last will, so
one short visit to the broker says whether they are running: "online" means
connected now, "offline" that they stopped or died (the will), nothing that
they never connected.
"""

from __future__ import annotations

import json
import os
import queue
import time

import paho.mqtt.client as paho
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from hub.broker_access import BrokerAccess, new_client
from hub.config.models import HearthConfig
from hub.config.secrets import SecretError, read_broker_password
from hub.doctor.findings import Finding, Level

RETAINED_WAIT_S = 1.5


def check_broker(config: HearthConfig, timeout_s: float = 5.0) -> list[Finding]:
    try:
        password = read_broker_password(config.broker)
        access = BrokerAccess.from_config(
            config.broker, username=config.broker.username, password=password
        )
        client = new_client(access, f"hearth-doctor-{os.getpid()}")
    except SecretError as exc:
        what = "TLS files" if "tls" in exc.loc else "password source"
        return [Finding(Level.PROBLEM, "broker", str(exc), f"fix the broker's {what}")]
    statuses: queue.Queue[tuple[str, str]] = queue.Queue()
    connected: queue.Queue[ReasonCode] = queue.Queue()
    client.manual_ack_set(False)

    def on_connect(
        c: paho.Client, u: object, f: paho.ConnectFlags, reason: ReasonCode, p: Properties | None
    ) -> None:
        connected.put(reason)

    def on_message(c: paho.Client, u: object, message: paho.MQTTMessage) -> None:
        try:
            state = str(json.loads(message.payload).get("state", "?"))
        except (ValueError, AttributeError):
            state = "?"
        statuses.put((message.topic, state))

    client.on_connect = on_connect
    client.on_message = on_message
    try:
        client.connect(access.host, access.port, keepalive=10)
    except OSError as exc:
        return [
            Finding(
                Level.PROBLEM,
                "broker",
                f"cannot reach {access.address}: {exc}",
                "start Mosquitto (`systemctl status mosquitto`) or fix broker.host/port",
            )
        ]
    client.loop_start()
    try:
        try:
            reason = connected.get(timeout=timeout_s)
        except queue.Empty:
            return [
                Finding(
                    Level.PROBLEM,
                    "broker",
                    f"no answer from {access.address}",
                    "check that it is an MQTT broker and broker.tls matches",
                )
            ]
        if reason.is_failure:
            return [
                Finding(
                    Level.PROBLEM,
                    "broker",
                    f"{access.address} refused the login: {reason}",
                    "check broker.username and the password file",
                )
            ]
        prefix = config.topic_prefix
        client.subscribe(f"{prefix}/status", qos=1)
        if config.bridge.ports:
            client.subscribe(f"{prefix}/bridge/+/status", qos=1)
        time.sleep(RETAINED_WAIT_S)
    finally:
        client.loop_stop()
        client.disconnect()
    seen = dict(iter_queue(statuses))
    who = f" as {access.username}" if access.username else ""
    findings = [Finding(Level.OK, "broker", f"connected to {access.address}{who}")]
    findings.append(_status(seen.get(f"{prefix}/status"), "hub", "the hub", "hearth"))
    for port in config.bridge.ports:
        state = seen.get(f"{prefix}/bridge/{port.id}/status")
        findings.append(_status(state, "bridge", f"serial port {port.id!r}", "hearth-bridge"))
    return findings


def _status(state: str | None, check: str, what: str, unit: str) -> Finding:
    if state == "online":
        return Finding(Level.OK, check, f"{what} is online")
    if state is None:
        return Finding(
            Level.PROBLEM,
            check,
            f"{what} has never connected to the broker",
            f"start it: `systemctl start {unit}`",
        )
    return Finding(
        Level.PROBLEM,
        check,
        f"{what} is {state}",
        f"see `systemctl status {unit}` and `journalctl -u {unit}`",
    )


def iter_queue(items: queue.Queue[tuple[str, str]]) -> list[tuple[str, str]]:
    out = []
    while True:
        try:
            out.append(items.get_nowait())
        except queue.Empty:
            return out
