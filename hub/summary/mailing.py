"""The weekly e-mail: each finished week's summary, as a PDF, to the care co-ordinators.

When: `week_due(now, ...)` (pure) says which week, if any, should go out now:
the latest finished week whose send moment (the configured day after the
week, at the configured local time) has passed. A hub that was off on Monday
sends on start; after weeks off it sends only the latest week, not a backlog.

Once, ever: a week is *queued* in one transaction (its PDF and one row per
co-ordinator e-mail address) and a queued week is never queued again, so a
restart, a second tick or a second hub process cannot mail it twice. Queued
rows are sent like alert messages: oldest first, a failed send retried with
the alert delivery's backoff (`alerts.delivery`), a permanent refusal given
up and logged, each message with a Message-ID derived from (week, recipient,
channel) so a retry after a lost server reply is shown once by mail programs.
The SMTP conversation is the alert e-mail channel's (`EmailChannel`), with its
error classification.

Recipients: the alert recipients whose role is coordinator, through each of
their e-mail channels. Nothing is sent while `summary.email.enabled` is off.
Logs name recipients by id and masked address only.
"""

from __future__ import annotations

import logging
import random
import sqlite3
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hub.alerts.channels import DeliveryError
from hub.alerts.channels.factory import smtp_password
from hub.alerts.channels.mail import EmailChannel, mask_address, message_id
from hub.alerts.dispatcher import retry_delay
from hub.config import alerts as cfg
from hub.config.models import HearthConfig
from hub.config.summary import Summary, WeeklyEmail
from hub.routine.days import local_instant
from hub.store.database import Database, open_database
from hub.store.event_table import from_micros, to_micros
from hub.summary.errors import PdfError
from hub.summary.weekly import DAYS_IN_WEEK, WeeklySummary, build, monday_of, weeks_available

log = logging.getLogger(__name__)

LOOK_EVERY = timedelta(minutes=10)  # while nothing is pending: how often to ask `week_due`


# Kept with the hub's other tables; created here until the migration is added to
# hub/store/database.py (the statements are the same).
def settings_of(config: HearthConfig) -> Summary:
    """The config's `summary:` section."""
    return config.summary


# When (pure) -----------------------------------------------------------------------


def send_moment(week_start: date, email: WeeklyEmail, zone: ZoneInfo) -> datetime:
    """The UTC instant the week starting `week_start` is due to be mailed."""
    day = week_start + timedelta(days=DAYS_IN_WEEK + email.day.number)
    return local_instant(day, email.at, zone)


def week_due(
    now: datetime, email: WeeklyEmail, zone: ZoneInfo, queued: Collection[date]
) -> date | None:
    """The Monday of the week to mail now, or None: the latest finished week whose send
    moment has passed, unless it was queued before."""
    if not email.enabled:
        return None
    week = monday_of(now.astimezone(zone).date()) - timedelta(days=DAYS_IN_WEEK)
    while send_moment(week, email, zone) > now:
        week -= timedelta(days=DAYS_IN_WEEK)
    return None if week in queued else week


# Whom ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Destination:
    recipient: str  # the recipient's id
    channel: int  # index into its channels
    address: str


def coordinator_addresses(alerts: cfg.Alerts) -> list[Destination]:
    """Every e-mail channel of every recipient whose role is coordinator."""
    return [
        Destination(recipient.id, index, channel.to)
        for recipient in alerts.recipients
        if recipient.role is cfg.RecipientRole.COORDINATOR
        for index, channel in enumerate(recipient.channels)
        if isinstance(channel, cfg.EmailChannel)
    ]


# What ------------------------------------------------------------------------------


def compose(
    summary: WeeklySummary, document: bytes, to: Destination, smtp: cfg.Smtp, home_id: str
) -> EmailMessage:
    """The e-mail: a short plain-text digest, the PDF attached."""
    week = summary.week_start
    mail = EmailMessage()
    mail["From"] = smtp.sender
    mail["To"] = to.address
    mail["Subject"] = f"Weekly summary: {summary.home}, week of {week:%-d %B %Y}"
    mail["Date"] = format_datetime(datetime.now(UTC))  # when sent, as the alert e-mails
    mail["Message-ID"] = message_id(f"weekly-{week}-{to.recipient}-{to.channel}", smtp.sender)
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
    mail.set_content(digest(summary))
    mail.add_attachment(
        document,
        maintype="application",
        subtype="pdf",
        filename=f"hearth-weekly-{home_id}-{week.isoformat()}.pdf",
    )
    return mail


