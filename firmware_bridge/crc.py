"""CRC-16/CCITT-FALSE, the checksum at the end of every Hearth frame.

Polynomial 0x1021, initial value 0xFFFF, no reflection, no final XOR; the
check value of b"123456789" is 0x29B1. It is cheap on an 8-bit
microcontroller (a 512-byte table or a few shifts per byte) and detects every
error of one, two or three bits, and every burst of up to 16 bits, in frames
as short as ours. Python's `binascii.crc_hqx(data, 0xFFFF)` computes the same
value; this table-driven version is kept so the protocol document can point
device authors at a complete, readable reference.
"""

from __future__ import annotations

POLYNOMIAL = 0x1021
INITIAL = 0xFFFF


def _table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ POLYNOMIAL) if crc & 0x8000 else (crc << 1)
        table.append(crc & 0xFFFF)
    return tuple(table)


_TABLE = _table()


def crc16(data: bytes, crc: int = INITIAL) -> int:
    """CRC-16/CCITT-FALSE of `data` (pass `crc` to continue over more data)."""
    for byte in data:
        crc = ((crc << 8) & 0xFFFF) ^ _TABLE[(crc >> 8) ^ byte]
    return crc
