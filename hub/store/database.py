"""Opening the database: WAL, durable commits, and schema migrations recorded in a table.

Commits use `synchronous=FULL` so that a batch the hub has acknowledged to the
broker survives a power cut, not just a crash. Batching (see `batch_writer`)
keeps that to one fsync per batch, which is what spares the SD card.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

# sqlite-utils imports numpy whenever it is installed (it is, for the routine
# model), only to map numpy scalar types to column types; the hub stores plain
# Python values, and numpy cost the hub process about 12 MB of RSS. So numpy is
# hidden while sqlite-utils is first imported (`None` in sys.modules makes an
# import fail); code that needs numpy (hub/routine/model.py) imports it later as
# usual. The hub's other modules take sqlite-utils from here, so this comes first.
_hide_numpy = "numpy" not in sys.modules and "sqlite_utils" not in sys.modules
if _hide_numpy:
    sys.modules["numpy"] = None  # type: ignore[assignment]
try:
    import sqlite_utils
finally:
    if _hide_numpy:
        del sys.modules["numpy"]

Database = sqlite_utils.Database  # the hub's modules take it from here

BUSY_TIMEOUT_S = 5.0  # how long a statement waits for another process's lock


class StoreError(RuntimeError):
    """The database cannot be opened or migrated (bad path, full disk, corrupt file)."""


@dataclass(frozen=True)
class Migration:
    name: str
    statements: Sequence[str]


# Append only: a released migration is never edited, a new one is added below it.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "0001_events",
        (
            """CREATE TABLE events (
                id INTEGER PRIMARY KEY,
                time_us INTEGER NOT NULL,   -- microseconds since the Unix epoch, UTC
                sensor TEXT NOT NULL,
                kind TEXT NOT NULL,
                value,                      -- bool as 0/1, float, or text, by kind
                source TEXT NOT NULL
            )""",
            "CREATE INDEX events_time ON events (time_us)",
            "CREATE INDEX events_sensor_time ON events (sensor, time_us)",
        ),
    ),
    Migration(
        "0002_devices_seen",
        (
            """CREATE TABLE devices_seen (
                source TEXT NOT NULL,
                device TEXT NOT NULL,
                topic TEXT NOT NULL,
                first_seen_us INTEGER NOT NULL,
                last_seen_us INTEGER NOT NULL,
                messages INTEGER NOT NULL,
                sample TEXT NOT NULL,       -- the latest payload, cut to 300 characters
                model TEXT NOT NULL DEFAULT '',
                description TEXT NOT NULL DEFAULT '',
                PRIMARY KEY (source, device)
            )""",
            """CREATE TABLE malformed (
                topic TEXT PRIMARY KEY,
                count INTEGER NOT NULL,
                last_seen_us INTEGER NOT NULL,
                reason TEXT NOT NULL,
                sample TEXT NOT NULL
            )""",
        ),
    ),
    Migration(
        "0003_alerts",
        (
            """CREATE TABLE alerts (
                id INTEGER PRIMARY KEY,
                key TEXT NOT NULL,              -- rule:subject; one alert per run of a condition
                rule TEXT NOT NULL,
                subject TEXT NOT NULL,
                severity TEXT NOT NULL,
                summary TEXT NOT NULL,
                since_us INTEGER NOT NULL,
                raised_us INTEGER NOT NULL,
                state TEXT NOT NULL,
                asks_resident INTEGER NOT NULL,
                condition_active INTEGER NOT NULL,
                level INTEGER NOT NULL,
                asks_until_us INTEGER,
                notified_us INTEGER,
                acknowledged_us INTEGER,
                acknowledged_by TEXT,
                resolved_us INTEGER,
                told TEXT NOT NULL DEFAULT ''   -- recipient ids, comma-separated, in order
            )""",
            # The database itself refuses a second alert for a condition still covered.
            "CREATE UNIQUE INDEX alerts_covering ON alerts (key) WHERE condition_active = 1",
            """CREATE TABLE alert_transitions (
                id INTEGER PRIMARY KEY,
                alert_id INTEGER NOT NULL REFERENCES alerts (id),
                at_us INTEGER NOT NULL,
                action TEXT NOT NULL,
                actor TEXT NOT NULL,
                via TEXT NOT NULL,
                detail TEXT NOT NULL
            )""",
            "CREATE INDEX alert_transitions_alert ON alert_transitions (alert_id, id)",
            """CREATE TABLE outbox (
                id INTEGER PRIMARY KEY,
                alert_id INTEGER NOT NULL REFERENCES alerts (id),
                recipient TEXT NOT NULL,        -- '' is the home's MQTT alert topic
                channel INTEGER NOT NULL,       -- index into the recipient's channels
                idempotency_key TEXT NOT NULL UNIQUE,
                message TEXT NOT NULL,          -- the AlertMessage, as JSON
                created_us INTEGER NOT NULL,
                state TEXT NOT NULL,            -- pending, sent, failed
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_us INTEGER NOT NULL,
                sent_us INTEGER,
                last_error TEXT
            )""",
            "CREATE INDEX outbox_pending ON outbox (state, next_attempt_us)",
            """CREATE TABLE delivery_attempts (
                id INTEGER PRIMARY KEY,
                outbox_id INTEGER NOT NULL REFERENCES outbox (id),
                at_us INTEGER NOT NULL,
                ok INTEGER NOT NULL,
                error TEXT NOT NULL
            )""",
            """CREATE TABLE modes (
                id INTEGER PRIMARY KEY,
                mode TEXT NOT NULL,
                since_us INTEGER NOT NULL,
                until_us INTEGER,
                set_by TEXT NOT NULL,
                via TEXT NOT NULL
            )""",
            """CREATE TABLE hub_secrets (
                name TEXT PRIMARY KEY,          -- e.g. the key that signs acknowledgement links
                value BLOB NOT NULL
            )""",
        ),
    ),
    Migration(
        "0004_doses",
        (
            """CREATE TABLE doses (
                medicine TEXT NOT NULL,
                local_date TEXT NOT NULL,       -- the home's date the dose was due on
                slot INTEGER NOT NULL,          -- which of the medicine's times, from 1
                due_us INTEGER NOT NULL,
                fallback INTEGER NOT NULL,      -- 1: due at the fallback time
                outcome TEXT NOT NULL,          -- on_time, late, missed, away
                taken_us INTEGER,
                evidence TEXT NOT NULL,         -- sensor id, carer:<name>, cli:<name>, or ''
                doubled_us INTEGER,             -- a second opening soon after taking it
                decided_us INTEGER NOT NULL,
                PRIMARY KEY (medicine, local_date, slot)
            )""",
            """CREATE TABLE dose_marks (
                id INTEGER PRIMARY KEY,
                medicine TEXT NOT NULL,
                taken_us INTEGER NOT NULL,      -- when it was taken, as the person said
                received_us INTEGER NOT NULL,   -- when the hub heard it
                by TEXT NOT NULL                -- carer:<name> or cli:<name>
            )""",
            "CREATE INDEX dose_marks_received ON dose_marks (received_us)",
        ),
    ),
    Migration(
        "0005_clock_sanity",
        (
            # ADD COLUMN with a constant default rewrites nothing: instant on a big table.
            # 0: received while the hub's clock was not trusted (hub/clock_guard.py);
            # read_events leaves such events out until correct_unsure fixes their time.
            "ALTER TABLE events ADD COLUMN clock_ok INTEGER NOT NULL DEFAULT 1",
            "ALTER TABLE events ADD COLUMN boot TEXT",  # flagged: the Linux boot id
            "ALTER TABLE events ADD COLUMN mono_us INTEGER",  # ... and the monotonic time
            "CREATE INDEX events_unsure ON events (boot, mono_us) WHERE clock_ok = 0",
            """CREATE TABLE clock_fixes (
                source TEXT NOT NULL,
                device TEXT NOT NULL,
                count INTEGER NOT NULL,         -- device times replaced by the receive time
                last_seen_us INTEGER NOT NULL,
                reason TEXT NOT NULL,           -- e.g. "device clock 3.0 h ahead of the hub"
                PRIMARY KEY (source, device)
            )""",
        ),
    ),
    Migration(
        "0006_unacked",
        (
            # Stored but maybe not yet acknowledged messages (hub/store/redelivery.py).
            "CREATE TABLE unacked (mid INTEGER PRIMARY KEY, digest BLOB NOT NULL)",
        ),
    ),
    Migration(
        "0007_day_summaries",
        (
            # Each whole day's features, kept after raw events expire (day_summaries.py).
            """CREATE TABLE day_summaries (
                date TEXT PRIMARY KEY,          -- the local date, YYYY-MM-DD
                features TEXT NOT NULL,         -- DayFeatures as JSON (feature_record)
                saved_us INTEGER NOT NULL
            )""",
        ),
    ),
    Migration(
        "0008_accounts",
        (
            # People who may use the web app (hub/accounts/). Passwords as argon2 hashes.
            """CREATE TABLE accounts (
                name TEXT PRIMARY KEY,
                role TEXT NOT NULL,             -- family, paid_carer, coordinator, admin
                password_hash TEXT NOT NULL,
                created_us INTEGER NOT NULL,
                password_changed_us INTEGER NOT NULL
            )""",
            # Server-side sessions: the cookie holds a random token, only its hash is stored.
            """CREATE TABLE web_sessions (
                token_hash BLOB PRIMARY KEY,
                account TEXT NOT NULL,
                csrf TEXT NOT NULL,             -- the token every form of this session carries
                created_us INTEGER NOT NULL,
                last_used_us INTEGER NOT NULL,
                expires_us INTEGER NOT NULL
            )""",
            "CREATE INDEX web_sessions_account ON web_sessions (account)",
            # API tokens (`hearth user token`), hashed like the sessions.
            """CREATE TABLE api_tokens (
                token_hash BLOB PRIMARY KEY,
                account TEXT NOT NULL,
                created_us INTEGER NOT NULL
            )""",
            "CREATE INDEX api_tokens_account ON api_tokens (account)",
        ),
    ),
    Migration(
        "0009_unacked_batches",
        (
            # One row per committed batch instead of one per message (hub/store/redelivery.py):
            # the packed (packet id, digest) pairs of its messages. `unacked` stays for
            # a database written before this; its rows are moved over when it is opened.
            """CREATE TABLE unacked_batches (
                batch INTEGER PRIMARY KEY,
                pairs BLOB NOT NULL   -- 10 bytes a message: packet id (2, big-endian), digest (8)
            )""",
        ),
    ),
    Migration(
        "0010_weekly_mail",
        (
            # The weekly summary e-mailed to co-ordinators (hub/summary/mailing.py):
            # each week queued once, ever, with its PDF; one row per e-mail to send.
            """CREATE TABLE weekly_summaries (
                week TEXT PRIMARY KEY,          -- the Monday, YYYY-MM-DD; present = queued, ever
                pdf BLOB NOT NULL,
                queued_us INTEGER NOT NULL
            )""",
            """CREATE TABLE weekly_mail (
                week TEXT NOT NULL REFERENCES weekly_summaries (week),
                recipient TEXT NOT NULL,
                channel INTEGER NOT NULL,       -- index into the recipient's channels
                state TEXT NOT NULL,            -- pending, sent, failed
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_us INTEGER NOT NULL,
                sent_us INTEGER,
                last_error TEXT,
                PRIMARY KEY (week, recipient, channel)
            )""",
        ),
    ),
    Migration(
        "0011_day_signs",
        (
            # What a day's events say beyond its features (hub/routine/day_signs.py:
            # an outside door used, activity in two places at once, doors at night),
            # kept with the features so the routine is judged from the summaries
            # once the raw events are gone. NULL in rows saved before.
            "ALTER TABLE day_summaries ADD COLUMN signs TEXT",
        ),
    ),
)


def open_database(path: Path, *, durable: bool = True) -> Database:
    """Open (creating if needed) and migrate the database at `path`.

    `durable=False` (replay, which can simply be run again) uses
    synchronous=NORMAL: safe from corruption, but a power cut may undo the last
    commits. The live hub always uses FULL.
    """
    blocking = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise StoreError(f"cannot create database {path}: {blocking} is a file, not a folder")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            path, check_same_thread=False, isolation_level=None, timeout=BUSY_TIMEOUT_S
        )
        _switch_to_wal(conn)
        conn.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
        db = Database(conn)
        apply_migrations(db)
    except (sqlite3.Error, OSError) as exc:
        raise StoreError(f"cannot open database {path}: {exc}") from exc
    return db


def _switch_to_wal(conn: sqlite3.Connection) -> None:
    """Put the database in WAL mode, waiting out another process that holds a lock.

    SQLite does not wait (the busy timeout is not consulted) when the switch meets
    a write lock another connection holds (measured: "database is locked" after
    0.0 s, against another process in BEGIN IMMEDIATE), so a hub and `hearth doctor`
    opening a new database at once could fail. Hence a retry loop over the same
    time the busy timeout would have allowed.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            conn.execute("PRAGMA journal_mode=wal").fetchone()
        except sqlite3.OperationalError as exc:
            busy = exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
        else:
            return


def apply_migrations(db: Database) -> list[str]:
    """Apply the migrations not yet recorded in `_migrations`; return their names."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    done = {row[0] for row in db.execute("SELECT name FROM _migrations").fetchall()}
    applied = []
    for migration in MIGRATIONS:
        if migration.name in done:
            continue
        with db.conn:
            # IMMEDIATE takes the write lock before looking again: two processes opening
            # a new database at once (a hub and `hearth doctor`, say) would otherwise
            # both apply it, and the second fail on "table ... already exists".
            db.conn.execute("BEGIN IMMEDIATE")
            recorded = db.conn.execute(
                "SELECT 1 FROM _migrations WHERE name = ?", (migration.name,)
            ).fetchone()
            if recorded is not None:
                continue
            for statement in migration.statements:
                db.conn.execute(statement)
            db.conn.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                (migration.name, datetime.now(UTC).isoformat()),
            )
        applied.append(migration.name)
    return applied
