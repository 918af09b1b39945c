"""install/home_config.py: the first /etc/hearth/home.yaml, made from the real example config."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from click.testing import CliRunner

from hub.cli import main as cli
from hub.config.loader import load_config
from install.home_config import ExampleChangedError, InstalledPaths, installed_config, main
from tests.certificates import self_signed

EXAMPLE = Path(__file__).parents[2] / "config" / "example-home.yaml"


def test_installed_paths_and_accounts_are_what_the_config_says(tmp_path: Path) -> None:
    paths = InstalledPaths(
        database="/srv/h/hearth.db",
        hub_user="hub-account",
        hub_password_file="/srv/h/mqtt.pass",
        bridge_user="bridge-account",
        bridge_password_file="/srv/h/bridge.pass",
        ack_key_file="/srv/h/ack.key",
        ack_base_url="http://pi.local:8080",
    )
    written = tmp_path / "home.yaml"
    written.write_text(installed_config(EXAMPLE.read_text(), paths))

    config = load_config(written)

    assert config.storage.path == Path("/srv/h/hearth.db")
    assert config.broker.host == "localhost"
    assert config.broker.port == 1883
    assert config.broker.username == "hub-account"
    assert config.broker.password_file == Path("/srv/h/mqtt.pass")
    assert config.bridge.username == "bridge-account"
    assert config.bridge.password_file == Path("/srv/h/bridge.pass")
    assert config.alerts.ack_links.key_file == Path("/srv/h/ack.key")
    assert config.alerts.ack_links.base_url == "http://pi.local:8080"
    # Recipients need secret files a new box does not have: left out, not broken.
    assert config.alerts.recipients == []
    assert config.web.tls_cert_file is None
    assert config.web.tls_key_file is None


def test_everything_else_in_the_example_is_kept_line_for_line() -> None:
    example = EXAMPLE.read_text().splitlines()
    # The default paths are the example's own: the only changes are comments.
    written = installed_config(EXAMPLE.read_text(), InstalledPaths()).splitlines()

    # Each example line appears, in order, as it was or commented out at its indentation.
    extra, position = [], 0
    for line in example:
        while written[position] != line and uncommented(written[position]) != line:
            extra.append(written[position])
            position += 1
        position += 1
    extra += written[position:]
    assert all(line.lstrip().startswith("#") for line in extra if line.strip() != "recipients: []")
    assert [line.strip() for line in extra].count("recipients: []") == 1
    # The example's recipients are all still there to copy from, commented.
    assert "  #   - id: anna" in written
    assert "  #         to: coordinator@example.org" in written


def uncommented(line: str) -> str:
    """`line` without the "# " the installer puts in front of a line it comments out."""
    indent = len(line) - len(line.lstrip())
    if line[indent:].startswith("# "):
        return line[:indent] + line[indent + 2 :]
    return line


def test_web_certificate_when_the_installer_made_one(tmp_path: Path) -> None:
    paths = InstalledPaths(web_tls=("/etc/hearth/tls/server.crt", "/etc/hearth/tls/server.key"))
    written = tmp_path / "home.yaml"
    written.write_text(installed_config(EXAMPLE.read_text(), paths))

    config = load_config(written)

    assert config.web.tls_cert_file == Path("/etc/hearth/tls/server.crt")
    assert config.web.tls_key_file == Path("/etc/hearth/tls/server.key")


def test_an_example_without_a_key_the_installer_sets_is_named() -> None:
    example = EXAMPLE.read_text().replace("  password_file: /etc/hearth/bridge.pass\n", "")

    with pytest.raises(ExampleChangedError, match=r"no bridge\.password_file"):
        installed_config(example, InstalledPaths())


def test_command_line_says_what_is_wrong_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "example.yaml"
    broken.write_text("home:\n  id: x\n")

    status = main([str(broken), str(tmp_path / "out.yaml")])

    assert status == 1
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0
    assert str(broken) in error
    assert "no storage.path" in error
    assert not (tmp_path / "out.yaml").exists()


@pytest.mark.parametrize("tls", [False, True], ids=["plain", "tls"])
def test_a_fresh_install_passes_check_config_with_every_secret_checked(
    tmp_path: Path, tls: bool
) -> None:
    """What install.sh makes (its secrets, and with --tls the web certificate) is all the
    config it writes needs: the example's recipients, whose secret files a new box does not
    have, are commented out, and their SMTP password is not read without an e-mail channel."""
    etc = tmp_path / "etc"
    etc.mkdir()
    for name in ("mqtt.pass", "bridge.pass", "ack.key"):  # as install.sh's `secret` makes them
        (etc / name).write_text(secrets.token_hex(24) + "\n")
        (etc / name).chmod(0o640)
    web_tls = make_certificate(etc / "tls") if tls else None
    paths = InstalledPaths(
        database=str(tmp_path / "hearth.db"),
        hub_password_file=str(etc / "mqtt.pass"),
        bridge_password_file=str(etc / "bridge.pass"),
        ack_key_file=str(etc / "ack.key"),
        web_tls=web_tls,
        ack_base_url="https://pi.local:8080" if tls else "http://pi.local:8080",
    )
    written = etc / "home.yaml"
    written.write_text(installed_config(EXAMPLE.read_text(), paths))

    result = CliRunner().invoke(cli, ["check-config", str(written)])

    assert result.exit_code == 0, result.output
    # The example itself names this box's files, which a new box does not have yet:
    # each is a line saying what to do, not a start refused later by `hearth run`.
    result = CliRunner().invoke(cli, ["check-config", str(EXAMPLE)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert (
        "alerts.smtp.password_file: password file /etc/hearth/smtp.pass does not exist: "
        "create it holding only the secret" in result.stderr
    )


def make_certificate(folder: Path) -> tuple[str, str]:
    cert, key = self_signed(folder, host="pi", names=("server.crt", "server.key"), key_mode=0o640)
    return str(cert), str(key)
