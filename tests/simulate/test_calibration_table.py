"""docs/simulator.md shows what the code computes, for the real homes and the simulator."""

from __future__ import annotations

import pytest

from hub.evaluate import COMMITTED, default_datasets
from hub.simulate.calibration import (
    TUNED_PROFILE,
    Column,
    outside_range,
    parse_table,
    real_columns,
    render,
    simulated_columns,
)
from tests.simulate.simulate_helpers import REPO

PAGE = REPO / "docs" / "simulator.md"
ORDONEZ = ("ordonez-a", "ordonez-b")


@pytest.fixture(scope="module")
def simulated() -> list[Column]:
    return simulated_columns()


def test_the_committed_ordonez_and_simulated_columns_are_current(
    simulated: list[Column],
) -> None:
    committed = parse_table(PAGE.read_text())
    # A folder without the dataset files: data_file falls back to the committed Ordonez copies.
    ordonez = real_columns(COMMITTED, only=ORDONEZ)
    assert [c.name for c in ordonez] == list(ORDONEZ)
    computed = parse_table(render(ordonez, simulated))
    assert committed.keys() == computed.keys()
    for row, cells in computed.items():
        for name in [*ORDONEZ, *(c.name for c in simulated)]:
            assert committed[row][name] == cells[name], (row, name)


def test_the_whole_page_is_current_with_every_real_home(simulated: list[Column]) -> None:
    datasets = default_datasets()
    if not datasets.is_dir():
        pytest.skip(
            f"{datasets} not found: the CASAS and van Kasteren columns need ../shared/datasets "
            "(not redistributable); the Ordonez and simulated columns are checked without it"
        )
    real = real_columns(datasets)
    assert len(real) == 7
    assert PAGE.read_text() == render(real, simulated), (
        "docs/simulator.md is stale: python -m hub.simulate.calibration > docs/simulator.md"
    )
    tuned = next(c for c in simulated if c.name == f"sim: {TUNED_PROFILE}")
    assert outside_range(real, tuned) == []


def test_a_changed_statistic_is_caught(simulated: list[Column]) -> None:
    # The comparison can fail: one simulated day fewer changes the table.
    ordonez = real_columns(COMMITTED, only=ORDONEZ)
    shorter = [Column(c.name, c.days[:-1], c.events_per_day[:-1], c.sensors) for c in simulated]
    committed = parse_table(PAGE.read_text())
    changed = parse_table(render(ordonez, shorter))
    assert committed["whole days"]["sim: typical"] != changed["whole days"]["sim: typical"]
