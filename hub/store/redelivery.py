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
from array import array
from collections.abc import Sequence

_PAIR = 10  # bytes per message in a batch's blob: packet id (2) + digest (8)


def digest(topic: str, payload: bytes) -> bytes:
    return hashlib.blake2b(topic.encode() + b"\x00" + payload, digest_size=8).digest()


def pack(pairs: Sequence[tuple[int, bytes]]) -> bytes:
    return b"".join(mid.to_bytes(2, "big") + d for mid, d in pairs)


def unpack(blob: bytes) -> list[tuple[int, bytes]]:
    return [
        (int.from_bytes(blob[i : i + 2], "big"), blob[i + 2 : i + _PAIR])
        for i in range(0, len(blob), _PAIR)
    ]


def remember(conn: sqlite3.Connection, pairs: Sequence[tuple[int, bytes]]) -> int | None:
    """Record the (packet id, digest) of a batch stored in the current transaction.

    Returns the batch's row id (None for a batch with no such messages).
    """
    if not pairs:
        return None
    cursor = conn.execute("INSERT INTO unacked_batches (pairs) VALUES (?)", (pack(pairs),))
    return cursor.lastrowid


def forget(conn: sqlite3.Connection, batches: Sequence[int]) -> None:
    """Drop the rows of batches none of whose messages can be delivered again."""
    conn.executemany("DELETE FROM unacked_batches WHERE batch = ?", [(b,) for b in batches])


def load(conn: sqlite3.Connection) -> list[tuple[int, list[tuple[int, bytes]]]]:
    """Every remembered batch, oldest first, as (batch, [(packet id, digest), ...]).

    Rows of the per-message table of databases written before migration 0009
    are moved into one batch first (in their own transaction).
    """
    legacy = conn.execute("SELECT mid, digest FROM unacked ORDER BY rowid").fetchall()
    if legacy:
        with conn:  # the connection runs in autocommit mode: this is one transaction
            conn.execute("BEGIN")
            remember(conn, [(int(mid), bytes(d)) for mid, d in legacy])
            conn.execute("DELETE FROM unacked")
    rows = conn.execute("SELECT batch, pairs FROM unacked_batches ORDER BY batch")
    return [(int(batch), unpack(bytes(pairs))) for batch, pairs in rows]


_NONE = -2  # no record for this packet id
_PENDING = -1  # taken, not yet stored


class Records:
    """The messages not yet known to be acknowledged, by packet id: digest and batch row.

    Packet ids are 16-bit, so two flat arrays hold every record in 640 KB,
    whatever the rate; a dict of tuples took about 200 bytes a message, and at
    13,000 messages a second the 5 s before a record may go (FORGET_AFTER_S in
    batch_writer.py) filled all 65,536 ids: 13 MB.
    """

    def __init__(self) -> None:
        self._digests = array("Q", bytes(8 * 65536))
        self._rows = array("q", [_NONE]) * 65536

    def get(self, mid: int) -> tuple[bytes, int | None] | None:
        """(digest, row; None while not yet stored), or None without a record."""
        row = self._rows[mid]
        if row == _NONE:
            return None
        return self._digests[mid].to_bytes(8, "big"), None if row == _PENDING else row

    def put(self, mid: int, digest: bytes, row: int | None) -> None:
        self._digests[mid] = int.from_bytes(digest, "big")
        self._rows[mid] = _PENDING if row is None else row

    def pop(self, mid: int) -> tuple[bytes, int | None] | None:
        old = self.get(mid)
        self._rows[mid] = _NONE
        return old
