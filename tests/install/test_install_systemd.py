"""install/install.sh where systemd is PID 1: a Debian 12 booted in a container.

tests/install/test_install.py covers a machine without systemd (CI's, where
the installer says so and the test starts the units' ExecStart lines by
hand). This test covers the other branch, "enables and starts the units", on
a real systemd: mmdebstrap makes a minimal Debian 12 (bookworm) root on a
tmpfs from this machine's Debian mirror (debootstrap makes the same root but
took 90 to 150 s here against mmdebstrap's 40), and systemd-nspawn boots it
with systemd as PID 1. The container has a network namespace of its own,
given a way out by slirp4netns (user-mode NAT: nothing on the host changes),
so its Mosquitto on port 1883 meets no broker of this machine, and apt and
pip inside reach the same registries, with this machine's extra CA
certificates and global pip configuration copied in.

Inside, with this checkout bind-mounted read-only at /root/hearth (so the
installer is also shown not to write into the checkout):

- the serial devices the example config names appear under /dev/serial/by-id
  as socat pty pairs, so the installed config is used as it is made;
- install.sh runs twice: the first installs the packages and enables and
  starts mosquitto, hearth and hearth-bridge; the second says "nothing
  changed", changes no file under /etc, /opt/hearth or /var/lib/hearth (the
  running hub's database aside) and restarts nothing;
- each of the three is enabled and active (running); hearth and
  hearth-bridge are Type=notify, so active means READY=1 arrived (after the
  process started), and a WATCHDOG=1 ping is seen after READY with
  WatchdogSec=30s;
- `hearth doctor`, as user hearth, finds the broker, the hub and both bridge
  ports online and no PROBLEM (warnings are expected on a new install: no
  sensor has reported, no recipients, no NTP in a container);
- a run that stops half way (--tls, with a config the check refuses) leaves
  its restarts owed, and the next run does them: Mosquitto then takes a
  device's publication over TLS on 8883, and the hub stores it;
- after a reboot of the container the three are running again;
- --uninstall stops (cleanly, within TimeoutStopSec=) and disables the hub
  and bridge, keeps the database and config, and leaves Mosquitto running on
  its own configuration.

Not shown here: the units' DevicePolicy=closed. A container cannot write the
cgroup v1 devices controller, so the bridge opens the ptys (char 136), which
on a real machine that policy would refuse: there the ports are ttyUSB/ttyACM.

About 2.5 minutes on a 2-core machine (up to 5 when it is busy), most of it
mmdebstrap, apt and pip; `pytest -s` prints each step's time and what the
installer and doctor said. The root takes about 1 GiB of memory meanwhile.
The container is powered off and its tmpfs unmounted afterwards, also when
the test fails; nothing is kept between runs.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.install.checks import differences, healthy, stored, tree_state

REPO = Path(__file__).resolve().parents[2]
GUEST_REPO = "/root/hearth"
INSTALLER = f"{GUEST_REPO}/install/install.sh"
HEARTH_UNITS = ("hearth.service", "hearth-bridge.service")
SERVICES = ("mosquitto.service", *HEARTH_UNITS)
STATE = Path("/var/lib/hearth")
DATABASE = STATE / "hearth.db"
# What the second run must leave as it was: all of /etc (the installer's
# files, and the users, groups and unit links it would make), the venv, and
# the data folder itself (its contents are the running hub's).
WATCHED = (Path("/etc"), Path("/opt/hearth"), STATE)
DOCTOR = "runuser -u hearth -- /opt/hearth/venv/bin/hearth doctor --config /etc/hearth/home.yaml"
# Beyond mmdebstrap's minimal base: what a fresh Debian 12 machine has
# (systemd as init, D-Bus, Python, CA certificates), and socat for the ptys.
PACKAGES = ("systemd", "systemd-sysv", "dbus", "python3", "ca-certificates", "socat")
# slirp4netns's DNS forwarder (it passes queries on to this machine's resolver).
SLIRP_DNS = "10.0.2.3"
GUEST_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
TOOLS = {
    "mmdebstrap": "mmdebstrap",
    "systemd-nspawn": "systemd-container",
    "slirp4netns": "slirp4netns",
    "nsenter": "util-linux",
}
# On a machine run by systemd, nspawn asks it for a scope of its own; elsewhere
# (a container, CI's VM) it stays in the test's cgroup. Only the latter is run
# here: CI's machines have no systemd.
HOST_SYSTEMD = Path("/run/systemd/system").is_dir()

pytestmark = [pytest.mark.timeout(1200)]


def missing_requirement() -> str | None:
    """Why this machine cannot boot the container, or None."""
    if os.geteuid() != 0:
        return "needs root: mmdebstrap, mount and systemd-nspawn (CI runs as root)"
    missing = [
        f"{tool} (package {package})" for tool, package in TOOLS.items() if not shutil.which(tool)
    ]
    if missing:
        return f"missing {', '.join(missing)}: ./setup.sh test installs them"
    if not Path("/dev/net/tun").exists():
        return "no /dev/net/tun: slirp4netns cannot give the container a network"
    return None


class Steps:
    """Each step's time, printed as it ends (pytest -s shows them)."""

    def __init__(self) -> None:
        self.began = time.monotonic()
        self.taken: list[tuple[str, float]] = []

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        began = time.monotonic()
        print(f"--- {name}", flush=True)
        try:
            yield
        finally:
            took = time.monotonic() - began
            self.taken.append((name, took))
            print(
                f"--- {name}: {took:.1f} s (at {time.monotonic() - self.began:.1f} s)", flush=True
            )

    def summary(self) -> str:
        lines = [f"{took:7.1f} s  {name}" for name, took in self.taken]
        return "\n".join([*lines, f"{time.monotonic() - self.began:7.1f} s  in all"])


