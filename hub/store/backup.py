"""Backup and restore with SQLite's online backup API.

A backup is taken while the hub runs: the API copies pages in steps and
starts again if a writer changed the database between steps, so the copy is
one consistent snapshot (never a half-written batch, unlike copying the
file). Each copy is checked with `PRAGMA quick_check` before it is called
done, and written under a temporary name first, so a backup interrupted by a
full disk or a power cut never looks complete.

Restore refuses while the hub is running (it would write on top), keeps the
current database as `<name>.before-restore`, and checks the copy first.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

PAGES_PER_STEP = 1024  # about 4 MB: the hub's writes wait at most one step

Progress = Callable[[int, int], None]  # (pages left, pages in total)


class BackupError(RuntimeError):
    """A backup or restore could not be made; the text says why and what to do."""


def backup_name(now: datetime) -> str:
    return f"hearth-{now:%Y%m%d-%H%M%S}.db"


def backup(source: Path, target: Path, progress: Progress | None = None) -> Path:
    """Copy the live database at `source` to `target`, checked; return `target`."""
    if not source.exists():
        raise BackupError(f"no database at {source}")
    if target.exists():
        raise BackupError(f"{target} already exists; choose another name")
    partial = target.with_name(target.name + ".partial")
    try:
        _copy(source, partial, progress)
        _check(partial)
        os.replace(partial, target)
    except sqlite3.Error as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise BackupError(f"backup of {source} to {target} failed: {exc}") from exc
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise BackupError(f"cannot write {target}: {exc.strerror}") from exc
    return target


def restore(backup_file: Path, database: Path, *, hub_running: bool) -> Path:
    """Put `backup_file` in place of `database`; return where the old one was kept."""
    if hub_running:
        raise BackupError("the hub is running: stop it first (`systemctl stop hearth`)")
    if not backup_file.exists():
        raise BackupError(f"no backup at {backup_file}")
    try:
        _check(backup_file)
    except sqlite3.Error as exc:
        raise BackupError(f"{backup_file} is not a sound Hearth database: {exc}") from exc
    kept = database.with_name(database.name + ".before-restore")
    staged = database.with_name(database.name + ".restoring")
    try:
        _copy(backup_file, staged, None)
        if database.exists():
            os.replace(database, kept)
        for suffix in ("-wal", "-shm"):
            # The old write-ahead log belongs to the old file; beside the new one
            # SQLite would replay it and corrupt the restore.
            with contextlib.suppress(FileNotFoundError):
                Path(f"{database}{suffix}").unlink()
        os.replace(staged, database)
    except (sqlite3.Error, OSError) as exc:
        raise BackupError(f"restore of {database} from {backup_file} failed: {exc}") from exc
    return kept


def _copy(source: Path, target: Path, progress: Progress | None) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst, pages=PAGES_PER_STEP, progress=_report(progress))
    finally:
        dst.close()
        src.close()


def _report(progress: Progress | None) -> Callable[[int, int, int], object] | None:
    if progress is None:
        return None
    return lambda status, remaining, total: progress(remaining, total)


def _check(path: Path) -> None:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
        conn.execute("SELECT count(*) FROM _migrations").fetchone()
    finally:
        conn.close()
    if verdict != "ok":
        raise sqlite3.DatabaseError(f"integrity check: {verdict}")
