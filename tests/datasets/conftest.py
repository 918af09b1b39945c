"""Fixtures for the dataset reader tests: where the real files are, and small helpers.

The Ordonez files are committed (CC BY 4.0), so their tests always run. CASAS and
van Kasteren files may not be redistributed; they are read from the shared
folder beside the repo (or HEARTH_SHARED_DATASETS), and their tests skip when
it is absent.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ORDONEZ = REPO / "hub" / "datasets" / "data" / "ordonez"
CONFIG = REPO / "config"
SKIP_REASON = (
    "../shared/datasets not found: CASAS and van Kasteren files are not redistributable; "
    "run with the shared folder beside the repo"
)


def shared_datasets_folder() -> Path | None:
    """The shared datasets folder, or None when it is not there."""
    override = os.environ.get("HEARTH_SHARED_DATASETS")
    if override:
        return Path(override)
    folder = REPO / ".." / "shared" / "datasets"
    return folder.resolve() if folder.is_dir() else None


@pytest.fixture(scope="session")
def shared_datasets() -> Path:
    folder = shared_datasets_folder()
    if folder is None:
        pytest.skip(SKIP_REASON)
    if not folder.is_dir():
        # An explicit override that points nowhere is a mistake, not a reason to skip.
        pytest.fail(f"HEARTH_SHARED_DATASETS={folder} is not a folder")
    return folder


@pytest.fixture(scope="session")
def casas_file(shared_datasets: Path) -> Path:
    return shared_datasets / "casas_al_smarthome" / "data"


@pytest.fixture(scope="session")
def kasteren_2008(shared_datasets: Path) -> Path:
    return shared_datasets / "kasteren" / "houseA_2008_original"


@pytest.fixture(scope="session")
def kasteren_tl(shared_datasets: Path) -> Path:
    return shared_datasets / "kasteren" / "tl_converted_houses_ABC"


def utc(text: str) -> datetime:
    """`2011-06-15 08:03:39.149620` as an aware UTC datetime: expected values read as written."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def physical_line(path: Path, number: int) -> str:
    """Line `number` (1-based) of a file as an editor shows it, without CR or LF."""
    return path.read_bytes().split(b"\n")[number - 1].rstrip(b"\r").decode("utf-8")


def write_lines(path: Path, lines: list[str], *, newline: str = "\n", final: bool = True) -> Path:
    """Write `lines` joined by `newline`, with or without a final newline; returns `path`."""
    text = newline.join(lines) + (newline if final else "")
    path.write_bytes(text.encode("utf-8"))
    return path
