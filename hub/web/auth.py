"""Who is asking: the session cookie or an API token, logging in and out.

A session is server-side (hub/accounts/store.py): the cookie holds a random
token and nothing else, HttpOnly (no script reads it), SameSite=Strict (no
other site's page sends it; the acknowledgement links in messages carry their
own signed token and need no session) and Secure when the hub serves HTTPS.

The login form has no session yet, so its CSRF defence is a double submit: a
random nonce in a cookie and the same nonce, signed with a key kept in the
database's hub_secrets (never in the config), in the form. Failed logins are
slowed per account name and per client address (hub/accounts/throttle.py).
"""

from __future__ import annotations

import hmac
import logging
import secrets
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub.accounts.store import Account, AccountStore
from hub.accounts.throttle import LoginThrottle
from hub.alerts.store import AlertStore
from hub.web.readings import Readings

log = logging.getLogger(__name__)

SESSION_COOKIE = "hearth_session"
LOGIN_COOKIE = "hearth_login"
LOGIN_FORM_LIFETIME_S = 3600
_SECRET_NAME = "web-login-form"  # noqa: S105 (the name of a key in hub_secrets)


@dataclass(frozen=True, slots=True)
class Visitor:
    """A known person making this request: by session (with its CSRF token) or API token."""

    account: Account
    csrf: str | None  # None when the request came with an API token (no forms)
    session_token: str | None


def safe_next(target: str | None) -> str:
    """A local path to go to after logging in; anything else (another site) goes home."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/today"


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)


class Authenticator:
    def __init__(
        self, readings: Readings, now: Callable[[], datetime], *, secure_cookies: bool
    ) -> None:
        self.readings = readings
        self.now = now
        self.secure = secure_cookies
        self.throttle = LoginThrottle()
        self._signer: URLSafeTimedSerializer | None = None

    async def visitor(self, request: Request) -> Visitor | None:
        """The person behind this request, or None."""
        now = self.now()
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            token = header[7:].strip()
            account = await self.readings.run(lambda c: AccountStore(c).api_account(token))
            return None if account is None else Visitor(account, None, None)
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            return None
        session = await self.readings.run(lambda c: AccountStore(c).session(cookie, now))
        return None if session is None else Visitor(session.account, session.csrf, cookie)

    # The login form's CSRF --------------------------------------------------------

    async def _login_signer(self) -> URLSafeTimedSerializer:
        if self._signer is None:
            key = await self.readings.run(lambda c: AlertStore(c).secret(_SECRET_NAME))
            self._signer = URLSafeTimedSerializer(key, salt="hearth-login")
        return self._signer

    async def login_form_token(self) -> tuple[str, str]:
        """(nonce for the cookie, signed nonce for the form)."""
        nonce = secrets.token_urlsafe(16)
        return nonce, str((await self._login_signer()).dumps(nonce))

    async def login_form_ok(self, request: Request, signed: str) -> bool:
        cookie = request.cookies.get(LOGIN_COOKIE, "")
        try:
            nonce = (await self._login_signer()).loads(signed, max_age=LOGIN_FORM_LIFETIME_S)
        except BadSignature:
            return False
        return bool(cookie) and hmac.compare_digest(str(nonce), cookie)

    # Logging in and out ---------------------------------------------------------------

    def wait_left(self, name: str, address: str) -> timedelta:
        return self.throttle.wait_left(_keys(name, address), self.now())

    async def log_in(self, name: str, password: str, address: str) -> tuple[str, Account] | None:
        """A new session's token and its account, or None for a wrong name or password."""
        now = self.now()
        keys = _keys(name, address)

        def attempt(conn: sqlite3.Connection) -> tuple[str, Account] | bool:
            """The session, or whether the name is an account's (for the log)."""
            store = AccountStore(conn)
            account = store.verify(name, password)
            if account is None:
                return store.account(name) is not None
            token, session = store.start_session(account.name, now)
            return token, session.account

        result = await self.readings.run(attempt)
        if isinstance(result, bool):
            self.throttle.failed(keys, now)
            # An unknown name is not logged: people type their password into that field.
            log.warning("web: failed login for %s", repr(name) if result else "an unknown name")
            return None
        self.throttle.succeeded(keys)
        log.info("web: %s logged in", result[1].name)
        return result

    async def log_out(self, token: str) -> None:
        await self.readings.run(lambda c: AccountStore(c).end_session(token))

    def set_session_cookie(self, response: Response, token: str, max_age: timedelta) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=int(max_age.total_seconds()),
            httponly=True,
            samesite="strict",
            secure=self.secure,
        )

    def set_login_cookie(self, response: Response, nonce: str) -> None:
        response.set_cookie(
            LOGIN_COOKIE,
            nonce,
            max_age=LOGIN_FORM_LIFETIME_S,
            path="/login",
            httponly=True,
            samesite="strict",
            secure=self.secure,
        )


def _keys(name: str, address: str) -> list[str]:
    return [f"account:{name.strip().lower()}", f"address:{address}"]
