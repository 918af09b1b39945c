"""Format detection and the read_dataset / read_labels entry points."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hub.datasets import (
    DatasetError,
    Format,
    detect_format,
    is_label_file,
    read_dataset,
    read_labels,
)
from tests.datasets.conftest import ORDONEZ, write_lines

MADRID = ZoneInfo("Europe/Madrid")

SHARED_FILES = [
    ("casas_al_smarthome/data", Format.CASAS, False),
    ("kasteren/houseA_2008_original/kasterenSenseData.txt", Format.KASTEREN, False),
    ("kasteren/houseA_2008_original/kasterenActData.txt", Format.KASTEREN, True),
    *[
        (f"kasteren/tl_converted_houses_ABC/house{h}.{kind}", Format.KASTEREN_TL, labels)
        for h in "ABC"
        for kind, labels in (("sensors", False), ("activities", True))
    ],
]


@pytest.mark.parametrize(
    ("name", "labels"),
    [
        ("OrdonezA_Sensors.txt", False),
        ("OrdonezB_Sensors.txt", False),
        ("OrdonezA_ADLs.txt", True),
        ("OrdonezB_ADLs.txt", True),
    ],
)
def test_ordonez_files(name: str, labels: bool) -> None:
    path = ORDONEZ / name
    assert detect_format(path) is Format.ORDONEZ
    assert is_label_file(path, Format.ORDONEZ) is labels


@pytest.mark.parametrize(("relative", "fmt", "labels"), SHARED_FILES)
def test_shared_files(shared_datasets: Path, relative: str, fmt: Format, labels: bool) -> None:
    path = shared_datasets / relative
    assert detect_format(path) is fmt
    assert is_label_file(path, fmt) is labels


@pytest.mark.parametrize(
    "relative",
    [
        "README.md",
        "casas_al_smarthome/SOURCE.md",  # quotes sample rows, still not a dataset
        "kasteren/SOURCE.md",
        "kasteren/tl_converted_houses_ABC/README.txt",
        "kasteren/tl_converted_houses_ABC/houseA.sensor_names",
    ],
)
def test_documents_are_not_datasets(shared_datasets: Path, relative: str) -> None:
    with pytest.raises(DatasetError, match=r"not a dataset|cannot tell"):
        detect_format(shared_datasets / relative)


def test_read_dataset_detects_and_dispatches() -> None:
    read = read_dataset(ORDONEZ / "OrdonezA_Sensors.txt", None, MADRID)
    assert (read.rows, len(read.records)) == (409, 818)
    labels = read_labels(ORDONEZ / "OrdonezA_ADLs.txt", None, MADRID)
    assert len(labels.intervals) == 245


def test_label_files_are_refused_as_sensor_data() -> None:
    with pytest.raises(DatasetError, match=r"activity labels.*read_labels"):
        read_dataset(ORDONEZ / "OrdonezB_ADLs.txt", None, MADRID)
    with pytest.raises(DatasetError, match="activity labels"):
        read_dataset(ORDONEZ / "OrdonezB_ADLs.txt", Format.ORDONEZ, MADRID)


def test_synthetic_files(tmp_path: Path) -> None:
    jsonl = write_lines(tmp_path / "x.txt", ['{"time": "2024-01-01T00:00:00Z"}'])
    casas = write_lines(tmp_path / "log", ["2011-06-15 01:03:39.1 A B ON Sleep"])
    tl = write_lines(tmp_path / "h", ["1203898814\t163\t24"])
    empty_jsonl = write_lines(tmp_path / "empty.jsonl", [])
    empty_tl = write_lines(tmp_path / "house.activities", [])
    assert detect_format(jsonl) is Format.JSONL
    assert detect_format(casas) is Format.CASAS
    assert detect_format(tl) is Format.KASTEREN_TL
    assert detect_format(empty_jsonl) is Format.JSONL  # no row: the name decides
    assert detect_format(empty_tl) is Format.KASTEREN_TL
    assert is_label_file(empty_tl, Format.KASTEREN_TL)


def test_explicit_format_wins(tmp_path: Path) -> None:
    casas = write_lines(tmp_path / "log.jsonl", ["2011-06-15 01:03:39.1 A B ON Sleep"])
    assert detect_format(casas) is Format.CASAS  # content beats the suffix
    read = read_dataset(casas, Format.JSONL, MADRID)
    assert (read.rows, len(read.problems)) == (1, 1)


def test_unknown_missing_and_undecodable_files(tmp_path: Path) -> None:
    prose = write_lines(tmp_path / "notes.txt", ["Dear diary,", "nothing happened."])
    with pytest.raises(DatasetError, match=r"notes\.txt: cannot tell the dataset format"):
        detect_format(prose)
    with pytest.raises(DatasetError, match="cannot read"):
        detect_format(tmp_path / "missing")
    with pytest.raises(DatasetError, match="cannot read"):
        read_dataset(tmp_path / "missing", Format.CASAS, MADRID)
    latin1 = tmp_path / "latin1"
    latin1.write_bytes("2011-06-15 01:03:39.1 Küche Küche ON x\n".encode("latin-1"))
    assert detect_format(latin1) is Format.CASAS
    with pytest.raises(DatasetError, match=r"not UTF-8 text \(byte 0xfc at offset 23\)"):
        read_dataset(latin1, None, MADRID)


def test_jsonl_has_no_labels(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "e.jsonl", [])
    with pytest.raises(DatasetError, match="no activity labels"):
        read_labels(path, None, MADRID)
