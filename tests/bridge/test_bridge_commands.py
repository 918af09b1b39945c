"""Command bookkeeping and the Hearth session, driven by hand: no port, no broker."""

from __future__ import annotations

import pytest

from firmware_bridge import frames
from firmware_bridge.commands import BadCommand, CommandTracker, command_from_json
from firmware_bridge.frames import Ack, Action, Command, FrameReader, Hello, Report
from firmware_bridge.publications import ACK, Publication, reading
from firmware_bridge.sessions import HearthSession, MySensorsSession
from hub.events import Kind


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Recorder:
    """The session's outputs, kept for inspection."""

    def __init__(self) -> None:
        self.published: list[Publication] = []
        self.written = bytearray()
        self.finished: list[object] = []

    def publish(self, publication: Publication) -> None:
        self.published.append(publication)

    def write(self, data: bytes) -> None:
        self.written += data

    def finish(self, token: object) -> None:
        self.finished.append(token)

    def commands_written(self) -> list[int]:
        sent = FrameReader().feed(bytes(self.written))
        return [f.message.command_id for f in sent if isinstance(f.message, Command)]


def test_resends_until_the_attempts_are_used_then_gives_up() -> None:
    tracker: CommandTracker[Command] = CommandTracker(attempts=3, ack_timeout_s=1.0)
    command = Command(5, Action.LED_ON)
    assert tracker.submit(command, "token") == "queued"
    assert tracker.due(0.0) == [command]
    assert tracker.due(0.5) == []  # still within the ack timeout
    assert tracker.due(1.0) == [command]
    assert tracker.due(2.0) == [command]
    assert tracker.due(3.0) == []  # three sends made
    assert tracker.given_up(2.9) == []
    (failed,) = tracker.given_up(3.0)
    assert failed.token == "token"
    assert failed.attempts == 3
    assert len(tracker) == 0


def test_duplicates_are_recognised() -> None:
    tracker: CommandTracker[Command] = CommandTracker(attempts=3, ack_timeout_s=1.0)
    command = Command(5, Action.LED_ON)
    tracker.submit(command, "first")
    assert tracker.submit(command, "again") == "pending"
    tracker.due(0.0)
    pending = tracker.acknowledged(5)
    assert pending is not None
    assert pending.token == "again"  # the newer delivery is the one to acknowledge
    assert tracker.acknowledged(5) is None  # a repeated ack
    assert tracker.submit(command, "late") == "finished"


def test_a_reopened_port_or_hello_sends_again_at_once() -> None:
    tracker: CommandTracker[Command] = CommandTracker(attempts=5, ack_timeout_s=30.0)
    command = Command(8, Action.BLINK, 10)
    tracker.submit(command, None)
    assert tracker.due(0.0) == [command]
    assert tracker.due(1.0) == []
    tracker.send_again_now()
    assert tracker.due(1.0) == [command]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"{", "not JSON"),
        (b"[1]", "JSON object"),
        (b'{"action": "led_on"}', "id must be"),
        (b'{"id": 0, "action": "led_on"}', "id must be"),
        (b'{"id": true, "action": "led_on"}', "id must be"),
        (b'{"id": 3, "action": "dance"}', "action must be"),
        (b'{"id": 3, "action": "buzzer_on", "argument": 70000}', "argument must be"),
    ],
)
def test_bad_commands(payload: bytes, message: str) -> None:
    with pytest.raises(BadCommand, match=message):
        command_from_json(payload)


def test_command_json() -> None:
    payload = b'{"id": 4294967295, "action": "buzzer_on", "argument": 30}'
    assert command_from_json(payload) == Command(2**32 - 1, Action.BUZZER_ON, 30)


