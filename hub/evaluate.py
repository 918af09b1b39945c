"""How often the real-time rules would alert on the real dataset homes, replayed unchanged.

For each home, its events run in time order through a `RuleEngine`, with the
clock ticking every `rules.tick_s` of event time between events, as the live
hub's tick would. What is usual is learned only from the days before the one
being replayed (at each local midnight, `expectations_from` the features of
the events so far), so nothing is learned from the future. An alert is a
condition key that appears; it ends when the key goes away.

The datasets hold no known emergencies, so every urgent alert counts as false.
Issue 4 asks for at most one per home per 30 days.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hub.alerts.model import Condition, Severity
from hub.clock import ManualClock
from hub.config.models import HearthConfig
from hub.datasets import DatasetError
from hub.events import Event
from hub.ingest.pipeline import Ingest
from hub.modes import Mode
from hub.replay import load_files
from hub.routine import daily_features
from hub.routine.days import local_date
from hub.rules import RuleEngine, expectations_from

REPO = Path(__file__).resolve().parents[1]
CONFIGS = REPO / "config"
COMMITTED = REPO / "hub" / "datasets" / "data" / "ordonez"
# Each dataset home's config (by home id) and its sensor file in the datasets folder.
DATASET_FILES: dict[str, str] = {
    "casas-al": "casas_al_smarthome/data",
    "ordonez-a": "ordonez_uci_adl/OrdonezA_Sensors.txt",
    "ordonez-b": "ordonez_uci_adl/OrdonezB_Sensors.txt",
    "kasteren-a-2008": "kasteren/houseA_2008_original/kasterenSenseData.txt",
    "kasteren-tl-a": "kasteren/tl_converted_houses_ABC/houseA.sensors",
    "kasteren-tl-b": "kasteren/tl_converted_houses_ABC/houseB.sensors",
    "kasteren-tl-c": "kasteren/tl_converted_houses_ABC/houseC.sensors",
}
URGENT_PER_30_DAYS_TARGET = 1.0


class EvaluateError(Exception):
    """A home cannot be evaluated: no dataset is known for it, or its file is missing."""


def default_datasets() -> Path:
    """The shared datasets folder: HEARTH_SHARED_DATASETS, else ../shared/datasets."""
    override = os.environ.get("HEARTH_SHARED_DATASETS")
    return Path(override) if override else REPO.parent / "shared" / "datasets"


# Configs in config/ that are not dataset homes: the example, and the simulator's home.
NOT_DATASET_HOMES = frozenset({"example-home.yaml", "simulated-home.yaml"})


def dataset_configs() -> list[Path]:
    """The dataset homes' configs in config/, in name order."""
    return sorted(p for p in CONFIGS.glob("*.yaml") if p.name not in NOT_DATASET_HOMES)


def data_file(config: HearthConfig, datasets: Path) -> Path:
    """The sensor file of a dataset home; the committed Ordonez copy when the folder lacks it."""
    relative = DATASET_FILES.get(config.home.id)
    if relative is None:
        known = ", ".join(sorted(DATASET_FILES))
        raise EvaluateError(f"home {config.home.id!r} is not a dataset home (known: {known})")
    path = datasets / relative
    if path.exists():
        return path
    committed = COMMITTED / Path(relative).name
    if committed.exists():
        return committed
    raise EvaluateError(
        f"{path} not found: put ../shared/datasets beside the repo or use --datasets"
    )


def home_events(config: HearthConfig, path: Path) -> list[Event]:
    """The file's readings mapped to the home's events, as replay maps them, in time order."""
    try:
        reads = load_files(config, [path])
    except (DatasetError, OSError) as exc:
        raise EvaluateError(f"{path}: {exc}") from exc
    records = [record for _, read in reads for record in read.records]
    clock = ManualClock(datetime(1970, 1, 1, tzinfo=UTC))
    ingest = Ingest(config, clock)
    events: list[Event] = []
    for record in records:
        if isinstance(record, Event):
            events.append(record)
            continue
        if record.time is not None:
            clock.advance_to(record.time)
        event = ingest.map_reading(record, path.name)
        if event is not None:
            events.append(event)
    events.sort(key=lambda event: event.time)
    return events


@dataclass(frozen=True, slots=True)
class RaisedAlert:
    rule: str
    severity: Severity
    raised: datetime  # UTC
    since: datetime
    summary: str  # as first raised
    ended: datetime | None  # None: still holding when the data ended


