"""Which format a dataset file is in, and one entry point to read any of them.

Detection looks at content first: the first non-blank line after any `Start
time` table header decides. Each format's rows are distinctive: a JSON object,
a CASAS `date time sensor sensor VALUE` event, an Ordonez `date time date time`
interval, a van Kasteren `dd-Mon-yyyy` interval, or three integers (the TL
epoch files). The file name is only a fallback for files with no data row yet
(`.jsonl`, `.sensors`, `.activities`), and documents (`.md`) are refused even
though a SOURCE.md quotes sample rows.

Activity-label files (Ordonez `*_ADLs.txt`, `kasterenActData.txt`, TL
`.activities`) share their format with the sensor files; `is_label_file` tells
them apart. `read_dataset` refuses them with a DatasetError pointing at
`read_labels`, rather than turning "go to bed" into a device.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo

from hub.datasets.casas import read_casas, read_casas_labels
from hub.datasets.common import DatasetError, DatasetRead, LabelsRead, table_start
from hub.datasets.jsonl import read_jsonl
from hub.datasets.kasteren import (
    read_kasteren,
    read_kasteren_labels,
    read_kasteren_tl,
    read_kasteren_tl_labels,
)
from hub.datasets.ordonez import read_ordonez_labels, read_ordonez_sensors


class Format(StrEnum):
    """The dataset file formats Hearth reads."""

    JSONL = "jsonl"  # the canonical event file
    CASAS = "casas"  # WSU CASAS event log
    ORDONEZ = "ordonez"  # UCI ADL binary sensors (Ordóñez 2013)
    KASTEREN = "kasteren"  # van Kasteren 2008 original text release
    KASTEREN_TL = "kasteren-tl"  # van Kasteren houses A/B/C, epoch/duration conversion


_HEAD_BYTES = 64 * 1024
_HEAD_LINES = 60
_ISO = r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?"
_ROW_PATTERNS = (
    (Format.JSONL, re.compile(r"\s*\{")),
    (Format.ORDONEZ, re.compile(rf"{_ISO}\s+{_ISO}\s", re.ASCII)),
    (Format.CASAS, re.compile(rf"{_ISO}\s+\S+\s+\S+\s+\S+", re.ASCII)),
    (Format.KASTEREN, re.compile(r"\d{1,2}-[A-Z][a-z]{2}-\d{4} \d\d:\d\d:\d\d\s", re.ASCII)),
    (Format.KASTEREN_TL, re.compile(r"\d+\s+\d+\s+\d+\s*$", re.ASCII)),
)
_DOCUMENT_SUFFIXES = frozenset({".md", ".rst", ".html", ".htm", ".pdf"})
_SUFFIXES = {
    ".jsonl": Format.JSONL,
    ".ndjson": Format.JSONL,
    ".sensors": Format.KASTEREN_TL,
    ".activities": Format.KASTEREN_TL,
}


def _head(path: Path) -> list[str]:
    """The first lines of the file, decoded leniently: detection only needs a glimpse."""
    try:
        with path.open("rb") as handle:
            data = handle.read(_HEAD_BYTES)
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read the file ({exc.strerror or exc})") from exc
    lines = data.decode("utf-8", errors="replace").split("\n")[:_HEAD_LINES]
    return [line.rstrip("\r") for line in lines]


def _first_row(head: list[str]) -> str | None:
    """The first non-blank line after any `Start time` table header."""
    return next((line for line in head[table_start(head) :] if line.strip()), None)


def _classify(line: str) -> Format | None:
    return next((fmt for fmt, pattern in _ROW_PATTERNS if pattern.match(line)), None)


def detect_format(path: Path) -> Format:
    """The format of `path`, from its first data row, else its suffix; DatasetError if unknown."""
    if path.suffix.lower() in _DOCUMENT_SUFFIXES:
        # A SOURCE.md quotes sample rows of its dataset; it is still not a dataset.
        raise DatasetError(f"{path}: a document, not a dataset file")
    row = _first_row(_head(path))
    fmt = _classify(row) if row is not None else None
    if fmt is None:
        fmt = _SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(f.value for f in Format)
        raise DatasetError(
            f"{path}: cannot tell the dataset format from its first row or its name; "
            f"name it explicitly (one of {known})"
        )
    return fmt


def is_label_file(path: Path, fmt: Format) -> bool:
    """Whether `path` holds activity labels rather than sensor rows.

    TL files are told apart by suffix (`.activities`); Ordonez and van Kasteren
    2008 by their first data row, which has five fields for labels (start date,
    start time, end date, end time, activity) and more for sensors.
    """
    if fmt is Format.KASTEREN_TL:
        return path.suffix.lower() == ".activities"
    if fmt in (Format.ORDONEZ, Format.KASTEREN):
        row = _first_row(_head(path))
        return row is not None and len(row.split()) == 5
    return False


def read_dataset(path: Path, fmt: Format | None, tz: ZoneInfo) -> DatasetRead:
    """Read a sensor dataset file of format `fmt` (None: detect) with local times in `tz`."""
    if fmt is None:
        fmt = detect_format(path)
    if is_label_file(path, fmt):
        raise DatasetError(
            f"{path}: holds activity labels, not sensor readings; read it with read_labels"
        )
    match fmt:
        case Format.JSONL:
            return read_jsonl(path)
        case Format.CASAS:
            return read_casas(path, tz)
        case Format.ORDONEZ:
            return read_ordonez_sensors(path, tz)
        case Format.KASTEREN:
            return read_kasteren(path, tz)
        case Format.KASTEREN_TL:
            return read_kasteren_tl(path, tz)


def read_labels(path: Path, fmt: Format | None, tz: ZoneInfo) -> LabelsRead:
    """Read the activity labels of a dataset file (CASAS: the per-event label column)."""
    if fmt is None:
        fmt = detect_format(path)
    match fmt:
        case Format.JSONL:
            raise DatasetError(f"{path}: the canonical event file carries no activity labels")
        case Format.CASAS:
            return read_casas_labels(path, tz)
        case Format.ORDONEZ:
            return read_ordonez_labels(path, tz)
        case Format.KASTEREN:
            return read_kasteren_labels(path, tz)
        case Format.KASTEREN_TL:
            return read_kasteren_tl_labels(path, tz)
