"""The accounts library on a real SQLite database: argon2 hashes, hashed tokens, sessions
that end (idle, expired, logged out, password changed), and the login throttle's waits.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher, extract_parameters
from argon2.exceptions import VerifyMismatchError

from hub.accounts import store as account_store
from hub.accounts.roles import ALLOWED, Permission, Role
from hub.accounts.store import (
    SESSION_IDLE,
    SESSION_LIFETIME,
    AccountError,
    AccountStore,
)
from hub.accounts.throttle import (
    FIRST_WAIT,
    FREE_FAILURES,
    LONGEST_WAIT,
    LoginThrottle,
    wait_after,
)
from hub.store.database import open_database

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PASSWORD = "a long enough password"


@pytest.fixture
def store(tmp_path: Path) -> AccountStore:
    return AccountStore(open_database(tmp_path / "hearth.db").conn)


def test_passwords_and_tokens_are_stored_only_as_hashes(store: AccountStore, tmp_path) -> None:
    store.add("anna", Role.FAMILY, PASSWORD, T0)
    token, _ = store.start_session("anna", T0)
    api = store.new_api_token("anna", T0)
    with closing(sqlite3.connect(tmp_path / "hearth.db")) as conn:
        (hashed,) = conn.execute("SELECT password_hash FROM accounts").fetchone()
        dumped = "\n".join(conn.iterdump())
    assert hashed.startswith("$argon2id$")
    for secret in (PASSWORD, token, api):
        assert secret not in dumped
    assert store.verify("anna", PASSWORD) is not None
    assert store.verify("anna", PASSWORD + "x") is None
    assert store.verify("nobody", PASSWORD) is None


def test_an_unknown_name_costs_a_whole_argon2_verification() -> None:
    """The stand-in hash for unknown names is written out, not computed at import (that
    took argon2id's 64 MiB in every hub at start), yet has the hasher's own parameters,
    so a wrong name takes as long as a wrong password, and matches no password."""
    stand_in = account_store._DUMMY_HASH
    assert extract_parameters(stand_in) == extract_parameters(PasswordHasher().hash(PASSWORD))
    for guess in (PASSWORD, "", "not a password anyone has"):
        with pytest.raises(VerifyMismatchError):
            PasswordHasher().verify(stand_in, guess)


def test_sessions_end_when_idle_expired_or_the_password_changes(store: AccountStore) -> None:
    store.add("anna", Role.FAMILY, PASSWORD, T0)
    token, session = store.start_session("anna", T0)
    assert session.expires_at == T0 + SESSION_LIFETIME
    assert store.session(token, T0 + SESSION_IDLE - timedelta(minutes=1)) is not None
    # Used just now (touched above), so idle counts from there.
    later = T0 + SESSION_IDLE - timedelta(minutes=1)
    assert store.session(token, later + SESSION_IDLE - timedelta(minutes=1)) is not None
    assert store.session(token, T0 + SESSION_LIFETIME) is None  # however recently used
    idle, _ = store.start_session("anna", T0)
    assert store.session(idle, T0 + SESSION_IDLE) is None
    fresh, _ = store.start_session("anna", T0)
    store.set_password("anna", "another long password", T0)
    assert store.session(fresh, T0) is None
    with pytest.raises(AccountError, match="there is no account 'bob'"):
        store.set_password("bob", "another long password", T0)


def test_throttle_waits_grow_to_a_cap_and_a_success_clears_them() -> None:
    assert [wait_after(n) for n in range(FREE_FAILURES)] == [timedelta(0)] * FREE_FAILURES
    assert wait_after(FREE_FAILURES) == FIRST_WAIT
    assert wait_after(FREE_FAILURES + 1) == 2 * FIRST_WAIT
    assert wait_after(FREE_FAILURES + 30) == LONGEST_WAIT
    throttle = LoginThrottle()
    keys = ["account:anna", "address:192.0.2.1"]
    for _ in range(FREE_FAILURES):
        throttle.failed(keys, T0)
    assert throttle.wait_left(keys, T0) == FIRST_WAIT
    assert throttle.wait_left(["address:192.0.2.1"], T0 + FIRST_WAIT) == timedelta(0)
    assert throttle.wait_left(["account:bob"], T0) == timedelta(0)
    throttle.succeeded(keys)
    assert throttle.wait_left(keys, T0) == timedelta(0)


def test_the_role_matrix_as_the_issue_asks() -> None:
    carers = {Permission.SEE_TODAY, Permission.SEE_ALERTS, Permission.ACK_ALERTS,
              Permission.SEE_MEDS, Permission.SEE_SENSORS}  # fmt: skip
    assert ALLOWED[Role.FAMILY] == carers
    assert ALLOWED[Role.PAID_CARER] == carers
    assert ALLOWED[Role.COORDINATOR] == carers | {Permission.SEE_WEEKLY, Permission.USE_API}
    assert ALLOWED[Role.ADMIN] == set(Permission)
