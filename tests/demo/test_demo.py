"""`hearth demo`, run as a user would: a real broker, the hub, a recorded home played live."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_demo_stores_every_published_change(tmp_path: Path) -> None:
    # A relative --workdir, from another folder: as `./setup.sh demo` runs it.
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "hub",
            "demo",
            "--workdir",
            "demo-run",
            "--days",
            "2",
            "--speed",
            "50000",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    sensors = [line for line in done.stdout.splitlines() if "  published " in line]
    assert len(sensors) >= 8  # Ordonez A has 12 sensors; most report within two days
    assert all(line.rstrip().endswith("ok") for line in sensors), done.stdout
    assert (tmp_path / "demo-run" / "demo.db").exists()
    # The garbled message and the unmapped device it sends are reported, not fatal.
    assert "malformed payload on zigbee2mqtt/Seat" in done.stderr

    devices = subprocess.run(
        [sys.executable, "-m", "hub", "devices", "--config", "demo-run/demo-home.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert devices.returncode == 0, devices.stderr
    assert "'Hall Sensor'" in devices.stdout
    assert "zigbee2mqtt/Seat: 1x" in devices.stdout
