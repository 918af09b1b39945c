"""The weekly e-mail: when a week is due, and delivery to a real SMTP server (aiosmtpd),
once per week across restarts, retried after an outage, given up on a refusal."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from pypdf import PdfReader

from hub.config.loader import load_config
from hub.config.medication import Weekday
from hub.config.models import HearthConfig
from hub.config.summary import Summary, WeeklyEmail
from hub.local_broker import free_port
from hub.replay import replay
from hub.summary.mailing import WeeklyMailer, coordinator_addresses, send_moment, week_due
from tests.datasets.conftest import CONFIG, ORDONEZ
from tests.summary.summary_helpers import Inbox, words

LONDON = ZoneInfo("Europe/London")
MADRID = ZoneInfo("Europe/Madrid")
ON = WeeklyEmail(enabled=True)
SETTINGS = Summary(email=ON)


def _at(wall: str, zone: ZoneInfo = LONDON) -> datetime:
    return datetime.fromisoformat(wall).replace(tzinfo=zone).astimezone(UTC)


# When a week is due (pure) -------------------------------------------------------------


def test_the_week_before_is_due_from_monday_at_the_configured_time() -> None:
    # Monday 4 March 2024: the week of 26 February is due from 08:00.
    assert week_due(_at("2024-03-04 08:00"), ON, LONDON, ()) == date(2024, 2, 26)
    assert week_due(_at("2024-03-10 23:59"), ON, LONDON, ()) == date(2024, 2, 26)
    # Before 08:00 on Monday, the latest week whose moment has passed is the one before.
    assert week_due(_at("2024-03-04 07:59"), ON, LONDON, ()) == date(2024, 2, 19)
    # Queued before: nothing is due.
    assert week_due(_at("2024-03-04 09:00"), ON, LONDON, {date(2024, 2, 26)}) is None
    # Off: nothing, ever.
    assert week_due(_at("2024-03-04 09:00"), WeeklyEmail(), LONDON, ()) is None


def test_another_day_and_time() -> None:
    tuesday_noon = WeeklyEmail(enabled=True, day=Weekday.TUE, at=time(12, 30))
    assert week_due(_at("2024-03-05 12:29"), tuesday_noon, LONDON, ()) == date(2024, 2, 19)
    assert week_due(_at("2024-03-05 12:30"), tuesday_noon, LONDON, ()) == date(2024, 2, 26)


def test_the_send_moment_is_local_time_across_a_clock_change() -> None:
    # The week of 25 March 2024 ends with the change to summer time: 08:00 BST is 07:00 UTC.
    assert send_moment(date(2024, 3, 25), ON, LONDON) == datetime(2024, 4, 1, 7, tzinfo=UTC)
    assert send_moment(date(2024, 3, 18), ON, LONDON) == datetime(2024, 3, 25, 8, tzinfo=UTC)


def test_a_bad_time_is_one_clear_error() -> None:
    with pytest.raises(ValueError, match=r"'25:00' is not a time of day"):
        WeeklyEmail(at="25:00")  # type: ignore[arg-type]
    # YAML reads 9:30 unquoted as the number 570.
    with pytest.raises(
        ValueError, match=r"write a time of day as 'HH:MM', such as '08:00', not 570"
    ):
        WeeklyEmail(at=570)  # type: ignore[arg-type]


# Delivery to a real SMTP server --------------------------------------------------------


def _config(port: int) -> HearthConfig:
    document = load_config(CONFIG / "ordonez-a.yaml").model_dump(mode="json")
    document["alerts"]["home_label"] = "Flat 3"
    document["alerts"]["smtp"] |= {"host": "127.0.0.1", "port": port, "security": "none"}
    document["alerts"]["recipients"] = [
        {"id": "anna", "role": "family", "channels": [{"type": "email", "to": "anna@example.org"}]},
        {
            "id": "carol",
            "role": "coordinator",
            "channels": [
                {"type": "email", "to": "carol@council.example"},
                {"type": "webhook", "url": "http://127.0.0.1:9/", "secret_env": "UNUSED"},
            ],
        },
    ]
    return HearthConfig.model_validate(document)


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ordonez A replayed once; each test copies it (the mail tables are per test)."""
    db = tmp_path_factory.mktemp("weekly-mail") / "home.db"
    replay(load_config(CONFIG / "ordonez-a.yaml"), db, [ORDONEZ / "OrdonezA_Sensors.txt"])
    return db


