"""Slowing down password guessing: per account and per client address, a growing wait.

The first FREE_FAILURES failed logins of a key (an account name, or a client
address) cost nothing: people mistype. After that each further failure makes
the key wait, doubling from FIRST_WAIT up to LONGEST_WAIT. A success clears
the key. Counting both keys stops one address trying many accounts and many
addresses trying one account; the cap keeps a guesser from locking a carer out
for longer than a quarter of an hour.

Pure and in memory: the hub is one process, and a restart (which only the
hub's owner can cause) forgetting the counts costs little. Times come from the
caller, so tests drive them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

FREE_FAILURES = 5
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(minutes=15)
FORGET_AFTER = timedelta(hours=24)  # a key quiet this long starts again from nothing
MAX_KEYS = 10_000  # bounded memory under a flood of made-up names and addresses


@dataclass(frozen=True, slots=True)
class _Record:
    failures: int
    last: datetime


def wait_after(failures: int) -> timedelta:
    """How long a key must wait after `failures` failures in a row."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    wait: timedelta = FIRST_WAIT * 2 ** (failures - FREE_FAILURES)
    return min(wait, LONGEST_WAIT)


class LoginThrottle:
    def __init__(self) -> None:
        self._records: dict[str, _Record] = {}

    def wait_left(self, keys: list[str], now: datetime) -> timedelta:
        """How much longer the longest-waiting of `keys` must wait (zero: try now)."""
        left = timedelta(0)
        for key in keys:
            record = self._records.get(key)
            if record is not None:
                left = max(left, record.last + wait_after(record.failures) - now)
        return left

    def failed(self, keys: list[str], now: datetime) -> None:
        if len(self._records) >= MAX_KEYS:
            self._forget_old(now)
        for key in keys:
            record = self._records.get(key)
            count = 1 if record is None or now - record.last > FORGET_AFTER else record.failures + 1
            self._records[key] = _Record(count, now)

    def succeeded(self, keys: list[str]) -> None:
        for key in keys:
            self._records.pop(key, None)

    def _forget_old(self, now: datetime) -> None:
        old = [k for k, r in self._records.items() if now - r.last > FORGET_AFTER]
        for key in old:
            del self._records[key]
        if len(self._records) >= MAX_KEYS:
            # Still full: drop the oldest half rather than grow without bound.
            by_age = sorted(self._records, key=lambda k: self._records[k].last)
            for key in by_age[: len(by_age) // 2]:
                del self._records[key]
