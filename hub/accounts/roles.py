"""Who may see and do what in the web app: the one place the role matrix is written down.

| permission   | family | paid_carer | coordinator | admin | covers                      |
|--------------|:------:|:----------:|:-----------:|:-----:|-----------------------------|
| see_today    |   x    |     x      |      x      |   x   | /today (day, alerts, mode)  |
| see_alerts   |   x    |     x      |      x      |   x   | /alerts: history, endings   |
| ack_alerts   |   x    |     x      |      x      |   x   | POST /alerts/<id>/ack       |
| see_meds     |   x    |     x      |      x      |   x   | /meds: adherence per week   |
| see_sensors  |   x    |     x      |      x      |   x   | /sensors: silent, batteries |
| see_weekly   |        |            |      x      |   x   | /weekly: page and PDF       |
| use_api      |        |            |      x      |   x   | /api/...: the data as JSON  |
| set_mode     |        |            |             |   x   | /modes: away, visitors      |
| see_accounts |        |            |             |   x   | /accounts (read only)       |

Why so: family and paid carers act on the day (is she up, has she eaten,
who is dealing with the alert, is a sensor dead); every one of them may take
an alert on, because the first to answer should be able to say so. The weekly
summary and the API are for co-ordinators' reviews and their own systems; they
hold the most history, so they stay with the role that needs it. Setting a
mode pauses safety rules ("away" silences the no-movement alarm), so only an
admin may do it; anyone else can still ask them or use `hearth mode`. Accounts
are created with `hearth user add` on the hub itself; the web shows them to
admins read-only, so a stolen browser session cannot make itself an account.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class Role(StrEnum):
    FAMILY = "family"
    PAID_CARER = "paid_carer"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class Permission(StrEnum):
    SEE_TODAY = "see_today"
    SEE_ALERTS = "see_alerts"
    ACK_ALERTS = "ack_alerts"
    SEE_MEDS = "see_meds"
    SEE_SENSORS = "see_sensors"
    SEE_WEEKLY = "see_weekly"
    USE_API = "use_api"
    SET_MODE = "set_mode"
    SEE_ACCOUNTS = "see_accounts"


_CARERS = frozenset(
    {
        Permission.SEE_TODAY,
        Permission.SEE_ALERTS,
        Permission.ACK_ALERTS,
        Permission.SEE_MEDS,
        Permission.SEE_SENSORS,
    }
)
_COORDINATOR = _CARERS | {Permission.SEE_WEEKLY, Permission.USE_API}

ALLOWED: Mapping[Role, frozenset[Permission]] = {
    Role.FAMILY: _CARERS,
    Role.PAID_CARER: _CARERS,
    Role.COORDINATOR: _COORDINATOR,
    Role.ADMIN: frozenset(Permission),
}

ROLE_NAMES: Mapping[Role, str] = {
    Role.FAMILY: "family",
    Role.PAID_CARER: "paid carer",
    Role.COORDINATOR: "care co-ordinator",
    Role.ADMIN: "admin",
}


def may(role: Role, permission: Permission) -> bool:
    return permission in ALLOWED[role]
