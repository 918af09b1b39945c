"""install/install.sh on this very machine, as root, the way CI runs it.

Installed twice (the second run must change nothing, byte for byte), then,
since systemd is not PID 1 here, the units' own ExecStart lines are started
by hand as the users the units name: Mosquitto with its Debian unit and
Hearth's drop-in, `hearth run`, and the firmware bridge on socat pty pairs
put into the installed config. `hearth doctor` must then find the broker,
the hub and every bridge port healthy, and a device publishing over the TLS
listener must reach the database. Finally --uninstall keeps the data and
--purge removes it.

It uses the real /etc/mosquitto and port 1883, so it refuses to run where a
broker already listens there, where Hearth is already installed, or where
systemd is PID 1 (a real machine, whose services it would change). The
installer's branch for a machine where systemd is PID 1 is tested in a
booted container by test_install_systemd.py.
"""

from __future__ import annotations

import grp
import os
import pwd
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from hub.local_broker import free_port
from tests.bridge.fake_device import FakeDevice
from tests.install.checks import differences, healthy, stored, tree_state

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "install" / "install.sh"
VENV = Path("/opt/hearth/venv")
CONFIG = Path("/etc/hearth/home.yaml")
STATE = Path("/var/lib/hearth")
DATABASE = STATE / "hearth.db"
UNITS = Path("/etc/systemd/system")
MOSQUITTO_UNIT = Path("/lib/systemd/system/mosquitto.service")
MOSQUITTO_DB = Path("/var/lib/mosquitto/mosquitto.db")
# Everything the installer writes; hashed after each run.
INSTALLED = (
    Path("/opt/hearth"),
    Path("/etc/hearth"),
    STATE,
    Path("/etc/mosquitto/conf.d/hearth.conf"),
    Path("/etc/mosquitto/hearth"),
    UNITS / "hearth.service",
    UNITS / "hearth-bridge.service",
)

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="installs into the system: run as root (CI does)"),
    pytest.mark.skipif(
        Path("/run/systemd/system").is_dir(),
        reason="systemd is PID 1: this test would change this machine's real services",
    ),
    pytest.mark.timeout(900),
]


def install(*options: str) -> list[str]:
    """Run the installer; its output lines (every step says one), or a failure with them."""
    done = subprocess.run(
        [str(SCRIPT), *options], capture_output=True, text=True, timeout=600, check=False
    )
    lines = (done.stdout + done.stderr).splitlines()
    print(f"$ install.sh {' '.join(options)}", *lines, sep="\n")
    assert done.returncode == 0, f"install.sh {' '.join(options)} failed:\n" + "\n".join(lines)
    return lines


def unit_settings(unit: Path) -> dict[str, list[str]]:
    """The [Service] settings of a unit file, each key with all its values in order."""
    settings: dict[str, list[str]] = {}
    section = ""
    for raw in unit.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line
        elif section == "[Service]" and "=" in line:
            key, _, value = line.partition("=")
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def command_line(value: str) -> list[str]:
    # systemd's prefixes ("-" ignore failure, "+" full privileges ...) are not part of the command.
    return shlex.split(value.lstrip("-+!@:"))


