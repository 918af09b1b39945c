"""The same data as the pages, as JSON under /api/, for the co-ordinators' own systems.

Every endpoint is declared once in `endpoints()`, with the words and response
shape its OpenAPI entry shows; the routes and /api/openapi.json are both made
from that list, so the description cannot leave a route out. Read-only: an
API client acts through the pages or MQTT, never through here, so the API
needs no CSRF defence. Who may call it: see hub/accounts/roles.py (use_api).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hub.accounts.roles import Permission
from hub.summary.child import ChildFailed
from hub.web.access import Handler, guarded_api
from hub.web.auth import Authenticator, Visitor
from hub.web.readings import Readings
from hub.web.render import PRIVATE_HEADERS
from hub.web.weekly_link import WeeklyLink, WeekNotFound

OPENAPI_PATH = "/api/openapi.json"

log = logging.getLogger(__name__)

_STRING = {"type": "string"}
_NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
_ALERT = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "rule": _STRING,
        "severity": {"enum": ["info", "warning", "urgent"]},
        "summary": _STRING,
        "state": {"enum": ["asking", "open", "acknowledged", "resolved", "cancelled"]},
        "since": {"type": "string", "format": "date-time"},
        "raised_at": {"type": "string", "format": "date-time"},
        "acknowledged_at": _NULLABLE_TIME,
        "acknowledged_by": {"type": ["string", "null"]},
        "resolved_at": _NULLABLE_TIME,
        "ending": {"type": "string", "description": "How it ended, or where it stands, in words."},
    },
}
_MODE = {
    "type": "object",
    "properties": {
        "mode": {"enum": ["home", "away", "visitors"]},
        "until": _NULLABLE_TIME,
        "set_by": {"type": ["string", "null"]},
    },
}


@dataclass(frozen=True, slots=True)
class Endpoint:
    path: str
    summary: str
    description: str
    schema: dict[str, object]
    handler: Handler
    permission: Permission = Permission.USE_API
    parameters: tuple[dict[str, object], ...] = ()


def _json(data: object, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status, headers=PRIVATE_HEADERS)


def endpoints(
    readings: Readings, weekly: WeeklyLink, now: Callable[[], datetime]
) -> list[Endpoint]:
    zone = readings.zone

    async def today(request: Request, visitor: Visitor) -> Response:
        moment = now()

        def read(conn: sqlite3.Connection) -> dict[str, object]:
            return {
                "today": readings.today(conn, moment).record(),
                "mode": readings.mode(conn, moment).record(),
                "open_alerts": [r.record(zone) for r in readings.alerts(conn, unfinished=True)],
            }

        return _json(await readings.run(read))

    async def alerts(request: Request, visitor: Visitor) -> Response:
        unfinished = request.query_params.get("open") in ("1", "true")
        rows = await readings.run(lambda conn: readings.alerts(conn, unfinished=unfinished))
        return _json({"alerts": [r.record(zone) for r in rows]})

    async def meds(request: Request, visitor: Visitor) -> Response:
        moment = now()
        weeks = await readings.run(lambda conn: readings.meds(conn, moment))
        return _json({"weeks": [w.record() for w in weeks]})

    async def sensors(request: Request, visitor: Visitor) -> Response:
        moment = now()
        rows = await readings.run(lambda conn: readings.sensors(conn, moment))
        return _json({"sensors": [r.record() for r in rows]})

    async def weeks(request: Request, visitor: Visitor) -> Response:
        return _json({"weeks": [m.isoformat() for m in await weekly.weeks()]})

    async def week(request: Request, visitor: Visitor) -> Response:
        try:
            monday = date.fromisoformat(request.path_params["monday"])
        except ValueError:
            return _json({"error": "name the week by its Monday, as YYYY-MM-DD"}, 404)
        try:
            return _json(await weekly.record(monday))
        except WeekNotFound as exc:
            return _json({"error": str(exc)}, 404)
        except ChildFailed as exc:
            log.error("weekly summary of %s: %s", monday, exc)  # noqa: TRY400
            return _json({"error": "the weekly summary could not be made; try again"}, 503)

    async def openapi(request: Request, visitor: Visitor) -> Response:
        return _json(openapi_document(listed))

    listed = [
        Endpoint("/api/today", "The day so far",
                 "When the person got up, kitchen time around meals, outings, the last "
                 "movement, the open alerts and the home's mode.",
                 {"type": "object", "properties": {
                     "today": {"type": "object"}, "mode": _MODE,
                     "open_alerts": {"type": "array", "items": _ALERT}}},
                 today),
        Endpoint("/api/alerts", "Alerts, newest first",
                 "The latest 100 alerts with how each ended.",
                 {"type": "object", "properties": {"alerts": {"type": "array", "items": _ALERT}}},
                 alerts,
                 parameters=({"name": "open", "in": "query", "required": False,
                              "description": "1: only alerts not yet finished",
                              "schema": {"enum": ["0", "1", "true", "false"]}},)),
        Endpoint("/api/meds", "Medication adherence per medicine and week",
                 "The last 8 weeks, as the hub recorded each dose: on time, late, missed, "
                 "doubled, away.",
                 {"type": "object", "properties": {"weeks": {"type": "array", "items": {
                     "type": "object", "properties": {
                         "medicine": _STRING, "week": {"type": "string", "format": "date"},
                         "due": {"type": "integer"}, "on_time": {"type": "integer"},
                         "late": {"type": "integer"}, "missed": {"type": "integer"},
                         "doubled": {"type": "integer"}, "away": {"type": "integer"}}}}}},
                 meds),
        Endpoint("/api/sensors", "Sensor health",
                 "Each configured sensor: when last heard, silent or never heard, battery.",
                 {"type": "object", "properties": {"sensors": {"type": "array", "items": {
                     "type": "object", "properties": {
                         "sensor": _STRING, "room": _STRING, "role": _STRING,
                         "last_heard": _NULLABLE_TIME,
                         "health": {"enum": ["ok", "silent", "never heard"]},
                         "battery_percent": {"type": ["number", "null"]},
                         "battery_low": {"type": "boolean"}}}}}},
                 sensors),
        Endpoint("/api/weekly", "Weeks with a summary",
                 "The Mondays of the weeks with data, newest first.",
                 {"type": "object", "properties": {"weeks": {"type": "array", "items": {
                     "type": "string", "format": "date"}}}},
                 weeks),
        Endpoint("/api/weekly/{monday}", "One week's summary",
                 "The weekly summary of the week starting on that Monday (home's time zone).",
                 {"type": "object"},
                 week,
                 parameters=({"name": "monday", "in": "path", "required": True,
                              "schema": {"type": "string", "format": "date"}},)),
        Endpoint(OPENAPI_PATH, "This description", "The OpenAPI 3.1 description of the API.",
                 {"type": "object"}, openapi),
    ]  # fmt: skip
    return listed


def openapi_document(listed: list[Endpoint]) -> dict[str, object]:
    paths: dict[str, object] = {}
    for endpoint in listed:
        paths[endpoint.path] = {
            "get": {
                "summary": endpoint.summary,
                "description": endpoint.description,
                "parameters": list(endpoint.parameters),
                "responses": {
                    "200": {
                        "description": endpoint.summary,
                        "content": {"application/json": {"schema": endpoint.schema}},
                    },
                    "401": {"description": "Not logged in and no valid API token."},
                    "403": {"description": "The account's role may not use the API."},
                },
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Hearth",
            "version": "1",
            "description": "Read-only data of one home, for care co-ordinators' systems.",
        },
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token from `hearth user token NAME`.",
                },
                "session": {"type": "apiKey", "in": "cookie", "name": "hearth_session"},
            }
        },
        "security": [{"bearer": []}, {"session": []}],
        "paths": paths,
    }


def api_routes(auth: Authenticator, listed: list[Endpoint]) -> list[Route]:
    return [
        Route(e.path, guarded_api(auth, e.permission, e.handler), methods=["GET"]) for e in listed
    ]
