"""The home's configuration as pydantic models.

Every field has a default (or is plainly required), a title and a description,
and unknown keys are refused (`extra="forbid"`), so a misspelt key is an error
with a line number rather than a silently ignored setting.

Checks that span several entries (a sensor's room exists, ids are unique) are
not validators: `cross_check` returns each problem with its own key path, so
the loader can point at the exact line, and models stay easy to build in code.
"""

from __future__ import annotations

from collections.abc import Mapping
from difflib import get_close_matches
from enum import StrEnum
from pathlib import Path
from typing import Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import Field, field_validator, model_validator

from hub.config.alerts import Alerts
from hub.config.base import Identifier, Loc, _Model
from hub.config.home_assistant import HomeAssistant
from hub.config.medication import Medication, check_medication
from hub.config.rules import Rules
from hub.config.summary import Summary
from hub.config.web import Web
from hub.events import BINARY_KINDS, Kind, Source


class Role(StrEnum):
    """What a sensor tells the routine engine about, independent of its brand."""

    BED = "bed"
    CHAIR = "chair"
    FRIDGE = "fridge"
    FREEZER = "freezer"
    KETTLE = "kettle"
    COOKER = "cooker"
    MICROWAVE = "microwave"
    TOASTER = "toaster"
    CUPBOARD = "cupboard"
    FRONT_DOOR = "front_door"
    BACK_DOOR = "back_door"
    INTERNAL_DOOR = "internal_door"
    TOILET = "toilet"
    SHOWER = "shower"
    BASIN = "basin"
    PILLBOX = "pillbox"
    MEDICINE_CABINET = "medicine_cabinet"
    TV = "tv"
    WASHING_MACHINE = "washing_machine"
    DISHWASHER = "dishwasher"
    OK_BUTTON = "ok_button"  # the resident's "I'm OK" button: cancels an alarm raised in error
    HELP_BUTTON = "help_button"  # a pull cord or call button: asks for help at once
    THERMOMETER = "thermometer"
    ROOM = "room"  # a room-level sensor (motion in the hall) with no object of its own


class Home(_Model):
    id: Identifier = Field(
        title="Home id",
        description="Short id used in MQTT topics (hearth/<id>/...) and file names.",
    )
    timezone: str = Field(
        default="Europe/London",
        title="Time zone",
        description="IANA time zone of the home; days and routines are local, storage is UTC.",
    )

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            # Listing every zone is slow-ish, so it is only done for a wrong name.
            # Case is ignored ('europe/london'); the high cutoff keeps 'GMT+1'
            # from being offered 'GMT+0', which is another time zone entirely.
            zones = {zone.lower(): zone for zone in available_timezones()}
            close = get_close_matches(value.lower(), sorted(zones), n=1, cutoff=0.85)
            hint = (
                f"did you mean {zones[close[0]]!r}?" if close else "use a name like 'Europe/London'"
            )
            raise ValueError(f"unknown time zone {value!r} ({hint})") from exc
        return value


class Resident(_Model):
    name: str = Field(
        default="",
        title="Display name",
        description="How carers' pages and spoken prompts address the person. Stays in the home.",
    )
    language: str = Field(
        default="en",
        title="Language",
        description="Language for spoken prompts (an espeak-ng voice code).",
    )


class Room(_Model):
    id: Identifier = Field(title="Room id", description="Short id sensors refer to.")
    name: str = Field(default="", title="Name", description="Readable name; defaults to the id.")


class Match(_Model):
    """How a sensor is recognised among the messages that arrive."""

    source: Source = Field(
        title="Producer",
        description="Which producer reports this device (zigbee2mqtt, tasmota, esphome, "
        "shelly, rtl_433, generic, bridge) or which dataset it comes from.",
    )
    device: str | None = Field(
        default=None,
        title="Device name",
        description="The producer's own name for the device: the Zigbee2MQTT friendly name; "
        "for Tasmota the topic (relay 1), '<topic>:<n>' (relay n), '<topic>:<sensor>' "
        "(e.g. kitchen:AM2301) or '<topic>:Switch<n>'; 'node/component/name' for ESPHome; "
        "'<prefix>:<component>' for Shelly (e.g. shellyplus1pm-a8032ab12345:switch:0); "
        "'<model>/<channel>/<id>' or '<model>/<id>' for rtl_433; or the dataset's sensor name.",
    )
    topic: str | None = Field(
        default=None,
        title="Topic (generic only)",
        description="For source 'generic': the exact MQTT topic that carries the value.",
    )
    field: str | None = Field(
        default=None,
        title="JSON field (generic only)",
        description="For source 'generic': the JSON key holding the value; empty means "
        "the payload is the plain value (ON, 21.5, true).",
    )

    @model_validator(mode="after")
    def _needs_identity(self) -> Self:
        if self.source is Source.GENERIC:
            if not self.topic:
                raise ValueError("a generic sensor needs 'topic'")
        elif not self.device:
            raise ValueError(f"a {self.source.value} sensor needs 'device'")
        if self.source is not Source.GENERIC and (self.topic or self.field):
            raise ValueError("'topic' and 'field' are only for source 'generic'")
        return self

    def key(self) -> tuple[str, str]:
        """The (source, device) pair the ingest router looks up."""
        if self.source is Source.GENERIC:
            return (self.source.value, f"{self.topic}#{self.field or ''}")
        return (self.source.value, self.device or "")


