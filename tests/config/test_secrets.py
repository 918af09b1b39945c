"""The MQTT password: read from a file or a variable, refused when exposed, never shown."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hub.config import Broker, SecretError, password_source, read_broker_password

SECRET = "s3cret-Pässword"


def password_file(tmp_path: Path, content: str, mode: int = 0o600) -> Path:
    path = tmp_path / "mqtt.pass"
    path.write_text(content, encoding="utf-8")
    path.chmod(mode)
    return path


def secret_error(broker: Broker, environ: dict[str, str] | None = None) -> SecretError:
    with pytest.raises(SecretError) as caught:
        read_broker_password(broker, environ)
    assert SECRET not in str(caught.value)
    assert SECRET not in repr(caught.value)
    return caught.value


@pytest.mark.parametrize(
    ("content", "password"),
    [
        (SECRET, SECRET),
        (SECRET + "\n", SECRET),
        (SECRET + "\r\n", SECRET),
        # Only one newline is the editor's; the rest, spaces too, is the password.
        (SECRET + "\n\n", SECRET + "\n"),
        (f" {SECRET} \n", f" {SECRET} "),
    ],
)
def test_password_from_file(tmp_path: Path, content: str, password: str) -> None:
    broker = Broker(password_file=password_file(tmp_path, content))
    secret = read_broker_password(broker)
    assert secret is not None
    assert secret.get_secret_value() == password
    assert SECRET not in repr(secret)
    assert SECRET not in str(secret)


def test_group_readable_file_is_allowed(tmp_path: Path) -> None:
    # root:hearth 0640 is the usual way to share the file with the service.
    broker = Broker(password_file=password_file(tmp_path, SECRET, 0o640))
    secret = read_broker_password(broker)
    assert secret is not None
    assert secret.get_secret_value() == SECRET


@pytest.mark.parametrize(("mode", "shown"), [(0o644, "0644"), (0o604, "0604"), (0o777, "0777")])
def test_file_readable_by_others_is_refused(tmp_path: Path, mode: int, shown: str) -> None:
    path = password_file(tmp_path, SECRET, mode)
    error = secret_error(Broker(password_file=path))
    assert str(error) == (
        f"password file {path} is readable by other users (mode {shown}); chmod 600 it"
    )
    assert error.loc == ("broker", "password_file")


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.pass"
    error = secret_error(Broker(password_file=path))
    # ... and says what to do: `hearth check-config` on a new box shows it for each secret.
    assert str(error) == (
        f"password file {path} does not exist: create it holding only the secret "
        "(e.g. root:hearth, mode 640) or correct the path"
    )


def test_folder_instead_of_file(tmp_path: Path) -> None:
    error = secret_error(Broker(password_file=tmp_path))
    assert str(error) == f"password file {tmp_path} is a folder, not a file"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = password_file(tmp_path, SECRET, 0o000)
    error = secret_error(Broker(password_file=path))
    assert str(error) == f"password file {path} cannot be read by this user"


def test_read_error_injected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same, for runs as root (as in CI containers), by injecting the fault."""
    path = password_file(tmp_path, SECRET)

    def refuse(self: Path, *args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)
    error = secret_error(Broker(password_file=path))
    assert str(error) == f"password file {path} cannot be read by this user"


@pytest.mark.parametrize("content", ["", "\n"])
def test_empty_file(tmp_path: Path, content: str) -> None:
    path = password_file(tmp_path, content)
    assert str(secret_error(Broker(password_file=path))) == f"password file {path} is empty"


def test_file_that_is_not_text(tmp_path: Path) -> None:
    path = tmp_path / "mqtt.pass"
    path.write_bytes(b"\xff\xfe\x00")
    path.chmod(0o600)
    error = secret_error(Broker(password_file=path))
    assert str(error) == f"password file {path} is not UTF-8 text"


def test_password_from_environment() -> None:
    secret = read_broker_password(Broker(password_env="MQTT_PASS"), {"MQTT_PASS": SECRET})
    assert secret is not None
    assert secret.get_secret_value() == SECRET


def test_process_environment_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEARTH_TEST_MQTT_PASS", SECRET)
    secret = read_broker_password(Broker(password_env="HEARTH_TEST_MQTT_PASS"))
    assert secret is not None
    assert secret.get_secret_value() == SECRET


def test_missing_variable_names_the_variable() -> None:
    error = secret_error(Broker(password_env="MQTT_PASS"), {"OTHER": SECRET})
    assert str(error) == "environment variable MQTT_PASS is not set"
    assert error.loc == ("broker", "password_env")


def test_empty_variable() -> None:
    error = secret_error(Broker(password_env="MQTT_PASS"), {"MQTT_PASS": ""})
    assert str(error) == "environment variable MQTT_PASS is empty"


def test_no_password_source() -> None:
    assert read_broker_password(Broker(username="hearth")) is None


def test_password_source_words() -> None:
    assert password_source(Broker(password_file=Path("/etc/hearth/mqtt.pass"))) == (
        "password from file /etc/hearth/mqtt.pass"
    )
    assert password_source(Broker(password_env="MQTT_PASS")) == (
        "password from environment variable MQTT_PASS"
    )
    assert password_source(Broker()) == "no password"


def test_a_systemd_credential_is_read_from_the_credentials_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    password_file(tmp_path, SECRET + "\n", mode=0o400)
    broker = Broker(password_file=Path("${CREDENTIALS_DIRECTORY}/mqtt.pass"))
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(tmp_path))
    secret = read_broker_password(broker)
    assert secret is not None
    assert secret.get_secret_value() == SECRET
    monkeypatch.delenv("CREDENTIALS_DIRECTORY")
    error = secret_error(broker)
    assert "CREDENTIALS_DIRECTORY is not set" in str(error)
    assert error.loc == ("broker", "password_file")


def test_the_loader_keeps_a_credentials_path_as_written(tmp_path: Path) -> None:
    from hub.config import load_config

    config_file = tmp_path / "home.yaml"
    config_file.write_text(
        "home: {id: h}\nbroker: {username: hearth, password_file: '${CREDENTIALS_DIRECTORY}/m'}\n"
    )
    config = load_config(config_file)
    assert str(config.broker.password_file) == "${CREDENTIALS_DIRECTORY}/m"
