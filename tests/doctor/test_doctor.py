"""`hearth doctor` against a real broker, a real running hub, real SQLite files and ptys.

The machine's disk and NTP state are injected (a nearly full disk cannot be
made safely on a shared machine); everything else is the real thing.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from hub.cli import main
from hub.config.models import HearthConfig
from hub.doctor.findings import Finding, Level, worst
from hub.doctor.run import run_checks
from hub.local_broker import HUB, LocalBroker, free_port
from hub.store.database import open_database
from tests.ingest.helpers import HubThread, Publisher, hub_config_data, wait_for

ROOMY = (100 * 2**30, 60 * 2**30)  # 100 GiB disk, 60 GiB free


def roomy(_: Path) -> tuple[int, int]:
    return ROOMY


def synced() -> bool:
    return True


def healthy_data(broker: LocalBroker, tmp_path: Path) -> dict[str, Any]:
    data = hub_config_data(broker, tmp_path)
    secret = tmp_path / "hook.secret"
    secret.write_text("a-long-enough-shared-secret-0123456789")
    secret.chmod(0o600)
    data["alerts"] = {
        "recipients": [
            {
                "id": "anna",
                "role": "family",
                "channels": [
                    {"type": "webhook", "url": "http://127.0.0.1:9/x", "secret_file": str(secret)}
                ],
            }
        ]
    }
    return data


def checks(config: HearthConfig, **kwargs: Any) -> list[Finding]:
    return run_checks(config, disk_usage=roomy, synchronised=synced, **kwargs)


def by_check(findings: list[Finding]) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for finding in findings:
        out.setdefault(finding.check, []).append(finding)
    return out


def test_a_running_hub_with_every_sensor_heard_is_healthy_and_a_stopped_one_is_not(
    broker: LocalBroker, tmp_path: Path
) -> None:
    config = HearthConfig.model_validate(healthy_data(broker, tmp_path))
    hub = HubThread(config).start()
    devices = Publisher(broker, client_id="doctor-devices")
    try:
        devices.send("zigbee2mqtt/Bedroom Motion", json.dumps({"occupancy": True}))
        devices.send("zigbee2mqtt/Front Door", json.dumps({"contact": True}))
        devices.send("zigbee2mqtt/Kettle Plug", json.dumps({"power": 3.0}))
        devices.send("test/sequence", "21.5")
        assert wait_for(lambda: _events(config) >= 4, 10)
        findings = checks(config)
        assert worst(findings) is Level.OK, "\n".join(f.line() for f in findings)
        assert by_check(findings)["hub"][0].message == "the hub is online"
        assert by_check(findings)["sensors"][0].message == "all 4 sensors reported recently"
    finally:
        devices.close()
        hub.stop()
    stopped = by_check(checks(config))["hub"][0]
    assert stopped.level is Level.PROBLEM
    assert stopped.message == "the hub is offline"
    assert "systemctl status hearth" in stopped.fix


def _events(config: HearthConfig) -> int:
    if not config.storage.path.exists():
        return 0
    conn = sqlite3.connect(config.storage.path)
    try:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
    finally:
        conn.close()


def test_a_wrong_password_and_an_absent_broker_are_problems(
    broker: LocalBroker, tmp_path: Path
) -> None:
    data = healthy_data(broker, tmp_path)
    Path(data["broker"]["password_file"]).write_text("not-the-password\n")
    (finding,) = by_check(checks(HearthConfig.model_validate(data)))["broker"]
    assert finding.level is Level.PROBLEM
    assert "refused the login" in finding.message
    data["broker"]["port"] = free_port()
    (finding,) = by_check(checks(HearthConfig.model_validate(data)))["broker"]
    assert finding.message.startswith("cannot reach 127.0.0.1:")
    assert "systemctl status mosquitto" in finding.fix


def test_a_corrupt_database_is_a_problem(broker: LocalBroker, tmp_path: Path) -> None:
    config = HearthConfig.model_validate(healthy_data(broker, tmp_path))
    config.storage.path.write_bytes(b"SQLite format 3\x00" + b"\x07" * 8192)
    (finding,) = by_check(checks(config))["database"]
    assert finding.level is Level.PROBLEM
    assert "restore the latest backup" in finding.fix


def test_disk_space_thresholds(broker: LocalBroker, tmp_path: Path) -> None:
    config = HearthConfig.model_validate(healthy_data(broker, tmp_path))
    gib = 2**30
    expected = [
        (50 * gib, Level.OK),
        (10 * gib, Level.WARNING),
        (4 * gib, Level.PROBLEM),
        (100 * 2**20, Level.PROBLEM),
    ]
    for free, level in expected:
        usage = functools.partial(disk_of, total=100 * gib, free=free)
        findings = run_checks(config, disk_usage=usage, synchronised=synced)
        assert by_check(findings)["disk"][0].level is level, free


def disk_of(_: Path, *, total: int, free: int) -> tuple[int, int]:
    return total, free


def test_clock_findings(broker: LocalBroker, tmp_path: Path) -> None:
    config = HearthConfig.model_validate(healthy_data(broker, tmp_path))
    early = by_check(checks(config, now=datetime(1970, 1, 1, tzinfo=UTC)))["clock"]
    assert early[0].level is Level.PROBLEM
    assert "has not been set" in early[0].fix
    unsynced = run_checks(config, disk_usage=roomy, synchronised=lambda: False)
    assert by_check(unsynced)["clock"][0].level is Level.WARNING


def test_a_clock_behind_the_stored_data_is_a_problem(broker: LocalBroker, tmp_path: Path) -> None:
    config = HearthConfig.model_validate(healthy_data(broker, tmp_path))
    hub = HubThread(config).start()
    devices = Publisher(broker, client_id="doctor-clock")
    try:
        devices.send("test/sequence", "21.5")
        assert wait_for(lambda: _events(config) >= 1, 10)
    finally:
        devices.close()
        hub.stop()
    past = datetime.now(UTC) - timedelta(hours=3)  # NTP stepped the clock back 3 hours
    (finding,) = [f for f in by_check(checks(config, now=past))["clock"] if "later" in f.message]
    assert finding.level is Level.PROBLEM


def test_serial_ports_present_missing_and_urgent_alerts_uncovered_hours(
    broker: LocalBroker, tmp_path: Path
) -> None:
    data = healthy_data(broker, tmp_path)
    present = tmp_path / "tty-present"
    present.write_bytes(b"")
    data["bridge"] = {
        "ports": [
            {"id": "pillbox", "path": str(present)},
            {"id": "radio", "path": str(tmp_path / "tty-gone"), "protocol": "mysensors"},
        ]
    }
    data["alerts"]["recipients"][0]["role"] = "paid_carer"
    data["alerts"]["recipients"][0]["hours"] = "08:00-20:00"
    findings = by_check(checks(HearthConfig.model_validate(data)))
    serial = {f.message.split(":")[0]: f.level for f in findings["serial"]}
    assert serial == {"pillbox": Level.OK, "radio": Level.PROBLEM}
    # The bridge is configured but not running.
    assert [f.level for f in findings["bridge"]] == [Level.PROBLEM, Level.PROBLEM]
    # Urgent alerts go to family first; the only person is a paid carer on 08-20.
    (alerts,) = findings["alerts"]
    assert alerts.level is Level.WARNING
    assert alerts.message.startswith("nobody receives urgent alerts at 00:00, 01:00")


def test_the_command_prints_one_line_per_finding_and_exits_with_the_worst(
    broker: LocalBroker, tmp_path: Path
) -> None:
    data = healthy_data(broker, tmp_path)
    data["broker"]["password_file"] = str(tmp_path / "missing.pass")
    config_file = tmp_path / "home.yaml"
    config_file.write_text(yaml.safe_dump(data))
    result = CliRunner().invoke(main, ["doctor", "--config", str(config_file)])
    assert result.exit_code == 2
    first = result.output.splitlines()[0]
    assert first.startswith("PROBLEM  broker: password file")
    assert HUB.password not in result.output


@pytest.fixture(autouse=True)
def _short_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("hub.doctor.broker.RETAINED_WAIT_S", 0.5)


def test_events_that_the_clock_left_uncorrected_are_reported(
    broker: LocalBroker, tmp_path: Path
) -> None:
    config = HearthConfig.model_validate(healthy_data(broker, tmp_path))
    db = open_database(config.storage.path)
    with db.conn:
        db.conn.execute("BEGIN")
        db.conn.executemany(
            "INSERT INTO events (time_us, sensor, kind, value, source, clock_ok, boot, mono_us) "
            "VALUES (?, 'sequence', 'temperature', 20.0, 'generic', 0, 'an-old-boot', ?)",
            [(n, n) for n in range(3)],
        )
    db.conn.close()
    (clock,) = [f for f in by_check(checks(config))["clock"] if f.level is Level.WARNING]
    assert clock.message.startswith("3 events were stored while the clock was not set")


def test_the_doctor_reads_the_secrets_check_config_reads(
    broker: LocalBroker, tmp_path: Path
) -> None:
    """One way to check secrets (hub/start_secrets.py): the link key and the bridge's
    password, which `hearth run` and the bridge read at start, are findings here too."""
    data = healthy_data(broker, tmp_path)
    short = tmp_path / "ack.key"
    short.write_text("short\n")
    short.chmod(0o600)
    data["alerts"]["ack_links"] = {"key_file": str(short)}
    data["bridge"] = {"username": "bridge", "password_file": str(tmp_path / "bridge.pass")}
    config_file = tmp_path / "home.yaml"
    config_file.write_text(yaml.safe_dump(data))
    config = HearthConfig.model_validate(data)

    findings = by_check(checks(config))

    (key,) = [f for f in findings["alerts"] if f.level is Level.PROBLEM]
    assert key.message.startswith(f"alerts.ack_links.key_file: the key in {short} is too short")
    (password,) = [f for f in findings["bridge"] if "password_file" in f.message]
    assert password.level is Level.PROBLEM
    assert password.message.startswith(
        f"bridge.password_file: password file {tmp_path / 'bridge.pass'} does not exist"
    )
    # check-config says the same of the same keys.
    result = CliRunner().invoke(main, ["check-config", str(config_file)])
    assert result.exit_code == 1
    said = [line.split(": ", 1)[1] for line in result.stderr.splitlines()]
    assert sorted(said) == sorted([password.message, key.message])
