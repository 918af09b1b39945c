"""A message stored but not yet acknowledged is recognised when the broker delivers it again."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.ingest.ledger import Ledger
from hub.store import batch_writer, redelivery
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


class Clock:
    """Stands in for the time module in batch_writer: monotonic time moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


def test_the_record_survives_a_crash_and_goes_once_surely_acknowledged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    monkeypatch.setattr(batch_writer, "time", clock)
    acked: list[int] = []
    first = writer_on(tmp_path / "h.db", acked)
    one = redelivery.digest("t", b"1")
    first.add(events(1), FIRST | 3, one)
    first.commit_now()  # stored and acknowledged, then the process dies
    after_crash = writer_on(tmp_path / "h.db", acked)
    assert after_crash.redelivered(3, one, SECOND | 3)
    after_crash.acknowledged([SECOND | 3])
    after_crash.commit_now()
    # Just sent: the acknowledgement may not have arrived, so the row stays ...
    assert unacked_rows(after_crash) == 1
    # ... and a new connection means it may never have.
    after_crash.connection_restarted()
    clock.now += 60
    after_crash.commit_now()
    assert unacked_rows(after_crash) == 1
    after_crash.acknowledged([SECOND | 3])
    clock.now += batch_writer.FORGET_AFTER_S + 1
    after_crash.commit_now()  # five seconds on a live connection: it arrived
    assert unacked_rows(after_crash) == 0
    assert not writer_on(tmp_path / "h.db", acked).redelivered(3, one, SECOND | 3)


def unacked_rows(writer: BatchWriter) -> int:
    """Messages whose redelivery record is still on disk."""
    return sum(len(pairs) for _, pairs in redelivery.load(writer._conn))


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


def test_a_packet_id_given_to_a_newer_message_keeps_that_messages_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    monkeypatch.setattr(batch_writer, "time", clock)
    acked: list[int] = []
    writer = writer_on(tmp_path / "h.db", acked)
    older, newer = redelivery.digest("t", b"older"), redelivery.digest("t", b"newer")
    writer.add(events(1), FIRST | 9, older)
    writer.commit_now()
    writer.acknowledged([FIRST | 9])
    # Under load the broker hands id 9 to the next message within seconds.
    writer.add(events(1, offset=1), FIRST | 9, newer)
    writer.commit_now()
    clock.now += batch_writer.FORGET_AFTER_S + 1
    writer.commit_now()  # the older message's record goes; the newer one's must stay
    assert unacked_rows(writer) == 1
    assert writer.redelivered(9, newer, SECOND | 9)


def batch_rows(writer: BatchWriter) -> int:
    return int(writer._conn.execute("SELECT count(*) FROM unacked_batches").fetchone()[0])


def test_a_batch_is_one_row_that_goes_when_its_last_message_is_surely_acknowledged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    monkeypatch.setattr(batch_writer, "time", clock)
    acked: list[int] = []
    writer = writer_on(tmp_path / "h.db", acked)
    for mid in range(1, 101):
        writer.add(events(1, offset=mid), FIRST | mid, redelivery.digest("t", str(mid).encode()))
    writer.commit_now()
    assert batch_rows(writer) == 1
    assert unacked_rows(writer) == 100
    writer.acknowledged(acked[:99])  # one acknowledgement is still to go out
    clock.now += batch_writer.FORGET_AFTER_S + 1
    writer.commit_now()
    assert batch_rows(writer) == 1  # its 100th message may still come back
    writer.acknowledged(acked[99:])
    clock.now += batch_writer.FORGET_AFTER_S + 1
    writer.commit_now()
    assert batch_rows(writer) == 0


