"""Change detection for one behaviour: a value a day in, a new state and any findings out.

A `Tracker` is the whole memory of one behaviour (its baseline values, the
recent days' values, the change being followed); `learn` and `judge` return a
new one, so the detector is a pure fold over the days. Three shapes of change:

- **unusual day**: today's robust z (see `baseline.py`) is at least
  `Z_UNUSUAL` away from usual. Confidence: |z| / (2 x `Z_UNUSUAL`), so 0.5 at
  the threshold and 1 at twice it. Shown, never alerted (see `alerting.py`).
- **shift**: the recent days sit away from usual, one way. Each judged day
  has a score (`Usual.score`): where it fell among the usual days, as a
  standard normal deviate, so scores average 0 and vary by 1 whatever the
  shape of this person's days, and one wild day weighs at most
  `SCORE_LIMIT`. For every window of the last n scores (n up to
  `WINDOW_DAYS`), their mean divided by its standard error is the window's
  evidence; the strongest window one way is the evidence of a shift that
  way. A shift is found when the evidence reaches `FOUND`, the window holds
  at least `SHIFT_MIN_DAYS` days off usual that way (outside the middle half
  of the usual days: score beyond `OFF_SCORE`), and its mean value differs
  from usual by the behaviour's smallest change worth telling. Its onset is
  the window's first day. The standard error counts both what a mean of n
  days varies by (1/n) and how well the usual days themselves are known
  (1/m for m of them), so evidence from a young baseline counts for less,
  and a long window cannot pile a baseline's small error up into a "shift"
  (what forced the old CUSUM's k = 1, which made a change of 1.5 spreads a
  day take ten days to find).
- **drift**: over the last `DRIFT_WINDOW_DAYS` days (at least
  `DRIFT_MIN_VALUES` values), Kendall's tau between day and value is at least
  `DRIFT_TAU` in size, and the Theil-Sen line puts today at least
  `DRIFT_SPREADS` spreads from usual. Its onset is where the line leaves the
  usual value. Confidence: |tau| when found (0.5 at the threshold).

Why a window mean and not CUSUM: both accumulate evidence over days; the
window's standardised mean needs no assumed size of change (CUSUM's k), is
the evidence a reader can check ("09:40 on average over the last 4 days;
usually 07:55"), and with the baseline's own uncertainty in its error it
stays calibrated on a two-week baseline. It is the generalised likelihood
ratio for a step in the mean over the last `WINDOW_DAYS` days. Why scores
by rank and not robust z: on resampled real days, z (clipped at 3) made a
person's heavy tails (late mornings, long naps) into "shifts" three times
a month in the noisiest home, and called a day without an outing, for a
person who stays in one day in three, only 0.7 spreads from usual, so
weeks of staying in never added up to a change.

**Rare counts** (`Behaviour.rare`: the outside door at night) happen on few
days or none, so a spread around a median of 0 says nothing. They are judged
as a rate: m kept days held k0 events; what n new days would hold then
follows a negative binomial (Poisson counts whose rate is known only from
those m days, with half an event's worth of doubt, Jeffreys' prior, so a
rate never seen is not taken as impossible). A window's evidence is the
standard normal quantile of its count's tail probability: the same scale
of "standard errors" as above. A shift needs `RARE_FOUND` (a lower bar than
`FOUND`: counts this rare cannot pile up evidence fast, and by the same
token chance rarely produces them), at least `RARE_MIN_DAYS` days with an
event, and the behaviour's smallest change more events than usual.

**Days without** (`Behaviour.habit`: going out) are a step the window mean
is slow to see: for a person who stays in one day in four, a day in scores
-1.15 and four of them only 2.2 standard errors, though four days in a row
at home happen once in 250 such runs. So the run of the last n days without
the habit is judged too: with k of the m kept days without it, the chance
that n days in a row are so is the product of (k + 1/2 + i) / (m + 1 + i)
for i below n (the beta-binomial with Jeffreys' prior, so a day in never
seen is not taken as impossible), as a standard normal deviate. A shift
lower is found when that reaches `RUN_FOUND` over at least
`SHIFT_MIN_DAYS` days. One test of one shape (the trailing run, one way)
needs a lower bar than the strongest of 28 windows, and by the same token
chance seldom meets it. Like every test over days here, it takes days as
independent: a real spell of staying in (weather, a cold) clusters, which
resampled streams do not show.

Every confidence is then scaled by min(1, m / 14), m being the values the
usual rests on, since a young baseline knows less. A finding is kept only
when the difference from usual is at least the behaviour's smallest change
worth telling (`behaviours.py`): statistics alone would report trivia.

What the baseline keeps (so that it never absorbs a developing change): the
value of a judged day joins the usual days `KEEP_AFTER_DAYS` later, when no
window of two or more days holds evidence past `BUILDING` then and no change
has opened since. A single unusual day is kept: it is part of how much this
person's days vary. While a change is open nothing is kept; the change
closes when `RECOVERY_DAYS` values in a row are back within `RECOVERED_Z` of
usual (a rare count: a week with no more than usual, and then its burst is
kept, as a single unusual day is; a stopped habit: done again on two of
three days), or is accepted as the new normal once it is
`ACCEPT_AFTER_DAYS` days old *and* has settled (its last `SETTLED_VALUES`
values have |Kendall tau| < `DRIFT_TAU`): the baseline then restarts from the
values seen since the onset. A decline that keeps going is never accepted;
it stays reported.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from hub.routine.baseline import (
    ACCEPT_AFTER_DAYS,
    MIN_VALUES,
    Kept,
    Usual,
    keep,
    usual_for,
)
from hub.routine.behaviours import Behaviour

Z_UNUSUAL = 5.0
WINDOW_DAYS = 14  # the longest window of recent values a shift is looked for in
SHIFT_MIN_DAYS = 3  # days off usual a shift needs: two odd days are not a change
KEEP_AFTER_DAYS = 3  # a judged value joins the usual days once this many more days are seen
# A day is off usual when its score is beyond this, the shift's way: outside
# the middle half of the usual days (the normal quartile).
OFF_SCORE = 0.674
FOUND = 3.6  # evidence (standard errors) at which a shift is found; see `window_evidence`
BUILDING = FOUND / 2
DRIFT_WINDOW_DAYS = 21
DRIFT_MIN_VALUES = 10
DRIFT_TAU = 0.5
DRIFT_SPREADS = 1.5
DRIFT_LEANING = 0.5  # mean score of the last week a drift needs to be looked for
WEEK_DAYS = 7
RECOVERY_DAYS = 3
SETTLED_VALUES = 10  # a change is accepted only when its last values show no trend
RECOVERED_Z = 1.5
RECENT_DAYS = 7  # a change's "recent" value averages at most this many days since its onset
FULL_BASELINE = 14  # values a usual needs for confidence not to be discounted
RARE_FOUND = 2.5  # evidence at which a rare count's shift is found
RARE_MIN_DAYS = 2  # days with an event a rare count's shift needs
# ... unless the kept days held none in at least this many: a first in four weeks.
FIRST_AFTER_DAYS = 28
RARE_PRIOR = 0.5  # Jeffreys' prior: events' worth of doubt about a rate never seen
RARE_RECOVERY_DAYS = 7
RARE_SHOWN_DAYS = 7  # a rare count's change tells how many events the last week held
# Evidence at which a run of days without a habit is a change. On the seed-7
# streams 2.4 and 2.2 found 1 and 3 more of 30 stopped outing habits by the
# deadline, at 0.01 and 0.02 more false alerts a month; kept at 2.6, since
# real spells of staying in cluster and the resampled streams cannot show it.
RUN_FOUND = 2.6
RUN_PRIOR = 0.5  # Jeffreys' prior: days' worth of doubt about a share never seen
_MEMORY_DAYS = 2 * DRIFT_WINDOW_DAYS  # how long judged values are remembered
_STANDARD_NORMAL = statistics.NormalDist()


class Shape(StrEnum):
    UNUSUAL_DAY = "unusual_day"
    SHIFT = "shift"
    DRIFT = "drift"


@dataclass(frozen=True, slots=True)
class Seen:
    """A value of a learning or judged day, with its robust z when there was a baseline."""

    date: date
    value: float
    z: float | None
    score: float | None = None  # `Usual.score`: what windows of days add up (not rare counts)


@dataclass(frozen=True, slots=True)
class Finding:
    """A change as numbers; `score.py` puts it into words."""

    behaviour: str
    shape: Shape
    higher: bool
    usual: float
    recent: float
    recent_days: int
    onset: date
    confidence: float


@dataclass(frozen=True, slots=True)
class OpenChange:
    shape: Shape
    higher: bool
    onset: date
    detected: date
    usual: Usual  # as it was when the change was found: the change is measured against it
    evidence: float  # standard errors of the days since the onset from `usual` (drift: found)


@dataclass(frozen=True, slots=True)
class Window:
    """The strongest window of recent days one way: its evidence and where it starts."""

    evidence: float  # standard errors from usual (0 when no window leans this way)
    start: date | None
    days: int  # values in the window


NO_WINDOW = Window(0.0, None, 0)


@dataclass(frozen=True)
class Tracker:
    behaviour: Behaviour
    kept: tuple[Kept, ...] = ()
    seen: tuple[Seen, ...] = ()
    high: Window = NO_WINDOW
    low: Window = NO_WINDOW
    open: OpenChange | None = None
    pending: tuple[Kept, ...] = ()  # judged values not yet among the usual ones (`_hold`)


def evidence(tracker: Tracker) -> float:
    """How much evidence of a change the tracker holds now, in standard errors.

    The stronger window while watching; the open change's own evidence (a
    shift) or `FOUND` (a drift) while one is open. A day-level measure of the
    detector's state: what the evaluation's per-day AUC ranks days by. A rare
    count's evidence is scaled to `FOUND` (its own bar is `RARE_FOUND`; a run
    of days without a habit is likewise, in `_watch`), so that every
    behaviour's evidence is on the scale a change is found at.
    """
    if tracker.open is not None:
        held = tracker.open.evidence if tracker.open.shape is Shape.SHIFT else FOUND
    else:
        held = max(tracker.high.evidence, tracker.low.evidence)
    return held * FOUND / RARE_FOUND if tracker.behaviour.rare else held


@dataclass(frozen=True, slots=True)
class Step:
    tracker: Tracker
    z: float | None
    findings: tuple[Finding, ...]
    usual: Usual | None = None  # what the day was judged against


def usual_of(tracker: Tracker, day: date) -> Usual | None:
    """What is usual for `day` (a rare count: its rate per day), or None while too few values."""
    if tracker.behaviour.rare:
        return rare_usual(tracker.kept)
    return usual_for(tracker.kept, day, tracker.behaviour.floor)


def rare_usual(kept: Sequence[Kept]) -> Usual | None:
    """A rare count's usual: events per day over the kept days (`median` holds the rate)."""
    if len(kept) < MIN_VALUES:
        return None
    rate = statistics.fmean(k.value for k in kept)
    return Usual(rate, max(math.sqrt(rate), 1.0), len(kept), "all")


