"""`hearth check-config FILE`: problems on stderr with exit 1, a summary with exit 0."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from click.testing import CliRunner

from hub.cli import main

SECRET = "n0t-f0r-y0ur-eyes"

HOME = """\
home:
  id: flat-12
  timezone: Europe/Dublin
rooms:
  - id: kitchen
  - id: hall
sensors:
  - id: kettle
    match:
      source: zigbee2mqtt
      device: Kettle plug
    kind: power
    room: kitchen
  - id: fridge
    match:
      source: zigbee2mqtt
      device: Fridge door
    kind: contact
    room: kitchen
  - id: front_door
    match:
      source: zigbee2mqtt
      device: Front door
    kind: contact
    room: hall
broker:
  host: broker.local
  port: 1884
  username: hearth
  password_file: mqtt.pass
storage:
  path: data/hearth.db
"""


def home(tmp_path: Path, text: str = HOME, password_mode: int = 0o600) -> Path:
    (tmp_path / "mqtt.pass").write_text(SECRET + "\n")
    (tmp_path / "mqtt.pass").chmod(password_mode)
    path = tmp_path / "home.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def test_a_good_config_prints_a_summary(tmp_path: Path) -> None:
    path = home(tmp_path)
    result = CliRunner().invoke(main, ["check-config", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        f"{path}: no problems found",
        "  home       flat-12, time zone Europe/Dublin",
        "  rooms      2: kitchen, hall",
        "  sensors    3: 2 contact, 1 power",
        f"  database   {tmp_path / 'data' / 'hearth.db'}",
        "  broker     broker.local:1884 (plain TCP), user hearth, "
        f"password from file {tmp_path / 'mqtt.pass'}",
        "  topics     hearth/flat-12/...",
    ]
    assert SECRET not in result.output


def test_password_from_environment_is_named_not_shown(tmp_path: Path) -> None:
    path = home(tmp_path, HOME.replace("password_file: mqtt.pass", "password_env: MQTT_PASS"))
    result = CliRunner(env={"MQTT_PASS": SECRET}).invoke(main, ["check-config", str(path)])
    assert result.exit_code == 0, result.output
    assert "user hearth, password from environment variable MQTT_PASS" in result.stdout
    assert SECRET not in result.output


def test_problems_go_to_stderr_one_per_line(tmp_path: Path) -> None:
    text = HOME.replace("room: hall", "room: hal").replace("kind: power", "kind: powr")
    path = home(tmp_path, text)
    result = CliRunner().invoke(main, ["check-config", str(path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert [line.split(": ", 2)[:2] for line in lines] == [
        [f"{path}:12", "sensors[0].kind"],
        [f"{path}:25", "sensors[2].room"],
    ]
    assert (
        lines[1] == f"{path}:25: sensors[2].room: room 'hal' is not in rooms (did you mean 'hall'?)"
    )


def test_a_password_file_others_can_read_is_a_problem(tmp_path: Path) -> None:
    path = home(tmp_path, password_mode=0o644)
    result = CliRunner().invoke(main, ["check-config", str(path)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"{path}:30: broker.password_file: password file {tmp_path / 'mqtt.pass'} is readable "
        "by other users (mode 0644); chmod 600 it\n"
    )
    assert SECRET not in result.output


def test_a_missing_password_variable_is_a_problem(tmp_path: Path) -> None:
    path = home(tmp_path, HOME.replace("password_file: mqtt.pass", "password_env: MQTT_PASS"))
    result = CliRunner(env={"MQTT_PASS": None}).invoke(main, ["check-config", str(path)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"{path}:30: broker.password_env: environment variable MQTT_PASS is not set\n"
    )


def test_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "home.yaml"
    result = CliRunner().invoke(main, ["check-config", str(path)])
    assert result.exit_code == 1
    assert result.stderr == f"{path}: file not found\n"


def hearth_script() -> Path:
    """The installed console script, next to the Python running the tests."""
    script = Path(sys.executable).parent / "hearth"
    assert script.exists(), f"{script} is missing: install the project (pip install -e .)"
    return script


def test_the_installed_command_checks_a_good_config(tmp_path: Path) -> None:
    path = home(tmp_path)
    done = subprocess.run(
        [hearth_script(), "check-config", path], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{path}: no problems found\n")
    assert done.stderr == ""


def test_the_installed_command_reports_problems(tmp_path: Path) -> None:
    path = home(tmp_path, HOME.replace("sensors:", "sensrs:"))
    done = subprocess.run(
        [hearth_script(), "check-config", path], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == f"{path}:7: sensrs: unknown key 'sensrs' (did you mean 'sensors'?)\n"


def test_a_home_with_nothing_in_it_yet(tmp_path: Path) -> None:
    path = home(tmp_path, "home:\n  id: empty\n")
    result = CliRunner().invoke(main, ["check-config", str(path)])
    assert result.exit_code == 0, result.output
    assert "  rooms      0\n  sensors    0\n" in result.stdout
    assert "anonymous, no password" in result.stdout


def test_a_missing_bridge_password_file_is_a_problem_at_its_own_key(tmp_path: Path) -> None:
    text = HOME + "bridge:\n  username: bridge\n  password_file: bridge.pass\n"
    path = home(tmp_path, text)
    lines = path.read_text().splitlines()
    line = next(n for n, t in enumerate(lines, 1) if "password_file: bridge.pass" in t)
    result = CliRunner().invoke(main, ["check-config", str(path)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"{path}:{line}: bridge.password_file: password file {tmp_path / 'bridge.pass'} "
        "does not exist\n"
    )
