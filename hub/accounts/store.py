"""Accounts, web sessions and API tokens in the hub's SQLite database.

Passwords are kept as argon2id hashes (argon2-cffi's defaults, which its
authors tune for interactive logins). Session and API tokens are random; only
their SHA-256 is stored, so a copy of the database (a backup) lets nobody in.
A session carries its own CSRF token, which every form of that session sends
back. All methods are synchronous: the web app calls them on its database
thread, the CLI directly.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hub.accounts.roles import Role
from hub.store.event_table import from_micros, to_micros

SESSION_LIFETIME = timedelta(days=30)  # then log in again, however often it is used
SESSION_IDLE = timedelta(days=7)  # a phone left unused for a week logs in again
_TOUCH_EVERY = timedelta(hours=1)  # last use is written at most this often (spare the SD card)
MIN_PASSWORD = 10
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,31}$")

_hasher = PasswordHasher()


def _unmatched_hash(hasher: PasswordHasher) -> str:
    """A well-formed hash with `hasher`'s parameters, of all-zero salt and digest.

    Verified when the name is unknown, so that a wrong name takes as long as a
    wrong password (argon2 runs with the parameters the string names). Written
    out rather than computed: hashing one at import made every process that
    imports the web app (the hub among them) take argon2id's 64 MiB for a moment,
    the 128 MB peak RSS of bench/ingest.py. No password gives an all-zero
    digest in practice, and an unknown name is refused whatever verify says.
    """

    def zeros(count: int) -> str:
        return base64.b64encode(bytes(count)).rstrip(b"=").decode()

    return (
        f"$argon2{hasher.type.name.lower()}$v=19"
        f"$m={hasher.memory_cost},t={hasher.time_cost},p={hasher.parallelism}"
        f"${zeros(hasher.salt_len)}${zeros(hasher.hash_len)}"
    )


_DUMMY_HASH = _unmatched_hash(_hasher)


class AccountError(ValueError):
    """An account cannot be created or changed as asked; the text says why."""


@dataclass(frozen=True, slots=True)
class Account:
    name: str
    role: Role
    created_at: datetime
    password_changed_at: datetime


@dataclass(frozen=True, slots=True)
class Session:
    account: Account
    csrf: str
    expires_at: datetime


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise AccountError(
            f"account name {name!r}: use 1 to 32 lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must be at least {MIN_PASSWORD} characters long")
    return password


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


class AccountStore:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    # Accounts ---------------------------------------------------------------

    def add(self, name: str, role: Role, password: str, now: datetime) -> Account:
        check_name(name)
        hashed = _hasher.hash(check_password(password))
        try:
            with self.conn:
                self.conn.execute("BEGIN IMMEDIATE")
                self.conn.execute(
                    "INSERT INTO accounts (name, role, password_hash, created_us, "
                    "password_changed_us) VALUES (?, ?, ?, ?, ?)",
                    (name, role.value, hashed, to_micros(now), to_micros(now)),
                )
        except sqlite3.IntegrityError as exc:
            raise AccountError(f"there is already an account {name!r}") from exc
        return Account(name, role, now, now)

    def accounts(self) -> list[Account]:
        rows = self.conn.execute(
            "SELECT name, role, created_us, password_changed_us FROM accounts ORDER BY name"
        ).fetchall()
        return [_account(row) for row in rows]

    def account(self, name: str) -> Account | None:
        row = self.conn.execute(
            "SELECT name, role, created_us, password_changed_us FROM accounts WHERE name = ?",
            (name,),
        ).fetchone()
        return None if row is None else _account(row)

    def remove(self, name: str) -> None:
        """Remove the account with its sessions and API tokens."""
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            gone = self.conn.execute("DELETE FROM accounts WHERE name = ?", (name,)).rowcount
            self.conn.execute("DELETE FROM web_sessions WHERE account = ?", (name,))
            self.conn.execute("DELETE FROM api_tokens WHERE account = ?", (name,))
        if not gone:
            raise AccountError(f"there is no account {name!r}")

    def set_password(self, name: str, password: str, now: datetime) -> None:
        """A new password; the account's sessions end (they may be someone else's)."""
        hashed = _hasher.hash(check_password(password))
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            changed = self.conn.execute(
                "UPDATE accounts SET password_hash = ?, password_changed_us = ? WHERE name = ?",
                (hashed, to_micros(now), name),
            ).rowcount
            self.conn.execute("DELETE FROM web_sessions WHERE account = ?", (name,))
        if not changed:
            raise AccountError(f"there is no account {name!r}")

    def verify(self, name: str, password: str) -> Account | None:
        """The account if `password` is its password, else None (same time either way)."""
        row = self.conn.execute(
            "SELECT password_hash FROM accounts WHERE name = ?", (name,)
        ).fetchone()
        stored = str(row[0]) if row is not None else _DUMMY_HASH
        try:
            _hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        if _hasher.check_needs_rehash(stored):
            # Parameters were raised since this hash was made: store a stronger one.
            with self.conn:
                self.conn.execute("BEGIN IMMEDIATE")
                self.conn.execute(
                    "UPDATE accounts SET password_hash = ? WHERE name = ?",
                    (_hasher.hash(password), name),
                )
        return self.account(name)

    # Sessions -----------------------------------------------------------------

    def start_session(self, name: str, now: datetime) -> tuple[str, Session]:
        """A new session: the token for the cookie, and the session."""
        account = self.account(name)
        if account is None:
            raise AccountError(f"there is no account {name!r}")
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires = now + SESSION_LIFETIME
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            # Sessions that ended are cleared as new ones start: the table stays small.
            self.conn.execute("DELETE FROM web_sessions WHERE expires_us <= ?", (to_micros(now),))
            self.conn.execute(
                "INSERT INTO web_sessions (token_hash, account, csrf, created_us, last_used_us, "
                "expires_us) VALUES (?, ?, ?, ?, ?, ?)",
                (_digest(token), name, csrf, to_micros(now), to_micros(now), to_micros(expires)),
            )
        return token, Session(account, csrf, expires)

    def session(self, token: str, now: datetime) -> Session | None:
        """The live session of a cookie's token, or None (unknown, expired or idle too long)."""
        row = self.conn.execute(
            "SELECT s.csrf, s.last_used_us, s.expires_us, a.name, a.role, a.created_us, "
            "a.password_changed_us FROM web_sessions s JOIN accounts a ON a.name = s.account "
            "WHERE s.token_hash = ?",
            (_digest(token),),
        ).fetchone()
        if row is None:
            return None
        csrf, last_used, expires, *account = row
        last, ends = from_micros(int(last_used)), from_micros(int(expires))
        if now >= ends or now - last >= SESSION_IDLE:
            return None
        if now - last >= _TOUCH_EVERY:
            with self.conn:
                self.conn.execute("BEGIN IMMEDIATE")
                self.conn.execute(
                    "UPDATE web_sessions SET last_used_us = ? WHERE token_hash = ?",
                    (to_micros(now), _digest(token)),
                )
        return Session(_account(account), str(csrf), ends)

    def end_session(self, token: str) -> None:
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.execute("DELETE FROM web_sessions WHERE token_hash = ?", (_digest(token),))

    # API tokens ---------------------------------------------------------------

    def new_api_token(self, name: str, now: datetime) -> str:
        """A new API token for the account (shown once; only its hash is kept)."""
        if self.account(name) is None:
            raise AccountError(f"there is no account {name!r}")
        token = "hearth_" + secrets.token_urlsafe(32)
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.execute(
                "INSERT INTO api_tokens (token_hash, account, created_us) VALUES (?, ?, ?)",
                (_digest(token), name, to_micros(now)),
            )
        return token

    def api_account(self, token: str) -> Account | None:
        row = self.conn.execute(
            "SELECT a.name, a.role, a.created_us, a.password_changed_us FROM api_tokens t "
            "JOIN accounts a ON a.name = t.account WHERE t.token_hash = ?",
            (_digest(token),),
        ).fetchone()
        return None if row is None else _account(row)

    def revoke_api_tokens(self, name: str) -> int:
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            return self.conn.execute("DELETE FROM api_tokens WHERE account = ?", (name,)).rowcount


def _account(row: tuple[object, ...] | list[object]) -> Account:
    name, role, created, changed = row
    return Account(
        str(name), Role(str(role)), from_micros(int(str(created))), from_micros(int(str(changed)))
    )
