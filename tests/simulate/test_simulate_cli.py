"""`hearth simulate`: writes a file `hearth replay` reads, and says clearly what is wrong."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from hub.cli import main
from hub.datasets import read_jsonl
from hub.events import Event
from tests.simulate.simulate_helpers import REPO, SIMULATED_HOME

HEARTH = Path(sys.executable).with_name("hearth")


def _simulate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(HEARTH), "simulate", "--config", str(SIMULATED_HOME), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_simulate_replay_routine_round_trip(tmp_path: Path) -> None:
    out, db = tmp_path / "sim.jsonl", tmp_path / "sim.db"
    made = _simulate("--days", "21", "--start", "2026-03-02", "--seed", "5", "--out", str(out),
                     "--change", "time_up:90:14", "--json")  # fmt: skip
    assert made.returncode == 0, made.stderr
    summary = json.loads(made.stdout)
    read = read_jsonl(out)
    assert read.problems == []
    assert summary["events"] == len(read.records) > 21 * 100
    replayed = subprocess.run(
        [str(HEARTH), "replay", "--config", str(SIMULATED_HOME), "--db", str(db), str(out),
         "--json"],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    report = json.loads(replayed.stdout)
    assert report["stored_events"] == summary["events"]
    assert report["unmapped"] == report["unfit"] == 0
    routine = subprocess.run(
        [str(HEARTH), "routine", "--config", str(SIMULATED_HOME), "--db", str(db),
         "--format", "json"],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    days = [json.loads(line) for line in routine.stdout.splitlines()]
    assert [d["date"] for d in days] == [f"2026-03-{n:02d}" for n in range(2, 23)]
    # Getting up 90 minutes later from day 14 on is what the routine engine notices.
    later = [d for d in days[14:] if any(c["behaviour"] == "time_up" for c in d["changes"])]
    assert later, [d["changes"] for d in days[14:]]


def test_the_same_arguments_write_the_same_file(tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    for out in (first, second):
        made = CliRunner().invoke(main, ["simulate", "-c", str(SIMULATED_HOME), "--days", "3",
                                         "--start", "2026-03-02", "--out", str(out),
                                         "--profile", "night-owl"])  # fmt: skip
        assert made.exit_code == 0, made.output
        assert "wrote" in made.stdout
    assert first.read_bytes() == second.read_bytes()


def test_a_profile_file_is_read(tmp_path: Path) -> None:
    profile = tmp_path / "gran.yaml"
    profile.write_text("name: gran\nwake: '06:10'\n")
    out = tmp_path / "gran.jsonl"
    argv = ["simulate", "-c", str(SIMULATED_HOME), "--days", "2", "--start", "2026-03-02",
            "-p", str(profile), "-o", str(out)]  # fmt: skip
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 0, result.output
    assert "(gran, seed 0)" in result.output
    assert out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "2026-3-2"], "hearth: --start '2026-3-2' is not a date like 2026-03-01"),
        (["--profile", "grandpa"], "hearth: no built-in profile 'grandpa'"),
        (["--change", "sleepier:2:3"], "hearth: change 'sleepier:2:3': unknown kind 'sleepier'"),
        (
            ["--out", "/nonexistent/folder/x.jsonl"],
            "hearth: /nonexistent/folder/x.jsonl: cannot "
            "write the events (No such file or directory)",
        ),
        (["--days", "0"], "Invalid value for '--days'"),
    ],
)
def test_errors_are_one_clear_line(tmp_path: Path, args: list[str], message: str) -> None:
    base = {"--days": "2", "--start": "2026-03-02", "--out": str(tmp_path / "x.jsonl")}
    for key, value in zip(args[::2], args[1::2], strict=True):
        base[key] = value
    argv = [part for pair in base.items() for part in pair]
    made = CliRunner().invoke(main, ["simulate", "--config", str(SIMULATED_HOME), *argv])
    assert made.exit_code in (1, 2)
    assert message in made.stderr
    assert made.exception is None or isinstance(made.exception, SystemExit)
    assert not (tmp_path / ".x.jsonl.partial").exists()


def test_a_bad_config_is_reported_as_check_config_does(tmp_path: Path) -> None:
    config = tmp_path / "home.yaml"
    config.write_text("home:\n  id: Not An Id\n")
    result = CliRunner().invoke(main, ["simulate", "-c", str(config), "--days", "2", "--start",
                                       "2026-03-02", "-o", str(tmp_path / "x.jsonl")])  # fmt: skip
    assert result.exit_code == 1
    assert f"{config}:2: home.id" in result.output


def test_a_dataset_home_can_be_simulated_too(tmp_path: Path) -> None:
    out = tmp_path / "ordonez.jsonl"
    argv = ["simulate", "-c", str(REPO / "config" / "ordonez-b.yaml"), "--days", "3",
            "--start", "2026-03-02", "-o", str(out)]  # fmt: skip
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 0, result.output
    records = read_jsonl(out).records
    assert all(isinstance(record, Event) for record in records)
    assert {r.sensor for r in records if isinstance(r, Event)} >= {"bed", "main_door"}
