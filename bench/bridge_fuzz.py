"""Fuzz the Hearth frame reader with at least a million random and mutated frames.

Not part of the test suite. Every segment (the bytes between two delimiters)
is one of:

  valid       a correctly encoded frame                      -> must be accepted
  bitflip     1-3 bits flipped before COBS encoding           -> must be rejected
  truncated   the encoded frame cut short                     -> must be rejected
  oversize    more bytes than any frame can have              -> must be rejected
  byte_swap   one encoded byte replaced by another non-zero   -> judged by the oracle
  insert      one random non-zero byte inserted               -> judged by the oracle
  noise       1-100 random non-zero bytes                     -> judged by the oracle

The oracle below is written independently of firmware_bridge.frames: its own
COBS decoder, binascii.crc_hqx for the CRC, and the body rules of PROTOCOL.md.
The whole stream goes through one FrameReader in random-sized chunks; the run
passes when the reader raised nothing, accepted exactly the frames the oracle
accepts (in order, byte for byte) and rejected exactly the rest, and when the
"must" classes came out as they must.

Run: python -m bench.bridge_fuzz [--frames 1000000] [--seed 7]
"""

from __future__ import annotations

import argparse
import binascii
import json
import random
import struct
import sys
import time
from collections import Counter
from collections.abc import Callable

from firmware_bridge import frames
from firmware_bridge.cobs import encode as cobs_encode
from firmware_bridge.frames import (
    Ack,
    AckStatus,
    Action,
    Command,
    FrameReader,
    Heartbeat,
    Hello,
    Report,
)
from hub.events import BINARY_KINDS, NUMERIC_KINDS, Kind

CLASSES = ("valid", "bitflip", "truncated", "oversize", "byte_swap", "insert", "noise")
WEIGHTS = (40, 15, 10, 3, 12, 10, 10)
MUST = {"valid": "accept", "bitflip": "reject", "truncated": "reject", "oversize": "reject"}


