"""BatchWriter: batches, acknowledgement only after commit, and a full disk that recovers."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub.events import Event, Kind, Source
from hub.ingest.ledger import Ledger
from hub.store import batch_writer
from hub.store.batch_writer import BatchWriter
from hub.store.database import StoreError, open_database
from hub.store.event_table import count_events, read_events

START = datetime(2024, 3, 31, 0, 30, tzinfo=UTC)


def events(n: int, offset: int = 0) -> list[Event]:
    return [
        Event(
            START + timedelta(seconds=offset + i),
            f"sensor_{i % 7}",
            Kind.TEMPERATURE,
            float(offset + i),
            Source.GENERIC,
        )
        for i in range(n)
    ]


def test_sync_batches_round_trip_exactly(tmp_path: Path) -> None:
    db = open_database(tmp_path / "h.db")
    acked: list[list[int]] = []
    writer = BatchWriter(
        db.conn, Ledger(), batch_max=100, commit_interval_s=1, on_committed=acked.append
    )
    sent = events(250)
    for index, event in enumerate(sent):
        writer.add([event], token=index)
    assert writer.commits == 2  # two full batches written as they filled
    assert count_events(db.conn) == 200
    writer.commit_now()
    assert list(read_events(db.conn)) == sent
    assert [len(batch) for batch in acked] == [100, 100, 50]
    assert sorted(t for batch in acked for t in batch) == list(range(250))


def fill_disk(conn: sqlite3.Connection) -> None:
    """Make SQLite report 'database or disk is full' on the next growth (a real error path)."""
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")


def free_disk(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA max_page_count = 1073741823")


def test_full_disk_keeps_the_batch_unacknowledged_and_retries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch_writer, "RETRY_DELAY_S", 0.05)
    db = open_database(tmp_path / "h.db")
    acked: list[int] = []

    async def scenario() -> BatchWriter:
        writer = BatchWriter(
            db.conn, Ledger(), batch_max=10_000, commit_interval_s=0.02, on_committed=acked.extend
        )
        writer.start()
        timer = asyncio.create_task(writer.run_timer())
        fill_disk(db.conn)
        writer.add(events(3000), token=1)
        await asyncio.sleep(0.3)
        assert writer.failed_commits >= 1
        assert acked == []  # nothing acknowledged while nothing is stored
        free_disk(db.conn)
        await asyncio.sleep(0.3)
        writer.add(events(5, offset=3000), token=2)
        await writer.drain()
        timer.cancel()
        writer.close()
        return writer

    writer = asyncio.run(scenario())
    assert acked == [1, 2]
    assert [e.value for e in read_events(db.conn)] == [float(i) for i in range(3005)]
    assert writer.committed_events == 3005


def test_on_a_full_disk_messages_wait_for_the_retry_instead_of_each_starting_a_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found in the fault suite: 1,746 "could not write" lines, one per message."""
    monkeypatch.setattr(batch_writer, "RETRY_DELAY_S", 0.2)
    db = open_database(tmp_path / "h.db")
    acked: list[int] = []

    async def scenario() -> tuple[int, bool, int]:
        writer = BatchWriter(
            db.conn, Ledger(), batch_max=20, commit_interval_s=0.01, on_committed=acked.extend,
            max_pending=200,
        )  # fmt: skip
        writer.start()
        timer = asyncio.create_task(writer.run_timer())
        fill_disk(db.conn)
        for token in range(100):  # a message every 5 ms for half a second
            writer.add(events(5, offset=5 * token), token=token)
            await asyncio.sleep(0.005)
        failed, full = writer.failed_commits, writer.full
        free_disk(db.conn)
        await writer.drain()
        timer.cancel()
        writer.close()
        return failed, full, writer.committed_events

    failed, full, stored = asyncio.run(scenario())
    assert failed <= 4  # one attempt per RETRY_DELAY_S, not one per message
    assert full  # and the reader is told to stop while the batch waits
    assert stored == 500
    assert sorted(acked) == list(range(100))


def test_shutdown_on_a_disk_that_stays_full_raises_and_acknowledges_nothing(
    tmp_path: Path,
) -> None:
    db = open_database(tmp_path / "h.db")
    acked: list[int] = []

    async def scenario() -> None:
        writer = BatchWriter(
            db.conn, Ledger(), batch_max=10_000, commit_interval_s=60, on_committed=acked.extend
        )
        writer.start()
        fill_disk(db.conn)
        writer.add(events(3000), token=7)
        try:
            await writer.drain()
        finally:
            writer.close()

    with pytest.raises(StoreError, match="could not write 3000 events at shutdown"):
        asyncio.run(scenario())
    assert acked == []
    assert count_events(db.conn) == 0


def test_full_means_a_batch_is_committing_and_another_is_waiting(tmp_path: Path) -> None:
    db = open_database(tmp_path / "h.db")

    async def scenario() -> tuple[bool, bool]:
        writer = BatchWriter(db.conn, Ledger(), batch_max=50, commit_interval_s=60, max_pending=50)
        writer.start()
        writer.add(events(50), token=1)  # starts a commit on the worker thread
        full_before = writer.full
        writer.add(events(50, offset=50), token=2)  # waits behind it
        full_after = writer.full
        await writer.drain()
        writer.close()
        return full_before, full_after

    full_before, full_after = asyncio.run(scenario())
    assert (full_before, full_after) == (False, True)
    assert count_events(db.conn) == 100


def test_sync_write_on_a_full_disk_is_a_store_error_and_keeps_the_events(
    tmp_path: Path,
) -> None:
    db = open_database(tmp_path / "h.db")
    writer = BatchWriter(db.conn, Ledger(), batch_max=100_000, commit_interval_s=1)
    writer.add(events(3000))
    fill_disk(db.conn)
    with pytest.raises(StoreError, match="could not write 3000 events: database or disk is full"):
        writer.commit_now()
    free_disk(db.conn)
    writer.commit_now()
    assert count_events(db.conn) == 3000


def test_an_exclusive_job_and_batches_never_share_the_connection(tmp_path: Path) -> None:
    """Retention runs on the writer thread; a batch filling meanwhile waits for it."""
    import threading

    db = open_database(tmp_path / "h.db")
    job_started, release = threading.Event(), threading.Event()

    def slow_job(conn: sqlite3.Connection) -> int:
        job_started.set()
        release.wait(5)
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])

    async def scenario() -> tuple[int, bool]:
        writer = BatchWriter(db.conn, Ledger(), batch_max=10, commit_interval_s=60)
        writer.start()
        job = asyncio.create_task(writer.run_exclusive(slow_job))
        while not job_started.is_set():
            await asyncio.sleep(0.001)
        writer.add(events(10), token=1)  # a full batch arrives while the job runs
        waited = writer.committed_events == 0 and not db.conn.in_transaction
        release.set()
        counted = await job
        await writer.drain()
        writer.close()
        return counted, waited

    counted, waited = asyncio.run(scenario())
    assert waited  # the batch did not start its transaction during the job
    assert counted == 0
    assert count_events(db.conn) == 10
