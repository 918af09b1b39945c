"""A finding: how bad, about what, what was seen, and what to do."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum


class Level(IntEnum):
    """Also the exit status of `hearth doctor`: the worst level found."""

    OK = 0
    WARNING = 1  # works, but something will go wrong or is not as it should be
    PROBLEM = 2  # the hub cannot do part of its job until this is fixed


@dataclass(frozen=True, slots=True)
class Finding:
    level: Level
    check: str  # broker, hub, bridge, database, disk, clock, sensors, serial, alerts
    message: str
    fix: str = ""  # what to do; empty when nothing needs doing

    def line(self) -> str:
        label = {Level.OK: "ok", Level.WARNING: "WARNING", Level.PROBLEM: "PROBLEM"}[self.level]
        tail = f" -> {self.fix}" if self.fix else ""
        return f"{label:<8} {self.check}: {self.message}{tail}"


def worst(findings: Iterable[Finding]) -> Level:
    return max((f.level for f in findings), default=Level.OK)
