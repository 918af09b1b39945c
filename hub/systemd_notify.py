"""A tiny sd_notify client: tell systemd we are ready, alive, stopping, and how we are.

systemd's notify protocol is one datagram per message to the AF_UNIX socket
named in $NOTIFY_SOCKET (a name starting with '@' is in the abstract
namespace). Writing it ourselves avoids a dependency (python-systemd needs
libsystemd and a compiler on the Pi) for about twenty lines.

Outside systemd ($NOTIFY_SOCKET unset) every call is a no-op returning False,
so `hearth run` behaves the same from a terminal.

Used by the hub (`hub/daemon.py`) and the bridge (`firmware_bridge/cli.py`);
the units in `systemd/` set `Type=notify` and `WatchdogSec=`.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger(__name__)


def notify(state: str, environ: Mapping[str, str] | None = None) -> bool:
    """Send `state` (e.g. "READY=1", or several "KEY=value" lines) to systemd.

    Returns True when the datagram was sent, False when not running under a
    notify-aware service manager or when sending failed. It never raises:
    a failed notification must not take the service down; systemd itself
    reacts to what is missing (start timeout, watchdog).
    """
    env = os.environ if environ is None else environ
    address = env.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):
        # Abstract namespace: the name starts with a NUL byte instead of '@'.
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.sendto(state.encode("utf-8"), address)
    except OSError as exc:
        # Debug only: the watchdog pings twice a second would flood the journal
        # if the socket went away; systemd notices the silence anyway.
        log.debug("sd_notify %r to %s failed: %s", state.split("\n", 1)[0], address, exc)
        return False
    return True


def ready(status: str | None = None) -> bool:
    """Startup is finished (for Type=notify, systemd starts dependants now)."""
    return notify("READY=1" if status is None else f"READY=1\nSTATUS={_one_line(status)}")


def stopping(status: str | None = None) -> bool:
    """A clean stop has begun (systemd then allows TimeoutStopSec for it)."""
    return notify("STOPPING=1" if status is None else f"STOPPING=1\nSTATUS={_one_line(status)}")


def watchdog() -> bool:
    """We are alive: resets systemd's WatchdogSec timer."""
    return notify("WATCHDOG=1")


def status(text: str) -> bool:
    """A free-form line shown by `systemctl status`."""
    return notify(f"STATUS={_one_line(text)}")


def watchdog_interval(environ: Mapping[str, str] | None = None) -> float | None:
    """The watchdog period in seconds that systemd expects pings within, or None.

    None when the unit has no WatchdogSec=, when the value is not a positive
    integer, or when $WATCHDOG_PID names another process (the variables were
    inherited from a parent that is the one being watched).
    """
    env = os.environ if environ is None else environ
    usec = env.get("WATCHDOG_USEC")
    if not usec:
        return None
    pid = env.get("WATCHDOG_PID")
    if pid and pid != str(os.getpid()):
        return None
    try:
        value = int(usec)
    except ValueError:
        log.warning("ignoring WATCHDOG_USEC=%r: not a whole number of microseconds", usec)
        return None
    if value <= 0:
        return None
    return value / 1_000_000


def _one_line(text: str) -> str:
    # A newline would start a new KEY=value assignment in the datagram.
    return " ".join(text.splitlines())
