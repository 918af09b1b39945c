"""Consistent Overhead Byte Stuffing (COBS): frames that never contain 0x00.

COBS rewrites a byte string so that it holds no zero byte, at a cost of one
byte per 254 (plus one). A zero can then mark the end of every frame on the
wire: after line noise, a half-written frame or a device reboot, the reader
throws away bytes up to the next zero and is back in step with the sender.

Encoding splits the data at its zero bytes; each block is written as a code
byte (1 + the block's length, at most 0xFF) followed by the block. A code of
0xFF means "254 data bytes and no zero follows"; any other code means a zero
followed the block in the original, except after the last block.
"""

from __future__ import annotations


class CobsError(ValueError):
    """Bytes that no COBS encoder could have produced."""


def encode(data: bytes) -> bytes:
    """COBS-encode `data`; the result holds no 0x00 and carries no delimiter."""
    out = bytearray()
    block = bytearray()
    for byte in data:
        if byte == 0:
            out.append(len(block) + 1)
            out += block
            block.clear()
        else:
            block.append(byte)
            if len(block) == 254:
                out.append(0xFF)
                out += block
                block.clear()
    out.append(len(block) + 1)
    out += block
    return bytes(out)


def decode(encoded: bytes) -> bytes:
    """The data `encode` turned into `encoded` (no delimiter), or raise CobsError."""
    out = bytearray()
    index = 0
    length = len(encoded)
    if length == 0:
        raise CobsError("empty frame")
    while index < length:
        code = encoded[index]
        if code == 0:
            raise CobsError(f"zero byte at offset {index}")
        end = index + code
        if end > length:
            raise CobsError(f"block at offset {index} runs past the end of the frame")
        block = encoded[index + 1 : end]
        if 0 in block:
            raise CobsError(f"zero byte inside the block at offset {index}")
        out += block
        index = end
        # A zero followed every block shorter than 254, except the last one.
        if code != 0xFF and index < length:
            out.append(0)
    return bytes(out)