def learn(tracker: Tracker, day: date, value: float) -> Step:
    """A learning day: the value is kept, nothing is judged."""
    usual = usual_of(tracker, day)
    z = _day_z(tracker.behaviour.rare, usual, value) if usual else None
    return Step(
        replace(
            tracker,
            kept=keep(tracker.kept, Kept(day, value)),
            seen=_remember(tracker, Seen(day, value, z, _score(tracker, usual, value))),
        ),
        z,
        (),
        usual,
    )


def _score(tracker: Tracker, usual: Usual | None, value: float) -> float | None:
    return None if usual is None or tracker.behaviour.rare else usual.score(value)


def judge(tracker: Tracker, day: date, value: float) -> Step:
    """A normal day: compare with usual, update the evidence, report what is found."""
    usual = usual_of(tracker, day)
    if usual is None:  # too few values yet (the data began with gaps): keep learning
        return learn(tracker, day, value)
    z = _day_z(tracker.behaviour.rare, usual, value)
    tracker = replace(
        tracker, seen=_remember(tracker, Seen(day, value, z, _score(tracker, usual, value)))
    )
    if tracker.open is not None:
        step = _follow(tracker, tracker.open, day, z)
    else:
        step = _watch(tracker, usual, day, value, z)
    return replace(step, usual=usual)


