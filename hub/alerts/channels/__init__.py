"""Channels: each sends one AlertMessage to one recipient address, or raises DeliveryError.

A channel is an I/O edge and nothing more: whether and when to send, retries
and idempotency live in the outbox (`hub.alerts.outbox`). `DeliveryError`
carries a `permanent` flag: a refused address or a bad secret will not fix
itself, a timeout or an unreachable server may.
"""

from __future__ import annotations

from typing import Protocol

from hub.alerts.model import AlertMessage


class DeliveryError(Exception):
    """One send failed; `permanent` says retrying the same message cannot help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Channel(Protocol):
    """Something that can deliver an AlertMessage to one recipient."""

    @property
    def name(self) -> str:
        """Short, log-safe description, such as 'email to a***@example.org' (no secrets)."""
        ...

    async def send(self, message: AlertMessage) -> None:
        """Deliver `message` or raise DeliveryError; must not block the event loop."""
        ...
