"""The Hearth device protocol codec: round trips, and any byte stream is safe to read."""

from __future__ import annotations

import binascii

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_bridge import cobs, frames
from firmware_bridge.crc import crc16
from firmware_bridge.frames import (
    Ack,
    AckStatus,
    Action,
    Command,
    Frame,
    FrameError,
    FrameReader,
    Heartbeat,
    Hello,
    Report,
)
from hub.events import BINARY_KINDS, NUMERIC_KINDS, TEXT_KINDS, Kind

text = st.text(min_size=1, max_size=8).filter(lambda s: 1 <= len(s.encode()) <= frames.MAX_TEXT)
byte = st.integers(0, 255)
u32 = st.integers(0, 2**32 - 1)

reports = st.one_of(
    st.builds(Report, byte, st.sampled_from(sorted(BINARY_KINDS)), st.booleans()),
    st.builds(
        Report,
        byte,
        st.sampled_from(sorted(NUMERIC_KINDS)),
        st.integers(-(2**31) + 1, 2**31 - 1).map(lambda h: h / 100),
    ),
    st.builds(Report, byte, st.sampled_from(sorted(TEXT_KINDS)), text),
)
messages: st.SearchStrategy[frames.Message] = st.one_of(
    st.builds(Hello, text, st.tuples(byte, byte, byte)),
    reports,
    st.builds(Command, st.integers(1, 2**32 - 1), st.sampled_from(Action), st.integers(0, 65535)),
    st.builds(Ack, u32, st.sampled_from(AckStatus)),
    st.builds(Heartbeat, u32),
)
sequences = st.integers(0, 0xFFFF)


def test_crc_is_ccitt_false() -> None:
    # The catalogue check value of CRC-16/CCITT-FALSE, and Python's own implementation.
    assert crc16(b"123456789") == 0x29B1
    assert crc16(b"hearth") == binascii.crc_hqx(b"hearth", 0xFFFF)


@given(st.binary(max_size=600))
def test_cobs_round_trip_has_no_zero(data: bytes) -> None:
    encoded = cobs.encode(data)
    assert 0 not in encoded
    assert len(encoded) <= len(data) + 1 + len(data) // 254
    assert cobs.decode(encoded) == data


def test_known_cobs_vectors() -> None:
    # Examples from Cheshire and Baker's COBS paper (and its Wikipedia page).
    assert cobs.encode(b"\x00") == b"\x01\x01"
    assert cobs.encode(b"\x00\x00") == b"\x01\x01\x01"
    assert cobs.encode(b"\x11\x22\x00\x33") == b"\x03\x11\x22\x02\x33"
    assert cobs.encode(b"\x11\x00\x00\x00") == b"\x02\x11\x01\x01\x01"
    assert cobs.encode(bytes(range(1, 255))) == b"\xff" + bytes(range(1, 255)) + b"\x01"


@given(messages, sequences)
def test_every_frame_survives_a_round_trip(message: frames.Message, sequence: int) -> None:
    wire = frames.encode(message, sequence)
    assert wire.endswith(b"\x00")
    assert 0 not in wire[:-1]
    assert len(wire) <= frames.MAX_ENCODED + 1
    assert frames.decode(wire[:-1]) == Frame(sequence, message)


@given(st.lists(st.tuples(messages, sequences), max_size=20), st.data())
def test_reader_finds_every_frame_in_any_chunking(
    items: list[tuple[frames.Message, int]], data: st.DataObject
) -> None:
    stream = b"".join(frames.encode(m, s) for m, s in items)
    reader = FrameReader()
    got: list[Frame] = []
    position = 0
    while position < len(stream):
        size = data.draw(st.integers(1, 40))
        got += reader.feed(stream[position : position + size])
        position += size
    assert got == [Frame(s, m) for m, s in items]
    assert reader.rejected == {}


