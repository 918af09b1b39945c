"""What the installer's tests check: every file's type, mode, owner and bytes between two
runs, `hearth doctor`'s verdict on broker, hub and bridge, and a reading in the database."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path


def tree_state(
    paths: Iterable[Path], *, root: Path = Path("/"), contents_skipped: Iterable[Path] = ()
) -> dict[str, str]:
    """Path -> type, mode, owner and content hash, for every file and folder under `paths`.

    The paths are those of the machine whose `/` is `root` (a container's root
    folder, seen from the host), and so are the keys. Of the folders in
    `contents_skipped` only the folder itself counts: a running hub writes its
    database there, and that is not the installer's doing.
    """
    skipped = {root / path.relative_to("/") for path in contents_skipped}
    state: dict[str, str] = {}
    for path in paths:
        top = root / path.relative_to("/")
        if not top.exists():
            continue
        entries = [top]
        if top.is_dir() and top not in skipped:
            entries += sorted(
                entry
                for entry in top.rglob("*")
                if not any(folder in entry.parents for folder in skipped)
            )
        for entry in entries:
            info = entry.lstat()
            if stat.S_ISLNK(info.st_mode):
                what = f"link to {os.readlink(entry)}"
            elif stat.S_ISREG(info.st_mode):
                what = hashlib.sha256(entry.read_bytes()).hexdigest()
            else:
                what = "folder"
            state["/" + str(entry.relative_to(root))] = (
                f"{info.st_mode:o} {info.st_uid}:{info.st_gid} {what}"
            )
    return state


def differences(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return [
        f"{path}: {before.get(path, 'absent')} -> {after.get(path, 'absent')}"
        for path in sorted(before.keys() | after.keys())
        if before.get(path) != after.get(path)
    ]


def healthy(lines: list[str], ports: list[str]) -> bool:
    """`hearth doctor` found the broker, the hub and every bridge port online."""
    wanted = ["broker: connected", "hub: the hub is online"] + [
        f"bridge: serial port {port!r} is online" for port in ports
    ]
    return all(any(line.startswith("ok") and want in line for line in lines) for want in wanted)


def stored(database: Path, sensor: str) -> bool:
    """Whether the hub's database (opened read-only) holds a reading of `sensor`."""
    if not database.exists():
        return False
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)) as conn:
        (count,) = conn.execute(
            "SELECT count(*) FROM events WHERE sensor = ?", (sensor,)
        ).fetchone()
    return bool(count)