def standard_error(days: int, usual: Usual) -> float:
    """The standard error of a mean of `days` days' scores (`Usual.score`) against `usual`.

    A score is a normal deviate of the day's rank among the m usual days: a
    mean of `days` of them varies by 1/days (squared), and where the usual
    days themselves fall, known from m of them, by about 1/m more.
    """
    return math.sqrt(1 / days + 1 / max(usual.values, 1))


def window_evidence(
    scores: list[float], usual: Usual, sign: float, *, shortest: int = 1
) -> tuple[float, int]:
    """The strongest evidence among windows of the last n days (`scores` oldest first), and n.

    `sign` is +1 for "higher than usual", -1 for "lower"; n is at least
    `shortest`. Windows of one day count by default: they say how unusual
    today is, which the evidence shows, but a shift needs `SHIFT_MIN_DAYS`
    (see `_watch`).
    """
    best, best_days, total = 0.0, 0, 0.0
    for days, score in enumerate(reversed(scores[-WINDOW_DAYS:]), start=1):
        total += sign * score
        strength = total / days / standard_error(days, usual)
        if days >= shortest and strength > best:
            best, best_days = strength, days
    return best, best_days


def _watch(tracker: Tracker, usual: Usual, day: date, value: float, z: float) -> Step:
    behaviour = tracker.behaviour
    if behaviour.rare:
        return _watch_rare(tracker, usual, day, value, z)
    judged = [s for s in tracker.seen if s.score is not None]
    scores = [s.score for s in judged if s.score is not None]
    windows = []
    for sign in (1.0, -1.0):
        strength, days = window_evidence(scores, usual, sign)
        start = judged[-days].date if days else None
        windows.append(Window(strength, start, days))
    high, low = windows
    tracker = replace(tracker, high=high, low=low)
    meaningful = behaviour.meaningful(usual.median)
    for window, higher in sorted(((high, True), (low, False)), key=lambda w: -w[0].evidence):
        if window.evidence < FOUND or window.start is None or window.days < SHIFT_MIN_DAYS:
            continue
        sign = 1.0 if higher else -1.0
        inside = judged[-window.days :]
        off_days = sum(1 for s in inside if sign * (s.score or 0.0) > OFF_SCORE)
        recent = [s.value for s in inside]
        if off_days >= SHIFT_MIN_DAYS and abs(statistics.fmean(recent) - usual.median) >= (
            meaningful
        ):
            change = OpenChange(Shape.SHIFT, higher, window.start, day, usual, window.evidence)
            return _opened(tracker, change, window.evidence / (2 * FOUND))
    run = _run_without(tracker, judged) if behaviour.habit else NO_WINDOW
    scaled = run.evidence * FOUND / RUN_FOUND  # on the scale of `evidence`
    if scaled > low.evidence:
        tracker = replace(tracker, low=replace(run, evidence=scaled))
    if (
        run.evidence >= RUN_FOUND
        and run.start is not None
        and run.days >= SHIFT_MIN_DAYS
        and usual.median >= meaningful
    ):
        change = OpenChange(Shape.SHIFT, False, run.start, day, usual, run.evidence)
        return _opened(tracker, change, run.evidence / (2 * RUN_FOUND))
    drift = _drift(tracker.seen, usual, day, meaningful)
    if drift is not None:
        return _opened(tracker, drift, drift.evidence)
    findings: tuple[Finding, ...] = ()
    if abs(z) >= Z_UNUSUAL and abs(value - usual.median) >= meaningful:
        findings = (
            Finding(
                behaviour.name,
                Shape.UNUSUAL_DAY,
                z > 0,
                usual.median,
                value,
                1,
                day,
                _confidence(abs(z) / (2 * Z_UNUSUAL), usual),
            ),
        )
    building = _building(scores, usual) or run.evidence >= RUN_FOUND / 2
    return Step(_hold(tracker, day, value, building=building), z, findings)