class Sensor(_Model):
    id: Identifier = Field(title="Sensor id", description="Stable id used in events and reports.")
    match: Match = Field(title="Match", description="How this sensor's messages are recognised.")
    kind: Kind = Field(
        title="Kind",
        description="What the sensor's main reading is (motion, contact, pressure, power ...). "
        "Other readings the device sends (battery, temperature) are kept with their own kinds.",
    )
    room: Identifier = Field(title="Room", description="The room id the sensor is in.")
    role: Role = Field(
        default=Role.ROOM,
        title="Role",
        description="What the sensor tells about daily life (bed, chair, fridge, front_door, "
        "kettle, toilet, pillbox ...); 'room' for room-level motion.",
    )
    invert: bool = Field(
        default=False,
        title="Invert",
        description="Read the sensor's on/off the other way round: a reed switch fitted so "
        "that it reports 'open' while the door is shut. Only for on/off kinds.",
    )
    expected_interval_s: int | None = Field(
        default=None,
        ge=60,
        title="Expected report interval",
        description="Seconds within which a healthy sensor always reports something "
        "(a heartbeat or battery report); empty means it only reports on change.",
    )

    @model_validator(mode="after")
    def _invert_only_on_off(self) -> Self:
        if self.invert and self.kind not in BINARY_KINDS:
            raise ValueError(f"invert applies to on/off sensors only, not to {self.kind.value}")
        return self


class Tls(_Model):
    ca_file: Path | None = Field(
        default=None, title="CA file", description="CA certificate that signed the broker's."
    )
    cert_file: Path | None = Field(
        default=None, title="Client certificate", description="Client certificate, if used."
    )
    key_file: Path | None = Field(
        default=None, title="Client key", description="Client private key, if used."
    )


class Broker(_Model):
    host: str = Field(default="localhost", title="Host", description="MQTT broker host name.")
    port: int = Field(default=1883, ge=1, le=65535, title="Port", description="Broker port.")
    tls: Tls | None = Field(
        default=None, title="TLS", description="Connect with TLS; empty means plain TCP."
    )
    username: str | None = Field(
        default=None, title="User name", description="MQTT user name; empty for anonymous."
    )
    password_file: Path | None = Field(
        default=None,
        title="Password file",
        description="File holding the MQTT password (never written inline in this config).",
    )
    password_env: str | None = Field(
        default=None,
        title="Password variable",
        description="Environment variable holding the MQTT password, if not a file.",
    )
    client_id: str | None = Field(
        default=None,
        title="Client id",
        description="Fixed MQTT client id, so the broker keeps our session; "
        "defaults to hearth-<home id>.",
    )
    keepalive_s: int = Field(
        default=30, ge=5, le=3600, title="Keepalive", description="MQTT keepalive, seconds."
    )
    topic_prefix: str = Field(
        default="hearth/{home_id}",
        title="Topic prefix",
        description="Prefix of the topics the hub owns (status, alerts, bridge traffic).",
    )

    @model_validator(mode="after")
    def _one_password_source(self) -> Self:
        if self.password_file and self.password_env:
            raise ValueError("give either password_file or password_env, not both")
        return self


class Producers(_Model):
    zigbee2mqtt_base_topic: str = Field(
        default="zigbee2mqtt",
        title="Zigbee2MQTT base topic",
        description="Zigbee2MQTT's base_topic; empty disables Zigbee2MQTT ingest.",
    )
    tasmota: bool = Field(
        default=True,
        title="Tasmota",
        description="Listen to Tasmota's default topics (tele/<topic>/..., stat/<topic>/...).",
    )
    shelly: bool = Field(
        default=True,
        title="Shelly Gen2",
        description="Listen to Shelly Gen2 devices (<prefix>/events/rpc, <prefix>/online).",
    )
    rtl_433_topic: str = Field(
        default="rtl_433/+/events",
        title="rtl_433 topic",
        description="Topic filter of rtl_433's events output; empty disables it.",
    )
    esphome_nodes: list[str] = Field(
        default_factory=list,
        title="ESPHome nodes",
        description="ESPHome node names (topic prefixes) to listen to beyond those in sensors.",
    )


