"""Batched, durable event writes, and acknowledgement only after they are on disk.

Events wait in memory until `batch_max` have gathered or `commit_interval_s`
has passed, then one transaction (one fsync) writes them together with the
ingest ledger. Live, the commit runs on a single worker thread so the event
loop keeps reading; the tokens (MQTT message ids) of a batch are handed to
`on_committed` only after its COMMIT returned, so the broker redelivers
anything we had not stored when we died.

The buffer is bounded: while one batch is being committed, at most
`max_pending` more events (default five batches) may gather; then `full` is
true and the MQTT side stops reading (the broker keeps the messages, nothing
is dropped). When a slow fsync lets several batches' worth gather, the next
commit takes them all at once (group commit), so a slow SD card costs fewer,
larger transactions rather than a stalled ingest.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from array import array
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from hub.events import Event
from hub.ingest.ledger import Ledger, LedgerSnapshot
from hub.store import redelivery
from hub.store.database import StoreError
from hub.store.event_table import insert_events

log = logging.getLogger(__name__)

RETRY_DELAY_S = 5.0
FORGET_AFTER_S = 5.0  # an acknowledgement this old, on a live connection, has arrived

T = TypeVar("T")


@dataclass
class _Batch:
    """One transaction's worth: events, the messages' tokens, packet ids and digests,
    rows to delete."""

    events: list[Event]
    tokens: list[int]
    mids: list[int]
    digests: list[int]
    forget: list[int]  # redelivery rows (batches) to delete
    snapshot: LedgerSnapshot
    row: int | None = None  # this batch's redelivery row, once inserted


class BatchWriter:
    def __init__(
        self,
        conn: sqlite3.Connection,
        ledger: Ledger,
        *,
        batch_max: int,
        commit_interval_s: float,
        on_committed: Callable[[list[int]], None] | None = None,
        on_space: Callable[[], None] | None = None,
        max_pending: int | None = None,
    ) -> None:
        self._conn = conn
        self._ledger = ledger
        self.batch_max = batch_max
        self.max_pending = max_pending if max_pending is not None else 5 * batch_max
        self.commit_interval_s = commit_interval_s
        self._on_committed = on_committed
        self._on_space = on_space
        self._events: list[Event] = []
        self._tokens: list[int] = []
        # Redelivery (hub/store/redelivery.py): packet ids and digests of this
        # batch's messages; every message not yet known to be acknowledged, by
        # packet id, with its digest and its batch's row once stored; how many of
        # each row's messages are still in `_seen`; rows to delete.
        self._mids: list[int] = []
        self._digests: list[int] = []
        self._seen = redelivery.Records()
        self._live: dict[int, int] = {}
        self._to_forget: list[int] = []
        # Per acknowledgement call: the packet ids and digests, and the monotonic
        # time it was sent (packed: at full speed 5 s of it is 65,000 messages).
        self._acked_at: deque[tuple[array[int], array[int], float]] = deque()
        for row, pairs in redelivery.load(conn):
            self._live[row] = 0
            for mid, digest in pairs:
                self._remembered(mid, digest, row)
        self.redeliveries = 0
        # The commit (or exclusive job) running on the worker thread, if any.
        self._inflight: asyncio.Future[Any] | None = None
        # After a failed commit, no other is started until the retry is due: on a
        # full disk, every message would otherwise start (and log) one more.
        self._backing_off = False
        self._executor: ThreadPoolExecutor | None = None
        self.committed_events = 0
        self.commits = 0
        self.failed_commits = 0

    # --- shared ---------------------------------------------------------------

    @property
    def pending(self) -> int:
        return max(len(self._events), len(self._tokens))

    @property
    def full(self) -> bool:
        """True when the caller must stop taking input until `on_space` is called."""
        busy = self._inflight is not None or self._backing_off
        return busy and self.pending >= self.max_pending

    def add(self, events: list[Event], token: int | None = None, digest: int | None = None) -> None:
        """Events of one message; `token` to acknowledge once stored, `digest` of the
        message (topic and payload) to know a redelivered copy of it."""
        self._events.extend(events)
        if token is not None:
            self._tokens.append(token)
            if digest is not None:
                mid = token & 0xFFFF
                self._mids.append(mid)
                self._digests.append(digest)
                # The id goes to this message: an older message's record is done with.
                rows = self._seen.rows
                old = rows[mid]
                if old >= 0:
                    self._release(old)
                rows[mid] = redelivery.PENDING
                self._seen.digests[mid] = digest
        if len(self._events) >= self.batch_max or len(self._tokens) >= self.batch_max:
            if self._executor is None:
                self.commit_now()
            else:
                self._start_commit()

    def redelivered(self, mid: int, digest: int, token: int) -> bool:
        """True when a DUP message is a copy of one already taken: do not take it again.

        Its acknowledgement (`token`, on the current connection) goes out with
        the batch holding the first copy, or at once if that is already stored.
        """
        seen = self._seen.get(mid)
        if seen is None or seen[0] != digest:
            return False
        self.redeliveries += 1
        if seen[1] is not None and self._on_committed is not None:
            self._on_committed([token])
        else:
            self._tokens.append(token)  # acknowledged after the first copy's commit
        return True

    def acknowledged(self, tokens: list[int]) -> None:
        """The acknowledgements of `tokens` were handed to the connection.

        Handed over is not received: a SIGKILL with unread input makes the kernel
        reset the connection and drop what it had not sent. So a row goes only
        once its acknowledgement has had `FORGET_AFTER_S` on a connection that
        stayed up (see `connection_restarted`).
        """
        mids: array[int] = array("H")
        digests: array[int] = array("Q")
        rows, known = self._seen.rows, self._seen.digests
        for token in tokens:
            mid = token & 0xFFFF
            if rows[mid] != redelivery.NONE:
                mids.append(mid)
                digests.append(known[mid])
        if mids:
            self._acked_at.append((mids, digests, time.monotonic()))

    def connection_restarted(self) -> None:
        """A new connection: acknowledgements sent lately may never have arrived."""
        self._acked_at.clear()

    def _remembered(self, mid: int, digest: int, row: int) -> None:
        """A message of redelivery row `row` is stored (and replaces an older one's id)."""
        old = self._seen.get(mid)
        self._seen.put(mid, digest, row)
        if old is not None and old[1] == row:
            return  # the id came round within one batch (a reconnect): counted once
        if old is not None and old[1] is not None:
            self._release(old[1])
        self._live[row] += 1

    def _forget_acknowledged(self, mids: array[int], digests: array[int]) -> None:
        # Under load packet ids come round within seconds: the id may already
        # belong to a newer message, whose record must stay.
        rows, known = self._seen.rows, self._seen.digests
        for mid, digest in zip(mids, digests, strict=True):
            row = rows[mid]
            if row >= 0 and known[mid] == digest:
                rows[mid] = redelivery.NONE
                self._release(row)

    def _release(self, row: int) -> None:
        self._live[row] -= 1
        if self._live[row] == 0:
            del self._live[row]
            self._to_forget.append(row)

    def _write(self, batch: _Batch) -> None:
        self._insert(batch)
        self._commit()

    def _insert(self, batch: _Batch) -> None:
        """BEGIN and the INSERTs: CPU work, done in the caller's thread."""
        conn = self._conn
        conn.execute("BEGIN")
        try:
            insert_events(conn, batch.events)
            batch.row = redelivery.remember(conn, batch.mids, batch.digests)
            redelivery.forget(conn, batch.forget)
            batch.snapshot.write(conn)
        except sqlite3.Error:
            if conn.in_transaction:  # SQLite rolls back by itself on some errors (disk full)
                conn.execute("ROLLBACK")
            raise

    def _commit(self) -> None:
        """COMMIT: mostly waiting for fsync, with the GIL released."""
        try:
            self._conn.execute("COMMIT")
        except sqlite3.Error:
            # A failed COMMIT (a full disk can refuse at commit time) leaves the
            # transaction open; roll it back so the retry starts clean.
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise

    # --- synchronous use (replay, tests) -------------------------------------

    def commit_now(self) -> None:
        """Write everything pending in this thread (replay and shutdown paths)."""
        batch = self._take()
        try:
            self._write(batch)
        except sqlite3.Error as exc:
            self._restore(batch)
            raise StoreError(f"could not write {len(batch.events)} events: {exc}") from exc
        self._done(batch)

    # --- asynchronous use (the live hub) ---------------------------------------

    def start(self) -> None:
        """Switch to background commits on a worker thread (call inside the event loop)."""
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="hearth-db")

    async def run_timer(self) -> None:
        """Commit whatever is waiting every `commit_interval_s` (run as a task)."""
        while True:
            await asyncio.sleep(self.commit_interval_s)
            if self._inflight is None and (self._events or self._tokens or self._ledger_dirty()):
                self._start_commit()

    def _ledger_dirty(self) -> bool:
        return self._ledger.dirty

    def _take(self) -> _Batch:
        """Everything waiting, as one batch; the writer starts a new one."""
        cutoff = time.monotonic() - FORGET_AFTER_S
        while self._acked_at and self._acked_at[0][2] <= cutoff:
            mids, digests, _ = self._acked_at.popleft()
            self._forget_acknowledged(mids, digests)
        batch = _Batch(
            self._events,
            self._tokens,
            self._mids,
            self._digests,
            self._to_forget,
            self._ledger.take(),
        )
        self._events, self._tokens, self._to_forget = [], [], []
        self._mids, self._digests = [], []
        return batch

    def _start_commit(self, *, now: bool = False) -> None:
        """Start writing what is waiting; `now` even while backing off after a failure."""
        if self._inflight is not None or self._executor is None:
            return
        if self._backing_off and not now:
            return
        self._backing_off = False
        batch = self._take()
        loop = asyncio.get_running_loop()
        # The INSERTs run here, in the event loop's thread; only the COMMIT (the
        # fsync) goes to the worker. Measured: running the INSERTs on the worker
        # too made both threads fight over the GIL and cost ~25 us of CPU per
        # message (bench/README.md). The connection is never used by both
        # threads at once: nothing touches it until this commit has finished.
        try:
            self._insert(batch)
        except sqlite3.Error as exc:
            future: asyncio.Future[None] = loop.create_future()
            future.set_exception(exc)
        else:
            future = loop.run_in_executor(self._executor, self._commit)
        self._inflight = future
        future.add_done_callback(lambda f: self._finished(f, batch))

    def _finished(self, future: asyncio.Future[None], batch: _Batch) -> None:
        self._inflight = None
        exc = future.exception()
        if exc is not None:
            # Disk full, I/O error: keep the batch (unacknowledged) and try again.
            log.error(
                "could not write %d events, will retry in %.0f s: %s",
                len(batch.events),
                RETRY_DELAY_S,
                exc,
            )
            self._restore(batch)
            self._backing_off = True
            asyncio.get_running_loop().call_later(RETRY_DELAY_S, self._retry)
            return
        self._done(batch)
        if self.pending >= self.batch_max:
            self._start_commit()

    def _retry(self) -> None:
        if self._backing_off:
            self._start_commit(now=True)
        if self._on_space is not None:
            self._on_space()  # still failing: `full` says whether to keep reading paused

    def _restore(self, batch: _Batch) -> None:
        """Put a batch that failed to write back in front of what arrived since."""
        self.failed_commits += 1
        self._events[:0] = batch.events
        self._tokens[:0] = batch.tokens
        self._mids[:0] = batch.mids
        self._digests[:0] = batch.digests
        self._to_forget[:0] = batch.forget
        self._ledger.give_back(batch.snapshot)

    def _done(self, batch: _Batch) -> None:
        self.commits += 1
        self.committed_events += len(batch.events)
        row = batch.row
        if row is not None:
            # Stored now; unless its id already went to a newer message (then that
            # one's record is pending or, an id come round in this very batch, the
            # first of the two matches and the second finds it stored: counted once).
            rows, known = self._seen.rows, self._seen.digests
            pending = redelivery.PENDING
            live = 0
            for mid, digest in zip(batch.mids, batch.digests, strict=True):
                if rows[mid] == pending and known[mid] == digest:
                    rows[mid] = row
                    live += 1
            if live:
                self._live[row] = live
            else:  # every id already reused
                self._to_forget.append(row)
        if batch.tokens and self._on_committed is not None:
            self._on_committed(batch.tokens)
        if self._on_space is not None:
            self._on_space()

    async def flush(self) -> None:
        """Commit what is waiting now (one batch) and wait for it (the live hub)."""
        await self._settled()
        self._start_commit(now=True)
        await self._settled()

    async def _settled(self) -> None:
        while self._inflight is not None:
            await asyncio.wait([self._inflight])

    async def drain(self, attempts: int = 3) -> None:
        """Write everything still waiting (clean shutdown).

        Raises StoreError if the disk keeps refusing: what could not be written
        was not acknowledged either, so the broker delivers it again next time.
        """
        failures_before = self.failed_commits
        while True:
            if self._inflight is not None:
                await asyncio.wait([self._inflight])
                continue
            if not (self._events or self._tokens or self._ledger_dirty()):
                return
            if self.failed_commits - failures_before >= attempts:
                raise StoreError(
                    f"could not write {self.pending} events at shutdown; they were not "
                    "acknowledged, so the broker will deliver them again"
                )
            if self._executor is None:
                self.commit_now()
            else:
                self._start_commit(now=True)

    async def run_exclusive(self, job: Callable[[sqlite3.Connection], T]) -> T:
        """Run `job(conn)` on the writer thread while no batch is being written.

        The connection is shared with the batch path, so the job takes the
        in-flight slot: batches wait (and ingest pauses if they fill up) until
        it is done.
        """
        if self._executor is None:
            return job(self._conn)
        while self._inflight is not None:
            await asyncio.wait([self._inflight])
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._executor, job, self._conn)
        self._inflight = future
        try:
            return await future
        finally:
            self._inflight = None
            if self.pending >= self.batch_max:
                self._start_commit()
            if self._on_space is not None:
                self._on_space()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