def _run_without(tracker: Tracker, judged: list[Seen]) -> Window:
    """The run of the last judged days without the habit, and how rare such a run is.

    Its evidence is the standard normal quantile of the chance that that many
    days in a row are without it, given the kept days (see "days without").
    """
    run = 0
    for seen in reversed(judged[-WINDOW_DAYS:]):
        if seen.value > 0:
            break
        run += 1
    if run == 0:
        return NO_WINDOW
    kept = len(tracker.kept)
    without = sum(1 for k in tracker.kept if k.value <= 0)
    chance = math.prod((without + RUN_PRIOR + i) / (kept + 2 * RUN_PRIOR + i) for i in range(run))
    if chance >= 0.5:
        return NO_WINDOW
    strength = min(-_STANDARD_NORMAL.inv_cdf(max(chance, 1e-12)), 2 * Z_UNUSUAL)
    return Window(strength, judged[-run].date, run)


def _hold(tracker: Tracker, day: date, value: float, *, building: bool) -> Tracker:
    """Today's value waits `KEEP_AFTER_DAYS` before it joins the usual days.

    Kept at once, the first day of a change joined the usual days before the
    second showed it was one: a person who stopped going out then had a day
    at home among the usual ones, and every day at home after it looked less
    unusual. While evidence is building nothing joins; a value that waited
    `WINDOW_DAYS` is let go.
    """
    pending = (*tracker.pending, Kept(day, value))
    if building:
        waiting = tuple(k for k in pending if (day - k.date).days < WINDOW_DAYS)
        return replace(tracker, pending=waiting)
    ready = [k for k in pending if (day - k.date).days >= KEEP_AFTER_DAYS]
    kept = tracker.kept
    for value_kept in ready:
        kept = keep(kept, value_kept)
    waiting = tuple(k for k in pending if (day - k.date).days < KEEP_AFTER_DAYS)
    return replace(tracker, kept=kept, pending=waiting)


