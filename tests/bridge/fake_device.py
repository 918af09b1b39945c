"""A test device speaking the Hearth protocol on the far end of a socat pty pair.

It behaves like the pill box the protocol was written for: a hello after
every (re)start, reports and heartbeats when told to, and commands run at
most once per id, acknowledged every time they arrive. Faults can be
injected: acks that get lost, garbage before the hello, a reboot that forgets
a command it had not run yet.

It runs in a thread of the test process so tests can look at what it
executed; it reopens its end of the pty whenever it vanishes (an unplug).
"""

from __future__ import annotations

import contextlib
import queue
import termios
import threading
import time
from pathlib import Path

import serial

from firmware_bridge import frames
from firmware_bridge.frames import Ack, Command, FrameReader, Heartbeat, Hello, Report
from hub.events import Kind


class FakeDevice:
    def __init__(self, path: Path, *, garbage: bytes = b"", device_type: str = "pillbox") -> None:
        self.path = path
        self.garbage = garbage
        self.device_type = device_type
        self.executed: list[int] = []  # command ids, in the order they were run
        self.received: list[int] = []  # command ids as they arrived, repeats included
        self.remembered: set[int] = set()  # survives restarts, as EEPROM would
        self.drop_acks: dict[int, int] = {}  # command id -> acks still to "lose"
        self.ignore_commands = False  # a device that never answers
        self.starts = 0
        self.connected = threading.Event()
        self._outbox: queue.Queue[bytes] = queue.Queue()
        self._sequence = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fake-device", daemon=True)

    # --- what a test asks of the device ------------------------------------------

    def start(self) -> FakeDevice:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)

    def report(self, sensor: int, kind: Kind, value: bool | float | str) -> None:
        self._outbox.put(self._frame(Report(sensor, kind, value)))

    def heartbeat(self, uptime_s: int) -> None:
        self._outbox.put(self._frame(Heartbeat(uptime_s)))

    def hello(self) -> None:
        """What the device sends after a restart."""
        self._outbox.put(self._frame(Hello(self.device_type, (1, 2, 0))))

    def raw(self, data: bytes) -> None:
        self._outbox.put(data)

    def wait_connected(self, timeout: float = 10.0) -> bool:
        return self.connected.wait(timeout)

    # --- the device's own loop -----------------------------------------------------

    def _frame(self, message: frames.Message) -> bytes:
        self._sequence = (self._sequence + 1) & 0xFFFF
        return frames.encode(message, self._sequence)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                port = serial.Serial(str(self.path), 115200, timeout=0.01, write_timeout=2)
            except (OSError, ValueError, termios.error):
                time.sleep(0.01)
                continue
            try:
                self._serve(port)
            except (OSError, termios.error):
                pass  # unplugged: power lost; start again when the port returns
            finally:
                self.connected.clear()
                with contextlib.suppress(OSError):
                    port.close()

    def _serve(self, port: serial.Serial) -> None:
        self.starts += 1
        reader = FrameReader()
        port.write(self.garbage + b"\x00" + self._frame(Hello(self.device_type, (1, 2, 0))))
        self.connected.set()
        while not self._stop.is_set():
            outgoing = b""
            while True:
                try:
                    outgoing += self._outbox.get_nowait()
                except queue.Empty:
                    break
            if outgoing:
                port.write(outgoing)
            data = port.read(port.in_waiting or 1)
            for frame in reader.feed(data):
                if isinstance(frame.message, Command):
                    self._command(port, frame.message)

    def _command(self, port: serial.Serial, command: Command) -> None:
        command_id = command.command_id
        self.received.append(command_id)
        if self.ignore_commands:
            return
        if command_id not in self.remembered:
            self.remembered.add(command_id)
            self.executed.append(command_id)
        lost = self.drop_acks.get(command_id, 0)
        if lost:
            self.drop_acks[command_id] = lost - 1
            return
        port.write(self._frame(Ack(command_id)))
