"""The database on a file system that is really full: nothing acknowledged that was not stored.

A small tmpfs, mounted by the test (root can here and in CI), holds the hub's
database; a ballast file takes every byte left. A device keeps publishing
numbered QoS 1 readings; SQLite refuses the writes ("database or disk is
full"), and the hub must go on running, hold the messages unacknowledged and
have its disk_space maintenance alert stored (raised at start: a 24 MiB card
is "nearly full" from the first minute). Every other round the hub is also
SIGKILLed while the disk is full and started again on the full disk (a power
cut on a full SD card). Then the ballast is deleted, and every reading must
arrive exactly once. Last, the hub is stopped cleanly, the card fills while
it is down, and it is started on the full card: it must wait for space (one
line) rather than exit, since systemd's start limit would give up on a hub
that exits every time. The counts are printed (run with -s).
"""

from __future__ import annotations

import asyncio
import errno
import os
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from hub.daemon import wait_for_storage
from hub.local_broker import LocalBroker
from hub.store.database import StoreError
from tests.alerts.test_kill_alerts import KilledHub, query
from tests.faults.test_fault_suite import wait_until
from tests.ingest.helpers import Publisher, hub_config_data
from tests.ingest.test_shutdown_no_loss import status_is

TMPFS_SIZE = "24m"
ROUNDS = 4
CHUNK = 200  # readings published at a time while waiting for the disk to refuse one
MAX_CHUNKS = 40


class Tmpfs:
    """A tmpfs of its own at `where`; it must mount (a skipped test would prove nothing)."""

    def __init__(self, where: Path, size: str) -> None:
        where.mkdir()
        self.where = where
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(where)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            pytest.fail(
                f"cannot mount a {size} tmpfs at {where} ({done.stderr.strip()}): the full-disk "
                "test needs root or CAP_SYS_ADMIN, as in CI",
                pytrace=False,
            )

    def fill(self) -> Path:
        """A ballast file taking every byte left; returns its path."""
        ballast = self.where / f"ballast-{time.monotonic_ns()}"
        block = b"\0" * 65536
        with ballast.open("wb", buffering=0) as out:
            try:
                while True:
                    out.write(block)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
        # Smaller writes too: the last few pages would still take a commit or two.
        with ballast.open("ab", buffering=0) as out:
            try:
                while True:
                    out.write(b"\0" * 512)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
        return ballast

    def unmount(self) -> None:
        subprocess.run(["umount", "-l", str(self.where)], check=False)


def failed_writes(log: Path) -> int:
    return log.read_text(errors="replace").count("could not write")


def waits_for_space(log: Path) -> int:
    return log.read_text(errors="replace").count("waiting for space before starting")


def readies(log: Path) -> int:
    return log.read_text(errors="replace").count("hub ready")


def stored(db: Path) -> list[int]:
    rows = query(db, "SELECT value FROM events WHERE sensor = 'sequence'")
    return [int(float(str(v))) for (v,) in rows]


def test_a_full_file_system_holds_messages_unacknowledged_until_space_returns(
    fresh_broker: LocalBroker, tmp_path: Path
) -> None:
    disk = Tmpfs(tmp_path / "card", TMPFS_SIZE)
    try:
        run_rounds(fresh_broker, tmp_path, disk)
    finally:
        disk.unmount()


