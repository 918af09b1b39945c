"""What a producer says a device is, from its device list (Zigbee2MQTT's `bridge/devices`)."""

from __future__ import annotations

from dataclasses import dataclass

from hub.events import Source


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """One device a producer knows about, for `hearth doctor` and config hints.

    `device` is the producer's own name for it (the same string Readings carry);
    `model` and `description` are empty when the producer does not know them
    (an unsupported Zigbee device has no definition).
    """

    source: Source
    device: str
    model: str
    description: str