def random_message(rng: random.Random) -> frames.Message:
    pick = rng.randrange(5)
    if pick == 0:
        name = "".join(rng.choice("abcdefghij-0123456789") for _ in range(rng.randint(1, 32)))
        return Hello(name, (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    if pick == 1:
        kind = rng.choice(list(Kind))
        value: bool | float | str
        if kind in BINARY_KINDS:
            value = rng.random() < 0.5
        elif kind in NUMERIC_KINDS:
            value = rng.randint(-(2**31) + 1, 2**31 - 1) / 100
        else:
            value = rng.choice(["single", "double", "taken", "lid_open", "ü" * 16])
        return Report(rng.randrange(256), kind, value)
    if pick == 2:
        return Command(rng.randint(1, 2**32 - 1), rng.choice(list(Action)), rng.randrange(65536))
    if pick == 3:
        return Ack(rng.randrange(2**32), rng.choice(list(AckStatus)))
    return Heartbeat(rng.randrange(2**32))


def nonzero(rng: random.Random, count: int) -> bytes:
    return bytes(rng.randint(1, 255) for _ in range(count))


# --- the independent oracle --------------------------------------------------------


def oracle_cobs(data: bytes) -> bytes | None:
    out = bytearray()
    i = 0
    while i < len(data):
        code = data[i]
        block = data[i + 1 : i + code]
        if code == 0 or len(block) != code - 1 or 0 in block:
            return None
        out += block
        i += code
        if i < len(data) and code < 255:
            out.append(0)
    return bytes(out) if data else None


def oracle_hello(body: bytes) -> bool:  # firmware x3, device type 1-32 bytes of UTF-8
    return 4 <= len(body) <= 35 and utf8(body[3:])


def oracle_report(body: bytes) -> bool:  # sensor, kind code 1-16, value by kind
    if len(body) < 3 or not 1 <= body[1] <= 16:
        return False
    value = body[2:]
    if body[1] <= 8:
        return value in (b"\x00", b"\x01")
    if body[1] <= 14:
        return len(value) == 4
    return len(value) <= 32 and utf8(value)


ORACLE_BODY = {
    1: oracle_hello,
    2: oracle_report,
    3: lambda b: len(b) == 7 and b[:4] != bytes(4) and b[4] <= 4,  # command: id != 0, action
    4: lambda b: len(b) == 5 and b[4] <= 1,  # ack: id, status 0-1
    5: lambda b: len(b) == 4,  # heartbeat: uptime
}


def utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def oracle(segment: bytes) -> bytes | None:
    """The decoded frame bytes if `segment` must be accepted, else None."""
    if len(segment) > 56:
        return None
    raw = oracle_cobs(segment)
    if raw is None or len(raw) < 7 or len(raw) != raw[4] + 7:
        return None
    if binascii.crc_hqx(raw[:-2], 0xFFFF) != struct.unpack(">H", raw[-2:])[0]:
        return None
    if raw[0] != 1 or not 1 <= raw[1] <= 5:
        return None
    return raw if ORACLE_BODY[raw[1]](raw[5:-2]) else None


# --- the run ---------------------------------------------------------------------


def flip_bits(rng: random.Random, wire: bytes) -> bytes:
    raw = bytearray(oracle_cobs(wire) or b"")
    for bit in rng.sample(range(len(raw) * 8), rng.randint(1, 3)):
        raw[bit // 8] ^= 1 << (bit % 8)
    return cobs_encode(bytes(raw))


def swap_byte(rng: random.Random, wire: bytes) -> bytes:
    at = rng.randrange(len(wire))
    new = rng.randint(1, 254)
    new += new >= wire[at]  # a different non-zero byte
    return wire[:at] + bytes((new,)) + wire[at + 1 :]


def insert_byte(rng: random.Random, wire: bytes) -> bytes:
    at = rng.randrange(len(wire) + 1)
    return wire[:at] + nonzero(rng, 1) + wire[at:]


MUTATIONS: dict[str, Callable[[random.Random, bytes], bytes]] = {
    "valid": lambda rng, wire: wire,
    "bitflip": flip_bits,
    "truncated": lambda rng, wire: wire[: rng.randrange(1, len(wire))],
    "oversize": lambda rng, wire: nonzero(rng, rng.randint(57, 400)),
    "byte_swap": swap_byte,
    "insert": insert_byte,
    "noise": lambda rng, wire: nonzero(rng, rng.randint(1, 100)),
}


def make_segment(rng: random.Random, cls: str) -> bytes:
    wire = frames.encode(random_message(rng), rng.randrange(65536))[:-1]
    return MUTATIONS[cls](rng, wire)


def run(total: int, seed: int) -> dict[str, object]:
    rng = random.Random(seed)
    reader = FrameReader()
    expected_raw: list[bytes] = []
    by_class: Counter[str] = Counter()
    oracle_rejects: Counter[str] = Counter()
    must_failures: Counter[str] = Counter()
    accepted_raw: list[bytes] = []
    buffer = bytearray()
    started = time.perf_counter()
    for _ in range(total):
        cls = rng.choices(CLASSES, WEIGHTS)[0]
        segment = make_segment(rng, cls)
        by_class[cls] += 1
        verdict = oracle(segment)
        if verdict is None:
            oracle_rejects[cls] += 1
        else:
            expected_raw.append(verdict)
        must = MUST.get(cls)
        if must is not None and (must == "accept") != (verdict is not None):
            must_failures[cls] += 1
        buffer += segment + b"\x00"
        if len(buffer) > 4096:
            feed(reader, rng, bytes(buffer), accepted_raw)
            buffer.clear()
    feed(reader, rng, bytes(buffer), accepted_raw)
    elapsed = time.perf_counter() - started
    expected_rejects = sum(oracle_rejects.values())
    ok = (
        accepted_raw == expected_raw
        and reader.rejected_total == expected_rejects
        and not must_failures
    )
    return {
        "frames": total,
        "seed": seed,
        "segments_by_class": dict(by_class),
        "expected_rejected": expected_rejects,
        "expected_rejected_by_class": dict(oracle_rejects),
        "reader_rejected": reader.rejected_total,
        "reader_rejected_by_reason": reader.rejected,
        "expected_accepted": len(expected_raw),
        "reader_accepted": reader.accepted,
        "accepted_frames_identical": accepted_raw == expected_raw,
        "must_class_failures": dict(must_failures),
        "exceptions": 0,  # any exception from the reader ends the run with a traceback
        "seconds": round(elapsed, 1),
        "pass": ok,
    }


def feed(reader: FrameReader, rng: random.Random, data: bytes, out: list[bytes]) -> None:
    position = 0
    while position < len(data):
        size = rng.randint(1, 512)
        for frame in reader.feed(data[position : position + size]):
            wire = frames.encode(frame.message, frame.sequence)[:-1]
            out.append(oracle_cobs(wire) or b"")
        position += size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--frames", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    result = run(args.frames, args.seed)
    print(json.dumps(result, indent=2))
    return 0 if result["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
