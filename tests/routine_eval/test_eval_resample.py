"""Resampled streams are made of whole real days, weekday for weekday, the same for a seed."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from hub.config.models import HearthConfig
from hub.evaluation.resample import quietest_hour, resample, whole_days
from hub.events import Event
from hub.routine.baseline import is_weekend


def _wall(event: Event, zone: ZoneInfo, days: int = 0) -> tuple[object, ...]:
    local = event.time.astimezone(zone).replace(tzinfo=None) - timedelta(days=days)
    return (local, event.sensor, event.kind, event.value)


def test_each_stream_day_is_one_whole_real_day_moved_by_whole_dates(
    ordonez_b: tuple[HearthConfig, list[Event]],
) -> None:
    config, events = ordonez_b
    zone = ZoneInfo(config.home.timezone)
    stream = resample("ordonez-b", events, zone, days=40, seed=3)
    real = whole_days(events, zone, stream.cut_hour)
    by_day = whole_days(list(stream.events), zone, stream.cut_hour)
    assert len(stream.sources) == 40
    for index, source in enumerate(stream.sources):
        target = stream.date_of(index)
        shift = (target - source).days
        moved_back = sorted(_wall(e, zone, shift) for e in by_day.get(target, []))
        original = sorted(_wall(e, zone) for e in real[source])
        # The first and last stream days are cut by the data's own edges.
        if 0 < index < 39:
            assert moved_back == original, f"stream day {target} is not real day {source}"
        assert is_weekend(target) == is_weekend(source)


def test_the_same_seed_gives_the_same_stream_and_another_seed_another(
    ordonez_b: tuple[HearthConfig, list[Event]],
) -> None:
    config, events = ordonez_b
    zone = ZoneInfo(config.home.timezone)
    first = resample("ordonez-b", events, zone, days=30, seed=11)
    again = resample("ordonez-b", events, zone, days=30, seed=11)
    other = resample("ordonez-b", events, zone, days=30, seed=12)
    assert first.sources == again.sources
    assert first.events == again.events
    assert first.sources != other.sources


def test_days_are_cut_at_the_quietest_hour_of_the_home(
    ordonez_b: tuple[HearthConfig, list[Event]],
) -> None:
    config, events = ordonez_b
    zone = ZoneInfo(config.home.timezone)
    hour = quietest_hour(events, zone)
    counts = [sum(1 for e in events if e.time.astimezone(zone).hour == h) for h in range(24)]
    assert counts[hour] == min(counts)
    assert 0 <= hour <= 7  # the person sleeps then, so nights are rarely split
