"""The `medication:` section: dose times as people write them, and errors at their line."""

from __future__ import annotations

import textwrap
from datetime import time, timedelta
from pathlib import Path

import pytest

from hub.config import ConfigError, load_config
from hub.config.medication import Anchor, check_medication, parse_dose_time
from tests.reminders.helpers import home

HEAD = """\
home:
  id: flat
rooms:
  - id: kitchen
sensors:
  - id: lid
    match: {source: zigbee2mqtt, device: Lid}
    kind: contact
    room: kitchen
    role: pillbox
medication:
  medicines:
"""


@pytest.mark.parametrize(
    ("written", "anchor", "offset", "clock"),
    [
        ("08:00", Anchor.CLOCK, 0, time(8, 0)),
        ("7:05", Anchor.CLOCK, 0, time(7, 5)),
        ("on getting up", Anchor.GETTING_UP, 0, None),
        ("30 minutes after getting up", Anchor.GETTING_UP, 30, None),
        ("1 hour after breakfast", Anchor.BREAKFAST, 60, None),
        ("2 h after getting up", Anchor.GETTING_UP, 120, None),
        ("With Breakfast", Anchor.BREAKFAST, 0, None),
        ("with the evening meal", Anchor.EVENING_MEAL, 0, None),
        ("with evening meal", Anchor.EVENING_MEAL, 0, None),
        ("45 mins after the evening meal", Anchor.EVENING_MEAL, 45, None),
    ],
)
def test_dose_times_as_people_write_them(
    written: str, anchor: Anchor, offset: int, clock: time | None
) -> None:
    parsed = parse_dose_time(written)
    assert parsed.anchor is anchor
    assert parsed.offset == timedelta(minutes=offset)
    assert parsed.clock == clock


@pytest.mark.parametrize(
    ("written", "says"),
    [
        ("25:00", "not a time of day"),
        ("30 minutes before breakfast", "cannot be known in advance"),
        ("with lunch", "is not a dose time"),
        ("13 hours after getting up", "at most 12 hours"),
    ],
)
def test_bad_dose_times_are_explained(written: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_dose_time(written)


def _problems(tmp_path: Path, medicines: str) -> list[str]:
    path = tmp_path / "home.yaml"
    path.write_text(HEAD + textwrap.indent(textwrap.dedent(medicines), "    "), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return [str(problem) for problem in caught.value.problems]


def test_errors_point_at_their_line(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        """\
        - name: Aspirin
          times:
            - at: "08:00"
              window_min: 2
            - at: before breakfast
        - name: Statin
          days: [mon, funday]
          start: 2026-03-10
          end: 2026-03-01
          times: []
          colour: red
        """,
    )
    text = "\n".join(problems)
    assert "home.yaml:16: medication.medicines[0].times[0].window_min" in text
    assert "home.yaml:17: medication.medicines[0].times[1].at: 'before breakfast'" in text
    assert "home.yaml:19: medication.medicines[1].days[1]: 'funday'" in text
    assert "home.yaml:22: medication.medicines[1].times" in text
    assert "home.yaml:23: medication.medicines[1].colour: unknown key" in text


def test_a_course_that_ends_before_it_starts(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        """\
        - name: Statin
          start: 2026-03-10
          end: 2026-03-01
          times: [{at: "20:00"}]
        """,
    )
    assert any("home.yaml:13" in p and "ends (2026-03-01) before it starts" in p for p in problems)


def test_a_fallback_is_only_for_relative_times(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        """\
        - name: Aspirin
          times:
            - at: "08:00"
              fallback: "09:00"
        """,
    )
    assert any("home.yaml:15" in p and "only for times relative" in p for p in problems)


def test_a_medicine_listed_twice_is_refused(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        """\
        - name: Aspirin
          times: [{at: "08:00"}]
        - name: aspirin
          times: [{at: "20:00"}]
        """,
    )
    assert any("listed twice" in p for p in problems)


def test_cross_checks_name_unknown_sensors_and_ports() -> None:
    config = home(
        [
            {
                "name": "Aspirin",
                "times": [{"at": "08:00"}],
                "sensors": ["pillbox_lid", "no_such_sensor"],
                "pillbox": {"port": "no_such_port"},
            }
        ]
    )
    assert check_medication(config) == [
        (("medication", "medicines", 0, "sensors", 1), "sensor 'no_such_sensor' is not in sensors"),
        (
            ("medication", "medicines", 0, "pillbox", "port"),
            "port 'no_such_port' is not in bridge.ports",
        ),
    ]
    assert check_medication(home([{"name": "Aspirin", "times": [{"at": "08:00"}]}])) == []


def test_a_config_written_back_reads_the_same() -> None:
    times = [
        "08:00",
        "on getting up",
        "30 minutes after getting up",
        "with breakfast",
        "1 hour after breakfast",
        "with the evening meal",
    ]
    config = home([{"name": "Aspirin", "times": [{"at": at} for at in times]}])
    again = type(config).model_validate(config.model_dump(mode="json"))
    assert again.medication == config.medication
