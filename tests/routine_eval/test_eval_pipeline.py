"""Reusing the unchanged days' features gives exactly what recomputing everything gives."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hub.evaluation.inject import Change, ChangeKind, inject
from hub.evaluation.pipeline import Prepared, changed
from hub.routine import daily_features
from hub.routine.day_signs import day_signs

HORIZON = 20


@pytest.mark.parametrize("ramp", [0, 14])
@pytest.mark.parametrize("kind", list(ChangeKind))
def test_spliced_days_equal_the_whole_changed_stream(
    ordonez_b_stream: Prepared, kind: ChangeKind, ramp: int
) -> None:
    prepared = ordonez_b_stream
    onset = prepared.stream.date_of(40)
    change = Change(kind, onset, ramp)
    spliced = changed(prepared, change, HORIZON)
    events = inject(list(prepared.stream.events), change, prepared.context)
    last = onset + timedelta(days=HORIZON)
    whole = [
        d
        for d in daily_features(events, prepared.config)
        if prepared.stream.start <= d.date <= last
    ]
    assert spliced.days == whole
    signs = day_signs(events, prepared.config, whole)
    assert spliced.signs == signs
