"""The alert service over a real SQLite file: durable steps, the outbox, retries, order.

Channels here are in-process recorders that can be told to fail: they inject
faults (a dead server, a refused address). The channels themselves are
tested against real peers in tests/alerts/channels/.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path

import pytest

from hub.alerts.channels import DeliveryError
from hub.alerts.lifecycle import LifecycleError
from hub.alerts.model import (
    Action,
    Alert,
    AlertMessage,
    AlertState,
    Condition,
    Purpose,
    Severity,
    Via,
)
from hub.alerts.service import AlertService
from hub.alerts.store import AlertStore
from hub.clock import ManualClock
from hub.config.models import HearthConfig, Home, Storage
from hub.store.database import open_database
from tests.alerts.alert_policies import MORNING, condition, policy


class Recorder:
    """A channel that records what it is given, or fails while told to."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.received: list[AlertMessage] = []
        self.failure: DeliveryError | None = None
        self.attempts = 0

    async def send(self, message: AlertMessage) -> None:
        self.attempts += 1
        if self.failure is not None:
            raise self.failure
        self.received.append(message)


class Channels:
    def __init__(self) -> None:
        self.by_key: dict[tuple[str, int], Recorder] = {}

    def __call__(self, recipient: str, channel: int) -> Recorder:
        key = (recipient, channel)
        if key not in self.by_key:
            self.by_key[key] = Recorder(f"{recipient or 'mqtt'}#{channel}")
        return self.by_key[key]


def home_config(db: Path) -> HearthConfig:
    return HearthConfig(
        home=Home(id="t", timezone="Europe/London"),
        storage=Storage(path=db),
        alerts=policy().alerts,
    )


def covers(service: AlertService, count: int) -> bool:
    return len(service._covering) == count


async def until(check: Callable[[], bool], seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.01)):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached in time")


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[tuple[AlertService, Channels, ManualClock]]:
    clock = ManualClock(MORNING)
    channels = Channels()
    service = AlertService(home_config(tmp_path / "hub.db"), clock, channels)
    await service.start()
    try:
        yield service, channels, clock
    finally:
        await service.stop()


def history(db: Path, alert_id: int) -> list[Action]:
    conn = open_database(db).conn
    try:
        return [t.action for t in AlertStore(conn).history(alert_id)]
    finally:
        conn.close()


async def test_a_condition_becomes_one_alert_delivered_to_each_channel_with_a_link(
    running: tuple[AlertService, Channels, ManualClock],
) -> None:
    service, channels, clock = running
    service.conditions(clock.now(), [condition()])
    service.conditions(clock.now(), [condition()])  # the same condition again: no second alert
    await until(lambda: len(channels("anna", 1).received) == 1)
    await until(lambda: len(channels("", 0).received) == 1)
    mail = channels("anna", 0).received[0]
    assert mail.purpose is Purpose.RAISED
    assert mail.ack_url is not None
    assert mail.ack_url.startswith("http://hearth.local:8080/ack/")
    assert mail.raised_at == MORNING
    assert channels("", 0).received[0].ack_url is None  # the MQTT topic gets no link
    assert len({m.idempotency_key for r in channels.by_key.values() for m in r.received}) == 3
    assert [a.id for a in service._covering] == [1]


async def test_escalation_and_acknowledgement_are_recorded_in_the_history(
    running: tuple[AlertService, Channels, ManualClock], tmp_path: Path
) -> None:
    service, channels, clock = running
    service.conditions(clock.now(), [condition()])
    await until(lambda: len(channels("anna", 0).received) == 1)
    clock.advance_to(MORNING + timedelta(minutes=5))
    await service.tick()
    await until(lambda: len(channels("bob", 0).received) == 1)
    assert channels("bob", 0).received[0].purpose is Purpose.ESCALATED
    alert = await service.acknowledge(1, "bob", Via.LINK)
    assert alert.state is AlertState.ACKNOWLEDGED
    await until(lambda: len(channels("anna", 0).received) == 2)
    assert channels("anna", 0).received[1].acknowledged_by == "Bob (agency)"
    with pytest.raises(LifecycleError):
        await service.acknowledge(1, "anna", Via.LINK)
    with pytest.raises(LookupError, match="no alert 99"):
        await service.acknowledge(99, "anna", Via.LINK)
    assert history(tmp_path / "hub.db", 1) == [
        Action.RAISED,
        Action.NOTIFIED,
        Action.ESCALATED,
        Action.ACKNOWLEDGED,
    ]