def digest(summary: WeeklySummary) -> str:
    """The body: what changed, medication, alerts; the figures are in the PDF."""
    lines = [
        f"Hearth weekly summary for {summary.home}",
        f"Monday {summary.week_start} to Sunday {summary.week_end} "
        f"(data on {summary.days_with_data} of 7 days).",
        "",
        "What changed:",
    ]
    lines += [
        f"- {c.sentence} (since {c.onset}, confidence {c.confidence:.0%})" for c in summary.changes
    ] or ["- no change in the routine was found"]
    lines += ["", "Medication:"]
    lines += [
        f"- {m.medicine}: {m.due} due, {m.on_time} on time, {m.late} late, {m.missed} missed"
        for m in summary.medication
    ] or ["- no doses were due"]
    lines += [
        "",
        f"Alerts: {len(summary.alerts) or 'none'}.",
        "",
        "The full summary with charts is attached as a PDF.",
    ]
    return "\n".join(lines) + "\n"


# Doing it --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pass:
    """What one pass did, and when the next one is worth making."""

    queued: date | None
    sent: int
    failed: int
    next_look: datetime


class WeeklyMailer:
    """Queues each week once and sends what is pending; `run_once` is the synchronous core,
    `wants`/`run` the small hook the hub's tick calls (the work goes to a worker thread)."""

    def __init__(
        self,
        config: HearthConfig,
        *,
        settings: Summary | None = None,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.config = config
        self.settings = settings or settings_of(config)
        self.zone = ZoneInfo(config.home.timezone)
        self.destinations = coordinator_addresses(config.alerts)
        self._rand = rand
        self._next_look: datetime | None = None
        self._running = False
        self._channels: dict[tuple[str, int], EmailChannel] = {}
        if self.settings.email.enabled and self.destinations:
            # Read once, at start, like the alert channels: a bad password file stops the hub
            # with a line naming the key rather than failing on a Monday.
            password = smtp_password(config.alerts.smtp)
            self._channels = {
                (d.recipient, d.channel): EmailChannel(
                    d.address, config.alerts.smtp, password=password, zone=self.zone
                )
                for d in self.destinations
            }
        elif self.settings.email.enabled:
            log.warning("summary.email is on but no alert recipient is a coordinator with e-mail")

    @property
    def active(self) -> bool:
        return bool(self.settings.email.enabled and self._channels)

    def wants(self, now: datetime) -> bool:
        """Cheap: whether `run` has anything to look at now."""
        if not self.active or self._running:
            return False
        return self._next_look is None or now >= self._next_look

    async def run(self, db_path: Path, now: datetime) -> None:
        """One pass in a child process (hub/summary/child.py: a PDF takes seconds and
        about 90 MB that the hub should not keep)."""
        from hub.summary.child import ChildFailed, in_child, mail_pass  # noqa: PLC0415

        self._running = True
        try:
            done = await in_child(mail_pass, self.config, self.settings, db_path, now)
            self._next_look = done.next_look
        except (sqlite3.Error, PdfError, ChildFailed) as exc:
            log.error("weekly summary: %s; trying again in 10 minutes", exc)  # noqa: TRY400
            self._next_look = now + LOOK_EVERY
        finally:
            self._running = False

    def run_once(self, db_path: Path, now: datetime) -> Pass:
        """Queue the week that is due (if any), then send every pending e-mail that is due."""
        if not self.active:
            return Pass(None, 0, 0, now + LOOK_EVERY)
        conn = open_database(db_path).conn
        try:
            queued = self._queue_due_week(conn, now)
            sent, failed = self._send_pending(conn, now)
            row = conn.execute(
                "SELECT min(next_attempt_us) FROM weekly_mail WHERE state = 'pending'"
            ).fetchone()
        finally:
            conn.close()
        next_look = now + LOOK_EVERY
        if row is not None and row[0] is not None:
            next_look = min(next_look, from_micros(row[0]))
        return Pass(queued, sent, failed, next_look)

    def _queue_due_week(self, conn: sqlite3.Connection, now: datetime) -> date | None:
        queued = {
            date.fromisoformat(w) for (w,) in conn.execute("SELECT week FROM weekly_summaries")
        }
        week = week_due(now, self.settings.email, self.zone, queued)
        if week is None:
            return None
        db = _database(conn)
        if week not in weeks_available(db, self.config):
            return None  # nothing stored for that week: no empty summary is mailed
        # Here, not at the top: matplotlib and WeasyPrint load only when a week is due,
        # so the hub does not carry them from start.
        from hub.summary.render import pdf  # noqa: PLC0415

        document = pdf(build(db, self.config, week))
        conn.execute("BEGIN IMMEDIATE")
        try:
            # INSERT OR IGNORE: a second process that got here first has queued it already.
            inserted = conn.execute(
                "INSERT OR IGNORE INTO weekly_summaries (week, pdf, queued_us) VALUES (?, ?, ?)",
                (week.isoformat(), document, to_micros(now)),
            ).rowcount
            if inserted:
                conn.executemany(
                    "INSERT INTO weekly_mail (week, recipient, channel, state, next_attempt_us) "
                    "VALUES (?, ?, ?, 'pending', ?)",
                    [
                        (week.isoformat(), d.recipient, d.channel, to_micros(now))
                        for d in self.destinations
                    ],
                )
            conn.execute("COMMIT")
        except sqlite3.Error:
            conn.execute("ROLLBACK")
            raise
        log.info(
            "weekly summary of the week of %s queued for %d address(es)",
            week,
            len(self.destinations),
        )
        return week

    def _send_pending(self, conn: sqlite3.Connection, now: datetime) -> tuple[int, int]:
        rows = conn.execute(
            "SELECT m.week, m.recipient, m.channel, m.attempts, s.pdf FROM weekly_mail m "
            "JOIN weekly_summaries s USING (week) "
            "WHERE m.state = 'pending' AND m.next_attempt_us <= ? ORDER BY m.week",
            (to_micros(now),),
        ).fetchall()
        sent = failed = 0
        summaries: dict[str, WeeklySummary] = {}
        for week, recipient, index, attempts, document in rows:
            key = (str(recipient), int(index))
            channel = self._channels.get(key)
            destination = next(
                (d for d in self.destinations if (d.recipient, d.channel) == key), None
            )
            if channel is None or destination is None:
                self._record(
                    conn,
                    week,
                    key,
                    now,
                    "no longer a coordinator e-mail address",
                    attempts=attempts,
                    permanent=True,
                )
                failed += 1
                continue
            if week not in summaries:
                # The body's digest is rebuilt from the data; the PDF is the one queued.
                summaries[week] = build(_database(conn), self.config, date.fromisoformat(week))
            mail = compose(
                summaries[week],
                bytes(document),
                destination,
                self.config.alerts.smtp,
                self.config.home.id,
            )
            try:
                deliver(channel, mail)
            except DeliveryError as exc:
                self._record(
                    conn, week, key, now, str(exc), attempts=attempts, permanent=exc.permanent
                )
                failed += 1
                continue
            self._record(conn, week, key, now, None, attempts=attempts, permanent=False)
            log.info(
                "weekly summary of the week of %s sent to %s (%s)",
                week,
                recipient,
                mask_address(destination.address),
            )
            sent += 1
        return sent, failed

    def _record(
        self,
        conn: sqlite3.Connection,
        week: str,
        key: tuple[str, int],
        now: datetime,
        error: str | None,
        *,
        attempts: int,
        permanent: bool,
    ) -> None:
        if error is None:
            state, next_at = "sent", now
        elif permanent:
            state, next_at = "failed", now
            log.error("weekly summary of %s: giving up on %s: %s", week, key[0], error)
        else:
            delay = retry_delay(attempts + 1, self.config.alerts.delivery, self._rand)
            state, next_at = "pending", now + timedelta(seconds=delay)
            log.warning(
                "weekly summary of %s to %s failed (%s); retrying in %.0f s",
                week,
                key[0],
                error,
                delay,
            )
        conn.execute(
            "UPDATE weekly_mail SET state = ?, attempts = attempts + 1, next_attempt_us = ?, "
            "sent_us = ?, last_error = ? WHERE week = ? AND recipient = ? AND channel = ?",
            (
                state,
                to_micros(next_at),
                to_micros(now) if error is None else None,
                error,
                week,
                key[0],
                key[1],
            ),
        )


def deliver(channel: EmailChannel, mail: EmailMessage) -> None:
    """Send a composed e-mail through the alert e-mail channel's SMTP path (blocking).

    The channel's public `send` takes an alert message; the SMTP conversation and
    its error classification are what the weekly mail shares with it.
    """
    channel.send_blocking(mail)


def _database(conn: sqlite3.Connection) -> Database:
    return Database(conn)
