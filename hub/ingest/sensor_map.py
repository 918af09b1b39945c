"""Mapping a producer's Reading to the home's configured sensor, giving an Event."""

from __future__ import annotations

from datetime import datetime

from hub.config.models import HearthConfig, Sensor
from hub.events import Event, InvalidValue, Reading, check_value
from hub.ingest.errors import MalformedPayload


class SensorMap:
    """Look up configured sensors by (source, device), as written under `match:`."""

    def __init__(self, config: HearthConfig) -> None:
        self._by_key: dict[tuple[str, str], Sensor] = {
            sensor.match.key(): sensor for sensor in config.sensors
        }

    def sensor_for(self, reading: Reading) -> Sensor | None:
        return self._by_key.get((reading.source, reading.device))

    def to_event(self, sensor: Sensor, reading: Reading, received: datetime) -> Event:
        """Make the Event for a reading of a known sensor.

        A reading without its own kind ("active"/"inactive" from a dataset, an
        ESPHome binary_sensor) takes the sensor's configured kind, and its value
        must fit that kind; a misfit is a malformed message, not a crash.
        """
        if reading.kind is None:
            try:
                value = check_value(sensor.kind, reading.value)
            except InvalidValue as exc:
                raise MalformedPayload(
                    f"sensor {sensor.id!r} is configured as {sensor.kind.value}: {exc}"
                ) from exc
            kind = sensor.kind
        else:
            kind, value = reading.kind, reading.value
        if sensor.invert and kind is sensor.kind and isinstance(value, bool):
            # Only the main reading: a device's availability is not inverted.
            value = not value
        return Event(reading.time or received, sensor.id, kind, value, reading.source)