def test_session_publishes_reports_and_finishes_commands_on_ack() -> None:
    clock, out = Clock(), Recorder()
    session = HearthSession(out, attempts=3, ack_timeout_s=1.0, clock=clock)
    session.opened()
    session.received(frames.encode(Report(2, Kind.MEDICATION, "taken"), 1))
    assert out.published == [reading("2", Kind.MEDICATION, "taken")]
    session.command(b'{"id": 9, "action": "led_on"}', "mqtt-9")
    assert out.commands_written() == [9]
    clock.now += 1.0
    session.tick()
    assert out.commands_written() == [9, 9]  # no ack yet: sent again
    session.received(frames.encode(Ack(9), 2))
    assert out.published[-1] == Publication(ACK, {"id": 9, "status": "done"})
    assert out.finished == ["mqtt-9"]
    clock.now += 5.0
    session.tick()
    assert out.commands_written() == [9, 9]  # finished: never sent again


def test_session_resends_at_once_after_a_hello() -> None:
    clock, out = Clock(), Recorder()
    session = HearthSession(out, attempts=3, ack_timeout_s=60.0, clock=clock)
    session.opened()
    session.command(b'{"id": 4, "action": "led_off"}', None)
    session.received(frames.encode(Hello("pillbox", (1, 0, 0)), 1))
    assert out.commands_written() == [4, 4]


def test_session_reports_a_bad_command_and_lets_it_go() -> None:
    out = Recorder()
    session = HearthSession(out, attempts=3, ack_timeout_s=1.0, clock=Clock())
    session.command(b'{"id": 4, "action": "dance"}', "mqtt-4")
    assert out.published[0].data["status"] == "invalid"
    assert out.published[0].data["id"] == 4
    assert out.finished == ["mqtt-4"]
    assert out.commands_written() == []


def test_mysensors_commands_are_set_messages_finished_by_the_nodes_echo() -> None:
    clock, out = Clock(), Recorder()
    session = MySensorsSession(out, attempts=2, ack_timeout_s=1.0, clock=clock)
    session.opened()
    session.command(b'{"id": 3, "node": 12, "child": 1, "type": 2, "payload": "1"}', "mqtt-3")
    assert bytes(out.written) == b"12;1;1;1;2;1\n"  # set, ack requested, V_STATUS, on
    clock.now += 1.0
    session.tick()
    assert bytes(out.written) == b"12;1;1;1;2;1\n" * 2  # no echo yet: sent again
    # The node's echo (https://www.mysensors.org/download/serial_api_20: ack 1 = "this
    # is an ack message") is also its confirmed state.
    session.received(b"12;1;1;1;2;1\n")
    assert out.published == [
        reading("12/1", Kind.SWITCH, True),
        Publication(ACK, {"id": 3, "status": "done"}),
    ]
    assert out.finished == ["mqtt-3"]


def test_mysensors_command_without_echo_fails() -> None:
    clock, out = Clock(), Recorder()
    session = MySensorsSession(out, attempts=2, ack_timeout_s=1.0, clock=clock)
    session.opened()
    session.command(b'{"id": 4, "node": 12, "child": 1, "type": 2, "payload": "0"}', None)
    session.received(b"12;1;1;0;2;0\n")  # not an echo (ack 0): a report, not an answer
    for _ in range(3):
        clock.now += 1.0
        session.tick()
    assert out.published[-1] == Publication(ACK, {"id": 4, "status": "failed"})
    assert bytes(out.written).count(b"\n") == 2


@pytest.mark.parametrize(
    "payload",
    [
        b'{"id": 4, "node": 300, "child": 1, "type": 2, "payload": "1"}',
        b'{"id": 4, "node": 1, "child": 1, "type": 2, "payload": "a;b"}',
        b'{"id": 4, "node": 1, "child": 1, "type": 2, "payload": 1}',
        b'{"id": 4, "node": 1, "child": 1, "payload": "1"}',
    ],
)
def test_bad_mysensors_commands_are_refused(payload: bytes) -> None:
    out = Recorder()
    session = MySensorsSession(out, attempts=2, ack_timeout_s=1.0, clock=Clock())
    session.command(payload, "token")
    assert out.published[0].data["status"] == "invalid"
    assert out.written == b""
