"""The real routine pipeline over a stream: features, signs, detector, alert conditions.

`prepare` computes the unchanged stream's `DayFeatures` and `DaySigns` once.
`changed` injects a change into the stream's events and recomputes only the
days the change can reach, reusing the others:

- a date's features read events from 18:00 two evenings before it (the
  night window plus a day of look-back) to 14:00 the day after (the next
  night's bedtime), and outings joined across door uses; so dates up to two
  before the onset are recomputed from events starting `REWIND_DAYS` before
  the onset, and the recomputed dates from the onset's eve on replace the
  unchanged ones. `tests/routine_eval/test_eval_pipeline.py` checks that the
  result equals recomputing the whole changed stream, for every change kind;
- the signs need 7 dates before a date (the night door's weekly count), so
  they are recomputed from `REWIND_DAYS + 7` dates before.

Changed streams end `horizon` dates after the onset: the figures look no
further. `alerts` turns results into alerts exactly as the live hub does:
each day, `routine_conditions` of the results so far; an alert is a
condition (one per behaviour) that was not there the day before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from hub.config.models import HearthConfig
from hub.evaluation.inject import Change, Context, inject
from hub.evaluation.resample import Stream
from hub.events import Event
from hub.routine import daily_features
from hub.routine.alerting import routine_conditions
from hub.routine.day_signs import DaySigns, day_signs
from hub.routine.features import DayFeatures
from hub.routine.layout import layout_of
from hub.routine.outings import find_outings
from hub.routine.score import RoutineDayResult, score_days
from hub.routine.timeline import build_timeline

REWIND_DAYS = 4
SIGN_DAYS = 7


@dataclass(frozen=True)
class Prepared:
    """An unchanged stream with its features and signs, one per stream date."""

    config: HearthConfig
    stream: Stream
    days: list[DayFeatures]
    signs: dict[date, DaySigns]
    context: Context


@dataclass(frozen=True)
class Days:
    """The days of a (changed or unchanged) stream, ready for any detector."""

    days: list[DayFeatures]
    signs: dict[date, DaySigns]


@dataclass(frozen=True, slots=True)
class Alert:
    date: date  # the date whose results raised it (alerts reach carers the morning after)
    behaviour: str


def prepare(config: HearthConfig, stream: Stream, seed: int) -> Prepared:
    layout = layout_of(config)
    days = _stream_days(daily_features(stream.events, config), stream)
    timeline = build_timeline(stream.events, layout)
    outings = (find_outings(timeline, layout) or []) if timeline else []
    context = Context(layout, {d.date: d for d in days}, outings, seed)
    return Prepared(config, stream, days, day_signs(stream.events, config, days), context)


def unchanged(prepared: Prepared) -> Days:
    return Days(prepared.days, prepared.signs)


def changed(prepared: Prepared, change: Change, horizon: int) -> Days:
    """The stream's days with `change` injected, up to `horizon` dates after its onset."""
    stream, config = prepared.stream, prepared.config
    last = change.onset + timedelta(days=horizon)
    events = inject(_before(stream, last + timedelta(days=2)), change, prepared.context)
    rewind = change.onset - timedelta(days=REWIND_DAYS + SIGN_DAYS)
    late = _from(events, stream.day_start(rewind))
    fresh = [d for d in daily_features(late, config) if d.date <= last]
    cut = change.onset - timedelta(days=1)
    kept = [d for d in prepared.days if d.date < cut]
    redone = [d for d in fresh if d.date >= cut]
    days = kept + redone
    # Signs of the redone dates, with 7 dates of history before them.
    history = [d for d in days if d.date >= rewind]
    fresh_signs = day_signs(late, config, history)
    signs = {d: s for d, s in prepared.signs.items() if d < cut}
    signs.update({d: s for d, s in fresh_signs.items() if d >= cut})
    return Days(days, signs)


def results_of(
    days: Days, pattern_z: Mapping[date, float | None] | None = None
) -> list[RoutineDayResult]:
    return score_days(days.days, days.signs, pattern_z)


def alerts(results: Sequence[RoutineDayResult], stream: Stream) -> list[Alert]:
    """The routine alerts the live hub would raise, each on the date that raised it."""
    raised: list[Alert] = []
    holding: set[str] = set()
    for index, result in enumerate(results):
        today = result.date + timedelta(days=1)
        now = {c.subject for c in routine_conditions(results[: index + 1], today, stream.zone)}
        raised.extend(Alert(result.date, behaviour) for behaviour in sorted(now - holding))
        holding = now
    return raised


def _stream_days(days: list[DayFeatures], stream: Stream) -> list[DayFeatures]:
    """The features of the stream's own dates (the data run from one cut hour to the next)."""
    last = stream.date_of(stream.days - 1)
    return [d for d in days if stream.start <= d.date <= last]


def _before(stream: Stream, day: date) -> list[Event]:
    end = stream.day_start(day)
    return [e for e in stream.events if e.time < end]


def _from(events: list[Event], start: datetime) -> list[Event]:
    return [e for e in events if e.time >= start]