async def test_a_failed_send_is_retried_with_backoff_and_each_attempt_recorded(
    running: tuple[AlertService, Channels, ManualClock], tmp_path: Path
) -> None:
    service, channels, clock = running
    mail = channels("anna", 0)
    mail.failure = DeliveryError("connection refused")
    service.conditions(clock.now(), [condition()])
    await until(lambda: mail.attempts == 1)
    await service.dispatcher.send_due()
    assert mail.attempts == 1  # not yet: the retry waits 2.5-5 s
    mail.failure = None
    clock.advance_to(MORNING + timedelta(seconds=5))
    await service.dispatcher.send_due()
    assert len(mail.received) == 1
    conn = open_database(tmp_path / "hub.db").conn
    attempts = conn.execute(
        "SELECT a.ok, a.error FROM delivery_attempts a JOIN outbox o ON o.id = a.outbox_id "
        "WHERE o.recipient = 'anna' AND o.channel = 0 ORDER BY a.id"
    ).fetchall()
    conn.close()
    assert attempts == [(0, "connection refused"), (1, "")]


async def test_a_message_waiting_behind_a_retry_does_not_keep_the_dispatcher_busy(
    running: tuple[AlertService, Channels, ManualClock],
) -> None:
    service, channels, clock = running
    hook = channels("anna", 1)
    hook.failure = DeliveryError("answered HTTP 500")
    service.conditions(clock.now(), [condition("no_movement")])
    await until(lambda: hook.attempts == 1)  # the first now waits 2.5-5 s for its retry
    service.conditions(clock.now(), [condition("no_movement"), condition("night_exit")])
    await until(functools.partial(covers, service, 2))  # the second waits behind it
    looks = 0
    store_call = service.dispatcher._run

    async def counted(work: Callable[[AlertStore], object]) -> object:
        nonlocal looks
        looks += 1
        return await store_call(work)

    service.dispatcher._run = counted  # type: ignore[assignment]
    await asyncio.sleep(0.5)  # the clock stands still: nothing is due for seconds
    # A few looks at most (wake-ups as the second alert was queued); the old
    # next_attempt() said "now" for the waiting message: thousands of looks.
    assert looks <= 4, looks
    assert hook.attempts == 1
    clock.advance_to(MORNING + timedelta(seconds=5))
    hook.failure = None
    service.dispatcher.wake()
    await until(lambda: len(hook.received) == 2)
    assert [m.rule for m in hook.received] == ["no_movement", "night_exit"]


async def test_when_the_connection_returns_queued_alerts_go_oldest_first_with_their_times(
    running: tuple[AlertService, Channels, ManualClock],
) -> None:
    service, channels, clock = running
    hook = channels("anna", 1)
    hook.failure = DeliveryError("network unreachable")
    rules = ["no_movement", "night_exit", "temperature"]
    raised = []
    for n in range(len(rules)):
        clock.advance_to(MORNING + timedelta(minutes=n))
        raised.append(clock.now())
        service.conditions(clock.now(), [condition(rule) for rule in rules[: n + 1]])
        await until(functools.partial(covers, service, n + 1))
    hook.failure = None
    clock.advance_to(MORNING + timedelta(hours=1))
    await service.dispatcher.send_due()
    got = [(m.rule, m.raised_at) for m in hook.received]
    assert got == list(zip(rules, raised, strict=True))


async def test_a_permanent_failure_gives_up_on_that_message_only(
    running: tuple[AlertService, Channels, ManualClock],
) -> None:
    service, channels, clock = running
    mail = channels("anna", 0)
    mail.failure = DeliveryError("550 no such user", permanent=True)
    service.conditions(clock.now(), [condition()])
    await until(lambda: mail.attempts == 1)
    mail.failure = None
    clock.advance_to(MORNING + timedelta(minutes=1))
    service.conditions(clock.now(), [condition(), condition("night_exit")])
    await until(lambda: len(mail.received) == 1)
    assert mail.received[0].rule == "night_exit"
    assert mail.attempts == 2  # the refused message is not tried again


async def test_pending_messages_survive_a_restart(tmp_path: Path) -> None:
    clock = ManualClock(MORNING)
    down = Channels()
    for key in [("anna", 0), ("anna", 1), ("", 0)]:
        down(*key).failure = DeliveryError("offline")
    first = AlertService(home_config(tmp_path / "hub.db"), clock, down)
    await first.start()
    first.conditions(clock.now(), [condition()])
    await until(lambda: down("anna", 0).attempts == 1)
    await first.stop()

    up = Channels()
    clock.advance_to(MORNING + timedelta(minutes=2))
    second = AlertService(home_config(tmp_path / "hub.db"), clock, up)
    await second.start()
    try:
        await until(lambda: len(up("anna", 0).received) == 1)
        assert up("anna", 0).received[0].raised_at == MORNING
        assert [a.id for a in second._covering] == [1]
        # The condition still holds after the restart: still one alert.
        second.conditions(clock.now(), [condition()])
        await asyncio.sleep(0.05)
        assert [a.id for a in second._covering] == [1]
    finally:
        await second.stop()


