"""load_config: every problem in a config file, each as one exact line."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from hub.config import (
    ConfigError,
    HearthConfig,
    Home,
    Match,
    Problem,
    Room,
    Sensor,
    cross_check,
    load_config,
    validate_config,
)
from hub.events import Kind, Source
from hub.start_secrets import start_secret_problems

# Line numbers in the tests below count from the first line of each YAML text.
GOOD = """\
home:
  id: flat-12
rooms:
  - id: kitchen
sensors:
  - id: kettle
    match:
      source: zigbee2mqtt
      device: Kettle plug
    kind: power
    room: kitchen
"""


def write(tmp_path: Path, text: str, name: str = "home.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_in(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return [str(problem) for problem in caught.value.problems]


def test_a_good_file_loads(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    assert config.home.id == "flat-12"
    assert config.sensors[0].match.key() == ("zigbee2mqtt", "Kettle plug")
    assert config.topic_prefix == "hearth/flat-12"
    assert config.client_id == "hearth-flat-12"


def test_misspelt_top_level_key(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("sensors:", "sensrs:"))
    assert problems_in(path) == [
        f"{path}:5: sensrs: unknown key 'sensrs' (did you mean 'sensors'?)",
    ]


def test_misspelt_nested_key(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("device:", "devcie:"))
    assert problems_in(path) == [
        f"{path}:9: sensors[0].match.devcie: unknown key 'devcie' (did you mean 'device'?)",
    ]


def test_unknown_key_with_no_close_match(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "colour: blue\n")
    assert problems_in(path) == [f"{path}:12: colour: unknown key 'colour'"]


def test_wrong_enum_value_lists_the_choices(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("kind: power", "kind: powr"))
    assert problems_in(path) == [
        f"{path}:10: sensors[0].kind: 'powr' is not one of: motion, presence, contact, "
        "pressure, switch, flush, water, availability, power, temperature, humidity, "
        "illuminance, air_pressure, battery, button, medication (did you mean 'power'?)",
    ]


def test_bad_time_zone(tmp_path: Path) -> None:
    path = write(
        tmp_path, GOOD.replace("  id: flat-12\n", "  id: flat-12\n  timezone: Europe/Londn\n")
    )
    assert problems_in(path) == [
        f"{path}:3: home.timezone: unknown time zone 'Europe/Londn' "
        "(did you mean 'Europe/London'?)",
    ]


@pytest.mark.parametrize(
    ("written", "hint"),
    [
        ("europe/london", "did you mean 'Europe/London'?"),
        # 'GMT+0' is close in spelling but is another time zone: no suggestion.
        ("GMT+1", "use a name like 'Europe/London'"),
    ],
)
def test_time_zone_suggestions(tmp_path: Path, written: str, hint: str) -> None:
    path = write(
        tmp_path, GOOD.replace("  id: flat-12\n", f"  id: flat-12\n  timezone: {written}\n")
    )
    assert problems_in(path) == [f"{path}:3: home.timezone: unknown time zone {written!r} ({hint})"]


def test_unknown_room(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("room: kitchen", "room: kitchn"))
    assert problems_in(path) == [
        f"{path}:11: sensors[0].room: room 'kitchn' is not in rooms (did you mean 'kitchen'?)",
    ]


def test_invalid_id(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("  - id: kitchen", "  - id: Kitchen"))
    assert problems_in(path) == [
        f"{path}:4: rooms[0].id: 'Kitchen' is not a valid id: use lower-case letters a-z, "
        "digits, '_' and '-', starting with a letter or digit",
    ]


def test_duplicate_sensor_id_points_at_the_repeat(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        GOOD
        + """\
  - id: kettle
    match:
      source: zigbee2mqtt
      device: Kettle plug 2
    kind: power
    room: kitchen
""",
    )
    assert problems_in(path) == [
        f"{path}:12: sensors[1].id: sensor id 'kettle' is already used by sensors[0]",
    ]


def test_duplicate_room_id(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("  - id: kitchen\n", "  - id: kitchen\n  - id: kitchen\n"))
    assert problems_in(path) == [
        f"{path}:5: rooms[1].id: room id 'kitchen' is already used by rooms[0]",
    ]


def test_one_device_cannot_be_two_sensors(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        GOOD
        + """\
  - id: kettle_again
    match:
      source: zigbee2mqtt
      device: Kettle plug
    kind: switch
    room: kitchen
""",
    )
    assert problems_in(path) == [
        f"{path}:15: sensors[1].match.device: zigbee2mqtt device 'Kettle plug' is already "
        "used by sensors[0]",
    ]


def test_one_generic_topic_and_field_cannot_be_two_sensors(tmp_path: Path) -> None:
    generic = """\
  - id: {id}
    match:
      source: generic
      topic: diy/cupboard
      field: {field}
    kind: contact
    room: kitchen
