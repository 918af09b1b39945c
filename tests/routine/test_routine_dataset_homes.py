"""Features of the real dataset homes against their activity labels.

Each home is replayed through the live pipeline (`hub.replay.replay`), its
features computed from the stored events, and compared with what annotators
labelled (tests/routine/routine_labels.py): the labelled end of sleep against
the computed time up, labelled absences against computed outings, labelled
night-time toilet trips against computed ones. The thresholds are the measured
agreement less a margin (the measured figures are in each test), so a feature
that gets worse fails here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hub.config.loader import load_config
from hub.config.models import HearthConfig, Role
from hub.datasets import read_labels
from hub.replay import replay
from hub.routine import daily_features
from hub.routine.layout import layout_of
from hub.routine.outings import find_outings
from hub.routine.timeline import build_timeline
from hub.store.database import open_database
from hub.store.event_table import read_events
from tests.datasets.conftest import CONFIG, ORDONEZ
from tests.routine.routine_labels import Agreement, agreement


@dataclass(frozen=True)
class Home:
    config: HearthConfig
    events: list  # type: ignore[type-arg]
    labels: list  # type: ignore[type-arg]


def _replayed(config_name: str, data: Path, labels: Path, tmp: Path) -> Home:
    config = load_config(CONFIG / config_name)
    db = tmp / "home.db"
    replay(config, db, [data])
    conn = open_database(db).conn
    try:
        events = list(read_events(conn))
    finally:
        conn.close()
    zone = ZoneInfo(config.home.timezone)
    return Home(config, events, read_labels(labels, None, zone).intervals)


def _agreement(home: Home, config: HearthConfig | None = None) -> Agreement:
    config = config or home.config
    layout = layout_of(config)
    timeline = build_timeline(home.events, layout)
    assert timeline is not None
    outings = [(o.start, o.end) for o in find_outings(timeline, layout) or []]
    days = daily_features(home.events, config)
    result = agreement(days, home.labels, outings, ZoneInfo(config.home.timezone))
    print(f"{config.home.id}: {result.lines()}")  # shown with -s, for the record
    return result


def _without(config: HearthConfig, role: Role) -> HearthConfig:
    return config.model_copy(update={"sensors": [s for s in config.sensors if s.role is not role]})


@pytest.fixture(scope="module")
def ordonez_a(tmp_path_factory: pytest.TempPathFactory) -> Home:
    return _replayed(
        "ordonez-a.yaml",
        ORDONEZ / "OrdonezA_Sensors.txt",
        ORDONEZ / "OrdonezA_ADLs.txt",
        tmp_path_factory.mktemp("ordonez-a"),
    )


@pytest.fixture(scope="module")
def ordonez_b(tmp_path_factory: pytest.TempPathFactory) -> Home:
    return _replayed(
        "ordonez-b.yaml",
        ORDONEZ / "OrdonezB_Sensors.txt",
        ORDONEZ / "OrdonezB_ADLs.txt",
        tmp_path_factory.mktemp("ordonez-b"),
    )


@pytest.fixture(scope="module")
def casas(shared_datasets: Path, tmp_path_factory: pytest.TempPathFactory) -> Home:
    data = shared_datasets / "casas_al_smarthome" / "data"
    return _replayed("casas-al-smarthome.yaml", data, data, tmp_path_factory.mktemp("casas"))


def test_ordonez_a_bed_mat_home(ordonez_a: Home) -> None:
    # Measured: 13 nights, time up within 30 min 100% (median 0 min), bedtime 100%,
    # toilet trips equal 100%; 14 absences, all found, every outing true.
    result = _agreement(ordonez_a)
    assert result.nights >= 13
    assert result.up_within_30 >= 0.9
    assert result.up_median_minutes <= 5
    assert result.bed_within_30 >= 0.9
    assert result.toilet_equal >= 0.9
    assert result.labelled_outings >= 14
    assert result.outings_found >= 0.9
    assert result.outings_true >= 0.9


def test_ordonez_b_bed_mat_home(ordonez_b: Home) -> None:
    # Measured: 20 nights, time up within 30 min 90% (median 1.7 min), bedtime 95%,
    # toilet trips equal 95% (within one 100%); 36 absences, 100% found, 97% true.
    # The misses are label quirks: a nap labelled as the night's sleep, a mat
    # empty for an hour before the labelled end of sleep.
    result = _agreement(ordonez_b)
    assert result.nights >= 20
    assert result.up_within_30 >= 0.85
    assert result.up_median_minutes <= 5
    assert result.bed_within_30 >= 0.85
    assert result.toilet_equal >= 0.85
    assert result.labelled_outings >= 36
    assert result.outings_found >= 0.9
    assert result.outings_true >= 0.9


def test_ordonez_b_without_its_bed_mat_still_gets_time_up_from_motion(ordonez_b: Home) -> None:
    # Measured: 20 nights, time up within 30 min 90% (median 3.6 min), bedtime 95%,
    # toilet trips equal 90% (within one 95%): close to what the bed mat gives.
    result = _agreement(ordonez_b, _without(ordonez_b.config, Role.BED))
    assert result.nights >= 20
    assert result.up_within_30 >= 0.8
    assert result.up_median_minutes <= 10
    assert result.bed_within_30 >= 0.85


def test_casas_motion_only_home(casas: Home) -> None:
    # No bed mat and no toilet sensor: sleep from motion, toilet trips from the bathroom.
    # Measured: 28 nights, time up within 30 min 96% (median 0.8 min), bedtime 100%,
    # toilet trips equal 89% (within one 100%); 74 absences, 100% found, 99% true.
    result = _agreement(casas)
    assert result.nights >= 28
    assert result.up_within_30 >= 0.9
    assert result.up_median_minutes <= 5
    assert result.bed_within_30 >= 0.9
    assert result.toilet_equal >= 0.8
    assert result.toilet_within_1 >= 0.95
    assert result.labelled_outings >= 70
    assert result.outings_found >= 0.9
    assert result.outings_true >= 0.9
