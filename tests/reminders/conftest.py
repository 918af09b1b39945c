"""Fixtures for the reminder tests: the shared datasets folder fixture, reused."""

from __future__ import annotations

from tests.datasets.conftest import shared_datasets

__all__ = ["shared_datasets"]  # the fixture skips with the datasets' reason when absent
