"""Session-wide fixtures: a real Mosquitto with a password file and an ACL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.local_broker import LocalBroker


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalBroker]:
    with LocalBroker(tmp_path_factory.mktemp("mosquitto")) as running:
        yield running


@pytest.fixture
def fresh_broker(tmp_path: Path) -> Iterator[LocalBroker]:
    """A broker of the test's own, for tests that restart or overload it."""
    with LocalBroker(tmp_path / "mosquitto") as running:
        yield running