def mode_and_owner(path: Path) -> str:
    info = path.stat()
    owner = pwd.getpwuid(info.st_uid).pw_name
    group = grp.getgrgid(info.st_gid).gr_name
    return f"{stat.S_IMODE(info.st_mode):o} {owner}:{group}"


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@dataclass
class Machine:
    """What the test started, so that it is all stopped again, whatever happened."""

    logs: Path
    processes: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)
    ptys: list[subprocess.Popen[bytes]] = field(default_factory=list)
    devices: list[FakeDevice] = field(default_factory=list)

    def start(self, name: str, unit: Path, *, as_root: bool = False) -> subprocess.Popen[bytes]:
        """The unit's ExecStart, run as its User= with that user's groups, from its
        WorkingDirectory=; output to a log file of the test."""
        settings = unit_settings(unit)
        (exec_start,) = settings["ExecStart"]
        command = command_line(exec_start)
        user = settings.get("User", ["root"])[-1]
        if user != "root" and not as_root:
            group = settings.get("Group", [user])[-1]
            # --init-groups: the user's groups from /etc/group (dialout, audio), as
            # the unit's SupplementaryGroups= give them.
            command = [
                "setpriv",
                f"--reuid={user}",
                f"--regid={group}",
                "--init-groups",
                "--",
                *command,
            ]
        folder = settings.get("WorkingDirectory", ["/"])[-1]
        log = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(command, cwd=folder, stdout=log, stderr=log)
        self.processes.append((name, process))
        return process

    def log_of(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop(self) -> None:
        for device in self.devices:
            device.stop()
        for name, process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
                    print(f"{name} did not stop on SIGTERM within 30 s; killed")
        for pty in self.ptys:
            if pty.poll() is None:
                pty.terminate()
                pty.wait(5)


def pty_pair(machine: Machine, folder: Path, name: str) -> tuple[Path, Path]:
    """A socat pty pair: (the bridge's end, usable by group dialout; the device's end)."""
    bridge_end, device_end = folder / f"{name}-bridge", folder / f"{name}-device"
    machine.ptys.append(
        subprocess.Popen(
            [
                "socat",
                # A USB serial adapter's node is root:dialout 0660; so is this one.
                f"pty,raw,echo=0,link={bridge_end},user-late=root,group-late=dialout,perm-late=660",
                f"pty,raw,echo=0,link={device_end}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    )
    deadline = time.monotonic() + 5
    while not (bridge_end.exists() and device_end.exists()):
        assert time.monotonic() < deadline, "socat made no pty pair within 5 s"
        time.sleep(0.01)
    return bridge_end, device_end


def doctor() -> tuple[int, list[str]]:
    done = subprocess.run(
        [
            "setpriv",
            "--reuid=hearth",
            "--regid=hearth",
            "--init-groups",
            "--",
            str(VENV / "bin" / "hearth"),
            "doctor",
            "--config",
            str(CONFIG),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.returncode, (done.stdout + done.stderr).splitlines()


@pytest.fixture
def machine(tmp_path: Path) -> Iterator[Machine]:
    if listening(1883):
        pytest.fail(
            "something already listens on port 1883 (a Mosquitto?): this test runs the "
            "system's own broker there; stop it first (systemctl stop mosquitto)"
        )
    already = [str(path) for path in INSTALLED if path.exists()]
    if already or shutil.which("mosquitto") is None:
        pytest.fail(
            f"Hearth is already installed here ({', '.join(already)}): the test would remove it; "
            "run install/install.sh --purge first"
            if already
            else "mosquitto is not installed (setup.sh installs it)"
        )
    had_broker_db = MOSQUITTO_DB.exists()
    started = Machine(tmp_path)
    try:
        yield started
    finally:
        started.stop()
        if any(path.exists() for path in INSTALLED) or _user_exists("hearth"):
            subprocess.run([str(SCRIPT), "--purge"], capture_output=True, timeout=120, check=False)
        if not had_broker_db:
            MOSQUITTO_DB.unlink(missing_ok=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def test_install_twice_run_doctor_uninstall_purge(machine: Machine, tmp_path: Path) -> None:
    first = install("--tls")
    assert all(line.startswith("hearth-install: ") for line in first), "\n".join(first)
    assert any("systemd is not running here" in line for line in first)
    installed = tree_state(INSTALLED)

    # The second run: --tls is remembered, nothing is written, and it says so.
    second = install()
    assert second[-1].endswith("nothing changed: Hearth is installed and up to date"), second
    assert differences(installed, tree_state(INSTALLED)) == []

    # Accounts and permissions, as the units and hub/config/secrets.py expect them.
    account = pwd.getpwnam("hearth")
    assert account.pw_shell == "/usr/sbin/nologin"
    assert not Path(account.pw_dir).exists()
    assert {"dialout", "audio"} <= {g.gr_name for g in grp.getgrall() if "hearth" in g.gr_mem}
    assert mode_and_owner(CONFIG) == "640 root:hearth"
    assert mode_and_owner(Path("/etc/hearth/mqtt.pass")) == "640 root:hearth"
    assert mode_and_owner(Path("/etc/hearth/bridge.pass")) == "640 root:hearth"
    assert mode_and_owner(Path("/etc/hearth/devices.pass")) == "600 root:root"
    assert mode_and_owner(Path("/etc/hearth/tls/ca.key")) == "600 root:root"
    assert mode_and_owner(STATE) == "750 hearth:hearth"

    # The installed config, with this machine's serial ports: a pty pair per
    # configured port, and a free port for the web server.
    ptys = Path(tempfile.mkdtemp(prefix="hearth-install-ptys-"))
    ptys.chmod(0o755)  # the bridge, as user hearth, must reach the links
    try:
        data = yaml.safe_load(CONFIG.read_text())
        ports = [port["id"] for port in data["bridge"]["ports"]]
        device_ends = {}
        for port in data["bridge"]["ports"]:
            port["path"], device_ends[port["id"]] = pty_pair(machine, ptys, port["id"])
            port["path"] = str(port["path"])
        data["web"]["port"] = free_port()
        CONFIG.write_text(yaml.safe_dump(data, sort_keys=False))  # keeps root:hearth 0640
        # The pill box talks the Hearth protocol: a simulated one says hello.
        pillbox = [p for p in data["bridge"]["ports"] if p["protocol"] == "hearth"]
        for port in pillbox:
            device = FakeDevice(device_ends[port["id"]])
            machine.devices.append(device.start())

        # The units' own command lines.
        mosquitto = unit_settings(MOSQUITTO_UNIT)
        for prepare in mosquitto.get("ExecStartPre", []):
            subprocess.run(command_line(prepare), check=True, timeout=30)
        broker = machine.start("mosquitto", MOSQUITTO_UNIT)
        deadline = time.monotonic() + 10
        while not listening(1883):
            assert broker.poll() is None, "Mosquitto exited:\n" + machine.log_of("mosquitto")
            assert time.monotonic() < deadline, "Mosquitto is not listening on 1883 after 10 s"
            time.sleep(0.05)
        machine.start("hub", UNITS / "hearth.service")
        machine.start("bridge", UNITS / "hearth-bridge.service")

        deadline = time.monotonic() + 60
        status, lines = doctor()
        while not healthy(lines, ports) and time.monotonic() < deadline:
            time.sleep(1)
            status, lines = doctor()
        report = "\n".join(lines)
        logs = "\n".join(f"--- {name}:\n{machine.log_of(name)}" for name in ("hub", "bridge"))
        assert healthy(lines, ports), f"hearth doctor:\n{report}\n{logs}"
        for port in ports:
            assert any(line.startswith("ok") and f"serial: {port}:" in line for line in lines)
        print(f"hearth doctor (exit {status}):\n{report}")
        # Warnings are expected on a new install (no sensor has reported, no
        # recipients yet); a problem is not.
        assert status <= 1, report
        assert not [line for line in lines if line.startswith("PROBLEM")], report

        # A device on the home network: TLS listener, the devices' account and
        # ACL, and on into the hub's database.
        password = Path("/etc/hearth/devices.pass").read_text().strip()
        subprocess.run(
            [
                "mosquitto_pub",
                "-h", "localhost", "-p", "8883",
                "--cafile", "/etc/hearth/tls/ca.crt",
                "-u", "devices", "-P", password,
                "-q", "1",
                "-t", "zigbee2mqtt/Bedroom motion",
                "-m", '{"occupancy": true}',
            ],
            check=True, timeout=30, capture_output=True,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while not stored(DATABASE, "bedroom_motion") and time.monotonic() < deadline:
            time.sleep(0.5)
        assert stored(DATABASE, "bedroom_motion"), (
            "the TLS publication never reached the database\n" + (machine.log_of("hub"))
        )
    finally:
        machine.stop()
        shutil.rmtree(ptys, ignore_errors=True)

    # Other listeners: the options change the broker's drop-in and are remembered.
    install("--lan", "--no-tls")
    dropin = Path("/etc/mosquitto/conf.d/hearth.conf").read_text()
    assert "\nlistener 1883\n" in dropin
    assert "8883" not in dropin
    assert not Path("/etc/mosquitto/hearth/server.key").exists()
    assert Path("/etc/hearth/tls/ca.key").exists()  # the home's CA outlives the listener
    assert install()[-1].endswith("nothing changed: Hearth is installed and up to date")

    kept = install("--uninstall")
    assert any("kept /var/lib/hearth /etc/hearth" in line for line in kept), kept
    assert (STATE / "hearth.db").exists()
    assert CONFIG.exists()
    for gone in (
        Path("/opt/hearth"),
        Path("/etc/mosquitto/conf.d/hearth.conf"),
        *UNITS.glob("hearth*"),
    ):
        assert not gone.exists(), f"{gone} is still there after --uninstall"
    assert not _user_exists("hearth")

    # Installed again, the kept data and config are the new hearth user's.
    install()
    assert mode_and_owner(CONFIG) == "640 root:hearth"
    assert mode_and_owner(STATE / "hearth.db").endswith("hearth:hearth")
    assert stored(DATABASE, "bedroom_motion")

    purged = install("--purge")
    assert not STATE.exists(), purged
    assert not Path("/etc/hearth").exists(), purged
