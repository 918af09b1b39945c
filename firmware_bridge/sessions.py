"""What the bridge does with one open port, per protocol, without touching any I/O.

A session is told what arrived (bytes from the device, a command from MQTT,
the clock ticking) and answers through `Outputs`: publish on MQTT, write to
the device, acknowledge a command message to the broker. The port thread in
bridge.py owns the real serial port and MQTT client; tests drive sessions
directly.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from firmware_bridge import frames, mysensors
from firmware_bridge.commands import BadCommand, CommandTracker, command_from_json
from firmware_bridge.frames import Ack, AckStatus, Command, FrameReader, Hello
from firmware_bridge.publications import ACK, Publication, from_frame

log = logging.getLogger(__name__)


class Outputs(Protocol):
    def publish(self, publication: Publication) -> None: ...

    def write(self, data: bytes) -> None: ...

    def finish(self, token: object) -> None:
        """Acknowledge the MQTT message that carried a command: it needs no resend."""


class Session(Protocol):
    def opened(self) -> None: ...

    def received(self, data: bytes) -> None: ...

    def command(self, payload: bytes, token: object) -> None: ...

    def tick(self) -> None: ...

    @property
    def rejected(self) -> dict[str, int]: ...


class HearthSession:
    """A device speaking the Hearth protocol: frames, hello, acks and retries."""

    def __init__(
        self,
        out: Outputs,
        attempts: int,
        ack_timeout_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.out = out
        self.reader = FrameReader()
        self.tracker: CommandTracker[Command] = CommandTracker(attempts, ack_timeout_s)
        self._clock = clock
        self._sequence = 0

    @property
    def rejected(self) -> dict[str, int]:
        return self.reader.rejected

    def opened(self) -> None:
        self.reader.reset()
        # A lone delimiter ends whatever half frame the device may hold from before.
        self.out.write(b"\x00")
        self.tracker.send_again_now()
        self.tick()

    def received(self, data: bytes) -> None:
        for frame in self.reader.feed(data):
            message = frame.message
            if isinstance(message, Ack):
                self._acknowledged(message)
                continue
            if isinstance(message, Hello):
                # A device starting up: what it had not acknowledged may be lost.
                self.tracker.send_again_now()
            publication = from_frame(frame)
            if publication is not None:
                self.out.publish(publication)
        self.tick()

    def command(self, payload: bytes, token: object) -> None:
        try:
            command = command_from_json(payload)
        except BadCommand as exc:
            _refuse(self.out, exc, token)
            return
        if self.tracker.submit(command, token) == "finished":
            self.out.finish(token)  # done before; the device must not run it again
        self.tick()

    def tick(self) -> None:
        now = self._clock()
        _give_up_on_overdue(self.out, self.tracker, now, "ack")
        for command in self.tracker.due(now):
            self._sequence = (self._sequence + 1) & 0xFFFF
            self.out.write(frames.encode(command, self._sequence))

    def _acknowledged(self, ack: Ack) -> None:
        pending = self.tracker.acknowledged(ack.command_id)
        if pending is None:
            return  # a repeated ack for a command already finished
        status = "done" if ack.status is AckStatus.DONE else "unsupported"
        self.out.publish(Publication(ACK, {"id": ack.command_id, "status": status}))
        self.out.finish(pending.token)


class MySensorsSession:
    """A MySensors serial gateway: lines in, publications out; set messages to nodes."""

    def __init__(
        self,
        out: Outputs,
        attempts: int,
        ack_timeout_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.out = out
        self.reader = mysensors.LineReader()
        self.tracker: CommandTracker[mysensors.NodeCommand] = CommandTracker(
            attempts, ack_timeout_s
        )
        self._clock = clock

    @property
    def rejected(self) -> dict[str, int]:
        return self.reader.rejected

    def opened(self) -> None:
        self.reader.reset()
        self.tracker.send_again_now()
        self.tick()

    def received(self, data: bytes) -> None:
        for parsed in self.reader.feed(data):
            for publication in parsed.publications:
                self.out.publish(publication)
            if parsed.reply is not None:
                self.out.write(parsed.reply.encode("ascii"))
            if parsed.echo is not None:
                self._echoed(parsed.echo)
        self.tick()

    def command(self, payload: bytes, token: object) -> None:
        try:
            command = mysensors.node_command_from_json(payload)
        except BadCommand as exc:
            _refuse(self.out, exc, token)
            return
        if self.tracker.submit(command, token) == "finished":
            self.out.finish(token)
        self.tick()

    def tick(self) -> None:
        now = self._clock()
        _give_up_on_overdue(self.out, self.tracker, now, "echo")
        for command in self.tracker.due(now):
            self.out.write(command.line().encode("utf-8"))

    def _echoed(self, echo: mysensors.Echo) -> None:
        for command in self.tracker.waiting():
            if command.echo() == echo:
                pending = self.tracker.acknowledged(command.command_id)
                if pending is not None:
                    self.out.publish(Publication(ACK, {"id": command.command_id, "status": "done"}))
                    self.out.finish(pending.token)
                return


def _refuse(out: Outputs, exc: BadCommand, token: object) -> None:
    """Answer a command that cannot be understood, and let its MQTT message go."""
    log.warning("refused a command: %s", exc)
    out.publish(Publication(ACK, {"id": exc.command_id, "status": "invalid", "reason": str(exc)}))
    out.finish(token)


def _give_up_on_overdue(
    out: Outputs, tracker: CommandTracker[Any], now: float, answer: str
) -> None:
    """Report as failed every command sent too often without the device's `answer`."""
    for pending in tracker.given_up(now):
        command_id = pending.command.command_id
        log.warning("command %d: no %s after %d sends", command_id, answer, pending.attempts)
        out.publish(Publication(ACK, {"id": command_id, "status": "failed"}))
        out.finish(pending.token)
