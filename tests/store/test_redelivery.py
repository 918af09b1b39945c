"""A message stored but not yet acknowledged is recognised when the broker delivers it again."""

from __future__ import annotations

from pathlib import Path

from hub.ingest.ledger import Ledger
from hub.store import redelivery
from hub.store.batch_writer import BatchWriter
from hub.store.database import open_database
from hub.store.event_table import count_events
from tests.store.test_batch_writer import events

FIRST = 1 << 16  # tokens of connection 1: (connection << 16) | packet id
SECOND = 2 << 16


def writer_on(path: Path, acked: list[int]) -> BatchWriter:
    return BatchWriter(
        open_database(path).conn, Ledger(), batch_max=1000, commit_interval_s=1,
        on_committed=acked.extend,
    )  # fmt: skip


def test_a_copy_of_a_stored_message_is_acknowledged_and_not_stored_again(tmp_path: Path) -> None:
    acked: list[int] = []
    writer = writer_on(tmp_path / "h.db", acked)
    one = redelivery.digest("zigbee2mqtt/Lid", b'{"contact":false}')
    writer.add(events(1), FIRST | 7, one)
    writer.commit_now()
    assert acked == [FIRST | 7]
    # The connection dropped before the acknowledgement reached the broker: a DUP copy.
    assert writer.redelivered(7, one, SECOND | 7)
    assert acked == [FIRST | 7, SECOND | 7]  # acknowledged at once, on the new connection
    other = redelivery.digest("zigbee2mqtt/Lid", b'{"contact":true}')
    assert not writer.redelivered(7, other, SECOND | 7)  # same id, another message
    assert count_events(writer._conn) == 1


def test_the_record_survives_a_crash_and_goes_once_acknowledged(tmp_path: Path) -> None:
    acked: list[int] = []
    first = writer_on(tmp_path / "h.db", acked)
    one = redelivery.digest("t", b"1")
    first.add(events(1), FIRST | 3, one)
    first.commit_now()  # stored; the process dies before the ack is known to be sent
    after_crash = writer_on(tmp_path / "h.db", acked)
    assert after_crash.redelivered(3, one, SECOND | 3)
    after_crash.acknowledged([SECOND | 3])
    after_crash.commit_now()  # the next transaction deletes the row
    rows = after_crash._conn.execute("SELECT count(*) FROM unacked").fetchone()[0]
    assert rows == 0
    assert not writer_on(tmp_path / "h.db", acked).redelivered(3, one, SECOND | 3)


def test_a_copy_of_a_message_still_waiting_is_acknowledged_with_its_batch(
    tmp_path: Path,
) -> None:
    acked: list[int] = []
    writer = writer_on(tmp_path / "h.db", acked)
    one = redelivery.digest("t", b"1")
    writer.add(events(1), FIRST | 5, one)
    assert writer.redelivered(5, one, SECOND | 5)
    assert acked == []
    writer.commit_now()
    assert acked == [FIRST | 5, SECOND | 5]
    assert count_events(writer._conn) == 1