def _building(scores: list[float], usual: Usual) -> bool:
    """Whether a window of two or more recent days leans away from usual past `BUILDING`."""
    return any(
        window_evidence(scores, usual, sign, shortest=2)[0] >= BUILDING for sign in (1.0, -1.0)
    )


def _day_z(rare: bool, usual: Usual, value: float) -> float:
    """A day's z: its robust z, or for a rare count its one-day evidence, signed."""
    if not rare:
        return usual.z(value)
    more = rare_evidence(value, 1, usual, higher=True)
    return more if more > 0 else -rare_evidence(value, 1, usual, higher=False)


def rare_evidence(count: float, days: int, usual: Usual, *, higher: bool) -> float:
    """Standard errors by which `count` events in `days` days exceed (or fall short of) usual.

    The count's tail probability under the negative binomial that `usual`'s
    rate, learned from `usual.values` days, predicts for `days` days (0 when
    the count leans the other way).
    """
    shape = usual.median * usual.values + RARE_PRIOR
    p = usual.values / (usual.values + days)
    whole = round(count)
    below = sum(_negative_binomial(x, shape, p) for x in range(whole))  # P(X < count)
    tail = 1.0 - below if higher else below + _negative_binomial(whole, shape, p)
    if tail >= 0.5:
        return 0.0
    return min(-_STANDARD_NORMAL.inv_cdf(max(tail, 1e-12)), 2 * Z_UNUSUAL)


def _negative_binomial(x: int, shape: float, p: float) -> float:
    log = (
        math.lgamma(x + shape)
        - math.lgamma(shape)
        - math.lgamma(x + 1)
        + shape * math.log(p)
        + x * math.log1p(-p)
    )
    return math.exp(log)


