"""Opening a new database from several processes at once migrates it once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from hub.store.database import MIGRATIONS, open_database

OPEN = "import sys; from pathlib import Path; from hub.store.database import open_database; " \
    "open_database(Path(sys.argv[1])).conn.close()"  # fmt: skip


def test_processes_opening_a_new_database_together_all_succeed(tmp_path: Path) -> None:
    """Found in the fault suite: the second of two failed on 'table alerts already exists'."""
    for attempt in range(5):
        path = tmp_path / f"h{attempt}.db"
        openers = [
            subprocess.Popen(
                [sys.executable, "-c", OPEN, str(path)], stderr=subprocess.PIPE, text=True
            )
            for _ in range(6)
        ]
        failures = [p.communicate(timeout=60)[1] for p in openers if p.wait(timeout=60) != 0]
        assert failures == []
        conn = open_database(path).conn
        recorded = conn.execute("SELECT count(*) FROM _migrations").fetchone()[0]
        conn.close()
        assert recorded == len(MIGRATIONS)


def test_opening_waits_for_another_process_holding_the_write_lock(tmp_path: Path) -> None:
    """SQLite answers the switch to WAL with 'database is locked' at once, not after
    the busy timeout, while another connection holds the write lock (seen in CI as
    one of six processes opening a new database failing)."""
    path = tmp_path / "hub.db"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("CREATE TABLE other (x)")  # a database still in rollback mode
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.5, holder.execute, ("COMMIT",))
    release.start()
    try:
        db = open_database(path)
    finally:
        release.join()
        holder.close()
    mode = db.conn.execute("PRAGMA journal_mode").fetchone()[0]
    recorded = db.conn.execute("SELECT count(*) FROM _migrations").fetchone()[0]
    db.conn.close()
    assert (mode, recorded) == ("wal", len(MIGRATIONS))