"""
    text = GOOD + generic.format(id="a", field="open") + generic.format(id="b", field="open")
    text += generic.format(id="c", field="door")
    path = write(tmp_path, text)
    assert problems_in(path) == [
        f"{path}:22: sensors[2].match.topic: generic topic 'diy/cupboard' with field 'open' "
        "is already used by sensors[1]",
    ]


def test_yaml_syntax_error_has_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("    kind: power", "    kind: power: high"))
    assert problems_in(path) == [
        f"{path}:10: YAML syntax error: mapping values are not allowed here (a ':' inside a "
        "value needs quotes around the value, or a ':' is missing on a line above)",
    ]


def test_unclosed_quote_names_where_it_began(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("device: Kettle plug", 'device: "Kettle plug'))
    assert problems_in(path) == [
        f"{path}:12: YAML syntax error: found unexpected end of stream "
        "(while scanning a quoted scalar from line 9)",
    ]


def test_tab_indentation(tmp_path: Path) -> None:
    path = write(tmp_path, "home:\n\tid: flat-12\n")
    assert problems_in(path) == [
        f"{path}:2: YAML syntax error: found character '\\t' that cannot start any token "
        "(indent with spaces, not tabs)",
    ]


def test_missing_required_key_points_at_its_parent(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("    kind: power\n", ""))
    assert problems_in(path) == [f"{path}:6: sensors[0].kind: required key is missing"]


def test_missing_home_section_points_at_the_top(tmp_path: Path) -> None:
    path = write(tmp_path, "# my flat\nrooms: []\n")
    assert problems_in(path) == [f"{path}:2: home: required key is missing"]


def test_wrong_type(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "broker:\n  port: abc\n  tls: yes\n")
    assert problems_in(path) == [
        f"{path}:13: broker.port: must be a whole number (got 'abc')",
        f"{path}:14: broker.tls: must be a section of keys (got yes)",
    ]


def test_empty_section(tmp_path: Path) -> None:
    path = write(tmp_path, "home:\nrooms: []\n")
    assert problems_in(path) == [f"{path}:1: home: must be a section of keys (got an empty value)"]


def test_out_of_range_number(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "    expected_interval_s: 5\n")
    assert problems_in(path) == [
        f"{path}:12: sensors[0].expected_interval_s: must be at least 60 (got 5)"
    ]


def test_unquoted_hex_name_asks_for_quotes(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("device: Kettle plug", "device: 0x00158d0001a2b3c4"))
    assert problems_in(path) == [
        f"{path}:9: sensors[0].match.device: must be text; YAML read 0x00158d0001a2b3c4 "
        "as a number, so put it in quotes",
    ]


def test_yes_no_words_ask_for_quotes(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "resident:\n  language: no\n")
    assert problems_in(path) == [
        f"{path}:13: resident.language: must be text; YAML read no as true/false, "
        "so put it in quotes",
    ]


def test_quoted_hex_name_is_fine(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("device: Kettle plug", 'device: "0x00158d0001a2b3c4"'))
    assert load_config(path).sensors[0].match.device == "0x00158d0001a2b3c4"


def test_key_written_twice(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "storage:\n  path: a.db\nstorage:\n  path: b.db\n")
    assert problems_in(path) == [f"{path}:14: storage: key is written twice (also on line 12)"]


def test_generic_sensor_needs_a_topic(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("source: zigbee2mqtt", "source: generic"))
    assert problems_in(path) == [f"{path}:7: sensors[0].match: a generic sensor needs 'topic'"]


def test_two_password_sources(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "broker:\n  password_file: a\n  password_env: B\n")
    assert problems_in(path) == [
        f"{path}:12: broker: give either password_file or password_env, not both",
    ]


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    assert problems_in(path) == [f"{path}: file not found"]


def test_folder_instead_of_file(tmp_path: Path) -> None:
    assert problems_in(tmp_path) == [f"{tmp_path}: is a folder, not a config file"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    path.chmod(0o000)
    assert problems_in(path) == [f"{path}: cannot read the file: permission denied"]


def test_read_error_injected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same, for runs as root (as in CI containers), by injecting the fault."""
    path = write(tmp_path, GOOD)

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    assert problems_in(path) == [f"{path}: cannot read the file: permission denied"]


