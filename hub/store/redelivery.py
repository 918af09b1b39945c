"""Storing a message once even when the broker delivers it twice.

The hub acknowledges a message only after its events are on disk. If it dies
(or the connection drops) after the commit but before the broker has the
acknowledgement, the broker delivers the message again, marked DUP, with its
original packet id (MQTT 5, section 4.4). Without a record, that second copy
would be stored too: a pill-box opening twice is a "doubled dose", a button
pressed once counted twice.

So each batch of stored-but-maybe-unacknowledged messages leaves one row (the
packed packet ids and digests of topic and payload of its messages) in the
same transaction as its events; the row goes once none of its messages can
still come back. One row per batch rather than per message: the record is on
the path of every message, and one INSERT of a packed blob costs about a
tenth of a thousand INSERTs and DELETEs (about 2 us per message, measured).

A DUP message whose id and digest match a remembered message is already
stored: it is acknowledged and dropped. Only DUP messages are checked, so a
packet id reused for a new message is never mistaken for an old one; two
different messages with the same id and the very same topic and payload would
be taken for one (the second a repeat of the first's reading, so nothing is
lost that mattered).
"""

from __future__ import annotations

import hashlib
import sqlite3
import struct
from array import array
from collections.abc import Sequence

_PAIR = struct.Struct(">HQ")  # a message in a batch's blob: packet id (2) + digest (8)


def digest(topic: str, payload: bytes) -> int:
    """64 bits of BLAKE2b over topic and payload, as an int: records compare and pack
    ints without turning bytes into numbers and back at each step."""
    raw = hashlib.blake2b(topic.encode() + b"\x00" + payload, digest_size=8).digest()
    return int.from_bytes(raw, "big")


def pack(mids: Sequence[int], digests: Sequence[int]) -> bytes:
    return b"".join(map(_PAIR.pack, mids, digests))


def unpack(blob: bytes) -> list[tuple[int, int]]:
    return list(_PAIR.iter_unpack(blob))


def remember(conn: sqlite3.Connection, mids: Sequence[int], digests: Sequence[int]) -> int | None:
    """Record the packet ids and digests of a batch stored in the current transaction.

    Returns the batch's row id (None for a batch with no such messages).
    """
    if not mids:
        return None
    cursor = conn.execute("INSERT INTO unacked_batches (pairs) VALUES (?)", (pack(mids, digests),))
    return cursor.lastrowid


def forget(conn: sqlite3.Connection, batches: Sequence[int]) -> None:
    """Drop the rows of batches none of whose messages can be delivered again."""
    conn.executemany("DELETE FROM unacked_batches WHERE batch = ?", [(b,) for b in batches])


def load(conn: sqlite3.Connection) -> list[tuple[int, list[tuple[int, int]]]]:
    """Every remembered batch, oldest first, as (batch, [(packet id, digest), ...]).

    Rows of the per-message table of databases written before migration 0009
    are moved into one batch first (in their own transaction).
    """
    legacy = conn.execute("SELECT mid, digest FROM unacked ORDER BY rowid").fetchall()
    if legacy:
        with conn:  # the connection runs in autocommit mode: this is one transaction
            conn.execute("BEGIN")
            remember(
                conn,
                [int(mid) for mid, _ in legacy],
                [int.from_bytes(bytes(d), "big") for _, d in legacy],
            )
            conn.execute("DELETE FROM unacked")
    rows = conn.execute("SELECT batch, pairs FROM unacked_batches ORDER BY batch")
    return [(int(batch), unpack(bytes(pairs))) for batch, pairs in rows]


NONE = -2  # no record for this packet id
PENDING = -1  # taken, not yet stored


class Records:
    """The messages not yet known to be acknowledged, by packet id: digest and batch row.

    Packet ids are 16-bit, so two flat arrays hold every record in 1 MB,
    whatever the rate; a dict of tuples took about 200 bytes a message, and at
    13,000 messages a second the 5 s before a record may go (FORGET_AFTER_S in
    batch_writer.py) filled all 65,536 ids: 13 MB. `rows[mid]` is the batch row,
    or PENDING (taken, not yet stored) or NONE; the writer's per-message loops
    read the arrays directly.
    """

    def __init__(self) -> None:
        self.digests = array("Q", bytes(8 * 65536))
        self.rows = array("q", [NONE]) * 65536

    def get(self, mid: int) -> tuple[int, int | None] | None:
        """(digest, row; None while not yet stored), or None without a record."""
        row = self.rows[mid]
        if row == NONE:
            return None
        return self.digests[mid], None if row == PENDING else row

    def put(self, mid: int, digest: int, row: int | None) -> None:
        self.digests[mid] = digest
        self.rows[mid] = PENDING if row is None else row

    def pop(self, mid: int) -> tuple[int, int | None] | None:
        old = self.get(mid)
        self.rows[mid] = NONE
        return old
