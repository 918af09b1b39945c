"""`hearth alerts` and `hearth mode` over a database the alert service wrote.

The history is made by the real service in event time (a ManualClock): an
urgent alert told to the family, escalated to the paid carer after five
minutes, then acknowledged by the carer through the signed link.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from hub.alerts.model import Via
from hub.alerts.service import AlertService
from hub.cli import main
from hub.clock import ManualClock
from hub.config import load_config
from tests.alerts.alert_policies import MORNING, condition, policy
from tests.alerts.test_alert_service import Channels, until


def write_config(folder: Path) -> Path:
    data = {
        "home": {"id": "cli-home", "timezone": "Europe/London"},
        "storage": {"path": str(folder / "hub.db")},
        "alerts": policy().alerts.model_dump(mode="json"),
    }
    path = folder / "home.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.fixture
async def history(tmp_path: Path) -> Path:
    config_file = write_config(tmp_path)
    clock = ManualClock(MORNING)
    channels = Channels()
    service = AlertService(load_config(config_file), clock, channels)
    await service.start()
    try:
        service.conditions(clock.now(), [condition()])
        await until(lambda: len(channels("anna", 0).received) == 1)
        clock.advance_to(MORNING + timedelta(minutes=5))
        await service.tick()
        await until(lambda: len(channels("bob", 0).received) == 1)
        clock.advance_to(MORNING + timedelta(minutes=7))
        await service.acknowledge(1, "bob", Via.LINK)
        await until(lambda: len(channels("anna", 0).received) == 2)
    finally:
        await service.stop()
    return config_file


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_show_prints_the_whole_history_with_escalation_and_who_acknowledged(
    history: Path,
) -> None:
    code, out = run("alerts", "--config", str(history), "show", "1")
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0] == "Alert #1: no_movement about home"
    assert lines[1] == "  urgent, acknowledged; since 2026-03-02 10:00"
    assert lines[2] == "  2026-03-02 10:00  raised (rule): no_movement about home"
    assert lines[3] == "  2026-03-02 10:00  notified (rule): told Anna"
    assert lines[4] == "  2026-03-02 10:05  escalated (rule): escalated: told Bob (agency)"
    assert lines[5] == "  2026-03-02 10:07  acknowledged by bob (link): let know: Anna"
    assert "    anna channel 1: sent after 1 attempt(s)" in lines
    assert "    bob channel 1: sent after 1 attempt(s)" in lines


def test_show_json_and_the_listing(history: Path) -> None:
    code, out = run("alerts", "--config", str(history), "show", "1", "--format", "json")
    assert code == 0, out
    record = json.loads(out)
    assert [m["action"] for m in record["history"]] == [
        "raised",
        "notified",
        "escalated",
        "acknowledged",
    ]
    assert record["told"] == ["anna", "bob"]
    assert record["acknowledged_by"] == "bob"
    code, out = run("alerts", "--config", str(history))
    assert code == 0, out
    assert out.startswith("#1    2026-03-02 10:00  urgent  acknowledged")


def test_resolve_from_the_command_line_and_refusals(history: Path) -> None:
    code, out = run("alerts", "--config", str(history), "resolve", "1", "--by", "cora")
    assert (code, out) == (0, "alert #1 resolved\n")
    code, out = run("alerts", "--config", str(history), "ack", "1", "--by", "cora")
    assert code == 1
    assert "alert 1 is resolved, not open" in out
    code, out = run("alerts", "--config", str(history), "ack", "9")
    assert code == 1
    assert "there is no alert 9" in out
    code, out = run("alerts", "--config", str(history), "--open")
    assert out == "no alerts open\n"


def test_mode_is_set_with_an_end_shown_with_the_alerts_and_refused_without_one(
    history: Path,
) -> None:
    code, out = run("mode", "--config", str(history))
    assert (code, out) == (0, "mode: home\n")
    code, out = run("mode", "--config", str(history), "away")
    assert code == 2
    assert "say when away ends" in out
    code, out = run("mode", "--config", str(history), "away", "--for", "soon")
    assert code == 2
    assert "write a number and m, h or d" in out
    code, out = run("mode", "--config", str(history), "away", "--until", "2099-12-24", "--by", "a")
    assert (code, out) == (0, "mode set: away until 2099-12-24 00:00\n")
    code, out = run("alerts", "--config", str(history))
    assert (
        out.splitlines()[0] == "Mode: away until 2099-12-24 00:00 (set by a); some rules are paused"
    )
    code, out = run("mode", "--config", str(history), "home")
    assert (code, out) == (0, "mode set: home\n")


def test_a_missing_database_is_one_clear_line(tmp_path: Path) -> None:
    config_file = write_config(tmp_path)
    code, out = run("alerts", "--config", str(config_file))
    assert code == 1
    assert "no database at" in out


def test_hearth_run_names_the_config_key_of_a_missing_secret(tmp_path: Path) -> None:
    data = yaml.safe_load(write_config(tmp_path).read_text())
    data["alerts"]["recipients"][0]["channels"] = [
        {"type": "webhook", "url": "http://127.0.0.1:9/x", "secret_file": str(tmp_path / "nope")}
    ]
    config_file = tmp_path / "broken.yaml"
    config_file.write_text(yaml.safe_dump(data))
    code, out = run("run", "--config", str(config_file))
    assert code == 1
    assert out.strip().splitlines()[-1] == (
        f"hearth: alerts.recipients[0].channels[0].secret_file: password file "
        f"{tmp_path / 'nope'} does not exist: create it holding only the secret "
        "(e.g. root:hearth, mode 640) or correct the path"
    )
