"""A private Mosquitto for tests, benchmarks and the demo.

It listens on a free loopback port with a password file and an ACL, like the
broker the installer sets up, so nothing here relies on anonymous access. The
broker's queue limits are raised because the benchmarks park hundreds of
thousands of QoS 1 messages for an offline session; the default of 1000 would
make Mosquitto drop them (see docs/architecture.md, "Overload").
"""

from __future__ import annotations

import getpass
import random
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Self


class BrokerStartError(RuntimeError):
    """Mosquitto could not be started (not installed, or it exited at once)."""


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    # ACL lines for this user, e.g. "topic read zigbee2mqtt/#".
    acl: tuple[str, ...]


HUB = Account(
    "hearth",
    "hub-secret",
    # Home Assistant discovery: the hub announces itself under homeassistant/device/.
    ("topic read #", "topic readwrite hearth/#", "topic write homeassistant/device/#"),
)
DEVICES = Account(
    "devices",
    "devices-secret",
    (
        "topic write zigbee2mqtt/#",
        "topic write tele/#",
        "topic write stat/#",
        "topic write rtl_433/#",
        "topic write #",
    ),
)
# The firmware bridge: its own topics only, as docs/architecture.md recommends.
BRIDGE = Account("bridge", "bridge-secret", ("topic readwrite hearth/+/bridge/#",))
# A user the ACL lets publish nowhere the hub listens: for "denied publish" tests.
OUTSIDER = Account("outsider", "outsider-secret", ("topic write outsider/#",))


_PORT_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
_PORTS_BELOW = 8000  # how many ports under the ephemeral range to choose among


def free_port() -> int:
    """A free TCP port on 127.0.0.1, below the kernel's ephemeral (source) port range.

    Below it, because a broker is often started, or restarted, on a port chosen
    earlier, while clients keep trying to connect to it. A client's connection to
    a port of the ephemeral range can be given that very port as its own source
    port and connect to itself (TCP simultaneous open), or any process's bind to
    port 0 can take it; either way the broker then fails with "Address already in
    use" (seen once in CI, tests/systemd/test_service_notify.py). No source port
    and no port 0 ever comes from below the range.
    """
    try:
        low = int(_PORT_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768  # Linux's default lower bound
    first = max(1024, low - _PORTS_BELOW)
    candidates = list(range(first, low))
    random.shuffle(candidates)
    for port in candidates:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue  # in use: try another
            return port
    raise BrokerStartError(f"no free TCP port on 127.0.0.1 from {first} to {low - 1}")


@dataclass
class LocalBroker:
    """Run `mosquitto` in `workdir` until `stop()` (or the end of a `with` block)."""

    workdir: Path
    port: int = 0
    accounts: tuple[Account, ...] = (HUB, DEVICES, OUTSIDER, BRIDGE)
    max_queued_messages: int = 0  # 0 = no limit: the benchmarks park 200,000+ messages
    # Keep sessions and queued messages across a restart (saved when it stops),
    # as an installed Mosquitto does: for tests that restart the broker.
    persistence: bool = False
    _process: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)

    @property
    def host(self) -> str:
        return "127.0.0.1"

    def start(self) -> Self:
        binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        passwd_tool = shutil.which("mosquitto_passwd") or "/usr/bin/mosquitto_passwd"
        if not Path(binary).exists() or not Path(passwd_tool).exists():
            raise BrokerStartError(
                "mosquitto is not installed: run the README's setup command "
                "(it installs the mosquitto package)"
            )
        self.workdir.mkdir(parents=True, exist_ok=True)
        if not self.port:
            self.port = free_port()
        passwd = self.workdir / "passwd"
        passwd.write_text("")
        passwd.chmod(0o600)
        for account in self.accounts:
            subprocess.run(
                [passwd_tool, "-b", str(passwd), account.username, account.password],
                check=True,
                capture_output=True,
            )
        acl = self.workdir / "acl"
        acl.write_text(
            "".join(
                f"user {a.username}\n" + "".join(f"{line}\n" for line in a.acl) + "\n"
                for a in self.accounts
            )
        )
        conf = self.workdir / "mosquitto.conf"
        conf.write_text(
            # Run as whoever started us: as root, Mosquitto would otherwise switch
            # to the 'mosquitto' user, which cannot read our 0600 password file.
            f"user {getpass.getuser()}\n"
            f"listener {self.port} 127.0.0.1\n"
            "allow_anonymous false\n"
            f"password_file {passwd}\n"
            f"acl_file {acl}\n"
            + (
                f"persistence true\npersistence_location {self.workdir}/\n"
                if self.persistence
                else "persistence false\n"
            )
            + f"max_queued_messages {self.max_queued_messages}\n"
            "log_dest stderr\n"
            "log_type error\n"
            "log_type warning\n"
        )
        log = (self.workdir / "mosquitto.log").open("ab")
        self._process = subprocess.Popen([binary, "-c", str(conf)], stdout=log, stderr=log)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise BrokerStartError(
                    f"mosquitto exited with {self._process.returncode}; "
                    f"see {self.workdir / 'mosquitto.log'}"
                )
            try:
                with socket.create_connection((self.host, self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise BrokerStartError(f"mosquitto did not listen on port {self.port} within 10 s")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def restart(self) -> None:
        """Stop and start again on the same port (sessions are kept only with `persistence`)."""
        self.stop()
        self.start()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
