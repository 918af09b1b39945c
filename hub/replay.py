"""Replaying recorded days through the live pipeline, in event time.

The clock is a ManualClock moved to each event's time, and every record goes
through the same mapping, event bus and batch writer as live MQTT traffic, so
a month of a real home runs in seconds with the results the live hub would give.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hub.bus import EventBus
from hub.clock import ManualClock
from hub.config.models import HearthConfig
from hub.datasets import BadRow, DatasetError, DatasetRead, Format, detect_format, read_dataset
from hub.events import Event, Reading
from hub.ingest.ledger import Ledger
from hub.ingest.pipeline import Ingest
from hub.store.batch_writer import BatchWriter
from hub.store.database import open_database

REPLAY_BATCH = 20_000  # replay can be rerun, so it commits in large batches


@dataclass(frozen=True)
class FileReport:
    path: Path
    rows: int
    records: int
    problems: list[BadRow]


@dataclass
class ReplayReport:
    files: list[FileReport] = field(default_factory=list)
    stored: int = 0
    unmapped: int = 0
    unfit: int = 0
    first: datetime | None = None
    last: datetime | None = None
    seconds: float = 0.0

    @property
    def problems(self) -> list[BadRow]:
        return [p for f in self.files for p in f.problems]


def _time_of(record: Reading | Event) -> datetime:
    # Readers only emit records with a time; the fallback keeps the type honest.
    return record.time or datetime.min.replace(tzinfo=UTC)


def _merged(reads: list[tuple[Path, DatasetRead]]) -> Iterator[tuple[Path, Reading | Event]]:
    """All files' records in time order (each file is already sorted)."""
    streams: list[Iterable[tuple[Path, Reading | Event]]] = [
        ((path, record) for record in read.records) for path, read in reads
    ]
    return heapq.merge(*streams, key=lambda item: _time_of(item[1]))


def load_files(
    config: HearthConfig, files: list[Path], fmt: Format | None = None
) -> list[tuple[Path, DatasetRead]]:
    """Read every file (in the home's time zone); bad rows are collected, not raised.

    A format named by the caller that fits not one row of a file is a DatasetError:
    otherwise a mistyped `--format` "succeeds", storing nothing and listing every
    line of the file as a bad row.
    """
    tz = ZoneInfo(config.home.timezone)
    reads = [(path, read_dataset(path, fmt, tz)) for path in files]
    if fmt is not None:
        for path, read in reads:
            if read.rows and not read.records:
                raise DatasetError(_mismatch(path, fmt, read.problems[0]))
    return reads


def _mismatch(path: Path, fmt: Format, first: BadRow) -> str:
    try:
        detected: Format | None = detect_format(path)
    except DatasetError:
        detected = None
    hint = f"it looks like {detected.value}" if detected not in (None, fmt) else "check the file"
    return (
        f"{path}: no row can be read as {fmt.value} (line {first.line}: {first.reason}); "
        f"{hint}, or let the format be detected"
    )


def record_count(reads: list[tuple[Path, DatasetRead]]) -> int:
    return sum(len(read.records) for _, read in reads)


def replay(
    config: HearthConfig,
    db_path: Path,
    files: list[Path],
    fmt: Format | None = None,
    *,
    bus: EventBus | None = None,
) -> ReplayReport:
    """Read `files` and replay them into `db_path` (library entry point)."""
    started = time.perf_counter()
    report = replay_reads(config, db_path, load_files(config, files, fmt), bus=bus)
    report.seconds = time.perf_counter() - started
    return report


def replay_reads(
    config: HearthConfig,
    db_path: Path,
    reads: list[tuple[Path, DatasetRead]],
    *,
    bus: EventBus | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ReplayReport:
    """Replay records already read; `on_progress(n)` is told of every n records done."""
    started = time.perf_counter()
    report = ReplayReport(
        files=[FileReport(p, r.rows, len(r.records), r.problems) for p, r in reads]
    )
    if record_count(reads) == 0:
        report.seconds = time.perf_counter() - started
        return report
    first_time = min(_time_of(r.records[0]) for _, r in reads if r.records)
    clock = ManualClock(first_time)
    ledger = Ledger(config.ingest.malformed_log_interval_s)
    ingest = Ingest(config, clock, ledger)
    bus = bus or EventBus()
    db = open_database(db_path, durable=False)
    writer = BatchWriter(db.conn, ledger, batch_max=REPLAY_BATCH, commit_interval_s=3600)
    done = 0
    try:
        for path, record in _merged(reads):
            # Every record moves the clock, stored or not, as time passes in a live home;
            # so the report's `last` is the last record's time, like `first`.
            clock.advance_to(_time_of(record))
            event = record if isinstance(record, Event) else ingest.map_reading(record, path.name)
            done += 1
            if on_progress is not None and done % 5000 == 0:
                on_progress(5000)
            if event is None:
                continue
            bus.publish([event])
            writer.add([event])
        writer.commit_now()
    finally:
        db.conn.close()
    if on_progress is not None:
        on_progress(done % 5000)
    report.stored = writer.committed_events
    report.unmapped = ingest.stats.unmapped
    report.unfit = ingest.stats.malformed
    report.first, report.last = first_time, clock.now()
    report.seconds = time.perf_counter() - started
    return report
