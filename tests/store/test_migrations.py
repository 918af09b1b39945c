"""Opening a new database from several processes at once migrates it once."""

from __future__ import annotations

import subprocess
import sys
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
