"""Commands waiting for a device's acknowledgement: when to send, resend, or give up.

Pure bookkeeping over a clock value passed in, so the retry rules are tested
without a port or a broker. Exactly-once execution needs both ends: this side
resends a command (same id) until the device acks it, at most `attempts`
times; the device remembers the ids it has run and acks a repeated id without
running it again (PROTOCOL.md).

Only sends made while the port is open count as attempts: a command given
while the device is unplugged waits, and goes out when the port reopens.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Generic, Protocol, TypeGuard, TypeVar

from firmware_bridge.frames import Action, Command

REMEMBERED = 1024  # finished ids kept, to recognise a command delivered twice by MQTT


class Identified(Protocol):
    @property
    def command_id(self) -> int: ...


C = TypeVar("C", bound=Identified)  # a Hearth Command, or a MySensors NodeCommand


@dataclass
class Pending(Generic[C]):
    command: C
    token: object  # handed back when the command is finished (an MQTT ack token)
    attempts: int = 0
    next_send: float = 0.0


class CommandTracker(Generic[C]):
    def __init__(self, attempts: int, ack_timeout_s: float) -> None:
        self.attempts = attempts
        self.ack_timeout_s = ack_timeout_s
        self._pending: OrderedDict[int, Pending[C]] = OrderedDict()
        self._finished: OrderedDict[int, None] = OrderedDict()

    def __len__(self) -> int:
        return len(self._pending)

    def submit(self, command: C, token: object) -> str:
        """Queue a command. Returns "queued", or for an id seen before (MQTT delivers
        at least once): "pending" (the newer token replaces the old, whose
        connection may be gone) or "finished" (nothing to do but acknowledge it)."""
        command_id = command.command_id
        if command_id in self._finished:
            return "finished"
        pending = self._pending.get(command_id)
        if pending is not None:
            pending.token = token
            return "pending"
        self._pending[command_id] = Pending(command, token)
        return "queued"

    def due(self, now: float) -> list[C]:
        """Commands to (re)send now; each call counts as one attempt for each."""
        sending: list[C] = []
        for pending in self._pending.values():
            if pending.attempts < self.attempts and pending.next_send <= now:
                pending.attempts += 1
                pending.next_send = now + self.ack_timeout_s
                sending.append(pending.command)
        return sending

    def given_up(self, now: float) -> list[Pending[C]]:
        """Commands sent `attempts` times with no ack within the timeout: finished, failed."""
        failed = [
            p for p in self._pending.values() if p.attempts >= self.attempts and p.next_send <= now
        ]
        for pending in failed:
            self._finish(pending.command.command_id)
        return failed

    def waiting(self) -> list[C]:
        """The commands not finished yet, oldest first."""
        return [pending.command for pending in self._pending.values()]

    def acknowledged(self, command_id: int) -> Pending[C] | None:
        """The pending command the device acked, or None (an ack repeated or unknown)."""
        pending = self._pending.get(command_id)
        if pending is not None:
            self._finish(command_id)
        return pending

    def send_again_now(self) -> None:
        """After a device reboot (hello) or a reopened port: resend without waiting."""
        for pending in self._pending.values():
            pending.next_send = 0.0

    def _finish(self, command_id: int) -> None:
        del self._pending[command_id]
        self._finished[command_id] = None
        if len(self._finished) > REMEMBERED:
            self._finished.popitem(last=False)


class BadCommand(ValueError):
    """A command message on MQTT that cannot be sent to a device."""

    def __init__(self, message: str, command_id: int | None) -> None:
        super().__init__(message)
        self.command_id = command_id


ACTIONS = {action.name.lower(): action for action in Action}


def command_from_json(payload: bytes) -> Command:
    """`{"id": 17, "action": "led_on", "argument": 0}` -> Command, or raise BadCommand.

    The id comes from the sender, not from the bridge, so a command that is
    delivered again (after a bridge restart) is recognised by the device.
    """
    data, command_id = command_json(payload)
    action = ACTIONS.get(str(data.get("action")))
    if action is None:
        raise BadCommand(f"action must be one of {', '.join(ACTIONS)}", command_id)
    argument = data.get("argument", 0)
    if not whole(argument) or not 0 <= argument <= 0xFFFF:
        raise BadCommand("argument must be an integer from 0 to 65535", command_id)
    return Command(command_id, action, argument)


def command_json(payload: bytes) -> tuple[dict[str, object], int]:
    """A command message's JSON object and its id, or raise BadCommand."""
    try:
        data = json.loads(payload.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise BadCommand(f"not JSON: {exc}", None) from exc
    if not isinstance(data, dict):
        raise BadCommand("a command must be a JSON object", None)
    command_id = data.get("id")
    if not whole(command_id) or not 1 <= command_id < 2**32:
        raise BadCommand("id must be an integer from 1 to 4294967295", None)
    return data, command_id


def whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
