"""What ingest noticed besides events: devices nobody has mapped, bad payloads, bad clocks.

All are tallied in memory on the hot path and written to the database with the
next batch of events, so an installer can run `hearth devices` to see what to
map and what is sending nonsense. The correction of events stored while the
hub's clock was not trusted travels the same way: it is applied in the
transaction that writes the batch, after the batch's own (perhaps flagged)
events, so no flagged event of this boot can slip in after it.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from dataclasses import dataclass, field

from hub.clock_guard import Correction
from hub.store.event_table import correct_unsure

SAMPLE_CHARS = 300

log = logging.getLogger(__name__)


def sample_of(payload: bytes) -> str:
    """A printable, bounded sample of a payload for logs and `hearth devices`."""
    text = payload[: SAMPLE_CHARS * 4].decode("utf-8", errors="backslashreplace")
    return text[:SAMPLE_CHARS]


@dataclass
class DeviceSighting:
    source: str
    device: str
    topic: str
    first_seen_us: int
    last_seen_us: int
    messages: int
    sample: str
    model: str = ""
    description: str = ""


@dataclass
class MalformedTally:
    topic: str
    count: int
    last_seen_us: int
    reason: str
    sample: str


@dataclass
class ClockFixTally:
    """A device whose own time was replaced by the receive time."""

    source: str
    device: str
    count: int
    last_seen_us: int
    reason: str


@dataclass
class Ledger:
    """In-memory tallies since the last flush, plus a per-topic log limiter."""

    log_interval_s: float = 60.0
    sightings: dict[tuple[str, str], DeviceSighting] = field(default_factory=dict)
    malformed: dict[str, MalformedTally] = field(default_factory=dict)
    clock_fixes: dict[tuple[str, str], ClockFixTally] = field(default_factory=dict)
    correction: Correction | None = None
    _last_logged: dict[str, float] = field(default_factory=dict)
    _suppressed: dict[str, int] = field(default_factory=dict)

    def saw_unmapped(
        self, source: str, device: str, topic: str, payload: bytes, now_us: int
    ) -> None:
        key = (source, device)
        sighting = self.sightings.get(key)
        if sighting is None:
            self.sightings[key] = DeviceSighting(
                source, device, topic, now_us, now_us, 1, sample_of(payload)
            )
            return
        sighting.last_seen_us = now_us
        sighting.messages += 1
        sighting.sample = sample_of(payload)
        sighting.topic = topic

    def saw_announced(
        self, source: str, device: str, *, model: str, description: str, topic: str, now_us: int
    ) -> None:
        """A producer listed a device (Zigbee2MQTT's bridge/devices) before it reported."""
        key = (source, device)
        sighting = self.sightings.get(key)
        if sighting is None:
            self.sightings[key] = DeviceSighting(
                source, device, topic, now_us, now_us, 0, "", model, description
            )
        else:
            sighting.model, sighting.description = model, description

    def saw_malformed(self, topic: str, payload: bytes, reason: str, now_us: int) -> None:
        tally = self.malformed.get(topic)
        sample = sample_of(payload)
        if tally is None:
            self.malformed[topic] = MalformedTally(topic, 1, now_us, reason, sample)
        else:
            tally.count += 1
            tally.last_seen_us, tally.reason, tally.sample = now_us, reason, sample
        suppressed = self._suppressed_since_logged(topic)
        if suppressed is not None:
            log.warning(
                "malformed payload on %s: %s; sample: %.120s%s",
                topic,
                reason,
                sample,
                f" ({suppressed} more since last report)" if suppressed else "",
            )

    def saw_clock_fix(self, source: str, device: str, reason: str, now_us: int) -> None:
        """A device's own time was implausible and the receive time was used instead."""
        key = (source, device)
        tally = self.clock_fixes.get(key)
        if tally is None:
            self.clock_fixes[key] = ClockFixTally(source, device, 1, now_us, reason)
        else:
            tally.count += 1
            tally.last_seen_us, tally.reason = now_us, reason
        suppressed = self._suppressed_since_logged(f"clock:{source}/{device}")
        if suppressed is not None:
            log.warning(
                "%s %s: %s; using the time it was received%s",
                source,
                device,
                reason,
                f" ({suppressed} more since last report)" if suppressed else "",
            )

    def correct(self, correction: Correction) -> None:
        """Correct the flagged events of a boot with the next batch (the newest wins)."""
        self.correction = correction

    @property
    def dirty(self) -> bool:
        """Something is waiting to be written even without events."""
        return bool(self.sightings or self.malformed or self.clock_fixes or self.correction)

    def _suppressed_since_logged(self, key: str) -> int | None:
        """How many reports of `key` were held back, or None to hold this one back too."""
        # Monotonic time: the log limiter must not depend on the (replay) event clock.
        now = time.monotonic()
        last = self._last_logged.get(key)
        if last is not None and now - last < self.log_interval_s:
            self._suppressed[key] = self._suppressed.get(key, 0) + 1
            return None
        self._last_logged[key] = now
        return self._suppressed.pop(key, 0)

    def give_back(self, snapshot: LedgerSnapshot) -> None:
        """Merge tallies that could not be written back into the current ones."""
        for old in snapshot.sightings:
            key = (old.source, old.device)
            new = self.sightings.get(key)
            if new is None:
                self.sightings[key] = old
            else:
                new.first_seen_us = min(new.first_seen_us, old.first_seen_us)
                new.messages += old.messages
        for old_tally in snapshot.malformed:
            tally = self.malformed.get(old_tally.topic)
            if tally is None:
                self.malformed[old_tally.topic] = old_tally
            else:
                tally.count += old_tally.count
        for old_fix in snapshot.clock_fixes:
            fix = self.clock_fixes.get((old_fix.source, old_fix.device))
            if fix is None:
                self.clock_fixes[(old_fix.source, old_fix.device)] = old_fix
            else:
                fix.count += old_fix.count
        if self.correction is None:  # a newer correction (a later sync) supersedes it
            self.correction = snapshot.correction

    def take(self) -> LedgerSnapshot:
        """Hand over the tallies so far (to be written with the next batch) and start afresh."""
        snapshot = LedgerSnapshot(
            list(self.sightings.values()),
            list(self.malformed.values()),
            list(self.clock_fixes.values()),
            self.correction,
        )
        self.sightings, self.malformed, self.clock_fixes = {}, {}, {}
        self.correction = None
        return snapshot


@dataclass(frozen=True)
class LedgerSnapshot:
    sightings: list[DeviceSighting]
    malformed: list[MalformedTally]
    clock_fixes: list[ClockFixTally] = field(default_factory=list)
    correction: Correction | None = None

    def write(self, conn: sqlite3.Connection) -> None:
        """Upsert the tallies inside the caller's transaction (called on the writer thread)."""
        if self.sightings:
            conn.executemany(
                """INSERT INTO devices_seen
                   (source, device, topic, first_seen_us, last_seen_us, messages, sample,
                    model, description)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (source, device) DO UPDATE SET
                     topic = excluded.topic,
                     last_seen_us = max(last_seen_us, excluded.last_seen_us),
                     messages = messages + excluded.messages,
                     sample = CASE WHEN excluded.sample = '' THEN sample
                                   ELSE excluded.sample END,
                     model = CASE WHEN excluded.model = '' THEN model ELSE excluded.model END,
                     description = CASE WHEN excluded.description = '' THEN description
                                        ELSE excluded.description END""",
                [
                    (
                        s.source,
                        s.device,
                        s.topic,
                        s.first_seen_us,
                        s.last_seen_us,
                        s.messages,
                        s.sample,
                        s.model,
                        s.description,
                    )
                    for s in self.sightings
                ],
            )
        if self.malformed:
            conn.executemany(
                """INSERT INTO malformed (topic, count, last_seen_us, reason, sample)
                   VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (topic) DO UPDATE SET
                     count = count + excluded.count,
                     last_seen_us = excluded.last_seen_us,
                     reason = excluded.reason,
                     sample = excluded.sample""",
                [(t.topic, t.count, t.last_seen_us, t.reason, t.sample) for t in self.malformed],
            )
        if self.clock_fixes:
            conn.executemany(
                """INSERT INTO clock_fixes (source, device, count, last_seen_us, reason)
                   VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (source, device) DO UPDATE SET
                     count = count + excluded.count,
                     last_seen_us = excluded.last_seen_us,
                     reason = excluded.reason""",
                [(f.source, f.device, f.count, f.last_seen_us, f.reason) for f in self.clock_fixes],
            )
        if self.correction is not None:
            # After this batch's INSERTs, in the same transaction: its flagged events are
            # corrected too, and a failed commit undoes both (give_back keeps the correction).
            fixed = correct_unsure(conn, self.correction.boot, self.correction.anchor_us)
            if fixed:
                log.info("clock: %d events stored before it was trusted got their true time", fixed)
