"""One message in, zero or more events out: the transport-free heart of ingest.

`Ingest.handle` is called for every MQTT message (live) and `Ingest.map_reading`
for every dataset row (replay), so both paths map, check and tally identically.

Live, a `ClockGuard` judges the hub's clock once per message: while it cannot
be trusted, events become `UnsureEvent`s (stored flagged, corrected later);
while it can, a device's own time that is far from it is replaced by the
receive time and tallied. Replay has no guard: a dataset's times are history.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from hub.clock import Clock
from hub.clock_guard import ClockGuard, device_time_fault
from hub.config.models import HearthConfig, Sensor
from hub.events import Event, Reading, Source
from hub.ingest.adapters import zigbee2mqtt
from hub.ingest.errors import MalformedPayload
from hub.ingest.ledger import Ledger
from hub.ingest.router import Router
from hub.ingest.sensor_map import SensorMap
from hub.store.event_table import UnsureEvent, to_micros


@dataclass
class IngestStats:
    messages: int = 0
    events: int = 0
    malformed: int = 0
    unmapped: int = 0  # messages (or dataset rows) from devices not in the config
    unsure: int = 0  # events received while the hub's clock was not trusted
    device_times_replaced: int = 0  # device times far from the (trusted) hub clock


class Ingest:
    def __init__(
        self,
        config: HearthConfig,
        clock: Clock,
        ledger: Ledger | None = None,
        guard: ClockGuard | None = None,
    ) -> None:
        self.router = Router(config)
        self.sensors = SensorMap(config)
        self.clock = clock
        self.ledger = ledger or Ledger(config.ingest.malformed_log_interval_s)
        self.guard = guard
        self.stats = IngestStats()

    def check_clock(self, now: datetime | None = None) -> bool:
        """Judge the hub clock now (per message, and from a timer when messages are rare).

        A correction due because it became trustworthy goes to the ledger, to be
        applied with the next batch. Without a guard the clock is always trusted.
        """
        guard = self.guard
        if guard is None:
            return True
        trusted = guard.check(self.clock.now() if now is None else now)
        correction = guard.take_correction()
        if correction is not None:
            self.ledger.correct(correction)
        return trusted

    def handle(self, topic: str, payload: bytes) -> list[Event]:
        """Events carried by one MQTT message. Never raises for bad input: it is tallied."""
        self.stats.messages += 1
        received = self.clock.now()
        trusted = self.check_clock(received)
        try:
            if topic == self.router.z2m_devices_topic:
                self._announce(topic, payload)
                return []
            readings = self.router.route(topic, payload)
            events = []
            unmapped: set[str] | None = None  # made only when needed: this runs per message
            device: str | None = None
            sensor: Sensor | None = None
            for reading in readings:
                if reading.device != device:  # a message's readings share a device
                    device, sensor = reading.device, self.sensors.sensor_for(reading)
                if sensor is None:
                    # One sighting per device per message, however many readings it held.
                    if unmapped is None:
                        unmapped = set()
                    if reading.device not in unmapped:
                        unmapped.add(reading.device)
                        self.stats.unmapped += 1
                        self.ledger.saw_unmapped(
                            reading.source, reading.device, topic, payload, to_micros(received)
                        )
                    continue
                timed = reading
                if reading.time is not None:
                    timed = self._device_time(reading, reading.time, received, trusted)
                event = self.sensors.to_event(sensor, timed, received)
                if not trusted:
                    event = self._unsure(event)
                events.append(event)
        except MalformedPayload as exc:
            self.stats.malformed += 1
            self.ledger.saw_malformed(topic, payload, str(exc), to_micros(received))
            return []
        self.stats.events += len(events)
        return events

    def _device_time(
        self, reading: Reading, device_time: datetime, received: datetime, trusted: bool
    ) -> Reading:
        """The reading with its own time, or with none (take the receive time)."""
        if not trusted:
            # Nothing to judge the device's time by; the receive time will be corrected.
            return replace(reading, time=None)
        fault = device_time_fault(device_time, received)
        if fault is None:
            return reading
        self.stats.device_times_replaced += 1
        self.ledger.saw_clock_fix(reading.source, reading.device, fault, to_micros(received))
        return replace(reading, time=None)

    def _unsure(self, event: Event) -> UnsureEvent:
        guard = self.guard
        assert guard is not None  # only a guard says "not trusted"
        self.stats.unsure += 1
        return UnsureEvent(
            event.time,
            event.sensor,
            event.kind,
            event.value,
            event.source,
            guard.boot,
            guard.mono_us,
        )

    def map_reading(self, reading: Reading, origin: str) -> Event | None:
        """The event for one dataset reading, or None (tallied) if unmapped or unfit."""
        time = reading.time or self.clock.now()
        sensor = self.sensors.sensor_for(reading)
        if sensor is None:
            self.stats.unmapped += 1
            self.ledger.saw_unmapped(
                reading.source,
                reading.device,
                origin,
                str(reading.value).encode(),
                to_micros(time),
            )
            return None
        try:
            event = self.sensors.to_event(sensor, reading, time)
        except MalformedPayload as exc:
            self.stats.malformed += 1
            self.ledger.saw_malformed(
                origin, str(reading.value).encode(), str(exc), to_micros(time)
            )
            return None
        self.stats.events += 1
        return event

    def _announce(self, topic: str, payload: bytes) -> None:
        now_us = to_micros(self.clock.now())
        for device in zigbee2mqtt.parse_bridge_devices(payload):
            if self.sensors.sensor_for(Reading(Source.ZIGBEE2MQTT, device.device, None, True)):
                continue
            self.ledger.saw_announced(
                device.source,
                device.device,
                model=device.model,
                description=device.description,
                topic=topic,
                now_us=now_us,
            )
