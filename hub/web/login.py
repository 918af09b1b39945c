"""The login page and logging out.

Wrong name and wrong password get the same answer. After FREE_FAILURES
failures for one account or from one address the page says how long to wait,
and no password is checked until then (argon2 is slow on purpose; a guesser
must not make the Pi do that work).
"""

from __future__ import annotations

import math
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from hub.accounts.store import SESSION_LIFETIME
from hub.web.access import guarded_page
from hub.web.auth import LOGIN_COOKIE, SESSION_COOKIE, Authenticator, Visitor, safe_next
from hub.web.render import Pages


def wait_words(wait: timedelta) -> str:
    seconds = math.ceil(wait.total_seconds())
    if seconds < 90:
        return f"{seconds} seconds"
    return f"{math.ceil(seconds / 60)} minutes"


def login_routes(auth: Authenticator, pages: Pages) -> list[Route]:
    async def form(
        request: Request, status: int = 200, problem: str = "", name: str = ""
    ) -> Response:
        nonce, signed = await auth.login_form_token()
        target = safe_next(request.query_params.get("next"))
        if request.method == "POST":
            target = safe_next(str((await request.form()).get("next", "")))
        response = pages.render(
            request,
            None,
            "login.html",
            status,
            login_token=signed,
            next=target,
            problem=problem,
            name=name,
        )
        auth.set_login_cookie(response, nonce)
        return response

    async def show(request: Request) -> Response:
        if await auth.visitor(request) is not None:
            return RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
        return await form(request)

    async def submit(request: Request) -> Response:
        data = await request.form()
        name = str(data.get("name", "")).strip()
        password = str(data.get("password", ""))
        if not await auth.login_form_ok(request, str(data.get("login_token", ""))):
            return await form(request, 400, "The login form had expired. Please try again.", name)
        if not name or not password:
            return await form(request, 400, "Please enter your name and your password.", name)
        address = request.client.host if request.client else "unknown"
        wait = auth.wait_left(name, address)
        if wait > timedelta(0):
            return await form(
                request,
                429,
                "Too many failed attempts for this account or from this device. "
                f"Please wait {wait_words(wait)} and try again.",
                name,
            )
        result = await auth.log_in(name, password, address)
        if result is None:
            wait = auth.wait_left(name, address)
            later = (
                f" Too many failed attempts: please wait {wait_words(wait)} before the next."
                if wait > timedelta(0)
                else ""
            )
            return await form(request, 401, "Wrong name or password." + later, name)
        token, _ = result
        response = RedirectResponse(safe_next(str(data.get("next", ""))), status_code=303)
        auth.set_session_cookie(response, token, SESSION_LIFETIME)
        response.delete_cookie(LOGIN_COOKIE, path="/login")
        return response

    async def log_out(request: Request, visitor: Visitor) -> Response:
        if visitor.session_token is not None:
            await auth.log_out(visitor.session_token)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="strict", secure=auth.secure)
        return response

    return [
        Route("/login", show, methods=["GET"]),
        Route("/login", submit, methods=["POST"]),
        Route("/logout", guarded_page(auth, pages, None, log_out), methods=["POST"]),
    ]