async def test_an_acknowledgement_made_by_another_process_is_seen(
    running: tuple[AlertService, Channels, ManualClock], tmp_path: Path
) -> None:
    service, channels, clock = running
    service.conditions(clock.now(), [condition()])
    await until(lambda: len(service._covering) == 1)
    other = AlertService(home_config(tmp_path / "hub.db"), clock, Channels())
    await other.start()
    try:
        await other.acknowledge(1, "anna", Via.CLI)
    finally:
        await other.stop()
    clock.advance_to(MORNING + timedelta(minutes=30))
    await service.tick()
    assert channels("bob", 0).received == []  # no escalation after the acknowledgement


class InHomeRecorder:
    def __init__(self) -> None:
        self.asked: list[int] = []
        self.announced: list[int] = []

    def ask(self, alert: Alert) -> None:
        self.asked.append(alert.id)

    def announce(self, alert: Alert) -> None:
        self.announced.append(alert.id)


async def test_the_resident_is_asked_again_and_can_cancel_with_the_button(tmp_path: Path) -> None:
    clock = ManualClock(MORNING)
    channels, home = Channels(), InHomeRecorder()
    service = AlertService(home_config(tmp_path / "hub.db"), clock, channels, in_home=home)
    await service.start()
    try:
        service.conditions(clock.now(), [condition(asks=True)])
        await until(lambda: home.asked == [1])
        clock.advance_to(MORNING + timedelta(minutes=2))
        await service.tick()
        assert home.asked == [1, 1]
        (cancelled,) = await service.resident_ok()
        assert cancelled.state is AlertState.CANCELLED
        clock.advance_to(MORNING + timedelta(minutes=30))
        await service.tick()
        await asyncio.sleep(0.05)
        assert channels("anna", 0).received == []
        assert home.announced == []
    finally:
        await service.stop()


async def test_without_an_answer_the_home_hears_that_help_is_called(tmp_path: Path) -> None:
    clock = ManualClock(MORNING)
    channels, home = Channels(), InHomeRecorder()
    service = AlertService(home_config(tmp_path / "hub.db"), clock, channels, in_home=home)
    await service.start()
    try:
        service.conditions(clock.now(), [condition(asks=True, severity=Severity.URGENT)])
        await until(lambda: home.asked == [1])
        clock.advance_to(MORNING + timedelta(minutes=10))
        await service.tick()
        assert home.announced == [1]
        await until(lambda: len(channels("anna", 0).received) == 1)
    finally:
        await service.stop()


async def test_a_full_disk_delays_the_alert_until_space_returns_and_loses_nothing(
    running: tuple[AlertService, Channels, ManualClock], caplog: pytest.LogCaptureFixture
) -> None:
    service, channels, clock = running

    def cap(store: AlertStore, pages: int | None) -> None:
        # A real SQLite "database or disk is full" on the next page the file needs.
        if pages is None:
            (pages,) = store.conn.execute("PRAGMA page_count").fetchone()
        store.conn.execute(f"PRAGMA max_page_count = {pages}")

    await service.run(functools.partial(cap, pages=None))
    filler = "x" * 5000  # a summary too long for the pages left
    big = Condition("night_exit", "home", Severity.URGENT, MORNING, filler)
    service.conditions(clock.now(), [big])
    await until(lambda: service.storage_failures == 1)
    assert "cannot record alert changes" in caplog.text
    assert "database or disk is full" in caplog.text
    assert service._covering == []
    await service.run(functools.partial(cap, pages=1_073_741_823))
    service.conditions(clock.now(), [big])  # the next event or tick
    await until(lambda: len(channels("anna", 0).received) == 1)
    assert channels("anna", 0).received[0].summary == filler


class Broken:
    """A channel with a bug: it raises something that is not a DeliveryError."""

    name = "broken#0"

    async def send(self, message: AlertMessage) -> None:
        raise KeyError("a bug in a channel")


