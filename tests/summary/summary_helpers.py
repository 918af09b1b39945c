"""Helpers for the weekly summary tests: crafted days and a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from aiosmtpd.smtp import SMTP, Envelope, Session

from hub.config.models import HearthConfig, Role
from hub.events import Kind
from hub.routine.features import DayFeatures
from tests.routine.routine_homes import config_with

SENSORS = {
    "bed": (Kind.PRESSURE, "bedroom", Role.BED),
    "flush": (Kind.FLUSH, "bathroom", Role.TOILET),
    "kitchen_pir": (Kind.MOTION, "kitchen", Role.ROOM),
    "front_door": (Kind.CONTACT, "hall", Role.FRONT_DOOR),
}


def small_home(zone: str = "Europe/London", **config: object) -> HearthConfig:
    return config_with(SENSORS, zone, **config)


def crafted_day(on: date, zone: str = "Europe/London", **changes: object) -> DayFeatures:
    """A plain day: to bed 22:50 the evening before, up at 07:30, an hour out at 10:00."""
    tz = ZoneInfo(zone)
    day = DayFeatures(
        date=on,
        hours=24,
        partial=False,
        bedtime=datetime.combine(on - timedelta(days=1), time(22, 50), tz),
        time_up=datetime.combine(on, time(7, 30), tz),
        sleep_method="bed",
        sleep_period_minutes=520.0,
        time_in_bed_minutes=500.0,
        night_out_of_bed=1,
        night_toilet_visits=1,
        first_kitchen_activity=datetime.combine(on, time(7, 50), tz),
        breakfast_kitchen_minutes=20,
        lunch_kitchen_minutes=15,
        dinner_kitchen_minutes=25,
        fridge_uses=None,
        kettle_uses=None,
        outings=1,
        minutes_out=60.0,
        active_minutes=300,
        active_hours=12,
        hourly_activity=tuple(30 if 7 <= h < 19 else 0 for h in range(24)),
        room_minutes={"kitchen": 60.0},
        longest_still_minutes=90.0,
        sensors_reporting=("bed", "flush", "front_door", "kitchen_pir"),
        sensors_silent=(),
        roles_missing=("chair", "fridge", "kettle"),
    )
    return replace(day, **changes)  # type: ignore[arg-type]


def words(text: str) -> str:
    """Text with every run of white space made one space: PDF extraction breaks lines anywhere."""
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps each message, or refuses recipients as told."""

    mails: list[EmailMessage] = field(default_factory=list)
    rcpt_reply: str | None = None  # e.g. "550 5.1.1 no such user"

    async def handle_RCPT(  # noqa: N802 - aiosmtpd calls its hooks by these names
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.rcpt_reply is not None:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        assert isinstance(envelope.content, bytes)
        mail = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(mail, EmailMessage)
        self.mails.append(mail)
        return "250 Message accepted"
