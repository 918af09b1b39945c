"""install/home_config.py: the first /etc/hearth/home.yaml, made from the real example config."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.config.loader import load_config
from install.home_config import ExampleChangedError, InstalledPaths, installed_config, main

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
