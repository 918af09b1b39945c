"""install/mqtt_passwords.py against files hashed by the real mosquitto_passwd."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from install.mqtt_passwords import hashed_file_matches, main

# No ':' in a password: `mosquitto_passwd -U` (the installer's way) cuts a password there,
# which is why install.sh refuses such a password file.
ACCOUNTS = {"hearth": "hub secret", "hearth-bridge": "b-\u00e9t\u00e9", "devices": "d3$x"}


@pytest.fixture
def hashed(tmp_path: Path) -> str:
    tool = shutil.which("mosquitto_passwd")
    if tool is None:
        pytest.skip("mosquitto_passwd is not installed (setup.sh installs mosquitto)")
    plain = tmp_path / "passwd"
    plain.write_text("".join(f"{user}:{password}\n" for user, password in ACCOUNTS.items()))
    subprocess.run([tool, "-U", str(plain)], check=True, capture_output=True)
    return plain.read_text()


def test_the_file_mosquitto_passwd_wrote_matches_its_passwords(hashed: str) -> None:
    assert "hub secret" not in hashed
    assert hashed_file_matches(hashed, ACCOUNTS)


def test_a_changed_password_does_not_match(hashed: str) -> None:
    assert not hashed_file_matches(hashed, {**ACCOUNTS, "devices": "d3$y"})


def test_a_missing_or_extra_account_does_not_match(hashed: str) -> None:
    assert not hashed_file_matches(hashed, {**ACCOUNTS, "carers": "c"})
    fewer = dict(ACCOUNTS)
    del fewer["devices"]
    assert not hashed_file_matches(hashed, fewer)


def test_an_unknown_hash_format_or_damaged_line_does_not_match(hashed: str) -> None:
    old_style = hashed.replace("$7$", "$6$")
    assert not hashed_file_matches(old_style, ACCOUNTS)
    assert not hashed_file_matches(hashed + "hearth\n", ACCOUNTS)
    assert not hashed_file_matches(hashed.replace("$", "!"), ACCOUNTS)


def test_exit_status_reads_password_files_as_the_hub_does(hashed: str, tmp_path: Path) -> None:
    passwd = tmp_path / "passwd"
    arguments = [str(passwd)]
    for user, password in ACCOUNTS.items():
        file = tmp_path / f"{user}.pass"
        file.write_text(password + "\n")  # the line ending an editor adds is not the password
        arguments.append(f"{user}={file}")

    assert main(arguments) == 0
    (tmp_path / "devices.pass").write_text("another\n")
    assert main(arguments) == 1
    assert main([str(tmp_path / "absent"), *arguments[1:]]) == 1
    assert main([str(passwd), "no-equals-sign"]) == 2
