"""Replay benchmark: `hearth replay` of the CASAS home against raw sqlite executemany.

hub:  the library call behind `hearth replay` (read the file, map every row
      through the live pipeline with an event-time clock, batch-write), timed
      from the file name to the last commit.
raw:  the same rows, already parsed into tuples, inserted with one
      `executemany` into a table with the same schema and indexes, and
      committed: the floor SQLite alone sets.

Each is run --rounds times into a fresh database; medians and their ratio are
printed as JSON. Needs ../shared/datasets (CASAS may not be redistributed).
Run: python -m bench.replay [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from hub.config import load_config
from hub.replay import replay
from hub.store.database import MIGRATIONS

REPO = Path(__file__).resolve().parents[1]
CASAS = (
    Path(os.environ.get("HEARTH_SHARED_DATASETS", REPO.parent / "shared" / "datasets"))
    / "casas_al_smarthome"
    / "data"
)
CONFIG = REPO / "config" / "casas-al-smarthome.yaml"


def hub_round(workdir: Path) -> dict[str, Any]:
    config = load_config(CONFIG)
    db = workdir / "hub.db"
    started = time.perf_counter()
    report = replay(config, db, [CASAS])
    seconds = time.perf_counter() - started
    return {
        "events": report.stored,
        "seconds": round(seconds, 4),
        "rate": round(report.stored / seconds),
    }


def raw_rows(workdir: Path) -> list[tuple[Any, ...]]:
    """The rows the hub stored, as tuples, to insert again with raw sqlite."""
    conn = sqlite3.connect(workdir / "hub.db")
    rows = conn.execute("SELECT time_us, sensor, kind, value, source FROM events").fetchall()
    conn.close()
    return rows


def raw_round(workdir: Path, rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    db = workdir / "raw.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")  # what replay uses
    for statement in MIGRATIONS[0].statements:
        conn.execute(statement)
    started = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO events (time_us, sensor, kind, value, source) VALUES (?, ?, ?, ?, ?)", rows
    )
    conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return {"events": len(rows), "seconds": round(seconds, 4), "rate": round(len(rows) / seconds)}


def main() -> None:
    parser = argparse.ArgumentParser(description="hearth replay vs raw sqlite on CASAS")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if not CASAS.exists():
        sys.exit(
            f"CASAS data not found at {CASAS}: put ../shared/datasets beside the repo "
            "or set HEARTH_SHARED_DATASETS"
        )
    rounds = []
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory(prefix="hearth-bench-replay-") as tmp:
            workdir = Path(tmp)
            hub = hub_round(workdir)
            raw = raw_round(workdir, raw_rows(workdir))
            rounds.append({"hub": hub, "raw_sqlite": raw})
    hub_rate = statistics.median(r["hub"]["rate"] for r in rounds)
    raw_rate = statistics.median(r["raw_sqlite"]["rate"] for r in rounds)
    print(
        json.dumps(
            {
                "benchmark": "replay",
                "dataset": "CASAS AL-Smarthome (61,578 rows)",
                "rounds": rounds,
                "median_hub_events_per_second": hub_rate,
                "median_raw_sqlite_events_per_second": raw_rate,
                "ratio_hub_to_raw_sqlite": round(hub_rate / raw_rate, 3),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
