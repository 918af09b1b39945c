"""Hearth device protocol frames: pure encoding and decoding (see PROTOCOL.md).

A frame on the wire is COBS(header + body + CRC) followed by a 0x00 byte:

    offset  size  field
    0       1     protocol version (1)
    1       1     message type
    2       2     sequence number, big-endian (per sender, wraps at 65536)
    4       1     body length n
    5       n     body (depends on the message type)
    5+n     2     CRC-16/CCITT-FALSE of bytes 0 .. 4+n, big-endian

Checks run in an order that makes each rejection certain for the common
faults: a truncated frame always fails the length check (so it can never pass
by a lucky CRC), and any change of up to three bits fails the CRC.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from enum import IntEnum

from firmware_bridge import cobs
from firmware_bridge.crc import crc16
from hub.events import BINARY_KINDS, NUMERIC_KINDS, Kind

PROTOCOL_VERSION = 1
SUPPORTED_VERSIONS = frozenset({1})  # a later bridge keeps decoding version 1
HEADER_SIZE = 5
CRC_SIZE = 2
MAX_BODY = 48
MAX_FRAME = HEADER_SIZE + MAX_BODY + CRC_SIZE  # decoded
MAX_ENCODED = MAX_FRAME + 1  # COBS adds one byte per 254
MAX_TEXT = 32  # device type, text values
MAX_NUMBER = 2**31 - 1  # numeric values travel as int32 hundredths


class MessageType(IntEnum):
    HELLO = 1
    REPORT = 2
    COMMAND = 3
    ACK = 4
    HEARTBEAT = 5


class Action(IntEnum):
    """What a command asks a device to do (the pill box's LED and buzzer)."""

    LED_OFF = 0
    LED_ON = 1
    BUZZER_OFF = 2
    BUZZER_ON = 3  # argument: seconds, 0 = until BUZZER_OFF
    BLINK = 4  # argument: seconds


class AckStatus(IntEnum):
    DONE = 0
    UNSUPPORTED = 1  # the device does not have what the action needs


# Kind codes on the wire. Codes are never reused: a new kind gets a new code.
KIND_CODES: dict[Kind, int] = {
    Kind.MOTION: 1,
    Kind.PRESENCE: 2,
    Kind.CONTACT: 3,
    Kind.PRESSURE: 4,
    Kind.SWITCH: 5,
    Kind.FLUSH: 6,
    Kind.WATER: 7,
    Kind.AVAILABILITY: 8,
    Kind.POWER: 9,
    Kind.TEMPERATURE: 10,
    Kind.HUMIDITY: 11,
    Kind.ILLUMINANCE: 12,
    Kind.AIR_PRESSURE: 13,
    Kind.BATTERY: 14,
    Kind.BUTTON: 15,
    Kind.MEDICATION: 16,
}
KINDS_BY_CODE = {code: kind for kind, code in KIND_CODES.items()}


@dataclass(frozen=True, slots=True)
class Hello:
    """Sent by a device at start-up (so a reboot is visible) and on request."""

    device_type: str
    firmware: tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class Report:
    sensor: int  # the device's own sensor index, 0-255
    kind: Kind
    value: bool | float | str


@dataclass(frozen=True, slots=True)
class Command:
    command_id: int  # 1 .. 2**32-1; the device executes each id at most once
    action: Action
    argument: int = 0  # 0 .. 65535


@dataclass(frozen=True, slots=True)
class Ack:
    command_id: int
    status: AckStatus = AckStatus.DONE


@dataclass(frozen=True, slots=True)
class Heartbeat:
    uptime_s: int  # 0 .. 2**32-1


Message = Hello | Report | Command | Ack | Heartbeat


@dataclass(frozen=True, slots=True)
class Frame:
    sequence: int
    message: Message
    version: int = PROTOCOL_VERSION


class FrameError(ValueError):
    """A frame that must be rejected; `reason` is a short, countable word."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


# --- encoding -------------------------------------------------------------------


def encode(message: Message, sequence: int) -> bytes:
    """The wire bytes of one frame, delimiter included.

    Raises ValueError for a field out of range, TypeError for a value of the wrong type.
    """
    if not 0 <= sequence <= 0xFFFF:
        raise ValueError(f"sequence {sequence} is not 0..65535")
    kind, body = _encode_body(message)
    if len(body) > MAX_BODY:
        raise ValueError(f"body of {len(body)} bytes exceeds {MAX_BODY}")
    raw = struct.pack(">BBHB", PROTOCOL_VERSION, kind, sequence, len(body)) + body
    raw += crc16(raw).to_bytes(2, "big")
    return cobs.encode(raw) + b"\x00"


def _text(value: str, what: str) -> bytes:
    data = value.encode("utf-8")
    if not 1 <= len(data) <= MAX_TEXT:
        raise ValueError(f"{what} must be 1..{MAX_TEXT} bytes of UTF-8")
    return data


def _encode_body(message: Message) -> tuple[MessageType, bytes]:
    if isinstance(message, Hello):
        major, minor, patch = message.firmware
        return MessageType.HELLO, bytes((major, minor, patch)) + _text(
            message.device_type, "device type"
        )
    if isinstance(message, Report):
        head = bytes((message.sensor, KIND_CODES[message.kind]))
        return MessageType.REPORT, head + _encode_value(message.kind, message.value)
    if isinstance(message, Command):
        body = struct.pack(">IBH", message.command_id, message.action, message.argument)
        if message.command_id == 0:
            raise ValueError("command id 0 is reserved")
        return MessageType.COMMAND, body
    if isinstance(message, Ack):
        return MessageType.ACK, struct.pack(">IB", message.command_id, message.status)
    return MessageType.HEARTBEAT, struct.pack(">I", message.uptime_s)


def _encode_value(kind: Kind, value: bool | float | str) -> bytes:
    if kind in BINARY_KINDS:
        if not isinstance(value, bool):
            raise TypeError(f"{kind.value} needs a bool")
        return bytes((int(value),))
    if kind in NUMERIC_KINDS:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"{kind.value} needs a number")
        hundredths = round(value * 100) if math.isfinite(value) else MAX_NUMBER + 1
        if abs(hundredths) > MAX_NUMBER:
            raise ValueError(f"{value} does not fit in int32 hundredths")
        return struct.pack(">i", hundredths)
    if not isinstance(value, str):
        raise TypeError(f"{kind.value} needs text")
    return _text(value, f"{kind.value} text")


# --- decoding -------------------------------------------------------------------


def decode(encoded: bytes) -> Frame:
    """One frame from its COBS bytes (without the 0x00 delimiter), or raise FrameError."""
    if len(encoded) > MAX_ENCODED:
        raise FrameError("oversize", f"{len(encoded)} bytes before a delimiter")
    try:
        raw = cobs.decode(encoded)
    except cobs.CobsError as exc:
        raise FrameError("cobs", str(exc)) from exc
    if len(raw) < HEADER_SIZE + CRC_SIZE:
        raise FrameError("short", f"{len(raw)} bytes")
    version, type_code, sequence, length = struct.unpack_from(">BBHB", raw)
    if len(raw) != HEADER_SIZE + length + CRC_SIZE:
        raise FrameError("length", f"header says {length} body bytes, frame has {len(raw) - 7}")
    if crc16(raw[:-CRC_SIZE]) != int.from_bytes(raw[-CRC_SIZE:], "big"):
        raise FrameError("crc", "checksum does not match")
    if version not in SUPPORTED_VERSIONS:
        raise FrameError("version", f"protocol version {version}")
    try:
        message_type = MessageType(type_code)
    except ValueError as exc:
        raise FrameError("type", f"message type {type_code}") from exc
    body = raw[HEADER_SIZE:-CRC_SIZE]
    return Frame(sequence, _decode_body(message_type, body), version)


def _need(body: bytes, size: int, what: str) -> None:
    if len(body) != size:
        raise FrameError("body", f"{what} body must be {size} bytes, got {len(body)}")


def _decode_text(data: bytes, what: str) -> str:
    if not 1 <= len(data) <= MAX_TEXT:
        raise FrameError("body", f"{what} must be 1..{MAX_TEXT} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FrameError("body", f"{what} is not UTF-8") from exc


def _decode_body(message_type: MessageType, body: bytes) -> Message:
    if message_type is MessageType.HELLO:
        if len(body) < 4:
            raise FrameError("body", "hello body too short")
        device_type = _decode_text(body[3:], "device type")
        return Hello(device_type, (body[0], body[1], body[2]))
    if message_type is MessageType.REPORT:
        if len(body) < 3:
            raise FrameError("body", "report body too short")
        kind = KINDS_BY_CODE.get(body[1])
        if kind is None:
            raise FrameError("body", f"unknown kind code {body[1]}")
        return Report(body[0], kind, _decode_value(kind, body[2:]))
    if message_type is MessageType.COMMAND:
        _need(body, 7, "command")
        command_id, action_code, argument = struct.unpack(">IBH", body)
        if command_id == 0:
            raise FrameError("body", "command id 0 is reserved")
        try:
            action = Action(action_code)
        except ValueError as exc:
            raise FrameError("body", f"unknown action {action_code}") from exc
        return Command(command_id, action, argument)
    if message_type is MessageType.ACK:
        _need(body, 5, "ack")
        command_id, status_code = struct.unpack(">IB", body)
        try:
            status = AckStatus(status_code)
        except ValueError as exc:
            raise FrameError("body", f"unknown ack status {status_code}") from exc
        return Ack(command_id, status)
    _need(body, 4, "heartbeat")
    return Heartbeat(struct.unpack(">I", body)[0])


def _decode_value(kind: Kind, data: bytes) -> bool | float | str:
    if kind in BINARY_KINDS:
        if data not in (b"\x00", b"\x01"):
            raise FrameError("body", f"{kind.value} value must be one byte, 0 or 1")
        return data == b"\x01"
    if kind in NUMERIC_KINDS:
        _need(data, 4, f"{kind.value} value")
        hundredths: int = struct.unpack(">i", data)[0]
        return hundredths / 100
    return _decode_text(data, f"{kind.value} text")


# --- streams --------------------------------------------------------------------


class FrameReader:
    """Frames out of a byte stream that arrives in arbitrary pieces.

    `feed` never raises: every byte sequence between two delimiters is either
    a frame (returned) or one rejection counted in `rejected` by reason.
    Empty sequences (two delimiters in a row) are not counted: senders may
    send a lone 0x00 to resynchronise. Bytes before the first delimiter after
    start-up are a frame like any other, so start-up garbage costs at most
    one counted rejection.
    """

    def __init__(self) -> None:
        self._pending = bytearray()
        self._overflowed = False
        self.rejected: dict[str, int] = {}
        self.accepted = 0

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    def _reject(self, reason: str) -> None:
        self.rejected[reason] = self.rejected.get(reason, 0) + 1

    def reset(self) -> None:
        """Forget a partial frame (the port was closed and reopened)."""
        self._pending.clear()
        self._overflowed = False

    def feed(self, chunk: bytes) -> list[Frame]:
        frames: list[Frame] = []
        start = 0
        while True:
            end = chunk.find(0, start)
            if end < 0:
                self._keep(chunk[start:])
                return frames
            if self._pending or self._overflowed:
                self._keep(chunk[start:end])
                piece = bytes(self._pending)
                overflowed = self._overflowed
                self.reset()
            else:
                piece = chunk[start:end]
                overflowed = len(piece) > MAX_ENCODED
            start = end + 1
            if overflowed:
                self._reject("oversize")
            elif piece:
                try:
                    frames.append(decode(piece))
                except FrameError as exc:
                    self._reject(exc.reason)
                else:
                    self.accepted += 1

    def _keep(self, data: bytes) -> None:
        # A frame can never be longer than MAX_ENCODED, so past that the bytes
        # are only counted, not kept: noise without zeros cannot eat memory.
        if self._overflowed:
            return
        if len(self._pending) + len(data) > MAX_ENCODED:
            self._overflowed = True
            self._pending.clear()
        else:
            self._pending += data
