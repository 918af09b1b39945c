"""The carers' pages: today, alerts, medication, sensors, mode, weekly summary, accounts.

Each handler reads through `Readings` (its own database thread) and acts
through the hub's alert service, the one writer of alerts and modes, so a
page acknowledging an alert is the same act as a link, the CLI or MQTT.
The guards (who may open which page) are in access.py, the roles in
hub/accounts/roles.py.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Protocol, TypeVar

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from hub.accounts.roles import Permission, may
from hub.accounts.store import AccountStore
from hub.alerts.lifecycle import LifecycleError
from hub.alerts.model import Alert, Via
from hub.modes import Mode, ModeSetting
from hub.summary.child import ChildFailed
from hub.summary.errors import PdfError
from hub.web.access import Handler, guarded_page
from hub.web.auth import Authenticator, Visitor
from hub.web.readings import Readings
from hub.web.render import PRIVATE_HEADERS, Pages
from hub.web.weekly_link import WeeklyLink, WeekNotFound

LONGEST_MODE = timedelta(days=90)
T = TypeVar("T")
BUSY = "The weekly summary could not be made just now; please try again in a minute."

log = logging.getLogger(__name__)


class HubActions(Protocol):
    """What the web app asks of the running hub (the alert service provides it)."""

    async def alert(self, alert_id: int) -> Alert | None: ...

    async def acknowledge(self, alert_id: int, by: str, via: Via) -> Alert: ...

    async def set_mode(self, setting: ModeSetting) -> None: ...


def parse_until(text: str, now: datetime, readings: Readings) -> datetime:
    """The end of a mode from a `datetime-local` field (the home's wall clock); ValueError."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValueError("give the end as a date and time, such as 2026-12-24 18:00") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=readings.zone)
    if moment <= now:
        raise ValueError("the end is already past")
    if moment - now > LONGEST_MODE:
        raise ValueError("a mode can last at most 90 days; set it again when it ends")
    return moment.astimezone(UTC)


class CarerPages:
    """The page handlers; `routes()` wraps each in its guard."""

    def __init__(  # noqa: PLR0917 (the app's parts, each named)
        self,
        auth: Authenticator,
        pages: Pages,
        readings: Readings,
        hub: HubActions,
        weekly: WeeklyLink,
        now: Callable[[], datetime],
    ) -> None:
        self.auth = auth
        self.pages = pages
        self.readings = readings
        self.hub = hub
        self.weekly = weekly
        self.now = now

    def routes(self) -> list[Route]:
        def page(path: str, permission: Permission, handler: Handler, method: str = "GET") -> Route:
            guarded = guarded_page(self.auth, self.pages, permission, handler)
            return Route(path, guarded, methods=[method])

        return [
            page("/", Permission.SEE_TODAY, self.home),
            page("/today", Permission.SEE_TODAY, self.today),
            page("/alerts", Permission.SEE_ALERTS, self.alerts),
            page("/alerts/{alert_id}/ack", Permission.ACK_ALERTS, self.acknowledge, "POST"),
            page("/meds", Permission.SEE_MEDS, self.meds),
            page("/sensors", Permission.SEE_SENSORS, self.sensors),
            page("/modes", Permission.SET_MODE, self.modes),
            page("/modes", Permission.SET_MODE, self.set_mode, "POST"),
            page("/weekly", Permission.SEE_WEEKLY, self.weekly_list),
            page("/weekly/{monday}", Permission.SEE_WEEKLY, self.weekly_page),
            page("/weekly/{monday}/pdf", Permission.SEE_WEEKLY, self.weekly_pdf),
            page("/accounts", Permission.SEE_ACCOUNTS, self.accounts),
        ]

    async def home(self, request: Request, visitor: Visitor) -> Response:
        return RedirectResponse("/today", status_code=303)

    async def today(self, request: Request, visitor: Visitor) -> Response:
        moment = self.now()
        readings = self.readings

        def read(conn: sqlite3.Connection) -> dict[str, object]:
            return {
                "day": readings.today(conn, moment),
                "mode": readings.mode(conn, moment),
                "open_alerts": readings.alerts(conn, unfinished=True),
            }

        values = await readings.run(read)
        return self.pages.render(
            request,
            visitor,
            "today.html",
            200,
            can_ack=may(visitor.account.role, Permission.ACK_ALERTS),
            request_done=request.query_params.get("done"),
            **values,
        )

    async def alerts(self, request: Request, visitor: Visitor) -> Response:
        rows = await self.readings.run(self.readings.alerts)
        return self.pages.render(
            request,
            visitor,
            "alerts.html",
            rows=rows,
            can_ack=may(visitor.account.role, Permission.ACK_ALERTS),
            done=request.query_params.get("done"),
        )

    async def acknowledge(self, request: Request, visitor: Visitor) -> Response:
        try:
            alert_id = int(request.path_params["alert_id"])
        except ValueError:
            return self.pages.problem(request, visitor, 404, "There is no such alert.")
        try:
            await self.hub.acknowledge(alert_id, visitor.account.name, Via.WEB)
        except LookupError:
            return self.pages.problem(request, visitor, 404, f"There is no alert {alert_id}.")
        except LifecycleError as exc:
            return self.pages.problem(request, visitor, 409, f"Alert {alert_id}: {exc}")
        back = "/today" if (await request.form()).get("back") == "today" else "/alerts"
        return RedirectResponse(f"{back}?done={alert_id}", status_code=303)

    async def meds(self, request: Request, visitor: Visitor) -> Response:
        moment = self.now()
        weeks = await self.readings.run(lambda conn: self.readings.meds(conn, moment))
        return self.pages.render(request, visitor, "meds.html", weeks=weeks)

    async def sensors(self, request: Request, visitor: Visitor) -> Response:
        moment = self.now()
        rows = await self.readings.run(lambda conn: self.readings.sensors(conn, moment))
        return self.pages.render(request, visitor, "sensors.html", rows=rows)

    async def modes(
        self, request: Request, visitor: Visitor, status: int = 200, problem: str = ""
    ) -> Response:
        moment = self.now()
        mode = await self.readings.run(lambda conn: self.readings.mode(conn, moment))
        done = request.query_params.get("done") if status == 200 else None
        return self.pages.render(
            request, visitor, "modes.html", status, mode=mode, done=done, problem=problem
        )

    async def set_mode(self, request: Request, visitor: Visitor) -> Response:
        form = await request.form()
        moment = self.now()
        try:
            chosen = Mode(str(form.get("mode", "")))
        except ValueError:
            return await self.modes(request, visitor, 400, "choose home, away or visitors")
        until = None
        if chosen is not Mode.HOME:
            try:
                until = parse_until(str(form.get("until", "")), moment, self.readings)
            except ValueError as exc:
                return await self.modes(request, visitor, 400, f"{chosen.value}: {exc}")
        await self.hub.set_mode(ModeSetting(chosen, moment, until, visitor.account.name, "web"))
        return RedirectResponse(f"/modes?done={chosen.value}", status_code=303)

    async def weekly_list(self, request: Request, visitor: Visitor) -> Response:
        weeks = await self.weekly.weeks()
        return self.pages.render(request, visitor, "summary_list.html", weeks=weeks)

    async def weekly_page(self, request: Request, visitor: Visitor) -> Response:
        body = await self._week(request, visitor, self.weekly.fragment)
        if isinstance(body, Response):
            return body
        monday = _monday(request)
        return self.pages.render(request, visitor, "summary.html", monday=monday, body=body)

    async def weekly_pdf(self, request: Request, visitor: Visitor) -> Response:
        pdf = await self._week(request, visitor, self.weekly.pdf)
        if isinstance(pdf, Response):
            return pdf
        headers = PRIVATE_HEADERS | {
            "Content-Disposition": f'attachment; filename="hearth-week-{_monday(request)}.pdf"'
        }
        return Response(pdf, media_type="application/pdf", headers=headers)

    async def _week(
        self, request: Request, visitor: Visitor, make: Callable[[date], Awaitable[T]]
    ) -> T | Response:
        """`make(monday)` for the week the URL names, or the page saying why not."""
        monday = _monday(request)
        if monday is None:
            return self.pages.problem(request, visitor, 404, "Weeks are named by their Monday.")
        try:
            return await make(monday)
        except WeekNotFound as exc:
            return self.pages.problem(request, visitor, 404, str(exc))
        except PdfError as exc:
            return self.pages.problem(request, visitor, 503, str(exc))
        except ChildFailed as exc:
            log.error("weekly summary of %s: %s", monday, exc)  # noqa: TRY400
            return self.pages.problem(request, visitor, 503, BUSY)

    async def accounts(self, request: Request, visitor: Visitor) -> Response:
        found = await self.readings.run(lambda conn: AccountStore(conn).accounts())
        return self.pages.render(request, visitor, "accounts.html", accounts=found)


def _monday(request: Request) -> date | None:
    try:
        found = date.fromisoformat(request.path_params["monday"])
    except ValueError:
        return None
    return found if found.weekday() == 0 else None
