"""Sending what the outbox holds: oldest first per destination, retried with backoff.

A destination is one channel of one recipient (or the home's MQTT alert
topic). Its messages go out in the order they were queued: while the oldest
waits for a retry, the newer ones wait behind it, so when the home's
connection returns the carer reads them in the order things happened, each
with its original time. Destinations do not wait for each other: a dead
e-mail server never delays the webhook to the alarm centre.

Each attempt is recorded. A message is marked sent only after the channel
reports success; a crash in between sends it again on restart with the same
idempotency key, which receivers use to drop the repeat (docs/alerts.md).
"""

from __future__ import annotations

import asyncio
import logging
import random
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from hub.alerts.channels import Channel, DeliveryError
from hub.alerts.store import AlertStore, OutboxRow
from hub.clock import Clock
from hub.config.alerts import Delivery

log = logging.getLogger(__name__)

T = TypeVar("T")


class RunInStore(Protocol):
    """Runs a function on the alert store's own thread and awaits its result."""

    def __call__(self, work: Callable[[AlertStore], T], /) -> Awaitable[T]: ...


ChannelLookup = Callable[[str, int], Channel | None]
"""(recipient id, channel index) -> the channel; ("", 0) is the home's MQTT alert topic."""

IDLE_CHECK_S = 5.0  # look now and then: `hearth alerts ack` queues messages from outside


def destination(recipient: str, channel: int) -> str:
    """A destination in words for logs and the history: ("", 0) is not a person."""
    if not recipient:
        return "the MQTT alert topic"
    return f"recipient {recipient!r} channel {channel + 1}"


def retry_delay(attempts: int, settings: Delivery, rand: Callable[[], float]) -> float:
    """Seconds before the next attempt: doubling from retry_min_s, capped, with jitter.

    The jitter (between half and all of the delay) keeps a hub that lost its
    connection from hammering the server in lock-step with its own retries.
    """
    doubled: float = settings.retry_min_s * 2.0 ** max(attempts - 1, 0)
    base = min(settings.retry_max_s, doubled)
    return base * (0.5 + 0.5 * rand())


class Dispatcher:
    def __init__(
        self,
        run: RunInStore,
        lookup: ChannelLookup,
        clock: Clock,
        settings: Delivery,
        *,
        send_timeout_s: float = 30.0,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self._run = run
        self._lookup = lookup
        self._clock = clock
        self._settings = settings
        self._timeout = send_timeout_s
        self._rand = rand
        self._wake = asyncio.Event()
        self._pass = asyncio.Lock()
        self.sent = 0
        self.failed_attempts = 0
        self._told_unconfigured: set[tuple[str, int]] = set()

    def wake(self) -> None:
        """Look at the outbox now (new messages were queued)."""
        self._wake.set()

    async def run(self) -> None:
        """Send due messages until cancelled."""
        while True:
            self._wake.clear()
            try:
                await self.send_due()
                next_at = await self._run(lambda store: store.next_attempt())
            except sqlite3.Error as exc:
                # A full disk or a locked database: the outbox is intact, try again.
                log.error("alerts: cannot read or update the outbox: %s", exc)  # noqa: TRY400
                next_at = None
            wait = IDLE_CHECK_S
            if next_at is not None:
                wait = min(wait, max((next_at - self._clock.now()).total_seconds(), 0.0))
            if wait > 0:
                # A wake() during send_due() set the event again: no sleep then.
                await _wait(self._wake, wait)

    async def send_due(self) -> int:
        """One pass over the due messages; returns how many were sent.

        Passes never overlap (two would both read a message as due and send it twice).
        """
        async with self._pass:
            return await self._send_due()

    async def _send_due(self) -> int:
        now = self._clock.now()
        rows = await self._run(lambda store: store.due(now))
        queues: dict[tuple[str, int], list[OutboxRow]] = {}
        for row in rows:
            queues.setdefault((row.recipient, row.channel), []).append(row)
        results = await asyncio.gather(*(self._drain(queue) for queue in queues.values()))
        return sum(results)

    async def _drain(self, queue: list[OutboxRow]) -> int:
        """Send one destination's messages in order, stopping at the first failure."""
        sent = 0
        for row in queue:
            if not await self._attempt(row):
                break
            sent += 1
        return sent

    async def _attempt(self, row: OutboxRow) -> bool:
        channel = self._lookup(row.recipient, row.channel)
        if channel is None:
            await self._unconfigured(row)
            return True  # nothing later can go there either; do not hold the queue
        try:
            await asyncio.wait_for(channel.send(row.message), self._timeout)
        except DeliveryError as exc:
            await self._record(row, str(exc), permanent=exc.permanent)
            return exc.permanent  # a permanent failure does not block the messages after it
        except TimeoutError:
            await self._record(row, f"no answer within {self._timeout:g} s", permanent=False)
            return False
        except Exception as exc:
            # A bug in one channel must not stop every other delivery: it is
            # logged with its traceback, recorded, and retried like an outage.
            log.exception("alert %d: %s failed unexpectedly", row.alert_id, channel.name)
            await self._record(row, f"{type(exc).__name__}: {exc}", permanent=False)
            return False
        await self._record(row, None, permanent=False)
        self.sent += 1
        return True

    async def _unconfigured(self, row: OutboxRow) -> None:
        """A message for a destination without a channel: recorded as given up; logged once.

        A recipient removed from the config may leave many messages behind, and a
        process that sends no MQTT alerts gives up every alert's MQTT update: one
        line per message would bury the journal in lines saying the same thing.
        """
        where = destination(row.recipient, row.channel)
        # The MQTT topic is the process's own (the hub always has it); a person's channel
        # is missing when the config no longer has it.
        error = f"{where} {'has no channel here' if not row.recipient else 'is not configured'}"
        if (row.recipient, row.channel) not in self._told_unconfigured:
            self._told_unconfigured.add((row.recipient, row.channel))
            log.warning("alerts: %s: its messages are not sent", error)
        now = self._clock.now()
        self.failed_attempts += 1
        await self._run(lambda store: store.record_attempt(row.id, now, error, retry_at=None))

    async def _record(self, row: OutboxRow, error: str | None, *, permanent: bool) -> None:
        now = self._clock.now()
        retry_at: datetime | None = None
        if error is not None:
            self.failed_attempts += 1
            channel = self._lookup(row.recipient, row.channel)
            where = channel.name if channel is not None else destination(row.recipient, row.channel)
            if permanent:
                log.error("alert %d: giving up on %s: %s", row.alert_id, where, error)
            else:
                delay = retry_delay(row.attempts + 1, self._settings, self._rand)
                retry_at = now + timedelta(seconds=delay)
                log.warning(
                    "alert %d: %s failed (%s); retrying in %.0f s",
                    row.alert_id,
                    where,
                    error,
                    delay,
                )

        def record(store: AlertStore) -> None:
            store.record_attempt(row.id, now, error, retry_at=retry_at)

        await self._run(record)


async def _wait(event: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(event.wait(), seconds)
    except TimeoutError:
        return