class Storage(_Model):
    path: Path = Field(
        default=Path("/var/lib/hearth/hearth.db"),
        title="Database file",
        description="SQLite database; relative paths are taken from the config file's folder.",
    )
    commit_interval_s: float = Field(
        default=5.0,
        gt=0,
        le=300,
        title="Commit interval",
        description="Longest time an event waits before it is written to disk. Batching "
        "spares the SD card; messages are acknowledged to the broker only after the write.",
    )
    batch_max: int = Field(
        default=2000,
        ge=1,
        le=60000,
        title="Batch size",
        description="Write a batch early once this many events are waiting.",
    )
    raw_retention_days: int = Field(
        default=400,
        ge=1,
        title="Raw event retention",
        description="Days raw events are kept; derived summaries are kept longer.",
    )


class Ingest(_Model):
    max_unacknowledged: int = Field(
        default=20000,
        ge=1,
        le=65535,
        title="Unacknowledged window",
        description="Most messages the broker may hand over before we acknowledge them "
        "(MQTT receive maximum). Past it the broker holds messages for us: nothing is dropped.",
    )
    malformed_log_interval_s: float = Field(
        default=60.0,
        ge=0,
        title="Malformed-message log interval",
        description="At most one log line per topic in this many seconds for bad payloads.",
    )


class SerialProtocol(StrEnum):
    """What a serial device speaks (see firmware_bridge/PROTOCOL.md for 'hearth')."""

    HEARTH = "hearth"
    MYSENSORS = "mysensors"


class SerialPort(_Model):
    id: Identifier = Field(
        title="Port id",
        description="Short id used in MQTT topics (<topic_prefix>/bridge/<id>/...) and in "
        "bridge sensors' device names (<id>/<sensor>).",
    )
    path: Path = Field(
        title="Device path",
        description="The serial device, by its stable name under /dev/serial/by-id/ "
        "(/dev/ttyUSB0 can change when devices are plugged in another order).",
    )
    protocol: SerialProtocol = Field(
        default=SerialProtocol.HEARTH,
        title="Protocol",
        description="hearth (Hearth device protocol) or mysensors (a MySensors serial gateway).",
    )
    baud: int = Field(
        default=115200, ge=300, le=4_000_000, title="Baud rate", description="Serial speed."
    )

    @field_validator("path")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        if not value.is_absolute():
            raise ValueError("give the full path, such as /dev/serial/by-id/usb-...")
        return value


class Bridge(_Model):
    ports: list[SerialPort] = Field(
        default_factory=list,
        title="Serial ports",
        description="Serial devices the firmware-bridge process serves; empty means none.",
    )
    command_retries: int = Field(
        default=5,
        ge=1,
        le=100,
        title="Command attempts",
        description="Times a command is sent to a device that does not acknowledge it "
        "before it is reported as failed (the device runs each command id once).",
    )
    ack_timeout_s: float = Field(
        default=1.0,
        gt=0,
        le=60,
        title="Acknowledgement timeout",
        description="Seconds to wait for a device's acknowledgement before sending again.",
    )
    reconnect_min_s: float = Field(
        default=0.5,
        gt=0,
        le=60,
        title="Shortest reopen delay",
        description="First wait before reopening a port that vanished or is not there yet; "
        "it doubles (with jitter) on each failure.",
    )
    reconnect_max_s: float = Field(
        default=10.0,
        gt=0,
        le=600,
        title="Longest reopen delay",
        description="Longest wait between attempts to reopen a port.",
    )
    username: str | None = Field(
        default=None,
        title="Bridge user name",
        description="MQTT user for the bridge, which needs only <topic_prefix>/bridge/#; "
        "empty means the broker section's user and password.",
    )
    password_file: Path | None = Field(
        default=None,
        title="Bridge password file",
        description="File holding the bridge user's MQTT password (with username).",
    )

    @model_validator(mode="after")
    def _user_and_password_together(self) -> Self:
        if (self.username is None) != (self.password_file is None):
            raise ValueError("give the bridge's username and password_file together, or neither")
        return self


