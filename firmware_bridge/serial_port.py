"""A serial port that reports every way of going away as one named error.

pyserial raises SerialException for some failures and OSError, or
termios.error, for others (an unplugged USB adapter, a pty whose other end
closed); the bridge only needs to know "the port is gone, reopen it later".
"""

from __future__ import annotations

import contextlib
import termios
from pathlib import Path

import serial

READ_WAIT_S = 0.02  # longest a read waits for data: bounds the delay of an MQTT command
WRITE_WAIT_S = 2.0  # a device that stops reading for this long is treated as gone


class PortError(OSError):
    """The serial port is missing, cannot be configured, or failed while in use."""


class SerialLink:
    def __init__(self, port: serial.Serial) -> None:
        self._port = port

    @classmethod
    def open(cls, path: Path, baud: int) -> SerialLink:
        try:
            # exclusive: a second bridge (or a stray `screen`) on the same port
            # would steal bytes and break frames; refuse rather than share.
            port = serial.Serial(
                str(path),
                baudrate=baud,
                timeout=READ_WAIT_S,
                write_timeout=WRITE_WAIT_S,
                exclusive=True,
            )
        except (OSError, termios.error) as exc:
            raise PortError(f"cannot open {path}: {exc}") from exc
        return cls(port)

    def read(self) -> bytes:
        """What has arrived, waiting up to READ_WAIT_S for the first byte; b"" if nothing."""
        try:
            waiting = self._port.in_waiting
            return bytes(self._port.read(waiting or 1))
        except (OSError, termios.error) as exc:
            raise PortError(f"read failed: {exc}") from exc

    def read_available(self) -> bytes:
        """What has already arrived, without waiting (used when stopping)."""
        try:
            waiting = self._port.in_waiting
            return bytes(self._port.read(waiting)) if waiting else b""
        except (OSError, termios.error) as exc:
            raise PortError(f"read failed: {exc}") from exc

    def write(self, data: bytes) -> None:
        try:
            self._port.write(data)
        except (OSError, termios.error) as exc:
            raise PortError(f"write failed: {exc}") from exc

    def close(self) -> None:
        # Closing a port that vanished can fail; there is nothing left to release.
        with contextlib.suppress(OSError, termios.error):
            self._port.close()
