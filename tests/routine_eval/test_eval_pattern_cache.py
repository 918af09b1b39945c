"""The evaluation caches the model's raw score per day object: a score must be that day's."""

from __future__ import annotations

import gc
from dataclasses import replace

from hub.evaluation.pipeline import Prepared, unchanged
from hub.evaluation.run import PatternScores, RawScores
from hub.routine import DayFeatures


def quieter(days: list[DayFeatures], share: float) -> list[DayFeatures]:
    """New day objects: each role's activity cut to `share` from day 20 on."""
    return [
        day
        if i < 20
        else replace(
            day,
            hourly_by_role={
                role: tuple(int(m * share) for m in hours)
                for role, hours in day.hourly_by_role.items()
            },
        )
        for i, day in enumerate(days)
    ]


def test_a_changed_day_never_gets_a_score_cached_for_another(ordonez_b_stream: Prepared) -> None:
    """Found by a rerun of the report: raw scores were cached by id(day), and once a
    case's changed days were freed, the next case's new days took their ids and their
    scores (one 'named the right behaviour' count moved with no change to the code)."""
    scores = PatternScores()
    assert scores.available, scores.note
    days = unchanged(ordonez_b_stream).days
    cache: RawScores = {}
    wrong = 0
    for share in (0.1, 0.5, 0.2, 0.8, 0.3):
        case = quieter(days, share)
        cached = scores.z(case, cache)
        fresh = scores.z(case, {})
        wrong += sum(cached[d] != fresh[d] for d in fresh)
        del case, cached, fresh
        gc.collect()  # the case's days are gone: their ids are free for the next ones
    assert wrong == 0
