"""The hub's web app: the carers' pages, the API and the acknowledgement links, in one app.

Public: /login, /static/hearth.css and /ack/<signed token> (the token is the
credential). Everything else goes through the guards in access.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hub.config.models import HearthConfig
from hub.web.ack import ack_routes
from hub.web.api import api_routes, endpoints
from hub.web.auth import Authenticator
from hub.web.login import login_routes
from hub.web.pages import CarerPages, HubActions
from hub.web.readings import Readings
from hub.web.render import Pages
from hub.web.weekly_link import CURRENT_WEEK_KEPT_S, WeeklyLink

STYLESHEET = Path(__file__).parent / "templates" / "hearth.css"
PUBLIC_PATHS = frozenset({"/login", "/static/hearth.css", "/ack/{token}"})


def create_app(
    config: HearthConfig,
    hub: HubActions,
    key: Callable[[], bytes],
    now: Callable[[], datetime],
    *,
    db_path: Path | None = None,
    cache_s: float = 30.0,
) -> Starlette:
    """The app; `hub` is the running alert service, `key` signs acknowledgement links."""
    readings = Readings(config, db_path or config.storage.path, cache_s=cache_s)
    auth = Authenticator(readings, now, secure_cookies=config.web.tls_cert_file is not None)
    pages = Pages(config.alerts.home_label, readings.zone)
    # With the cache off (tests, benchmarks) the current week is made afresh too.
    weekly = WeeklyLink(readings, now, keep_s=CURRENT_WEEK_KEPT_S if cache_s > 0 else 0.0)
    css = STYLESHEET.read_bytes()

    async def stylesheet(request: Request) -> Response:
        return Response(
            css, media_type="text/css", headers={"Cache-Control": "public, max-age=86400"}
        )

    routes = [
        Route("/static/hearth.css", stylesheet, methods=["GET"]),
        *login_routes(auth, pages),
        *CarerPages(auth, pages, readings, hub, weekly, now).routes(),
        *api_routes(auth, endpoints(readings, weekly, now)),
        *ack_routes(config, hub, key, now),
    ]
    app = Starlette(routes=routes)
    app.state.readings = readings  # closed by WebServer.stop
    return app