@pytest.mark.parametrize("text", ["", "\n\n", "# nothing yet\n", "---\n", "null\n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    assert problems_in(path) == [
        f"{path}: the file is empty; it needs at least 'home:' with an 'id:'",
    ]


def test_top_level_list(tmp_path: Path) -> None:
    path = write(tmp_path, "# comment\n- home\n- rooms\n")
    assert problems_in(path) == [
        f"{path}:2: the file must be a set of sections (home:, rooms:, sensors: ...), not a list",
    ]


def test_top_level_scalar(tmp_path: Path) -> None:
    path = write(tmp_path, "hello\n")
    assert problems_in(path) == [
        f"{path}:1: the file must be a set of sections (home:, rooms:, sensors: ...), "
        "not a single value",
    ]


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "home.yaml"
    path.write_bytes(b"home:\n  id: flat-12\nresident:\n  name: Ren\xe9e\n")
    assert problems_in(path) == [f"{path}:4: the file is not UTF-8 text; save it as UTF-8"]


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "home.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert load_config(path).home.id == "flat-12"


def test_every_problem_in_line_order(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        home:
          id: flat-12
          timezone: Mars/Olympus
        rooms:
          - id: kitchen
          - id: hall
        sensors:
          - id: kettle
            match:
              source: zigbee2mqtt
              device: Kettle plug
            kind: powr
            room: kitchen
          - id: door
            match:
              source: zigbee2mqtt
              device: Front door
            kind: contact
            room: hal
          - id: door
            match:
              source: zigbee2mqtt
              device: Back door
            kind: contact
            room: hall
        broker:
          prot: 1883
        """,
    )
    lines = problems_in(path)
    assert [line.split(":")[1] for line in lines] == ["3", "12", "19", "20", "27"]
    assert (
        lines[2] == f"{path}:19: sensors[1].room: room 'hal' is not in rooms (did you mean 'hall'?)"
    )
    assert lines[3] == f"{path}:20: sensors[2].id: sensor id 'door' is already used by sensors[1]"
    assert lines[4] == f"{path}:27: broker.prot: unknown key 'prot' (did you mean 'port'?)"


def test_an_invalid_room_does_not_make_its_sensors_wrong(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("  - id: kitchen\n", "  - id: kitchen\n    nme: Kitchen\n"))
    assert problems_in(path) == [
        f"{path}:5: rooms[0].nme: unknown key 'nme' (did you mean 'name'?)",
    ]


def test_config_error_is_a_value_error_with_one_line_per_problem(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "colour: blue\nsize: 3\n")
    with pytest.raises(ValueError, match="colour") as caught:
        load_config(path)
    assert str(caught.value).splitlines() == [
        f"{path}:12: colour: unknown key 'colour'",
        f"{path}:13: size: unknown key 'size'",
    ]


def test_problem_line_without_line_or_key() -> None:
    assert str(Problem(Path("a.yaml"), None, "", "file not found")) == "a.yaml: file not found"
    assert str(Problem(Path("a.yaml"), 3, "home.id", "oops")) == "a.yaml:3: home.id: oops"
    assert str(Problem(Path("a.yaml"), None, "home", "oops")) == "a.yaml: home: oops"


def test_relative_paths_are_taken_from_the_config_folder(tmp_path: Path) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    text = GOOD + textwrap.dedent(
        """\
        broker:
          password_file: secrets/mqtt.pass
          tls:
            ca_file: ca.crt
            cert_file: /etc/ssl/client.crt
        storage:
          path: data/hearth.db
        """
    )
    config = load_config(write(folder, text))
    assert config.storage.path == folder / "data" / "hearth.db"
    assert config.broker.password_file == folder / "secrets" / "mqtt.pass"
    assert config.broker.tls is not None
    assert config.broker.tls.ca_file == folder / "ca.crt"
    assert config.broker.tls.cert_file == Path("/etc/ssl/client.crt")
    assert config.broker.tls.key_file is None


def test_relative_config_path_gives_absolute_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, GOOD + "storage:\n  path: hearth.db\n")
    monkeypatch.chdir(tmp_path)
    config = load_config(Path("home.yaml"))
    assert config.storage.path == tmp_path / "hearth.db"
    assert config.storage.path.is_absolute()


def test_default_database_path_is_kept(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, GOOD)).storage.path == Path("/var/lib/hearth/hearth.db")


def test_password_problems_are_reported_at_their_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "broker:\n  username: hearth\n  password_file: mqtt.pass\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, check_secrets=start_secret_problems)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:14: broker.password_file: password file {tmp_path / 'mqtt.pass'} does not "
        "exist: create it holding only the secret (e.g. root:hearth, mode 640) or correct the path",
    ]
    load_config(path)  # without check_secrets the password is not looked at


def test_validate_config_runs_the_cross_checks_too() -> None:
    data = {
        "home": {"id": "flat-12"},
        "sensors": [
            {
                "id": "kettle",
                "match": {"source": "zigbee2mqtt", "device": "Kettle"},
                "kind": "power",
                "room": "kitchen",
            }
        ],
    }
    with pytest.raises(ConfigError) as caught:
        validate_config(data)
    assert str(caught.value) == "<config>: sensors[0].room: room 'kitchen' is not in rooms"


def test_models_built_in_code_are_checked_by_cross_check() -> None:
    match = Match(source=Source.TASMOTA, device="plug")
    sensors = [
        Sensor(id="tv", match=match, kind=Kind.POWER, room="lounge"),
        Sensor(id="tv", match=match, kind=Kind.POWER, room="bedroom"),
    ]
    config = HearthConfig(home=Home(id="flat"), rooms=[Room(id="bedroom")], sensors=sensors)
    assert cross_check(config) == [
        (("sensors", 0, "room"), "room 'lounge' is not in rooms"),
        (("sensors", 1, "id"), "sensor id 'tv' is already used by sensors[0]"),
        (
            ("sensors", 1, "match", "device"),
            "tasmota device 'plug' is already used by sensors[0]",
        ),
    ]