@dataclass
class HomeResult:
    home: str
    timezone: str
    first: datetime
    last: datetime
    events: int
    alerts: list[RaisedAlert] = field(default_factory=list)

    @property
    def days(self) -> float:
        return (self.last - self.first) / timedelta(days=1)

    def count(self, severity: Severity) -> int:
        return sum(alert.severity is severity for alert in self.alerts)

    @property
    def urgent_per_30_days(self) -> float:
        return self.count(Severity.URGENT) * 30 / self.days if self.days else 0.0

    @property
    def by_rule(self) -> dict[str, int]:
        return dict(sorted(Counter(alert.rule for alert in self.alerts).items()))

    @property
    def most_urgent_in_30_days(self) -> int:
        """The most urgent alerts raised within any 30 days of the recording.

        This is the target's own reading ("at most one per 30 days"): a
        recording shorter than 30 days with one alert meets it, which the rate
        (`urgent_per_30_days`, 1.11 for one alert in 27 days) would deny.
        """
        times = sorted(a.raised for a in self.alerts if a.severity is Severity.URGENT)
        most, first = 0, 0
        for last, moment in enumerate(times):
            while moment - times[first] >= timedelta(days=30):
                first += 1
            most = max(most, last - first + 1)
        return most

    @property
    def meets_target(self) -> bool:
        return self.most_urgent_in_30_days <= URGENT_PER_30_DAYS_TARGET

    def record(self) -> dict[str, object]:
        return {
            "home": self.home,
            "first": self.first.isoformat(),
            "last": self.last.isoformat(),
            "days": round(self.days, 1),
            "events": self.events,
            "alerts": {severity.value: self.count(severity) for severity in Severity},
            "by_rule": self.by_rule,
            "urgent_per_30_days": round(self.urgent_per_30_days, 2),
            "most_urgent_in_30_days": self.most_urgent_in_30_days,
            "meets_target": self.meets_target,
            "alert_list": [
                {
                    "rule": a.rule,
                    "severity": a.severity.value,
                    "raised": a.raised.isoformat(),
                    "since": a.since.isoformat(),
                    "ended": a.ended.isoformat() if a.ended else None,
                    "summary": a.summary,
                }
                for a in self.alerts
            ],
        }


def evaluate_home(config: HearthConfig, events: Sequence[Event]) -> HomeResult:
    """Replay `events` (time order) through the rules; every alert they would raise."""
    if not events:
        raise EvaluateError(f"home {config.home.id!r}: no events to replay")
    engine = RuleEngine(config)
    zone = engine.state.layout.zone
    tick = timedelta(seconds=config.rules.tick_s)
    open_alerts: dict[str, tuple[Condition, datetime]] = {}
    result = HomeResult(
        config.home.id, config.home.timezone, events[0].time, events[-1].time, len(events)
    )
    today = local_date(events[0].time, zone)
    seen = 0  # events observed so far: the only ones expectations may learn from

    def step(now: datetime) -> None:
        nonlocal today
        date = local_date(now, zone)
        if date != today:
            today = date
            days = [d for d in daily_features(events[:seen], config) if d.date < date]
            engine.set_expectations(expectations_from(days, config, events[:seen]))
        holding = {condition.key: condition for condition in engine.evaluate(now, Mode.HOME)}
        for key, condition in holding.items():
            if key not in open_alerts:
                open_alerts[key] = (condition, now)
        for key in [k for k in open_alerts if k not in holding]:
            condition, raised = open_alerts.pop(key)
            result.alerts.append(_raised(condition, raised, now))

    next_tick = events[0].time
    for event in events:
        while next_tick < event.time:
            step(next_tick)
            next_tick += tick
        engine.observe(event)
        seen += 1
        step(event.time)
    for condition, raised in open_alerts.values():
        result.alerts.append(_raised(condition, raised, None))
    result.alerts.sort(key=lambda alert: alert.raised)
    return result


def _raised(condition: Condition, raised: datetime, ended: datetime | None) -> RaisedAlert:
    return RaisedAlert(
        condition.rule, condition.severity, raised, condition.since, condition.summary, ended
    )


def evaluate_homes(configs: Sequence[HearthConfig], datasets: Path) -> Iterator[HomeResult]:
    for config in configs:
        yield evaluate_home(config, home_events(config, data_file(config, datasets)))