def test_a_packet_id_that_comes_round_within_one_batch_is_counted_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reconnect in the middle of a batch: the broker may hand id 4 to a new message."""
    clock = Clock()
    monkeypatch.setattr(batch_writer, "time", clock)
    acked: list[int] = []
    writer = writer_on(tmp_path / "h.db", acked)
    first, second = redelivery.digest("t", b"first"), redelivery.digest("t", b"second")
    writer.add(events(1), FIRST | 4, first)
    writer.add(events(1, offset=1), SECOND | 4, second)
    writer.commit_now()
    assert writer.redelivered(4, second, SECOND | 4)
    assert not writer.redelivered(4, first, SECOND | 4)  # superseded
    writer.acknowledged([SECOND | 4])
    clock.now += batch_writer.FORGET_AFTER_S + 1
    writer.commit_now()
    assert batch_rows(writer) == 0


def test_records_of_a_database_from_before_batches_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    conn = open_database(path).conn
    one = redelivery.digest("t", b"1")
    conn.execute("INSERT INTO unacked (mid, digest) VALUES (?, ?)", (12, one.to_bytes(8, "big")))
    acked: list[int] = []
    writer = writer_on(path, acked)
    assert writer.redelivered(12, one, SECOND | 12)
    assert acked == [SECOND | 12]
    assert writer._conn.execute("SELECT count(*) FROM unacked").fetchone()[0] == 0
    assert unacked_rows(writer) == 1


def test_the_records_keep_each_packet_id_once_in_fixed_space() -> None:
    records = redelivery.Records()
    one, two = redelivery.digest("t", b"1"), redelivery.digest("t", b"2")
    assert records.get(0) is None
    records.put(0, one, None)  # taken, not yet stored
    records.put(65535, two, 7)
    assert records.get(0) == (one, None)
    assert records.get(65535) == (two, 7)
    records.put(0, two, 3)  # the id came round: the newer message's record
    assert records.pop(0) == (two, 3)
    assert records.get(0) is None


# Any sequence of messages, commits, acknowledgements, waits and reconnects: the
# writer's records must say what a plain model of the rules says (a packet id's
# record is its newest message's; it goes once that message's acknowledgement had
# FORGET_AFTER_S on a connection that stayed up), and the database must hold every
# stored record and, once its deletion is written, no row without one.
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(0, 5), st.integers(0, 3)),
        st.tuples(st.just("commit")),
        st.tuples(st.just("ack")),
        st.tuples(st.just("wait")),
        st.tuples(st.just("reconnect")),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(STEPS)
def test_the_records_follow_the_rules_whatever_the_order(steps) -> None:
    with tempfile.TemporaryDirectory() as folder:
        clock = Clock()
        acked: list[int] = []
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(batch_writer, "time", clock)
            writer = writer_on(Path(folder) / "h.db", acked)
            check_against_model(writer, clock, acked, steps)


def check_against_model(writer: BatchWriter, clock: Clock, acked: list[int], steps) -> None:
    latest: dict[int, tuple[int, bool]] = {}  # packet id -> (digest, stored)
    sent: list[tuple[int, int, float]] = []  # acknowledgements: (id, digest, when)
    handed = 0  # acknowledgements already handed to `acknowledged`
    offset = 0

    def commit() -> None:
        nonlocal latest, sent
        due = clock.now - batch_writer.FORGET_AFTER_S
        for mid, d, _ in [s for s in sent if s[2] <= due]:
            if latest.get(mid) == (d, True):
                del latest[mid]
        sent = [s for s in sent if s[2] > due]
        writer.commit_now()
        latest = {mid: (d, True) for mid, (d, _) in latest.items()}

    for step in steps:
        if step[0] == "add":
            _, mid, payload = step
            offset += 1
            d = redelivery.digest("t", str(payload).encode())
            writer.add(events(1, offset=offset), FIRST | mid, d)
            latest[mid] = (d, False)
        elif step[0] == "commit":
            commit()
        elif step[0] == "ack":
            tokens, handed = acked[handed:], len(acked)
            writer.acknowledged(tokens)
            sent += [
                (t & 0xFFFF, latest[t & 0xFFFF][0], clock.now)
                for t in tokens
                if t & 0xFFFF in latest
            ]
        elif step[0] == "wait":
            clock.now += batch_writer.FORGET_AFTER_S + 1
        else:
            writer.connection_restarted()
            sent = []
        for mid in range(6):
            got = writer._seen.get(mid)
            want = latest.get(mid)
            assert (got[0], got[1] is not None) == want if got else want is None
    on_disk = {pair for _, pairs in redelivery.load(writer._conn) for pair in pairs}
    assert {(mid, d) for mid, (d, done) in latest.items() if done} <= on_disk  # a crash loses none
    commit()
    commit()  # rows let go of are deleted with the next batch
    in_use = {got[1] for mid in latest if (got := writer._seen.get(mid)) is not None}
    assert {row for row, _ in redelivery.load(writer._conn)} == in_use