class HearthConfig(_Model):
    home: Home = Field(title="Home", description="Identity and time zone of the home.")
    resident: Resident = Field(
        default_factory=Resident, title="Resident", description="The person Hearth serves."
    )
    rooms: list[Room] = Field(default_factory=list, title="Rooms", description="Rooms of the home.")
    sensors: list[Sensor] = Field(
        default_factory=list, title="Sensors", description="Sensors and how each is matched."
    )
    broker: Broker = Field(
        default_factory=Broker, title="Broker", description="The MQTT broker to connect to."
    )
    producers: Producers = Field(
        default_factory=Producers,
        title="Producers",
        description="Which device producers to listen to and on which topics.",
    )
    storage: Storage = Field(
        default_factory=Storage, title="Storage", description="Database and retention."
    )
    ingest: Ingest = Field(
        default_factory=Ingest, title="Ingest", description="Limits of the MQTT ingest path."
    )
    bridge: Bridge = Field(
        default_factory=Bridge,
        title="Firmware bridge",
        description="Serial devices served by the firmware-bridge process.",
    )
    rules: Rules = Field(
        default_factory=Rules,
        title="Rules",
        description="Real-time safety rules (docs/rules.md): switch each on or off and tune it.",
    )
    alerts: Alerts = Field(
        default_factory=Alerts,
        title="Alerts",
        description="Who is told about alerts, through which channels, and in which order.",
    )
    medication: Medication = Field(
        default_factory=Medication,
        title="Medication",
        description="Medicines, when each is due, and how the home reminds and confirms "
        "(docs/medication.md).",
    )
    home_assistant: HomeAssistant = Field(
        default_factory=HomeAssistant,
        title="Home Assistant",
        description="How Hearth appears in Home Assistant through MQTT discovery "
        "(docs/home_assistant.md).",
    )
    web: Web = Field(
        default_factory=Web,
        title="Web server",
        description="The hub's web server: the carers' app, its API and acknowledgement links.",
    )
    summary: Summary = Field(
        default_factory=Summary,
        title="Weekly summary",
        description="The weekly summary for care co-ordinators: when it is e-mailed, and whether.",
    )

    @property
    def topic_prefix(self) -> str:
        return self.broker.topic_prefix.format(home_id=self.home.id).rstrip("/")

    @property
    def client_id(self) -> str:
        return self.broker.client_id or f"hearth-{self.home.id}"


def cross_check(config: HearthConfig) -> list[tuple[Loc, str]]:
    """Problems that span entries: unknown rooms, repeated ids, a device used twice."""
    problems = check_references(dict(enumerate(config.rooms)), dict(enumerate(config.sensors)))
    problems += _repeated_ports(config.bridge.ports)
    problems += check_medication(config)
    return sorted(problems)


def check_references(
    rooms: Mapping[int, Room],
    sensors: Mapping[int, Sensor],
    *,
    every_room_known: bool = True,
) -> list[tuple[Loc, str]]:
    """The checks behind `cross_check`, over entries keyed by their place in the file.

    The loader also calls this when validation failed, with only the entries
    that are valid on their own, so one run reports every problem. It passes
    `every_room_known=False` when some room was invalid: a sensor naming that
    room is not at fault, so unknown rooms are not reported then.
    """
    problems = _repeats({("rooms", i, "id"): f"room id {r.id!r}" for i, r in rooms.items()})
    problems += _repeats({("sensors", i, "id"): f"sensor id {s.id!r}" for i, s in sensors.items()})
    # The ingest router finds a sensor by its match key, so two sensors on one
    # device would make one of them silently never receive anything.
    problems += _repeats({_match_loc(i, s.match): _describe(s.match) for i, s in sensors.items()})
    if every_room_known:
        known = [room.id for room in rooms.values()]
        for i, sensor in sensors.items():
            if sensor.room not in known:
                close = get_close_matches(sensor.room, known, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                message = f"room {sensor.room!r} is not in rooms{hint}"
                problems.append((("sensors", i, "room"), message))
    return sorted(problems)  # file order, for callers that have no line numbers


def _repeated_ports(ports: list[SerialPort]) -> list[tuple[Loc, str]]:
    """Two bridge ports with one id would share MQTT topics; with one path, fight over it."""
    problems: list[tuple[Loc, str]] = []
    for field in ("id", "path"):
        first: dict[str, int] = {}
        for index, port in enumerate(ports):
            value = str(getattr(port, field))
            if value in first:
                message = f"port {field} {value!r} is already used by bridge.ports[{first[value]}]"
                problems.append((("bridge", "ports", index, field), message))
            else:
                first[value] = index
    return problems


def _repeats(described: Mapping[Loc, str]) -> list[tuple[Loc, str]]:
    """A problem for each entry whose description matches an earlier entry's."""
    first: dict[str, Loc] = {}
    problems: list[tuple[Loc, str]] = []
    for loc, description in described.items():
        if description in first:
            earlier = first[description]
            problems.append((loc, f"{description} is already used by {earlier[0]}[{earlier[1]}]"))
        else:
            first[description] = loc
    return problems


def _match_loc(index: int, match: Match) -> Loc:
    return ("sensors", index, "match", "topic" if match.source is Source.GENERIC else "device")


def _describe(match: Match) -> str:
    """Words for `match.key()`: equal descriptions mean equal keys."""
    if match.source is Source.GENERIC:
        field = f" with field {match.field!r}" if match.field else ""
        return f"generic topic {match.topic!r}{field}"
    return f"{match.source.value} device {match.device!r}"
