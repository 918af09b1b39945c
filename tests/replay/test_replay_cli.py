"""`hearth replay` as a user meets it: bad rows, error messages and determinism.

Bad rows are skipped and reported as `<path>:<line>: skipped: <reason>: <text>`
with the physical line number an editor shows; a problem with the command as a
whole is one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.replay.conftest import (
    CONFIG,
    ORDONEZ,
    Mapping,
    after_table_header,
    count_events,
    data_lines,
    event_rows,
    hearth,
    one_error_line,
    ordonez_events,
    skipped_lines,
    stored,
    summary_of,
    write_config,
)

ORDONEZ_A = ORDONEZ / "OrdonezA_Sensors.txt"
ORDONEZ_B = ORDONEZ / "OrdonezB_Sensors.txt"
CONFIG_A = CONFIG / "ordonez-a.yaml"
CONFIG_B = CONFIG / "ordonez-b.yaml"

TINY_HOME = """\
home:
  id: tiny
  timezone: Europe/London
rooms:
  - {id: kitchen}
sensors:
  - id: kitchen_motion
    match: {source: casas, device: Kitchen/Kitchen}
    kind: motion
    room: kitchen
"""


# --- bad rows --------------------------------------------------------------------------


def corrupted_copy(tmp_path: Path) -> tuple[Path, dict[int, tuple[str, str]]]:
    """OrdonezA_Sensors.txt with four rows broken and a blank line inserted.

    Returns the copy and, by the copy's physical line number, (a word the reason
    must contain, the broken line's text). The copy keeps the original's CRLF
    endings and its missing final newline.
    """
    raw = ORDONEZ_A.read_bytes()
    # ordonez_uci_adl/SOURCE.md: CRLF line endings, no newline at the end of the file.
    assert b"\r\n" in raw
    assert not raw.endswith(b"\n")
    lines = raw.decode("utf-8").split("\r\n")
    broken: dict[str, str] = {}  # text -> word its reason must contain

    def bad_date(text: str) -> str:
        return text.replace("2011-1", "2011-2", 1)  # month 21 (or 22)

    def missing_field(text: str) -> str:
        return text[: text.rstrip().rfind("\t")]  # drop the last column (Place)

    def ends_before_start(text: str) -> str:
        f = text.split()
        assert f[0:2] != f[2:4], "need a row with a non-zero length"
        return f"{f[2]} {f[3]}\t\t{f[0]} {f[1]}\t\t" + "\t".join(f[4:])

    for index, (change, word) in {
        9: (bad_date, "bad start time 2011-2"),
        99: (missing_field, "fields"),
        199: (ends_before_start, "before"),
        len(lines) - 1: (bad_date, "bad start time 2011-2"),  # the last line: no newline
    }.items():
        lines[index] = change(lines[index])
        broken[lines[index]] = word
    lines.insert(50, "")  # a blank line: not a row, but it moves every later line number
    copy = tmp_path / "OrdonezA_Sensors.txt"
    copy.write_bytes("\r\n".join(lines).encode("utf-8"))
    numbered = {n: (broken[text], text) for n, text in data_lines(copy) if text in broken}
    assert len(numbered) == 4
    return copy, numbered


def test_bad_rows_are_skipped_and_reported_by_line(tmp_path: Path) -> None:
    copy, broken = corrupted_copy(tmp_path)
    db = tmp_path / "x.db"
    table = after_table_header(data_lines(copy))
    valid = [(n, text) for n, text in table if n not in broken]

    result = hearth("replay", "--config", CONFIG_A, "--db", db, "--json", copy)
    summary = summary_of(result)

    expected = ordonez_events(valid, Mapping.load(CONFIG_A))
    [report] = summary["files"]
    assert (report["rows"], report["bad_rows"]) == (len(table), len(broken))
    assert summary["stored_events"] == report["records"] == len(expected) == 2 * len(valid)
    assert count_events(db) == len(expected)
    assert Counter(stored(db)) == Counter(expected)

    printed = skipped_lines(result.stderr)
    assert len(printed) == len(broken)
    for line, (number, (word, text)) in zip(printed, sorted(broken.items()), strict=True):
        assert len(text) < 120  # short enough not to be cut in the report
        prefix, suffix = f"{copy}:{number}: skipped: ", f": {text}"
        assert line.startswith(prefix), line
        assert line.endswith(suffix), line
        reason = line[len(prefix) : -len(suffix)]
        assert word in reason, line


@pytest.mark.parametrize("limit", [0, 1, 3, 4])  # the copy has 4 bad rows
def test_max_problems_limits_the_report_not_the_count(limit: int, tmp_path: Path) -> None:
    copy, broken = corrupted_copy(tmp_path)
    db = tmp_path / "x.db"

    result = hearth(
        "replay", "--config", CONFIG_A, "--db", db, "--json", "--max-problems", str(limit), copy
    )
    summary = summary_of(result)

    assert summary["files"][0]["bad_rows"] == len(broken)  # all counted
    printed = skipped_lines(result.stderr)
    numbers = sorted(broken)[:limit]  # the first ones, in line order
    assert len(printed) == len(numbers)
    for line, number in zip(printed, numbers, strict=True):
        assert line.startswith(f"{copy}:{number}: skipped: ")
    more = [line for line in result.stderr.splitlines() if line.startswith("... and ")]
    if limit < len(broken):
        assert more == [f"... and {len(broken) - limit} more bad rows"]
        assert result.stderr.splitlines()[-1] == more[0]  # after the rows printed
    else:
        assert more == []


def test_text_summary_names_files_rows_and_database(tmp_path: Path) -> None:
    copy, broken = corrupted_copy(tmp_path)
    db = tmp_path / "x.db"
    rows = len(after_table_header(data_lines(copy)))

    result = hearth("replay", "--config", CONFIG_A, "--db", db, copy)

    assert result.returncode == 0, result.stderr
    readings = 2 * (rows - len(broken))
    assert f"{copy}: {rows} rows, {len(broken)} bad, {readings} readings" in result.stdout
    assert f"stored {readings} events in {db}" in result.stdout
    assert "not stored" not in result.stdout  # every device is mapped


# --- errors: one line, a non-zero exit, no traceback -------------------------------------


def test_missing_config_file(tmp_path: Path) -> None:
    config = tmp_path / "nowhere.yaml"
    db = tmp_path / "x.db"

    result = hearth("replay", "--config", config, "--db", db, ORDONEZ_A)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0] == f"{config}: file not found"
    assert not db.exists()


def test_config_problem_is_printed_with_its_line(tmp_path: Path) -> None:
    config = write_config(tmp_path / "home.yaml", TINY_HOME.replace("kind: motion", "kind: motoin"))
    line = 1 + TINY_HOME.splitlines().index("    kind: motion")
    db = tmp_path / "x.db"

    result = hearth("replay", "--config", config, "--db", db, ORDONEZ_A)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    [problem] = [text for text in result.stderr.splitlines() if text.startswith(f"{config}:")]
    assert problem.startswith(f"{config}:{line}: sensors[0].kind: ")
    assert "'motoin'" in problem
    assert "hearth check-config" in result.stderr.splitlines()[-1]
    assert not db.exists()


def test_undetectable_format_names_the_file(tmp_path: Path) -> None:
    config = write_config(tmp_path / "home.yaml", TINY_HOME)
    notes = tmp_path / "notes.txt"
    notes.write_text("kitchen light on at breakfast\nthen off again\n")
    db = tmp_path / "x.db"

    line = one_error_line(hearth("replay", "--config", config, "--db", db, notes))

    assert line.startswith(f"hearth: {notes}: cannot tell the dataset format")
    assert "one of jsonl, casas, ordonez" in line  # the formats it could be told
    assert not db.exists()


@pytest.mark.parametrize(
    ("fmt", "data", "detected"),
    [
        ("casas", ORDONEZ_A, "ordonez"),
        ("kasteren-tl", ORDONEZ_B, "ordonez"),
        ("jsonl", ORDONEZ_A, "ordonez"),
    ],
)
def test_format_that_does_not_fit_the_file(
    fmt: str, data: Path, detected: str, tmp_path: Path
) -> None:
    db = tmp_path / "x.db"

    line = one_error_line(hearth("replay", "--config", CONFIG_A, "--db", db, "--format", fmt, data))

    assert line.startswith(f"hearth: {data}: no row can be read as {fmt} (line 1: ")
    assert f"it looks like {detected}" in line
    assert not db.exists()


def test_database_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a regular file where a folder would have to be\n")
    db = blocker / "x.db"

    result = hearth("replay", "--config", CONFIG_A, "--db", db, ORDONEZ_A)

    line = one_error_line(result)  # one line: no progress bar before it
    assert line == f"hearth: cannot create database {db}: {blocker} is a file, not a folder"
    assert result.returncode == 1


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    config = write_config(tmp_path / "home.yaml", TINY_HOME)
    data = tmp_path / "latin1.txt"
    data.write_bytes(
        b"2011-06-15 01:03:39.14962 Kitchen Kitchen ON Cook\n"
        b"2011-06-15 01:04:00 Kitchen Kitchen OFF Caf\xe9\n"
    )
    db = tmp_path / "x.db"

    line = one_error_line(hearth("replay", "--config", config, "--db", db, data))

    offset = data.read_bytes().index(b"\xe9")
    assert line == f"hearth: {data}: not UTF-8 text (byte 0xe9 at offset {offset})"
    assert not db.exists()


def test_missing_data_file_is_a_usage_error(tmp_path: Path) -> None:
    missing = tmp_path / "gone.txt"

    result = hearth("replay", "--config", CONFIG_A, "--db", tmp_path / "x.db", missing)

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"'{missing}' does not exist" in result.stderr


def test_empty_file_still_creates_the_database_it_names(tmp_path: Path) -> None:
    empty = tmp_path / "nothing.jsonl"
    empty.write_text("")
    db = tmp_path / "x.db"

    summary = summary_of(hearth("replay", "--config", CONFIG_A, "--db", db, "--json", empty))

    assert summary["stored_events"] == 0
    assert summary["files"][0]["rows"] == 0
    assert summary["first"] is None
    assert summary["last"] is None
    assert db.exists()
    assert count_events(db) == 0


# --- determinism -------------------------------------------------------------------------


@pytest.mark.slow
def test_replay_is_deterministic_and_survives_export(tmp_path: Path) -> None:
    """Two replays store identical rows; replaying their export stores them again."""
    one, two, again = tmp_path / "one.db", tmp_path / "two.db", tmp_path / "again.db"
    for db in (one, two):
        summary_of(hearth("replay", "--config", CONFIG_B, "--db", db, "--json", ORDONEZ_B))
    rows = event_rows(one)
    # Two events per data row of the file, counted here.
    assert len(rows) == 2 * len(after_table_header(data_lines(ORDONEZ_B)))
    assert event_rows(two) == rows

    exported = tmp_path / "out.jsonl"
    result = hearth("export", "--db", one, "-o", exported)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == f"exported {len(rows)} events"
    assert len(exported.read_text().splitlines()) == len(rows)

    summary = summary_of(hearth("replay", "--config", CONFIG_B, "--db", again, "--json", exported))
    assert summary["files"][0]["bad_rows"] == 0
    assert summary["unmapped"] == 0
    # Same ids, times, sensors, kinds, values (and their SQLite types) and sources.
    assert event_rows(again) == rows

    re_exported = tmp_path / "again.jsonl"
    assert hearth("export", "--db", again, "-o", re_exported).returncode == 0
    assert re_exported.read_bytes() == exported.read_bytes()
