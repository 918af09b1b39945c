"""The dataset homes' configs: valid, and mapping every device their data uses."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from hub.config.models import HearthConfig, cross_check
from hub.datasets import Format, read_dataset
from hub.datasets.kasteren import read_names
from hub.events import Source
from tests.datasets.conftest import CONFIG, ORDONEZ

# config file -> (home id, zone, source, dataset file relative to the shared folder or
# an absolute path for committed data, format)
HOMES = {
    "casas-al-smarthome.yaml": (
        "casas-al",
        "America/Los_Angeles",
        Source.CASAS,
        "casas_al_smarthome/data",
        Format.CASAS,
    ),
    "ordonez-a.yaml": (
        "ordonez-a",
        "Europe/Madrid",
        Source.ORDONEZ,
        str(ORDONEZ / "OrdonezA_Sensors.txt"),
        Format.ORDONEZ,
    ),
    "ordonez-b.yaml": (
        "ordonez-b",
        "Europe/Madrid",
        Source.ORDONEZ,
        str(ORDONEZ / "OrdonezB_Sensors.txt"),
        Format.ORDONEZ,
    ),
    "kasteren-a-2008.yaml": (
        "kasteren-a-2008",
        "Europe/Amsterdam",
        Source.KASTEREN,
        "kasteren/houseA_2008_original/kasterenSenseData.txt",
        Format.KASTEREN,
    ),
    **{
        f"kasteren-tl-{h.lower()}.yaml": (
            f"kasteren-tl-{h.lower()}",
            "Europe/Amsterdam",
            Source.KASTEREN,
            f"kasteren/tl_converted_houses_ABC/house{h}.sensors",
            Format.KASTEREN_TL,
        )
        for h in "ABC"
    },
}


def load(name: str) -> HearthConfig:
    return HearthConfig.model_validate(yaml.safe_load((CONFIG / name).read_text()))


def dataset_file(relative: str, request: pytest.FixtureRequest) -> Path:
    """The data file: committed (absolute path), or in the shared folder (else skip)."""
    if Path(relative).is_absolute():
        return Path(relative)
    shared: Path = request.getfixturevalue("shared_datasets")
    return shared / relative


@pytest.mark.parametrize("name", sorted(HOMES))
def test_config_is_valid(name: str) -> None:
    config = load(name)
    home_id, zone, source, _, _ = HOMES[name]
    assert (config.home.id, config.home.timezone) == (home_id, zone)
    assert cross_check(config) == []
    assert {sensor.match.source for sensor in config.sensors} == {source}
    assert not config.storage.path.is_absolute()
    assert config.storage.path.name == f"{home_id}.db"


@pytest.mark.parametrize("name", sorted(HOMES))
def test_every_device_in_the_data_is_mapped(name: str, request: pytest.FixtureRequest) -> None:
    config = load(name)
    _, zone, _, relative, fmt = HOMES[name]
    read = read_dataset(dataset_file(relative, request), fmt, ZoneInfo(zone))
    assert read.problems == []
    used = {getattr(record, "device", None) for record in read.records}
    mapped = {sensor.match.device for sensor in config.sensors}
    assert used - mapped == set()


@pytest.mark.parametrize("name", sorted(HOMES))
def test_every_mapped_device_exists(name: str, request: pytest.FixtureRequest) -> None:
    """No typos: each mapped device occurs in the data or is named by the dataset."""
    config = load(name)
    _, zone, _, relative, fmt = HOMES[name]
    path = dataset_file(relative, request)
    known = {getattr(r, "device", None) for r in read_dataset(path, fmt, ZoneInfo(zone)).records}
    if fmt is Format.KASTEREN_TL:
        known |= set(read_names(path.with_suffix(".sensor_names"))[0].values())
    mapped = {sensor.match.device for sensor in config.sensors}
    assert mapped - known == set()
