"""`hearth check-config FILE`: problems on stderr with exit 1, a summary with exit 0."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from click.testing import CliRunner

from hub.cli import main
from tests.certificates import self_signed

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
        "does not exist: create it holding only the secret (e.g. root:hearth, mode 640) "
        "or correct the path\n"
    )


ALERTS = """\
alerts:
  recipients:
    - id: anna
      role: family
      channels:
        - type: email
          to: anna@example.org
        - type: webhook
          url: https://family.example.org/hook
          secret_file: anna.secret
        - type: apprise
          url_env: ANNA_APPRISE
    - id: ben
      role: paid_carer
      channels:
        - type: email
          to: ben@example.org
  smtp:
    username: hearth@example.org
    password_file: smtp.pass
  ack_links:
    key_file: ack.key
web:
  tls_cert_file: web.crt
  tls_key_file: web.key
"""


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_every_secret_the_hub_reads_at_start_is_checked_at_its_own_line(tmp_path: Path) -> None:
    path = home(tmp_path, HOME + ALERTS)
    (tmp_path / "ack.key").write_text("too-short\n")
    (tmp_path / "ack.key").chmod(0o640)
    result = CliRunner(env={"ANNA_APPRISE": None}).invoke(main, ["check-config", str(path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    missing = "does not exist: create it holding only the secret (e.g. root:hearth, mode 640) "
    missing += "or correct the path"
    assert result.stderr.splitlines() == [
        f"{path}:{line_of(path, 'secret_file: anna.secret')}: "
        f"alerts.recipients[0].channels[1].secret_file: password file "
        f"{tmp_path / 'anna.secret'} {missing}",
        f"{path}:{line_of(path, 'url_env: ANNA_APPRISE')}: "
        "alerts.recipients[0].channels[2].url_env: environment variable ANNA_APPRISE is not set",
        # Both e-mail channels need it: said once, at the key to fix.
        f"{path}:{line_of(path, 'password_file: smtp.pass')}: alerts.smtp.password_file: "
        f"password file {tmp_path / 'smtp.pass'} {missing}",
        f"{path}:{line_of(path, 'key_file: ack.key')}: alerts.ack_links.key_file: the key in "
        f"{tmp_path / 'ack.key'} is too short: use at least 32 random characters "
        "(e.g. `openssl rand -hex 32`)",
        f"{path}:{line_of(path, 'tls_cert_file: web.crt')}: web.tls_cert_file: "
        f"certificate file {tmp_path / 'web.crt'} does not exist",
    ]


def test_a_secret_the_hub_does_not_read_is_not_asked_for(tmp_path: Path) -> None:
    # No e-mail channel: the hub never reads the SMTP password, so neither does the check
    # (a new install's config keeps the example's alerts.smtp with no password file yet).
    text = HOME + textwrap.dedent("""\
        alerts:
          smtp:
            username: hearth
            password_file: smtp.pass
        web:
          enabled: false
          tls_cert_file: web.crt
          tls_key_file: web.key
        """)
    path = home(tmp_path, text)
    result = CliRunner().invoke(main, ["check-config", str(path)])
    assert result.exit_code == 0, result.output


def test_tls_files_are_loaded_as_the_hub_loads_them(tmp_path: Path) -> None:
    cert, key = make_certificate(tmp_path)
    other_cert, _ = make_certificate(tmp_path / "other")
    text = HOME.replace("  port: 1884\n", "  port: 1884\n  tls:\n    ca_file: ca.pem\n")
    text += f"web:\n  tls_cert_file: {other_cert}\n  tls_key_file: {key}\n"
    path = home(tmp_path, text)
    result = CliRunner().invoke(main, ["check-config", str(path)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f"{path}:{line_of(path, 'ca_file: ca.pem')}: broker.tls.ca_file: "
        f"CA file {tmp_path / 'ca.pem'} does not exist"
    )
    assert lines[1].startswith(
        f"{path}:{line_of(path, 'tls_key_file:')}: web.tls_key_file: the certificate "
        f"{other_cert} and key {key} cannot be used together (KEY_VALUES_MISMATCH"
    )
    assert len(lines) == 2

    # The right pair, and a CA file that is a certificate: no problems.
    text = text.replace("ca.pem", str(cert)).replace(str(other_cert), str(cert))
    path.write_text(text)
    result = CliRunner().invoke(main, ["check-config", str(path)])
    assert result.exit_code == 0, result.output


def make_certificate(folder: Path) -> tuple[Path, Path]:
    return self_signed(folder, host="localhost", key_mode=0o600)


def test_the_hub_refuses_a_tls_file_with_the_line_check_config_gives(tmp_path: Path) -> None:
    # Both load the files through one function (hub/config/secrets.py), so what one
    # refuses the other does, in the same words; `hearth run` used to end in a traceback.
    text = HOME.replace("  port: 1884\n", "  port: 1884\n  tls:\n    ca_file: ca.pem\n")
    path = home(tmp_path, text + "web:\n  enabled: false\n")
    checked = CliRunner().invoke(main, ["check-config", str(path)])
    run = CliRunner().invoke(main, ["run", "--config", str(path)])
    assert checked.exit_code == run.exit_code == 1
    problem = f"broker.tls.ca_file: CA file {tmp_path / 'ca.pem'} does not exist"
    assert checked.stderr == f"{path}:{line_of(path, 'ca_file: ca.pem')}: {problem}\n"
    assert run.stderr.splitlines()[-1] == f"hearth: {problem}"