def _watch_rare(tracker: Tracker, usual: Usual, day: date, value: float, z: float) -> Step:
    """A rare count: the strongest window of recent days against the usual rate."""
    judged = [s for s in tracker.seen if s.z is not None][-WINDOW_DAYS:]
    best = {True: NO_WINDOW, False: NO_WINDOW}
    for higher in (True, False):
        count = 0.0
        for days, seen in enumerate(reversed(judged), start=1):
            count += seen.value
            strength = rare_evidence(count, days, usual, higher=higher)
            if strength > best[higher].evidence:
                best[higher] = Window(strength, seen.date, days)
    tracker = replace(tracker, high=best[True], low=best[False])
    meaningful = tracker.behaviour.meaningful(usual.median)
    for higher in (True, False):
        window = best[higher]
        inside = judged[-window.days :] if window.days else []
        with_events = [s for s in inside if s.value > 0]
        gap = sum(s.value for s in inside) - usual.median * window.days
        if (
            window.evidence >= RARE_FOUND
            and abs(gap) >= meaningful
            and (not higher or len(with_events) >= RARE_MIN_DAYS)
        ) or (higher and with_events and _first_in_weeks(usual)):
            onset = with_events[0].date if higher else inside[0].date
            change = OpenChange(Shape.SHIFT, higher, onset, day, usual, window.evidence)
            return _opened(tracker, change, window.evidence / (2 * RARE_FOUND))
    building = max(best[True].evidence, best[False].evidence) >= RARE_FOUND / 2 and (
        max(best[True].days, best[False].days) >= 2
    )
    return Step(_hold(tracker, day, value, building=building), z, ())


def _first_in_weeks(usual: Usual) -> bool:
    """Whether the kept days held no event in at least `FIRST_AFTER_DAYS` of them."""
    return usual.median == 0 and usual.values >= FIRST_AFTER_DAYS


def _opened(tracker: Tracker, change: OpenChange, strength: float) -> Step:
    # What waited from before the onset was usual after all; the rest is the change.
    kept = tracker.kept
    for waited in tracker.pending:
        if waited.date < change.onset:
            kept = keep(kept, waited)
    tracker = replace(tracker, open=change, high=NO_WINDOW, low=NO_WINDOW, kept=kept, pending=())
    latest = tracker.seen[-1]
    return Step(tracker, latest.z, (_finding(tracker, change, strength),))


def _follow(tracker: Tracker, change: OpenChange, day: date, z: float) -> Step:
    """A day inside an open change: close it, accept it, or report it again."""
    since_found = [s for s in tracker.seen if s.date > change.detected]
    if _recovered(tracker.behaviour, since_found, change):
        kept = tracker.kept
        if tracker.behaviour.rare:
            # A burst of a rare count that passed is part of how this person's
            # nights go: kept out, every later one would look like the first.
            for s in tracker.seen:
                if s.date >= change.onset:
                    kept = keep(kept, Kept(s.date, s.value))
        return Step(replace(tracker, open=None, kept=kept), z, ())
    latest = [s for s in tracker.seen if s.date >= change.onset][-SETTLED_VALUES:]
    _, trend = _theil_sen_and_tau([((s.date - change.onset).days, s.value) for s in latest])
    if (day - change.onset).days >= ACCEPT_AFTER_DAYS and abs(trend) < DRIFT_TAU:
        # The new normal: the baseline restarts from what the person does now.
        new_normal = tuple(Kept(s.date, s.value) for s in tracker.seen if s.date >= change.onset)
        return Step(replace(tracker, open=None, kept=new_normal), z, ())
    if tracker.behaviour.rare:
        since = [s.value for s in tracker.seen if s.date >= change.onset]
        strength = rare_evidence(sum(since), len(since), change.usual, higher=change.higher)
        change = replace(change, evidence=strength)
        confidence = strength / (2 * RARE_FOUND)
    elif change.shape is Shape.SHIFT:
        sign = 1.0 if change.higher else -1.0
        since = [sign * change.usual.score(s.value) for s in tracker.seen if s.date >= change.onset]
        strength = statistics.fmean(since) / standard_error(len(since), change.usual)
        change = replace(change, evidence=max(0.0, strength))
        confidence = change.evidence / (2 * FOUND)
    else:
        confidence = change.evidence
    tracker = replace(tracker, open=change)
    return Step(tracker, z, (_finding(tracker, change, confidence),))


