"""Every route but the login page, the stylesheet and the signed acknowledgement links is
wrapped here: no visitor means a redirect to /login (pages) or 401 JSON (API);
a role without the permission (hub/accounts/roles.py) means 403; and every
POST of a page must carry the session's CSRF token.

The tests go through `app.routes`, so a route added without a guard fails them.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hub.accounts.roles import ROLE_NAMES, Permission, may
from hub.web.auth import Authenticator, Visitor, login_redirect
from hub.web.render import Pages

Handler = Callable[[Request, Visitor], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


def guarded_page(
    auth: Authenticator, pages: Pages, permission: Permission | None, handler: Handler
) -> Endpoint:
    """`handler` for a logged-in visitor whose role has `permission` (None: any role)."""

    async def endpoint(request: Request) -> Response:
        visitor = await auth.visitor(request)
        if visitor is None or visitor.csrf is None:  # pages need a session, not an API token
            return login_redirect(request)
        if permission is not None and not may(visitor.account.role, permission):
            role = ROLE_NAMES[visitor.account.role]
            return pages.problem(request, visitor, 403, f"A {role} account cannot use this page.")
        if request.method == "POST":
            form = await request.form()
            sent = form.get("csrf")
            if not isinstance(sent, str) or not hmac.compare_digest(sent, visitor.csrf):
                return pages.problem(
                    request,
                    visitor,
                    403,
                    "This form has expired or did not come from Hearth. "
                    "Go back, reload the page and try again.",
                )
        return await handler(request, visitor)

    return endpoint


def guarded_api(auth: Authenticator, permission: Permission, handler: Handler) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        visitor = await auth.visitor(request)
        if visitor is None:
            return JSONResponse(
                {"error": "log in, or send an API token as 'Authorization: Bearer <token>'"},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="hearth"'},
            )
        if not may(visitor.account.role, permission):
            role = visitor.account.role.value
            return JSONResponse({"error": f"a {role} account cannot use the API"}, status_code=403)
        return await handler(request, visitor)

    return endpoint