@pytest.fixture
def db(replayed: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "home.db"
    source, target = sqlite3.connect(replayed), sqlite3.connect(copy)
    with target:
        source.backup(target)
    source.close()
    target.close()
    return copy


class Server:
    def __init__(self, port: int) -> None:
        self.port = port
        self.inbox = Inbox()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def server() -> Iterator[Server]:
    found = Server(free_port())
    try:
        yield found
    finally:
        found.stop()


MONDAY_MORNING = _at("2011-12-12 08:30", MADRID)  # the week of 5 December is due


def _rows(db: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT week, recipient, channel, state, attempts, last_error FROM weekly_mail"
        ).fetchall()
    finally:
        conn.close()


def test_only_coordinators_e_mail_addresses_receive_it() -> None:
    [only] = coordinator_addresses(_config(25).alerts)
    assert (only.recipient, only.channel, only.address) == ("carol", 0, "carol@council.example")


def test_the_summary_arrives_once_with_the_pdf_across_a_restart(db: Path, server: Server) -> None:
    server.start()
    config = _config(server.port)
    first = WeeklyMailer(config, settings=SETTINGS).run_once(db, MONDAY_MORNING)
    assert (first.queued, first.sent, first.failed) == (date(2011, 12, 5), 1, 0)
    [mail] = server.inbox.mails
    assert mail["To"] == "carol@council.example"
    assert mail["Subject"] == "Weekly summary: Flat 3, week of 5 December 2011"
    assert mail["Auto-Submitted"] == "auto-generated"
    body = mail.get_body(("plain",))
    assert body is not None
    assert "Monday 2011-12-05 to Sunday 2011-12-11" in body.get_content()
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "hearth-weekly-ordonez-a-2011-12-05.pdf"
    reader = PdfReader(io.BytesIO(attachment.get_content()))
    text = words(" ".join(page.extract_text() for page in reader.pages))
    assert "Week of 5 December 2011 at Flat 3" in text
    # A restart (a new mailer, the same database), later that day and the next week's day:
    # the week is never mailed again.
    again = WeeklyMailer(config, settings=SETTINGS)
    for later in (timedelta(hours=3), timedelta(days=2)):
        step = again.run_once(db, MONDAY_MORNING + later)
        assert (step.queued, step.sent) == (None, 0)
    assert len(server.inbox.mails) == 1
    assert _rows(db) == [("2011-12-05", "carol", 0, "sent", 1, None)]


def test_a_send_that_fails_is_retried_after_a_restart(db: Path, server: Server) -> None:
    config = _config(server.port)  # nothing listens on the port yet
    first = WeeklyMailer(config, settings=SETTINGS).run_once(db, MONDAY_MORNING)
    assert (first.queued, first.sent, first.failed) == (date(2011, 12, 5), 0, 1)
    [(_, _, _, state, attempts, error)] = _rows(db)
    assert (state, attempts) == ("pending", 1)
    assert f"could not reach the SMTP server 127.0.0.1:{server.port}" in str(error)
    # The retry is due within the first backoff step (alerts.delivery.retry_min_s = 5 s).
    assert first.next_look <= MONDAY_MORNING + timedelta(seconds=5)
    server.start()
    restarted = WeeklyMailer(config, settings=SETTINGS)
    step = restarted.run_once(db, MONDAY_MORNING + timedelta(minutes=1))
    assert (step.queued, step.sent, step.failed) == (None, 1, 0)
    assert restarted.run_once(db, MONDAY_MORNING + timedelta(hours=1)).sent == 0
    assert len(server.inbox.mails) == 1
    assert _rows(db)[0][3:5] == ("sent", 2)


def test_a_refused_address_is_given_up(db: Path, server: Server) -> None:
    server.inbox.rcpt_reply = "550 5.1.1 no such user"
    server.start()
    mailer = WeeklyMailer(_config(server.port), settings=SETTINGS)
    assert mailer.run_once(db, MONDAY_MORNING).failed == 1
    assert mailer.run_once(db, MONDAY_MORNING + timedelta(hours=1)).failed == 0
    [(_, _, _, state, attempts, error)] = _rows(db)
    assert (state, attempts) == ("failed", 1)
    assert "c***@council.example" in str(error)  # the address is masked in what is kept
    assert server.inbox.mails == []


async def test_the_hub_hook_runs_a_pass_off_the_event_loop_then_waits(
    db: Path, server: Server
) -> None:
    server.start()
    mailer = WeeklyMailer(_config(server.port), settings=SETTINGS)
    assert mailer.wants(MONDAY_MORNING)
    await mailer.run(db, MONDAY_MORNING)
    assert len(server.inbox.mails) == 1
    assert not mailer.wants(MONDAY_MORNING + timedelta(minutes=9))
    assert mailer.wants(MONDAY_MORNING + timedelta(minutes=10))


def test_nothing_is_sent_while_it_is_off(db: Path, server: Server) -> None:
    server.start()
    mailer = WeeklyMailer(_config(server.port))  # the section's default: off
    assert not mailer.active
    assert not mailer.wants(MONDAY_MORNING)
    assert mailer.run_once(db, MONDAY_MORNING).sent == 0
    assert server.inbox.mails == []