def _recovered(behaviour: Behaviour, since_found: list[Seen], change: OpenChange) -> bool:
    """Whether the days since the change was found are back to usual."""
    if behaviour.habit and not change.higher:
        # A day without the habit is only a spread or so from usual (a person who
        # stays in one day in four), so "within RECOVERED_Z" would take the very
        # days at home that found the change for a recovery: back means doing it.
        back = since_found[-RECOVERY_DAYS:]
        return len(back) == RECOVERY_DAYS and sum(s.value > 0 for s in back) >= RECOVERY_DAYS - 1
    if behaviour.rare:
        back = since_found[-RARE_RECOVERY_DAYS:]
        count = sum(s.value for s in back)
        return len(back) == RARE_RECOVERY_DAYS and (
            rare_evidence(count, len(back), change.usual, higher=change.higher) < 1.0
        )
    back = since_found[-RECOVERY_DAYS:]
    return len(back) == RECOVERY_DAYS and all(abs(_z(s, change.usual)) < RECOVERED_Z for s in back)


def _finding(tracker: Tracker, change: OpenChange, strength: float) -> Finding:
    confidence = _confidence(strength, change.usual)
    name = tracker.behaviour.name
    if tracker.behaviour.rare:
        # How many events the last week held, against what such a week usually holds.
        last = [s.value for s in tracker.seen if s.z is not None][-RARE_SHOWN_DAYS:]
        usual = change.usual.median * len(last)
        return Finding(
            name, change.shape, change.higher, usual, sum(last), len(last), change.onset, confidence
        )
    recent = _since(tracker.seen, change.onset)[-RECENT_DAYS:]
    return Finding(
        name,
        change.shape,
        change.higher,
        change.usual.median,
        statistics.fmean(recent),
        len(recent),
        change.onset,
        confidence,
    )


def _drift(seen: tuple[Seen, ...], usual: Usual, day: date, meaningful: float) -> OpenChange | None:
    window = [s for s in seen if (day - s.date).days < DRIFT_WINDOW_DAYS]
    if len(window) < DRIFT_MIN_VALUES:
        return None
    # A drift that has carried today `DRIFT_SPREADS` from usual has the last week
    # leaning that way: where it does not, the trend's pairs (quadratic in the
    # window, most of a day's scoring) need not be looked at.
    last_week = [s.score for s in window[-WEEK_DAYS:] if s.score is not None]
    if not last_week or abs(statistics.fmean(last_week)) < DRIFT_LEANING:
        return None
    first = window[0].date
    points = [((s.date - first).days, s.value) for s in window]
    slope, tau = _theil_sen_and_tau(points)
    intercept = statistics.median(v - slope * t for t, v in points)
    today = intercept + slope * (day - first).days
    gap = today - usual.median
    if abs(tau) < DRIFT_TAU or slope == 0 or (gap > 0) != (slope > 0):
        return None
    if abs(gap) < max(meaningful, DRIFT_SPREADS * usual.spread):
        return None
    # Where the line leaves the usual value, kept inside the window.
    leaves = (usual.median - intercept) / slope
    offset = min(max(round(leaves), 0), (day - first).days)
    onset = first + timedelta(days=offset)
    return OpenChange(Shape.DRIFT, slope > 0, onset, day, usual, abs(tau))


def _theil_sen_and_tau(points: list[tuple[int, float]]) -> tuple[float, float]:
    """The Theil-Sen slope (median of pairwise slopes) and Kendall's tau-a."""
    slopes = []
    agree = 0
    pairs = 0
    for i, (t1, v1) in enumerate(points):
        for t2, v2 in points[i + 1 :]:
            if t2 == t1:
                continue
            pairs += 1
            slopes.append((v2 - v1) / (t2 - t1))
            agree += (v2 > v1) - (v2 < v1)
    if not slopes:
        return 0.0, 0.0
    return statistics.median(slopes), agree / pairs


def _remember(tracker: Tracker, seen: Seen) -> tuple[Seen, ...]:
    return tuple(s for s in (*tracker.seen, seen) if (seen.date - s.date).days < _MEMORY_DAYS)


def _since(seen: tuple[Seen, ...], onset: date) -> list[float]:
    return [s.value for s in seen if s.date >= onset]


def _z(seen: Seen, usual: Usual) -> float:
    return usual.z(seen.value)


def _confidence(strength: float, usual: Usual) -> float:
    return round(min(1.0, strength) * min(1.0, usual.values / FULL_BASELINE), 2)
