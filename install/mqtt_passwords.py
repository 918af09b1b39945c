"""Does Mosquitto's hashed password file hold exactly these accounts and passwords?

`mosquitto_passwd` salts every hash, so writing the file again gives
different bytes each time. To stay idempotent the installer rewrites it only
when it no longer matches the plain password files: this checks each
account's hash against its password the way Mosquitto 2.0 does
(`$7$`: PBKDF2-HMAC-SHA512, salt and hash in base64). Any other hash format
counts as "does not match", so the file is simply written again.

Run by install.sh with the system Python (standard library only):

    python3 install/mqtt_passwords.py PASSWD USER=PASSWORD_FILE ...

Exit status: 0 the file matches, 1 it must be written again, 2 bad usage.
Passwords are read from files, never taken on the command line, where
`ps` would show them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path


def hashed_file_matches(passwd_text: str, accounts: Mapping[str, str]) -> bool:
    """True when `passwd_text` has one line per account and each hash fits its password."""
    hashes: dict[str, str] = {}
    for line in passwd_text.splitlines():
        if not line.strip():
            continue
        user, sep, hashed = line.partition(":")
        if not sep or user in hashes:
            return False
        hashes[user] = hashed
    if set(hashes) != set(accounts):
        return False
    return all(_fits(hashes[user], password) for user, password in accounts.items())


def _fits(hashed: str, password: str) -> bool:
    parts = hashed.split("$")
    # "$7$101$salt$hash" splits into ["", "7", "101", salt, hash].
    if len(parts) != 5 or parts[0] or parts[1] != "7":
        return False
    try:
        iterations = int(parts[2])
        salt = base64.b64decode(parts[3], validate=True)
        expected = base64.b64decode(parts[4], validate=True)
    except (ValueError, binascii.Error):
        return False
    actual = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations, len(expected))
    return hmac.compare_digest(actual, expected)


def read_password(path: Path) -> str:
    """A password file's text without the one line ending an editor adds (as the hub reads it)."""
    text = path.read_text(encoding="utf-8")
    for ending in ("\r\n", "\n"):
        if text.endswith(ending):
            return text[: -len(ending)]
    return text


def main(argv: Sequence[str]) -> int:
    if len(argv) < 2 or any("=" not in item for item in argv[1:]):
        print("usage: mqtt_passwords.py PASSWD USER=PASSWORD_FILE ...", file=sys.stderr)
        return 2
    passwd = Path(argv[0])
    try:
        accounts = {
            user: read_password(Path(file))
            for user, _, file in (item.partition("=") for item in argv[1:])
        }
    except (OSError, UnicodeDecodeError) as exc:
        print(f"mqtt_passwords.py: cannot read a password file: {exc}", file=sys.stderr)
        return 2
    try:
        text = passwd.read_text(encoding="utf-8")
    except FileNotFoundError:
        return 1
    except (OSError, UnicodeDecodeError) as exc:
        print(f"mqtt_passwords.py: cannot read {passwd}: {exc}", file=sys.stderr)
        return 2
    return 0 if hashed_file_matches(text, accounts) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
