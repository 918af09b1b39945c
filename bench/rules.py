"""Rules benchmark: the cost of `RuleEngine.observe` and `RuleEngine.evaluate` per call.

A real home (CASAS, 61,578 events over 30 days; Ordonez B, committed, when
../shared/datasets is absent) is replayed through a `RuleEngine` with learned
expectations:

observe:   every event through `observe`, timed as a whole, per event.
evaluate:  `evaluate` after every event and on a 30 s tick between events, as
           the hub calls it, each call timed on its own (perf_counter_ns; its
           own overhead, measured on an empty call, is subtracted).
raw:       the floor any per-event state costs: a dict store of the event's
           time per sensor, timed like observe.

Each is run --rounds times; medians are printed as JSON.
Run: python -m bench.rules [--rounds 5] [--home kasteren-tl-c.yaml]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from hub.config import load_config
from hub.evaluate import CONFIGS, EvaluateError, data_file, default_datasets, home_events
from hub.events import Event
from hub.modes import Mode
from hub.routine import daily_features
from hub.rules import Expectations, RuleEngine, expectations_from


def load_home(first: str) -> tuple[str, Any, list[Event]]:
    for name in (first, "ordonez-b.yaml"):
        config = load_config(CONFIGS / name)
        try:
            path = data_file(config, default_datasets())
        except EvaluateError:
            continue  # CASAS is not in the repo: fall back to the committed home
        return f"{config.home.id} ({Path(path).name})", config, home_events(config, path)
    raise SystemExit("no dataset home found")


def observe_round(config: Any, events: list[Event], expected: Expectations) -> float:
    engine = RuleEngine(config, expected)
    started = time.perf_counter()
    for event in events:
        engine.observe(event)
    return (time.perf_counter() - started) / len(events) * 1e6


def raw_round(events: list[Event]) -> float:
    last: dict[str, object] = {}
    started = time.perf_counter()
    for event in events:
        last[event.sensor] = event.time
    return (time.perf_counter() - started) / len(events) * 1e6


def evaluate_round(config: Any, events: list[Event], expected: Expectations) -> dict[str, Any]:
    engine = RuleEngine(config, expected)
    tick = timedelta(seconds=config.rules.tick_s)
    clock = time.perf_counter_ns
    empty = []
    for _ in range(10_000):
        before = clock()
        empty.append(clock() - before)
    overhead = statistics.median(empty)
    costs: list[int] = []
    conditions = 0
    next_tick = events[0].time
    for event in events:
        while next_tick < event.time:
            before = clock()
            found = engine.evaluate(next_tick, Mode.HOME)
            costs.append(clock() - before)
            conditions += len(found)
            next_tick += tick
        engine.observe(event)
        before = clock()
        found = engine.evaluate(event.time, Mode.HOME)
        costs.append(clock() - before)
        conditions += len(found)
    costs.sort()
    return {
        "calls": len(costs),
        "median_us": round((statistics.median(costs) - overhead) / 1000, 2),
        "p99_us": round((costs[int(len(costs) * 0.99)] - overhead) / 1000, 2),
        "conditions_seen": conditions,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="RuleEngine observe/evaluate cost per call")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--home", default="casas-al-smarthome.yaml", help="a dataset home's config in config/"
    )
    args = parser.parse_args()
    home, config, events = load_home(args.home)
    expected = expectations_from(daily_features(events, config), config)
    rounds: list[dict[str, Any]] = []
    for _ in range(args.rounds):
        rounds.append(
            {
                "observe_us_per_event": round(observe_round(config, events, expected), 3),
                "raw_dict_us_per_event": round(raw_round(events), 3),
                "evaluate": evaluate_round(config, events, expected),
            }
        )
    print(
        json.dumps(
            {
                "benchmark": "rules",
                "home": home,
                "events": len(events),
                "sensors": len(config.sensors),
                "expectations_learned": expected.learned,
                "rounds": rounds,
                "median_observe_us": statistics.median(r["observe_us_per_event"] for r in rounds),
                "median_raw_dict_us": statistics.median(r["raw_dict_us_per_event"] for r in rounds),
                "median_evaluate_us": statistics.median(r["evaluate"]["median_us"] for r in rounds),
                "median_evaluate_p99_us": statistics.median(
                    r["evaluate"]["p99_us"] for r in rounds
                ),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
