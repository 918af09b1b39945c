"""Fan-out of events to the parts downstream of ingest, before they are stored.

Consumers see each event at once: synchronous subscribers (pure rules) are
called inline; asynchronous ones get a bounded queue. A full queue never drops
an event: `congested` turns true and ingest stops reading until the consumer
catches up, so the broker holds the backlog.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from hub.events import Event


class EventBus:
    def __init__(self) -> None:
        self._callbacks: list[Callable[[Event], None]] = []
        self._queues: list[asyncio.Queue[Event]] = []

    def subscribe(self, callback: Callable[[Event], None]) -> None:
        """Call `callback` for every event, inline (it must be quick and not block)."""
        self._callbacks.append(callback)

    def subscribe_queue(self, maxsize: int = 10_000) -> asyncio.Queue[Event]:
        """A bounded queue that receives every event, for an asynchronous consumer."""
        queue: asyncio.Queue[Event] = asyncio.Queue(maxsize)
        self._queues.append(queue)
        return queue

    def publish(self, events: list[Event]) -> None:
        for event in events:
            for callback in self._callbacks:
                callback(event)
            for queue in self._queues:
                # Never full here: ingest pauses as soon as any queue fills up.
                queue.put_nowait(event)

    @property
    def congested(self) -> bool:
        """True when some queue has no room for another message's events."""
        # Asked after every message; the live hub has no queue consumer at all.
        return bool(self._queues) and any(q.maxsize - q.qsize() < 64 for q in self._queues)
