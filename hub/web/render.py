"""Turning a page's values into HTML: one Jinja2 environment, one layout, the menu by role.

Every page holds personal data: it is never cached or sent as a referrer, and
the Content-Security-Policy allows no script at all (the app needs none) and
forms that post only back to the hub.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from hub.accounts.roles import ROLE_NAMES, Permission, may
from hub.web.auth import Visitor

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)

PRIVATE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # The weekly summary's charts may come as inline SVG with style attributes.
    "Content-Security-Policy": "default-src 'none'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}


@dataclass(frozen=True, slots=True)
class MenuItem:
    path: str
    label: str
    permission: Permission


MENU = (
    MenuItem("/today", "Today", Permission.SEE_TODAY),
    MenuItem("/alerts", "Alerts", Permission.SEE_ALERTS),
    MenuItem("/meds", "Medication", Permission.SEE_MEDS),
    MenuItem("/sensors", "Sensors", Permission.SEE_SENSORS),
    MenuItem("/weekly", "Weekly summary", Permission.SEE_WEEKLY),
    MenuItem("/modes", "Mode", Permission.SET_MODE),
    MenuItem("/accounts", "Accounts", Permission.SEE_ACCOUNTS),
)


def hm(moment: datetime | None) -> str:
    """A local time as carers say it: 07:40."""
    return "" if moment is None else f"{moment:%H:%M}"


def day_and_time(moment: datetime | None) -> str:
    return "" if moment is None else f"{moment:%a %d %b, %H:%M}"


TEMPLATES.filters["hm"] = hm
TEMPLATES.filters["day_and_time"] = day_and_time


class Pages:
    def __init__(self, home_label: str, zone: ZoneInfo) -> None:
        self.home_label = home_label
        self.zone = zone

    def render(
        self,
        request: Request,
        visitor: Visitor | None,
        template: str,
        status: int = 200,
        **values: object,
    ) -> HTMLResponse:
        menu = []
        if visitor is not None:
            menu = [
                {"path": item.path, "label": item.label,
                 "current": request.url.path.startswith(item.path)}
                for item in MENU
                if may(visitor.account.role, item.permission)
            ]  # fmt: skip
        html = TEMPLATES.get_template(template).render(
            home=self.home_label,
            visitor=visitor,
            role_name=ROLE_NAMES[visitor.account.role] if visitor else "",
            csrf=visitor.csrf if visitor else "",
            menu=menu,
            zone=self.zone,
            **values,
        )
        return HTMLResponse(html, status_code=status, headers=PRIVATE_HEADERS)

    def problem(
        self, request: Request, visitor: Visitor | None, status: int, message: str
    ) -> HTMLResponse:
        return self.render(request, visitor, "problem.html", status, message=message)
