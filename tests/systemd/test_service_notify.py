"""`hearth run` and `firmware-bridge` as systemd runs them: notify socket and watchdog.

Each process is started for real, with $NOTIFY_SOCKET pointing at a datagram
socket of the test's own and WATCHDOG_USEC set, and under the kernel's
PR_SET_MDWE (no writable+executable memory), the check behind the units'
MemoryDenyWriteExecute=yes. The broker is started only after the process,
so a READY=1 sent before the broker connection would be caught.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from firmware_bridge.bridge import FirmwareBridge
from firmware_bridge.cli import serve_until
from hub.config.loader import validate_config
from hub.config.models import HearthConfig
from hub.local_broker import BRIDGE, LocalBroker, free_port
from tests.bridge.conftest import PtyPair, bridge_config_data, wait_for
from tests.ingest.helpers import HubThread, hub_config_data
from tests.systemd.notify_listener import NotifyListener

VENV_BIN = Path(sys.executable).parent
WATCHDOG_S = 1.0  # pings are expected every 0.5 s
PR_SET_MDWE = 65
PR_MDWE_REFUSE_EXEC_GAIN = 1
# Run by the child before exec: MDWE is inherited across execve.
MDWE_WRAPPER = (
    "import ctypes, os, sys\n"
    f"if ctypes.CDLL(None).prctl({PR_SET_MDWE}, {PR_MDWE_REFUSE_EXEC_GAIN}, 0, 0, 0) != 0:\n"
    "    sys.exit('PR_SET_MDWE failed')\n"
    "os.execv(sys.argv[1], sys.argv[1:])\n"
)


def mdwe_supported() -> bool:
    # Linux 6.3+. Tried in a child so this test process is not restricted.
    probe = f"import ctypes, sys; sys.exit(ctypes.CDLL(None).prctl({PR_SET_MDWE}, 1, 0, 0, 0))"
    return subprocess.run([sys.executable, "-c", probe], check=False).returncode == 0


@pytest.fixture
def listener(monkeypatch: pytest.MonkeyPatch) -> Iterator[NotifyListener]:
    # AF_UNIX paths are limited to 107 bytes; pytest's tmp_path can be longer.
    with (
        tempfile.TemporaryDirectory(prefix="hn-") as folder,
        NotifyListener(Path(folder) / "notify") as listening,
    ):
        yield listening


@pytest.fixture
def later_broker(tmp_path: Path) -> Iterator[LocalBroker]:
    """A broker with its port chosen but not started: the test starts it."""
    broker = LocalBroker(tmp_path / "mosquitto", port=free_port())
    yield broker
    broker.stop()


def start_process(argv: list[str], listener: NotifyListener, log: Path) -> subprocess.Popen[bytes]:
    program = Path(argv[0])
    if not program.exists():
        pytest.skip(f"{program} is not installed: pip install -e .")
    env = {
        **os.environ,
        "NOTIFY_SOCKET": listener.address,
        "WATCHDOG_USEC": str(int(WATCHDOG_S * 1_000_000)),
    }
    env.pop("WATCHDOG_PID", None)
    wrapper = [sys.executable, "-c", MDWE_WRAPPER] if mdwe_supported() else []
    return subprocess.Popen(
        [*wrapper, *argv], env=env, stdout=subprocess.DEVNULL, stderr=log.open("ab")
    )


def check_lifecycle(
    process: subprocess.Popen[bytes], listener: NotifyListener, broker: LocalBroker, log: Path
) -> None:
    """No READY before the broker; READY after; pings every WATCHDOG_S/2; STOPPING on SIGTERM."""
    try:
        time.sleep(1.5)  # the process is trying to reach a broker that is not there
        assert process.poll() is None, log.read_text()
        assert listener.times_of("READY=1") == [], "READY=1 before the broker was up"
        broker_up = time.monotonic()
        broker.start()
        assert listener.wait_for("READY=1", 20), log.read_text()
        (ready_at,) = listener.times_of("READY=1")
        assert ready_at > broker_up
        assert any(f"connected to {broker.host}:{broker.port}" in s for s in listener.statuses())

        time.sleep(3.0)
        pings = [t for t in listener.times_of("WATCHDOG=1") if t > ready_at]
        gaps = [b - a for a, b in itertools.pairwise(pings)]
        assert len(pings) >= 4, pings
        # Half the interval, give or take scheduling.
        assert all(0.3 <= gap <= 0.8 for gap in gaps), gaps

        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0, log.read_text()
        assert listener.wait_for("STOPPING=1", 2)
        assert len(listener.times_of("READY=1")) == 1
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_hearth_run_notifies_ready_only_once_connected_and_feeds_the_watchdog(
    later_broker: LocalBroker, listener: NotifyListener, tmp_path: Path
) -> None:
    config = tmp_path / "home.yaml"
    config.write_text(yaml.safe_dump(hub_config_data(later_broker, tmp_path)))
    log = tmp_path / "hub.log"
    hub = start_process([str(VENV_BIN / "hearth"), "run", "--config", str(config)], listener, log)
    check_lifecycle(hub, listener, later_broker, log)
    statuses = listener.statuses()
    assert statuses[0].startswith("connecting to"), statuses
    assert "4 sensors" in statuses[1], statuses


def test_firmware_bridge_notifies_ready_only_once_connected_and_feeds_the_watchdog(
    later_broker: LocalBroker, listener: NotifyListener, tmp_path: Path
) -> None:
    cable = PtyPair(tmp_path)
    cable.plug()
    try:
        config = tmp_path / "home.yaml"
        config.write_text(yaml.safe_dump(bridge_config_data(later_broker, tmp_path)))
        log = tmp_path / "bridge.log"
        bridge = start_process(
            [str(VENV_BIN / "firmware-bridge"), "--config", str(config)], listener, log
        )
        check_lifecycle(bridge, listener, later_broker, log)
    finally:
        cable.unplug()


def test_a_wedged_event_loop_stops_the_hub_watchdog_pings(
    broker: LocalBroker,
    listener: NotifyListener,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The pings come from a task on the loop: a loop stuck for 2 s sends none for 2 s."""
    monkeypatch.setenv("NOTIFY_SOCKET", listener.address)
    monkeypatch.setenv("WATCHDOG_USEC", str(int(WATCHDOG_S * 1_000_000)))
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    config = HearthConfig.model_validate(hub_config_data(broker, tmp_path))
    running = HubThread(config).start()
    try:
        time.sleep(1.2)
        assert running._loop is not None
        wedged_at = time.monotonic()
        running._loop.call_soon_threadsafe(time.sleep, 2.0)  # a callback that blocks the loop
        time.sleep(3.0)
    finally:
        running.stop()
    pings = listener.times_of("WATCHDOG=1")
    assert any(t < wedged_at for t in pings)
    after = [t for t in pings if t > wedged_at]
    assert after, "pings did not resume"
    assert after[0] - wedged_at >= 1.9, "a ping was sent while the loop was blocked"
    gaps = [b - a for a, b in itertools.pairwise(pings)]
    assert max(gaps) >= 1.9
    assert sorted(gaps)[len(gaps) // 2] < 0.8  # otherwise every half second


def test_mdwe_is_enforced_in_the_wrapper() -> None:
    """The MDWE wrapper really forbids writable+executable memory, so passing means something."""
    if not mdwe_supported():
        pytest.skip("this kernel has no PR_SET_MDWE (Linux 6.3+)")
    attempt = (
        "import mmap\nmmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", MDWE_WRAPPER, sys.executable, "-c", attempt],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "PermissionError" in done.stderr


def test_bridge_waits_for_the_broker_and_feeds_the_watchdog_only_while_ports_run(
    later_broker: LocalBroker,
    listener: NotifyListener,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """serve_until in-process: READY=1 only once connected; pings stop when a port thread dies.

    `firmware-bridge` itself waits up to 10 s in FirmwareBridge.start() for
    the broker, which hides the READY gate from the process test above; here
    the ports are started without that wait, as after a start() that timed out.
    """
    monkeypatch.setenv("NOTIFY_SOCKET", listener.address)
    monkeypatch.setenv("WATCHDOG_USEC", str(int(WATCHDOG_S * 1_000_000)))
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    cable = PtyPair(tmp_path)
    cable.plug()
    bridge = FirmwareBridge(
        validate_config(bridge_config_data(later_broker, tmp_path)), BRIDGE.password
    )
    stop = threading.Event()
    serving = threading.Thread(target=serve_until, args=(stop, bridge, "pillbox"), daemon=True)
    try:
        for port in bridge.ports:
            port.start()
        serving.start()
        time.sleep(1.5)
        assert listener.times_of("READY=1") == [], "READY=1 before the broker was up"
        broker_up = time.monotonic()
        later_broker.start()
        assert listener.wait_for("READY=1", 20)
        assert listener.times_of("READY=1")[0] > broker_up
        time.sleep(1.2)
        assert listener.times_of("WATCHDOG=1")

        # Fault: a port thread ends (as a bug in a session would end it).
        (port,) = bridge.ports
        port._stopping.set()
        assert wait_for(lambda: not port.alive, 5)
        died_at = time.monotonic()
        time.sleep(1.5)
        assert [t for t in listener.times_of("WATCHDOG=1") if t > died_at] == []
    finally:
        stop.set()
        serving.join(5)
        bridge.stop()
        cable.unplug()