@dataclass
class Guest:
    """A Debian root booted by systemd-nspawn; commands run inside with nsenter."""

    root: Path
    name: str
    logs: Path
    nspawn: subprocess.Popen[bytes] | None = None
    slirp: subprocess.Popen[bytes] | None = None
    leader: int = 0
    boots: int = 0

    def boot(self) -> str:
        """Boot the root; return systemd's state once the boot has finished."""
        self.boots += 1
        command = [
            "systemd-nspawn",
            "--quiet",
            f"--directory={self.root}",
            f"--machine={self.name}",
            "--boot",
            "--register=no",
            "--private-network",
            "--resolv-conf=off",
            "--console=pipe",
            f"--bind-ro={REPO}:{GUEST_REPO}",
        ]
        if not HOST_SYSTEMD:
            command.append("--keep-unit")
        # The child has its own copy of the log's descriptor; this one is closed at once.
        with (self.logs / f"nspawn-{self.boots}.log").open("ab") as log:
            self.nspawn = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )
        self.leader = self._container_init()
        with (self.logs / f"slirp4netns-{self.boots}.log").open("ab") as log:
            self.slirp = subprocess.Popen(
                [
                    "slirp4netns",
                    "--configure",
                    "--mtu=65520",
                    # The container must not reach this machine's own brokers on 127.0.0.1.
                    "--disable-host-loopback",
                    str(self.leader),
                    "tap0",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 120
        while True:
            # Fails until the container's systemd listens; then waits for the boot's end.
            done = self.run("systemctl is-system-running --wait", check=False, timeout=120)
            state = done.stdout.strip()
            if state in ("running", "degraded"):
                return state
            assert self.nspawn.poll() is None, "systemd-nspawn exited:\n" + self.log_tail("nspawn")
            assert time.monotonic() < deadline, f"the container did not finish booting: {state}"
            time.sleep(0.2)

    def _container_init(self) -> int:
        """The container's PID 1, as this machine numbers it: nspawn's child running systemd."""
        assert self.nspawn is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.nspawn.poll() is None, "systemd-nspawn exited:\n" + self.log_tail("nspawn")
            for pid in _descendants(self.nspawn.pid):
                if _command_name(pid) == "systemd":
                    return pid
            time.sleep(0.05)
        raise AssertionError("systemd-nspawn started no systemd within 30 s")

    def run(
        self, script: str, *, check: bool = True, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        """A bash script as root inside, with a root shell's environment, not this process's."""
        done = subprocess.run(
            [
                "nsenter",
                f"--target={self.leader}",
                "--all",
                "env",
                "-i",
                f"PATH={GUEST_PATH}",
                "LANG=C.UTF-8",
                "HOME=/root",
                "TERM=dumb",
                "bash",
                "-c",
                script,
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check:
            assert done.returncode == 0, (
                f"in the container: {script}\nexit {done.returncode}\n{done.stdout}{done.stderr}"
            )
        return done

    def path(self, inside: str | Path) -> Path:
        """A path of the container, seen from here."""
        return self.root / Path(inside).relative_to("/")

    def halt(self, timeout: float = 60) -> int | None:
        """Power the container off (nspawn turns SIGTERM into a clean shutdown).

        Returns nspawn's exit status."""
        status = None
        if self.nspawn is not None:
            if self.nspawn.poll() is None:
                self.nspawn.send_signal(signal.SIGTERM)
                try:
                    self.nspawn.wait(timeout)
                except subprocess.TimeoutExpired:
                    print(f"the container did not power off within {timeout:.0f} s: killed")
                    # Killing a PID namespace's init ends every process in it.
                    _kill(self.leader)
                    try:
                        self.nspawn.wait(30)
                    except subprocess.TimeoutExpired:
                        self.nspawn.kill()
                        self.nspawn.wait()
            status = self.nspawn.returncode
            self.nspawn = None
        if self.slirp is not None:
            if self.slirp.poll() is None:
                self.slirp.terminate()
                try:
                    self.slirp.wait(10)
                except subprocess.TimeoutExpired:
                    self.slirp.kill()
                    self.slirp.wait()
            self.slirp = None
        return status

    def log_tail(self, prefix: str) -> str:
        paths = sorted(self.logs.glob(f"{prefix}*.log"))
        return paths[-1].read_text(errors="replace")[-3000:] if paths else ""

    def journal(self, *units: str) -> str:
        """The last lines each unit logged, for a failure's message."""
        if self.nspawn is None or self.nspawn.poll() is not None:
            return "(the container is not running: no journal)"
        flags = " ".join(f"-u {shlex.quote(unit)}" for unit in units)
        return self.run(f"journalctl --no-pager -n 60 {flags}", check=False).stdout

    def install(self, *options: str, succeed: bool = True) -> list[str]:
        """Run the installer inside: its output lines, printed; exit 0 wanted, or not 0."""
        script = " ".join([INSTALLER, *options])
        done = self.run(script, check=False, timeout=900)
        lines = (done.stdout + done.stderr).splitlines()
        print(f"$ install.sh {' '.join(options)}  (exit {done.returncode})", *lines, sep="\n")
        if succeed:
            assert done.returncode == 0, (
                f"install.sh {' '.join(options)} failed:\n"
                + "\n".join(lines)
                + "\n"
                + self.journal(*SERVICES)
            )
        else:
            assert done.returncode != 0, f"install.sh {' '.join(options)} should have failed"
        return lines

    def show(self, unit: str, *properties: str) -> dict[str, str]:
        flags = " ".join(f"-p {name}" for name in properties)
        out = self.run(f"systemctl show {flags} {unit}").stdout
        return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)

    def doctor(self) -> tuple[int, list[str]]:
        done = self.run(DOCTOR, check=False, timeout=120)
        # LiteRT's own line on stderr ("Created TensorFlow Lite XNNPACK delegate") is not a finding.
        return done.returncode, done.stdout.splitlines()


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = [int(child) for child in (task / "children").read_text().split()]
            except FileNotFoundError:
                continue
            found += children
            todo += children
    return found


def _command_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except FileNotFoundError:
        return ""


def _kill(pid: int) -> None:
    with suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def host_debian_mirror() -> str | None:
    """The archive this machine's apt takes bookworm from, so the container uses the same."""
    folder = Path("/etc/apt/sources.list.d")
    for path in sorted(folder.glob("*.sources")):
        for stanza in path.read_text().split("\n\n"):
            fields: dict[str, list[str]] = {}
            for line in stanza.splitlines():
                if line.startswith("#") or ":" not in line:
                    continue
                key, _, value = line.partition(":")
                fields[key.strip().lower()] = value.split()
            enabled = fields.get("enabled", ["yes"]) != ["no"]
            if (
                enabled
                and "deb" in fields.get("types", [])
                and "bookworm" in fields.get("suites", [])
            ):
                return fields["uris"][0]
    for path in [Path("/etc/apt/sources.list"), *sorted(folder.glob("*.list"))]:
        if not path.exists():
            continue
        for line in path.read_text().splitlines():
            words = re.sub(r"\[[^]]*\]", " ", line.split("#", 1)[0]).split()
            if len(words) >= 3 and words[0] == "deb" and words[2] == "bookworm":
                return words[1]
    return None


HOSTS = """127.0.0.1\tlocalhost
127.0.1.1\t{name}

# The following lines are desirable for IPv6 capable hosts
::1     localhost ip6-localhost ip6-loopback
ff02::1 ip6-allnodes
ff02::2 ip6-allrouters
"""


def make_root(root: Path, name: str, logs: Path) -> None:
    """A minimal Debian 12, set up as this machine is where the installer needs it."""
    mirror = host_debian_mirror()
    command = [
        "mmdebstrap",
        "--variant=minbase",
        f"--include={','.join(PACKAGES)}",
        "bookworm",
        str(root),
        *([mirror] if mirror else []),
    ]
    log = logs / "mmdebstrap.log"
    with log.open("wb") as out:
        done = subprocess.run(
            command, stdout=out, stderr=subprocess.STDOUT, timeout=900, check=False
        )
    assert done.returncode == 0, "mmdebstrap failed:\n" + log.read_text(errors="replace")[-3000:]
    # The Debian installer writes these; mmdebstrap does not. Without "localhost"
    # in /etc/hosts, Mosquitto's `listener 1883 localhost` fails to start.
    # Each is unlinked first: a link in the root would lead to this machine's file.
    settings = {
        "etc/hostname": f"{name}\n",
        "etc/hosts": HOSTS.format(name=name),
        "etc/resolv.conf": f"nameserver {SLIRP_DNS}\n",
    }
    for inside, text in settings.items():
        (root / inside).unlink(missing_ok=True)
        (root / inside).write_text(text)
    # This machine's extra CA certificates (a proxy's, say: pip checks PyPI's
    # certificate against them) and its global pip settings.
    extra_certificates = Path("/usr/local/share/ca-certificates")
    if extra_certificates.is_dir():
        shutil.copytree(
            extra_certificates, root / "usr/local/share/ca-certificates", dirs_exist_ok=True
        )
        subprocess.run(
            ["chroot", str(root), "update-ca-certificates"],
            capture_output=True,
            timeout=120,
            check=True,
        )
    if Path("/etc/pip.conf").is_file():
        shutil.copy2("/etc/pip.conf", root / "etc/pip.conf")
    if Path("/etc/xdg/pip").is_dir():
        shutil.copytree("/etc/xdg/pip", root / "etc/xdg/pip", dirs_exist_ok=True)


def remove_root(root: Path, name: str) -> None:
    """Unmount the root's tmpfs, and whatever is still mounted in it: no file is deleted one
    by one, so nothing mounted there (this checkout, say) can be deleted with it."""
    mounts = [line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines()]
    if str(root) in mounts:
        done = subprocess.run(
            ["umount", "--recursive", str(root)], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            # Still in use (a container that would not stop): detached now, and its
            # memory freed when the last process using it is gone.
            print(f"umount {root}: {done.stderr.strip()}; detached it lazily")
            subprocess.run(["umount", "--recursive", "--lazy", str(root)], check=True)
    root.rmdir()
    # nspawn leaves this folder behind where /run is no tmpfs.
    shutil.rmtree(Path("/run/systemd/nspawn/propagate") / name, ignore_errors=True)


@pytest.fixture
def guest(tmp_path: Path) -> Iterator[tuple[Guest, Steps]]:
    reason = missing_requirement()
    if reason is not None:
        pytest.skip(reason)
    steps = Steps()
    # A tmpfs of its own, not pytest's tmp_path (pytest keeps the last three
    # runs' folders): about 1 GB of memory while the test runs, gone at once
    # when unmounted, where deleting the same files from this machine's disk
    # took up to a minute. dpkg's fsyncs cost nothing there either.
    root = Path(tempfile.mkdtemp(prefix="hearth-systemd-root-", dir="/var/tmp"))
    name = f"hearth-test-{os.getpid()}"
    machine = Guest(root=root, name=name, logs=tmp_path)
    try:
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=6g,mode=755", "hearth-test-root", str(root)],
            check=True,
            timeout=30,
        )
        with steps.step("mmdebstrap a Debian 12 root"):
            make_root(root, name, tmp_path)
        with steps.step("boot it with systemd-nspawn"):
            state = machine.boot()
            print(f"systemd in the container: {state}")
        yield machine, steps
    finally:
        with steps.step("power off"):
            status = machine.halt()
            print(f"systemd-nspawn exited with {status}")
        with steps.step("unmount the root"):
            remove_root(root, name)
        print("timings:", steps.summary(), sep="\n")


def plug_in_serial_devices(machine: Guest, ports: list[dict[str, str]]) -> None:
    """A socat pty pair per port, the bridge's end at the port's path, root:dialout 0660
    like a USB serial adapter's node. Each runs as a unit of the container's own."""
    script = ["mkdir -p /dev/serial/by-id /run/hearth-test"]
    for port in ports:
        bridge_end = port["path"]
        device_end = f"/run/hearth-test/{port['id']}"
        script.append(
            f"mkdir -p {shlex.quote(str(Path(bridge_end).parent))} && "
            f"systemd-run --quiet --collect --unit=hearth-test-pty-{port['id']} socat "
            + shlex.quote(
                f"pty,raw,echo=0,link={bridge_end},user-late=root,group-late=dialout,perm-late=660"
            )
            + " "
            + shlex.quote(f"pty,raw,echo=0,link={device_end}")
        )
    links = " ".join(shlex.quote(port["path"]) for port in ports)
    script.append(
        f'for i in $(seq 100); do ok=yes; for p in {links}; do [ -e "$p" ] || ok=no; done; '
        '[ "$ok" = yes ] && exit 0; sleep 0.05; done; echo "no pty links after 5 s" >&2; exit 1'
    )
    machine.run("\n".join(script))


def wait_until_healthy(
    machine: Guest, ports: list[str], seconds: float = 60
) -> tuple[int, list[str]]:
    deadline = time.monotonic() + seconds
    status, lines = machine.doctor()
    while not healthy(lines, ports) and time.monotonic() < deadline:
        time.sleep(1)
        status, lines = machine.doctor()
    report = "\n".join(lines)
    assert healthy(lines, ports), f"hearth doctor:\n{report}\n{machine.journal(*SERVICES)}"
    print(f"$ hearth doctor  (exit {status})\n{report}")
    # Warnings are expected on a new install; a problem is not.
    assert status <= 1, report
    assert not [line for line in lines if line.startswith("PROBLEM")], report
    return status, lines


def invocations(machine: Guest) -> dict[str, str]:
    """Each service's invocation id and main PID: both change when it is (re)started."""
    return {
        unit: " ".join(machine.show(unit, "InvocationID", "MainPID").values()) for unit in SERVICES
    }


def test_install_where_systemd_is_pid1(guest: tuple[Guest, Steps]) -> None:
    machine, steps = guest
    example = yaml.safe_load((REPO / "config" / "example-home.yaml").read_text())
    ports = [{"id": port["id"], "path": port["path"]} for port in example["bridge"]["ports"]]
    port_ids = [port["id"] for port in ports]

    with steps.step("serial devices where the example config names them"):
        plug_in_serial_devices(machine, ports)

    with steps.step("install.sh, first run (apt, pip, units)"):
        first = machine.install()
    used = shutil.disk_usage(machine.root).used
    print(f"the container's root now takes {used / 2**30:.2f} GiB (of memory: a tmpfs)")
    assert not any("systemd is not running here" in line for line in first), first
    for unit in HEARTH_UNITS:
        assert any(line.endswith(f"enabled {unit}") for line in first), first
        assert any(line.endswith(f"started {unit}") for line in first), first
    installed = yaml.safe_load(machine.path("/etc/hearth/home.yaml").read_text())
    assert [{"id": p["id"], "path": p["path"]} for p in installed["bridge"]["ports"]] == ports

    with steps.step("install.sh, second run"):
        before = tree_state(WATCHED, root=machine.root, contents_skipped=[STATE])
        running = invocations(machine)
        second = machine.install()
        after = tree_state(WATCHED, root=machine.root, contents_skipped=[STATE])
    assert second[-1].endswith("nothing changed: Hearth is installed and up to date"), second
    assert all(line.startswith("hearth-install: ") for line in second), second
    assert differences(before, after) == []
    assert invocations(machine) == running, "the second run restarted a service"

    with steps.step("enabled, active, READY=1 and the watchdog"):
        for unit in SERVICES:
            enabled = machine.run(f"systemctl is-enabled {unit}", check=False).stdout.strip()
            active = machine.run(f"systemctl is-active {unit}", check=False).stdout.strip()
            print(f"{unit}: {enabled}, {active}")
            assert (enabled, active) == ("enabled", "active"), machine.journal(unit)
        for unit in HEARTH_UNITS:
            status = machine.run(f"systemctl status --no-pager --lines=0 {unit}").stdout
            print(status.rstrip())
            assert "Active: active (running)" in status
            shown = machine.show(
                unit,
                "Type",
                "NotifyAccess",
                "WatchdogUSec",
                "NRestarts",
                "StatusText",
                "ExecMainStartTimestampMonotonic",
                "ActiveEnterTimestampMonotonic",
            )
            assert shown["Type"] == "notify", shown
            assert shown["WatchdogUSec"] == "30s", shown
            assert shown["NRestarts"] == "0", shown
            # STATUS= from the main process: its notify messages reach systemd.
            assert shown["StatusText"], shown
            # Type=notify is active only from READY=1, which came after the process began.
            assert int(shown["ActiveEnterTimestampMonotonic"]) > int(
                shown["ExecMainStartTimestampMonotonic"]
            ), shown
            # A WATCHDOG=1 ping after READY=1 (every 15 s with WatchdogSec=30).
            ready = int(shown["ActiveEnterTimestampMonotonic"])
            deadline = time.monotonic() + 25
            pinged = 0
            while time.monotonic() < deadline:
                shown = machine.show(unit, "WatchdogTimestampMonotonic")
                pinged = int(shown["WatchdogTimestampMonotonic"])
                if pinged > ready + 1_000_000:
                    break
                time.sleep(1)
            print(f"{unit}: watchdog pinged {(pinged - ready) / 1e6:.1f} s after READY=1")
            assert pinged > ready + 1_000_000, f"{unit}: no WATCHDOG=1 after READY=1 in 25 s"

    with steps.step("hearth doctor"):
        wait_until_healthy(machine, port_ids)

    with steps.step("a run that fails half way, then the run after it"):
        config = machine.path("/etc/hearth/home.yaml")
        good = config.read_text()
        config.write_text(good + "no_such_setting: 1\n")  # the same file: owner and mode kept
        failed = machine.install("--tls", succeed=False)
        assert any("check:" in line and "FAILED" in line for line in failed), failed
        config.write_text(good)
        fixed = machine.install()
        assert any(line.endswith("restarted Mosquitto") for line in fixed), fixed
        for unit in HEARTH_UNITS:
            assert any(f"restarted {unit}" in line for line in fixed), fixed
        assert machine.install()[-1].endswith("nothing changed: Hearth is installed and up to date")
        # A device on the home network: TLS listener, devices' account, on into the database.
        machine.run(
            "mosquitto_pub -h localhost -p 8883 --cafile /etc/hearth/tls/ca.crt -u devices "
            '-P "$(cat /etc/hearth/devices.pass)" -q 1 '
            "-t 'zigbee2mqtt/Bedroom motion' -m '{\"occupancy\": true}'"
        )
        deadline = time.monotonic() + 30
        while not stored(machine.path(DATABASE), "bedroom_motion") and time.monotonic() < deadline:
            time.sleep(0.5)
        assert stored(machine.path(DATABASE), "bedroom_motion"), (
            "the TLS publication never reached the database\n" + (machine.journal("hearth.service"))
        )

    with steps.step("reboot: the services start on their own"):
        assert machine.halt() == 0, machine.log_tail("nspawn")
        state = machine.boot()
        print(f"systemd in the container: {state}")
        for unit in SERVICES:
            active = machine.run(f"systemctl is-active {unit}", check=False).stdout.strip()
            print(f"{unit}: {active} after the reboot")
            assert active == "active", machine.journal(unit)
        plug_in_serial_devices(machine, ports)
        wait_until_healthy(machine, port_ids)

    with steps.step("install.sh --uninstall"):
        kept = machine.install("--uninstall")
        for unit in HEARTH_UNITS:
            assert any(line.endswith(f"stopped and disabled {unit}") for line in kept), kept
            active = machine.run(f"systemctl is-active {unit}", check=False).stdout.strip()
            asked = machine.run(f"systemctl is-enabled {unit}", check=False)
            print(f"{unit}: {active}; is-enabled: {(asked.stdout + asked.stderr).strip()}")
            assert active == "inactive"
            assert asked.returncode != 0
            wanted_by = machine.path(f"/etc/systemd/system/multi-user.target.wants/{unit}")
            assert not wanted_by.is_symlink()
        # Stopped by SIGTERM and done within TimeoutStopSec=, not killed.
        for unit in HEARTH_UNITS:
            log = machine.run(f"journalctl --no-pager -o cat -u {unit}").stdout
            assert f"{unit}: Deactivated successfully." in log, log[-3000:]
            assert "timed out" not in log, log[-3000:]
            assert "Killing" not in log, log[-3000:]
        leftover = machine.run("pgrep -a -f /opt/hearth/venv/bin/", check=False).stdout
        assert leftover == "", f"still running after --uninstall: {leftover}"
        assert any("kept /var/lib/hearth /etc/hearth" in line for line in kept), kept
        assert machine.path("/etc/hearth/home.yaml").exists()
        assert stored(machine.path(DATABASE), "bedroom_motion"), (
            "the database did not survive --uninstall"
        )
        mosquitto = machine.run("systemctl is-active mosquitto", check=False).stdout.strip()
        assert mosquitto == "active", machine.journal("mosquitto.service")
