"""hub.systemd_notify against a real AF_UNIX datagram socket, as systemd would listen."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub import systemd_notify
from tests.systemd.notify_listener import NotifyListener


@pytest.fixture
def short_dir() -> Iterator[Path]:
    # AF_UNIX paths are limited to 107 bytes; pytest's tmp_path can be longer.
    with tempfile.TemporaryDirectory(prefix="hn-") as name:
        yield Path(name)


@pytest.fixture
def listener(short_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[NotifyListener]:
    with NotifyListener(short_dir / "notify") as listening:
        monkeypatch.setenv("NOTIFY_SOCKET", listening.address)
        yield listening


def test_no_socket_is_a_quiet_no_op(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert systemd_notify.notify("READY=1") is False
    assert systemd_notify.ready() is False
    assert systemd_notify.notify("READY=1", environ={"NOTIFY_SOCKET": ""}) is False


def test_each_helper_sends_its_assignment(listener: NotifyListener) -> None:
    assert systemd_notify.ready("connected to 127.0.0.1:1883, 4 sensors")
    assert systemd_notify.watchdog()
    assert systemd_notify.status("reconnecting to 127.0.0.1:1883")
    assert systemd_notify.stopping()
    assert listener.wait_for("STOPPING=1")
    texts = [text for _, text in listener.received()]
    assert texts == [
        "READY=1\nSTATUS=connected to 127.0.0.1:1883, 4 sensors",
        "WATCHDOG=1",
        "STATUS=reconnecting to 127.0.0.1:1883",
        "STOPPING=1",
    ]


def test_a_newline_in_a_status_cannot_inject_an_assignment(listener: NotifyListener) -> None:
    assert systemd_notify.status("bad\nREADY=1")
    assert listener.wait_for("STATUS=bad READY=1")
    assert listener.times_of("READY=1") == []


def test_abstract_namespace_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    name = f"hearth-test-{uuid.uuid4().hex}"
    with NotifyListener(abstract_name=name) as listening:
        monkeypatch.setenv("NOTIFY_SOCKET", listening.address)
        assert listening.address.startswith("@")
        assert systemd_notify.watchdog()
        assert listening.wait_for("WATCHDOG=1")


def test_a_socket_that_is_gone_reports_false_without_raising(short_dir: Path) -> None:
    assert systemd_notify.notify("READY=1", {"NOTIFY_SOCKET": str(short_dir / "absent")}) is False


def test_watchdog_interval_from_the_environment() -> None:
    me = str(os.getpid())
    interval = systemd_notify.watchdog_interval
    assert interval({}) is None
    assert interval({"WATCHDOG_USEC": "30000000"}) == 30.0
    assert interval({"WATCHDOG_USEC": "500000", "WATCHDOG_PID": me}) == 0.5
    # Inherited from a watched parent: not ours to feed.
    assert interval({"WATCHDOG_USEC": "500000", "WATCHDOG_PID": str(os.getpid() + 1)}) is None
    assert interval({"WATCHDOG_USEC": "0"}) is None
    assert interval({"WATCHDOG_USEC": "soon"}) is None
