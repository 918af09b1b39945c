"""Acknowledging an alert from the signed link in a message.

GET shows the alert and one button; only the POST acknowledges. A GET must
never act: mail scanners and chat apps open links to preview them, and
that must not tell the family that someone has taken the alert on.
The token in the URL is the credential (signed, expiring, naming the
recipient), so the form needs no session or CSRF token of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from hub.alerts.ack_links import AckClaim, AckLinkError, ExpiredAckToken, read_ack_token
from hub.alerts.lifecycle import LifecycleError
from hub.alerts.model import Alert, AlertState, Via
from hub.config.models import HearthConfig

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)


class Acknowledger(Protocol):
    async def alert(self, alert_id: int) -> Alert | None: ...

    async def acknowledge(self, alert_id: int, by: str, via: Via) -> Alert: ...


def ack_routes(
    config: HearthConfig,
    alerts: Acknowledger,
    key: Callable[[], bytes],
    now: Callable[[], datetime],
) -> list[Route]:
    zone = ZoneInfo(config.home.timezone)

    def page(status: int, **values: object) -> HTMLResponse:
        html = TEMPLATES.get_template("ack.html").render(home=config.alerts.home_label, **values)
        # No caching, no referrer: the URL holds the token.
        headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
        return HTMLResponse(html, status_code=status, headers=headers)

    def claim_of(request: Request) -> AckClaim | HTMLResponse:
        try:
            return read_ack_token(key(), request.path_params["token"], now())
        except ExpiredAckToken:
            return page(410, problem="This link has expired. The alert history is in Hearth.")
        except AckLinkError:
            return page(400, problem="This link is not valid. Please use the link in the message.")

    def local(moment: datetime | None) -> str:
        return "" if moment is None else f"{moment.astimezone(zone):%a %d %b, %H:%M}"

    def name_of(recipient_id: str | None) -> str:
        person = next((r for r in config.alerts.recipients if r.id == recipient_id), None)
        if person is not None:
            return person.name or person.id
        return "the resident" if recipient_id == "resident" else (recipient_id or "someone")

    def shown(alert: Alert, claim: AckClaim, **extra: object) -> HTMLResponse:
        return page(
            200,
            alert=alert,
            since=local(alert.since),
            acknowledged_at=local(alert.acknowledged_at),
            acknowledged_by=name_of(alert.acknowledged_by),
            you=name_of(claim.recipient),
            can_acknowledge=alert.state is AlertState.OPEN,
            **extra,
        )

    async def show(request: Request) -> HTMLResponse:
        claim = claim_of(request)
        if isinstance(claim, HTMLResponse):
            return claim
        alert = await alerts.alert(claim.alert_id)
        if alert is None:
            return page(404, problem="This alert is not known to this hub.")
        return shown(alert, claim)

    async def acknowledge(request: Request) -> HTMLResponse:
        claim = claim_of(request)
        if isinstance(claim, HTMLResponse):
            return claim
        try:
            alert = await alerts.acknowledge(claim.alert_id, claim.recipient, Via.LINK)
        except LookupError:
            return page(404, problem="This alert is not known to this hub.")
        except LifecycleError:
            current = await alerts.alert(claim.alert_id)
            assert current is not None
            return shown(current, claim)
        return shown(alert, claim, thanked=True)

    return [
        Route("/ack/{token}", show, methods=["GET"]),
        Route("/ack/{token}", acknowledge, methods=["POST"]),
    ]