@settings(max_examples=300)
@given(st.binary(max_size=2000), st.lists(st.integers(1, 64), max_size=50))
def test_any_byte_stream_is_read_without_exception(noise: bytes, cuts: list[int]) -> None:
    reader = FrameReader()
    position = 0
    for size in [*cuts, len(noise)]:
        for frame in reader.feed(noise[position : position + size]):
            assert isinstance(frame, Frame)
        position += size
    pieces = [p for p in noise.split(b"\x00")[:-1] if p]  # the last piece is still pending
    assert reader.accepted + reader.rejected_total == len(pieces)


@given(messages, sequences, st.data())
def test_bit_flips_are_always_rejected(
    message: frames.Message, sequence: int, data: st.DataObject
) -> None:
    # Flip 1-3 bits of the frame before COBS: the length check or the CRC catches every one.
    raw = bytearray(cobs.decode(frames.encode(message, sequence)[:-1]))
    positions = data.draw(st.sets(st.integers(0, len(raw) * 8 - 1), min_size=1, max_size=3))
    for bit in positions:
        raw[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises(FrameError) as caught:
        frames.decode(cobs.encode(bytes(raw)))
    assert caught.value.reason in {"length", "crc"}


@given(messages, sequences, st.data())
def test_truncated_frames_are_always_rejected(
    message: frames.Message, sequence: int, data: st.DataObject
) -> None:
    wire = frames.encode(message, sequence)[:-1]
    keep = data.draw(st.integers(1, len(wire) - 1))
    reader = FrameReader()
    assert reader.feed(wire[:keep] + b"\x00") == []
    assert reader.rejected_total == 1


@given(st.lists(st.tuples(messages, sequences), min_size=1, max_size=10), st.data())
def test_valid_frames_survive_noise_between_them(
    items: list[tuple[frames.Message, int]], data: st.DataObject
) -> None:
    # Noise ends with a delimiter, as a reboot's garbage is followed by the next frame's
    # leading 0x00 (devices send one before their first frame).
    noise = st.binary(max_size=300).map(lambda b: b + b"\x00")
    stream = b"".join(data.draw(noise) + frames.encode(m, s) for m, s in items)
    got = FrameReader().feed(stream)
    # Noise could, in theory, hold a valid frame; it must never hide a real one.
    expected = [Frame(s, m) for m, s in items]
    assert [f for f in got if f in expected] == expected


def test_rejections_are_counted_by_reason() -> None:
    good = frames.encode(Heartbeat(5), 1)
    raw = bytearray(cobs.decode(good[:-1]))
    bad_crc = bytearray(raw)
    bad_crc[-1] ^= 0xFF
    wrong_version = bytearray(raw)
    wrong_version[0] = 9
    wrong_version[-2:] = crc16(bytes(wrong_version[:-2])).to_bytes(2, "big")
    unknown_type = bytearray(raw)
    unknown_type[1] = 99
    unknown_type[-2:] = crc16(bytes(unknown_type[:-2])).to_bytes(2, "big")
    stream = (
        b"\x05\x01\x00"  # a COBS block running past the delimiter
        + b"\x02\x01\x00"  # decodes to one byte: too short
        + cobs.encode(bytes(bad_crc))
        + b"\x00"
        + cobs.encode(bytes(wrong_version))
        + b"\x00"
        + cobs.encode(bytes(unknown_type))
        + b"\x00"
        + b"\x07" * 500
        + b"\x00"  # far too long
        + good
    )
    reader = FrameReader()
    assert reader.feed(stream) == [Frame(1, Heartbeat(5))]
    assert reader.rejected == {
        "cobs": 1,
        "short": 1,
        "crc": 1,
        "version": 1,
        "type": 1,
        "oversize": 1,
    }


def test_encode_refuses_values_that_do_not_fit() -> None:
    with pytest.raises(ValueError, match="int32"):
        frames.encode(Report(0, Kind.TEMPERATURE, 3e9), 0)
    with pytest.raises(TypeError, match="needs a bool"):
        frames.encode(Report(0, Kind.MOTION, 1.0), 0)
    with pytest.raises(ValueError, match="reserved"):
        frames.encode(Command(0, Action.LED_ON), 0)
    with pytest.raises(ValueError, match="device type"):
        frames.encode(Hello("x" * 40, (1, 0, 0)), 0)
