"""Storing a message once even when the broker delivers it twice.

The hub acknowledges a message only after its events are on disk. If it dies
(or the connection drops) after the commit but before the broker has the
acknowledgement, the broker delivers the message again, marked DUP, with its
original packet id (MQTT 5, section 4.4). Without a record, that second copy
would be stored too: a pill-box opening twice is a "doubled dose", a button
pressed once counted twice.

So each stored-but-maybe-unacknowledged message leaves a row (its packet id
and a digest of topic and payload) in the same transaction as its events;
the row goes once the acknowledgement has been sent. A DUP message whose id
and digest match a row is already stored: it is acknowledged and dropped.
Only DUP messages are checked, so a packet id reused for a new message is
never mistaken for an old one; two different messages with the same id and
the very same topic and payload would be taken for one (the second a repeat
of the first's reading, so nothing is lost that mattered).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable


def digest(topic: str, payload: bytes) -> bytes:
    return hashlib.blake2b(topic.encode() + b"\x00" + payload, digest_size=8).digest()


def remember(conn: sqlite3.Connection, rows: Iterable[tuple[int, bytes]]) -> None:
    """Record (packet id, digest) of messages stored in the current transaction."""
    conn.executemany("INSERT OR REPLACE INTO unacked (mid, digest) VALUES (?, ?)", rows)


def forget(conn: sqlite3.Connection, rows: Iterable[tuple[int, bytes]]) -> None:
    """Drop the rows of messages whose acknowledgement has surely arrived.

    By id *and* digest: the id may already have been given to a newer message.
    """
    conn.executemany("DELETE FROM unacked WHERE mid = ? AND digest = ?", rows)


def load(conn: sqlite3.Connection) -> dict[int, bytes]:
    return {int(mid): bytes(d) for mid, d in conn.execute("SELECT mid, digest FROM unacked")}