async def test_a_channel_with_a_bug_does_not_stop_the_others(tmp_path: Path) -> None:
    clock = ManualClock(MORNING)
    channels = Channels()

    def lookup(recipient: str, channel: int) -> Recorder | Broken:
        return Broken() if (recipient, channel) == ("anna", 0) else channels(recipient, channel)

    service = AlertService(home_config(tmp_path / "hub.db"), clock, lookup)
    await service.start()
    try:
        service.conditions(clock.now(), [condition()])
        await until(lambda: len(channels("anna", 1).received) == 1)
        await until(lambda: len(channels("", 0).received) == 1)
        assert service.dispatcher.failed_attempts >= 1
    finally:
        await service.stop()


def no_recipients(db: Path) -> HearthConfig:
    return HearthConfig(home=Home(id="t", timezone="Europe/London"), storage=Storage(path=db))


def alert_log(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    """What the alert service and dispatcher logged above INFO (what journald shows as news)."""
    return [
        (r.levelno, r.getMessage())
        for r in caplog.records
        if r.name.startswith("hub.alerts") and r.levelno > logging.INFO
    ]


async def many_alerts(service: AlertService, clock: ManualClock, count: int) -> None:
    for index in range(count):
        service.conditions(clock.now(), [condition(subject=f"room-{index}")])
        await until(functools.partial(covered_by, service, index + 1))
        await service.dispatcher.send_due()


def covered_by(service: AlertService, alert_id: int) -> bool:
    return covers(service, 1) and service._covering[0].id == alert_id


async def test_a_home_with_no_recipients_is_told_once_at_start_not_per_alert(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = ManualClock(MORNING)
    channels = Channels()  # the hub's MQTT alert topic works
    service = AlertService(no_recipients(tmp_path / "hub.db"), clock, channels)
    with caplog.at_level(logging.INFO):
        await service.start()
        try:
            await many_alerts(service, clock, 3)
            await until(lambda: len(channels("", 0).received) >= 3)
        finally:
            await service.stop()
    assert alert_log(caplog) == [
        (
            logging.WARNING,
            "alerts: nobody outside the home will be told of alerts: alerts.recipients is empty; "
            "they are seen only on the MQTT topic hearth/t/alerts/<id>, in `hearth alerts` "
            "and the web app (add recipients: docs/alerts.md)",
        )
    ]


async def test_a_destination_without_a_channel_is_one_line_not_one_per_message(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A process with no channel for the MQTT alert topic (the web app's tests run the
    # service so): every alert's update used to log "giving up on recipient ''".
    clock = ManualClock(MORNING)
    config = no_recipients(tmp_path / "hub.db")
    service = AlertService(config, clock, lambda recipient, channel: None)
    with caplog.at_level(logging.INFO):
        await service.start()
        try:
            await many_alerts(service, clock, 3)
        finally:
            await service.stop()
    assert alert_log(caplog)[1:] == [
        (
            logging.WARNING,
            "alerts: the MQTT alert topic has no channel here: its messages are not sent",
        )
    ]
    assert "recipient ''" not in caplog.text
    conn = open_database(tmp_path / "hub.db").conn
    try:
        rows = conn.execute("SELECT state, last_error FROM outbox").fetchall()
    finally:
        conn.close()
    assert len(rows) >= 3  # each alert raised, and the earlier ones resolved
    assert set(rows) == {("failed", "the MQTT alert topic has no channel here")}


async def test_a_recipient_removed_from_the_config_is_one_line_for_all_it_had_waiting(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = ManualClock(MORNING)
    channels = Channels()
    for index in (0, 1):  # anna's e-mail and Apprise are down: her messages wait
        channels("anna", index).failure = DeliveryError("down for now")
    first = AlertService(home_config(tmp_path / "hub.db"), clock, channels)
    await first.start()
    try:
        await many_alerts(first, clock, 3)
    finally:
        await first.stop()
    caplog.clear()
    # Restarted with anna gone from the config: what was waiting for her cannot be sent.
    clock.advance_to(clock.now() + timedelta(hours=1))
    mqtt = Channels()
    second = AlertService(
        no_recipients(tmp_path / "hub.db"),
        clock,
        lambda recipient, channel: None if recipient else mqtt(recipient, channel),
    )
    with caplog.at_level(logging.INFO):
        await second.start()
        try:
            await second.dispatcher.send_due()
        finally:
            await second.stop()
    unsent = [message for _, message in alert_log(caplog) if "not sent" in message]
    assert unsent == [
        "alerts: recipient 'anna' channel 1 is not configured: its messages are not sent",
        "alerts: recipient 'anna' channel 2 is not configured: its messages are not sent",
    ]