def run_rounds(broker: LocalBroker, tmp_path: Path, disk: Tmpfs) -> None:
    data = hub_config_data(broker, tmp_path)
    db = disk.where / "hub.db"
    data["storage"]["path"] = str(db)
    config_file = tmp_path / "home.yaml"
    config_file.write_text(yaml.safe_dump(data))
    log = tmp_path / "hub.log"
    hub = KilledHub(config_file, log)
    wait_until(lambda: status_is(broker, data, "online"), "hub online", log, 30)
    wait_until(
        lambda: ("disk_space", "open") in query(db, "SELECT rule, state FROM alerts"),
        "the disk_space maintenance alert stored",
        log,
        30,
    )
    devices = Publisher(broker, client_id="full-disk-devices")
    sent = refused = kills = 0
    try:
        for round_number in range(1, ROUNDS + 1):
            before_round = len(stored(db))
            ballast = disk.fill()
            failures = failed_writes(log)
            # Publish until the hub says the disk refused a batch, then one chunk more.
            chunks = 0
            while failed_writes(log) == failures and chunks < MAX_CHUNKS:
                devices.send_many([("test/sequence", str(sent + i)) for i in range(CHUNK)])
                sent += CHUNK
                chunks += 1
                time.sleep(0.3)
            assert failed_writes(log) > failures, (
                f"round {round_number}: {chunks * CHUNK} readings on a full disk and no "
                f"refused write; log:\n{log.read_text()[-2000:]}"
            )
            devices.send_many([("test/sequence", str(sent + i)) for i in range(CHUNK)])
            sent += CHUNK
            time.sleep(1)
            refused += sent - len(stored(db))
            assert len(stored(db)) >= before_round
            if round_number % 2 == 0:
                # A power cut on the full card, and a start on the full card.
                starts = (waits_for_space(log), readies(log))
                hub.kill_and_restart()
                kills += 1
                # SQLite may open the database on the full card (the WAL and its index
                # survived the kill) or not (the hub then waits for space): either way
                # the new process must be up before space returns.
                wait_until(
                    lambda starts=starts: (waits_for_space(log), readies(log)) != starts,
                    "the restarted hub waiting for space, or ready",
                    log,
                    60,
                )
            assert hub._process.poll() is None, f"hub exited:\n{log.read_text()[-3000:]}"
            ballast.unlink()  # someone frees space
            wait_until(
                lambda total=sent: len(set(stored(db))) >= total,
                f"round {round_number}: every reading stored once space returned",
                log,
                90,
            )
        # A clean stop, the card filling up while the hub is down (a log gone wild),
        # and a start on the full card: SQLite cannot even read the database then.
        assert hub.terminate() == 0, log.read_text()[-3000:]
        ballast = disk.fill()
        devices.send_many([("test/sequence", str(sent + i)) for i in range(CHUNK)])
        sent += CHUNK
        waited = waits_for_space(log)
        hub._process = hub._start()
        wait_until(
            lambda: waits_for_space(log) > waited, "the hub waiting for space at start", log, 60
        )
        assert hub._process.poll() is None, f"hub exited:\n{log.read_text()[-3000:]}"
        ballast.unlink()
        wait_until(lambda: len(set(stored(db))) >= sent, "readings stored after the start", log)
        assert hub.terminate() == 0, log.read_text()[-3000:]
    finally:
        devices.close()
        if hub._process.poll() is None:
            hub._process.kill()
            hub._process.wait(10)

    values = stored(db)
    assert sorted(values) == list(range(sent)), "lost or stored twice"
    assert ("disk_space", "open") in query(db, "SELECT rule, state FROM alerts")
    waited = waits_for_space(log) - 1  # the start after the clean stop waited, above
    assert waited <= kills  # one line per start on the full card, at most
    print(
        f"\nfull disk: {ROUNDS} times a {TMPFS_SIZE} tmpfs filled to the last byte, "
        f"{failed_writes(log)} writes refused by SQLite, {kills} SIGKILLs on the full disk "
        f"({waited} restarts waited for space, {kills - waited} opened the database on it), "
        "1 start on it after a clean stop waited for space; "
        f"{refused} readings waited unacknowledged for space; {len(values)} of {sent} stored, "
        "0 twice; the disk_space alert stored"
    )
    os.sync()


async def test_a_start_on_a_full_disk_waits_for_space_and_any_other_store_error_exits(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A database that cannot be opened (a file where its folder should be) ...
    blocker = tmp_path / "state"
    blocker.write_text("not a folder")
    db = blocker / "hub.db"
    free = {"bytes": 10 * 2**30}

    def usage(_: Path) -> tuple[int, int]:
        return 32 * 2**30, free["bytes"]

    # ... on a disk with room is an error of its own: one line and exit, as before.
    with pytest.raises(StoreError, match="is a file, not a folder"):
        await wait_for_storage(db, usage, every_s=0.01)
    # On a full disk the hub waits, saying so once, and starts when it can open it.
    free["bytes"] = 4096
    waiting = asyncio.create_task(wait_for_storage(db, usage, every_s=0.01))
    await asyncio.sleep(0.1)
    assert not waiting.done()
    blocker.unlink()  # space was freed (here: the database can be made)
    await asyncio.wait_for(waiting, 5)
    assert db.exists()
    lines = [r.getMessage() for r in caplog.records if "waiting for space" in r.getMessage()]
    assert len(lines) == 1
