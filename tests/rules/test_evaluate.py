"""`hearth evaluate`: the rules replayed over the real dataset homes.

The datasets hold no known emergencies, so every urgent alert is false; issue 4
asks for at most one per home per 30 days. Ordonez A and B are committed and
always run; the others need ../shared/datasets and skip without it. Injected
emergencies check that the same replay does raise the alerts it should.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from hub.alerts.model import Severity
from hub.cli import main
from hub.config.loader import load_config
from hub.evaluate import HomeResult, RaisedAlert, data_file, evaluate_home, home_events
from tests.datasets.conftest import CONFIG, shared_datasets

__all__ = ["shared_datasets"]  # the fixture: skips with the datasets' reason when absent

NOWHERE = Path("/nonexistent-hearth-datasets")  # the committed Ordonez copy is used


@pytest.mark.parametrize("name", ["ordonez-a.yaml", "ordonez-b.yaml"])
def test_committed_homes_meet_the_false_urgent_target(name: str) -> None:
    config = load_config(CONFIG / name)
    result = evaluate_home(config, home_events(config, data_file(config, NOWHERE)))
    assert result.days > 14
    assert result.urgent_per_30_days <= 1.0, [a.summary for a in result.alerts]
    assert result.meets_target


def raised(*days: float) -> list[RaisedAlert]:
    start = datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC"))
    return [
        RaisedAlert("night_exit", Severity.URGENT, start + timedelta(days=d), start, "", None)
        for d in days
    ]


def test_the_target_counts_alerts_in_any_30_days() -> None:
    start = datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC"))
    result = HomeResult("h", "UTC", start, start + timedelta(days=90), 1)
    result.alerts = raised(1, 40, 80)
    assert result.most_urgent_in_30_days == 1
    assert result.meets_target
    result.alerts = raised(1, 40, 69.9)
    assert (result.most_urgent_in_30_days, result.meets_target) == (2, False)
    short = HomeResult("h", "UTC", start, start + timedelta(days=27), 1)
    short.alerts = raised(20)
    assert short.urgent_per_30_days > 1.0  # the rate alone would call this a miss
    assert short.meets_target


def test_a_collapse_in_a_real_home_is_raised() -> None:
    config = load_config(CONFIG / "ordonez-b.yaml")
    zone = ZoneInfo(config.home.timezone)
    events = home_events(config, data_file(config, NOWHERE))
    fall = datetime(2012, 11, 27, 13, 58, tzinfo=zone)  # at home, last seen in the lounge
    found = datetime(2012, 11, 28, 12, 0, tzinfo=zone)
    kept = [e for e in events if not fall <= e.time < found]
    result = evaluate_home(config, kept)
    raised = [
        a
        for a in result.alerts
        if a.severity is Severity.URGENT and fall - timedelta(hours=2) <= a.since <= fall
    ]
    # Still at home in the afternoon, then not up the next morning: one alert each.
    assert [a.rule for a in raised] == ["no_movement", "not_up"]
    assert raised[0].raised - raised[0].since <= timedelta(hours=4)
    assert raised[1].raised.astimezone(zone).date() == found.date()


def test_cli_json_for_a_committed_home(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["evaluate", str(CONFIG / "ordonez-b.yaml"), "--datasets", str(tmp_path), "--format",
         "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["home"] == "ordonez-b"
    assert record["urgent_per_30_days"] <= 1.0
    assert set(record["alerts"]) == {"info", "warning", "urgent"}
    assert record["meets_target"] is True


def test_cli_table_and_a_clear_error(tmp_path: Path) -> None:
    runner = CliRunner()
    table = runner.invoke(main, ["evaluate", str(CONFIG / "ordonez-a.yaml"),
                                 "--datasets", str(tmp_path)])  # fmt: skip
    assert table.exit_code == 0, table.output
    assert "ordonez-a" in table.output
    assert "urgent/30 days" in table.output
    wrong = runner.invoke(main, ["evaluate", str(CONFIG / "example-home.yaml")])
    assert wrong.exit_code == 1
    assert "is not a dataset home" in wrong.output


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    [
        "casas-al-smarthome.yaml",
        "kasteren-a-2008.yaml",
        "kasteren-tl-a.yaml",
        # Measured: one urgent alert in 27 days (not up during the end of the
        # recording, when nearly every sensor had gone silent); its pre-dawn
        # exits are warnings, the door being used on one night in five or more.
        "kasteren-tl-b.yaml",
        # Its four inverted reed sensors are read with `invert: true`.
        "kasteren-tl-c.yaml",
    ],
)
def test_shared_homes_meet_the_false_urgent_target(shared_datasets: Path, name: str) -> None:
    config = load_config(CONFIG / name)
    result = evaluate_home(config, home_events(config, data_file(config, shared_datasets)))
    assert result.most_urgent_in_30_days <= 1, [a.summary for a in result.alerts]
