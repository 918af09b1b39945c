"""The evaluation as a Markdown report with plots (matplotlib, Agg), and as plain lines.

`write_report(evaluation, path)` writes `path` and, beside it, one PNG per
figure (`<stem>-false-alerts.png`, `<stem>-detection.png`, `<stem>-auc.png`)
and the figures as JSON (`<stem>.json`). Every number comes from the run.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from pathlib import Path

from hub.evaluate import DATASET_FILES
from hub.evaluation.inject import DESCRIPTIONS, ChangeKind
from hub.evaluation.metrics import ABRUPT_WITHIN, GRADUAL_WITHIN, detected
from hub.evaluation.run import (
    DAY_SCORE,
    FOREST,
    FULL,
    METHODS,
    RULES,
    SHAPES,
    STATISTICS,
    Case,
    Evaluation,
    HomeStreams,
    detection_rate,
    false_rate,
    mean_auc,
    median_delay,
)
from hub.evaluation.size import BANDS, band_of, ideal_detection
from hub.routine.detect import FOUND

DETECTION_TARGET = 0.9
FALSE_TARGET = 1.0
AUC_TARGET = 0.95


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def _num(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def scenarios(
    evaluation: Evaluation, *, real: bool = True
) -> list[tuple[ChangeKind, str, list[Case]]]:
    """Cases by change and shape: of the resampled real homes, or (real=False) simulated ones."""
    out = []
    for kind in ChangeKind:
        for shape in SHAPES:
            cases = [
                c
                for c in evaluation.cases
                if c.kind is kind and c.shape == shape and (c.home in DATASET_FILES) == real
            ]
            if cases:
                out.append((kind, shape, cases))
    return out


def figures(evaluation: Evaluation) -> dict[str, object]:
    """The figures as plain values (the JSON beside the report)."""
    return {
        "settings": vars(evaluation.settings) | {"homes": list(evaluation.settings.homes)},
        "seconds": round(evaluation.seconds, 1),
        "model": evaluation.model_note,
        "forest_threshold": evaluation.forest_threshold,
        "false_alerts_per_30_days": {
            h.home: {m: round(false_rate(h, m), 2) for m in METHODS} for h in evaluation.homes
        },
        "false_alerts_by_behaviour": {h.home: h.false_by_behaviour for h in evaluation.homes},
        "abrupt_real_cases_ideal_against_full_system": _ideal_figures(
            [c for c in evaluation.cases if c.home in DATASET_FILES]
        ),
        "day_types": {h.home: h.day_types for h in evaluation.homes},
        "not_injected": {
            h.home: {kind.value: sorted(set(why)) for kind, why in h.not_injected.items()}
            for h in evaluation.homes
            if h.not_injected
        },
        "scenarios": [
            {
                "change": kind.value,
                "shape": shape,
                "cases": len(cases),
                "named_right_behaviour": sum(c.named for c in cases),
                "full_system_day_score_mean_auc": mean_auc(cases, DAY_SCORE),
                "full_system_detected_by_size_in_spreads": {
                    band: {"detected": found, "cases": count}
                    for band, (found, count) in by_size(cases).items()
                },
                "by_method": {
                    m: {
                        "detected": detection_rate(cases, m),
                        "median_delay_days": median_delay(cases, m),
                        "mean_auc": mean_auc(cases, m),
                    }
                    for m in METHODS
                },
            }
            for kind, shape, cases in scenarios(evaluation)
        ],
        "simulated_scenarios": [
            {
                "change": kind.value,
                "shape": shape,
                "cases": len(cases),
                "by_method": {
                    m: {"detected": detection_rate(cases, m), "mean_auc": mean_auc(cases, m)}
                    for m in METHODS
                },
            }
            for kind, shape, cases in scenarios(evaluation, real=False)
        ],
    }


def _ideal_figures(cases: Sequence[Case]) -> dict[str, float | int] | None:
    yardstick = against_ideal(cases)
    if yardstick is None:
        return None
    ideal, found, count = yardstick
    return {"ideal_detector": round(ideal, 3), "full_system": round(found, 3), "cases": count}


def summary_lines(evaluation: Evaluation) -> list[str]:
    """A short text summary for the terminal."""
    lines = [f"false routine alerts per 30 days (target <= {FALSE_TARGET:g}):"]
    for home in evaluation.homes:
        rates = "  ".join(f"{m}: {false_rate(home, m):.2f}" for m in METHODS)
        lines.append(f"  {home.home:<16} {rates}")
    lines.append(f"detection by the deadline (target >= {DETECTION_TARGET:.0%}):")
    for kind, shape, cases in scenarios(evaluation):
        rates = "  ".join(f"{m}: {_pct(detection_rate(cases, m))}" for m in METHODS)
        lines.append(f"  {kind.value:<13} {shape:<8} {rates}")
    lines.append(f"took {evaluation.seconds:.0f} s; {evaluation.model_note}")
    return lines


def write_report(evaluation: Evaluation, path: Path) -> list[Path]:
    """Write the report, its plots and its JSON; the paths written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    stem = path.stem
    plots = _plots(evaluation, path.parent, stem)
    data = path.parent / f"{stem}.json"
    data.write_text(json.dumps(figures(evaluation), indent=1, default=str) + "\n")
    path.write_text("\n".join(_markdown(evaluation, [p.name for p in plots])) + "\n")
    return [path, data, *plots]


def _markdown(evaluation: Evaluation, plots: Sequence[str]) -> list[str]:
    s = evaluation.settings
    cases = evaluation.cases
    lines = [
        "# Routine change evaluation",
        "",
        "Regenerated by `hearth evaluate --routine --report docs/evaluation/routine.md` "
        f"(this run: {s.streams} streams of {s.days} days per home, seed {s.seed}, "
        f"{evaluation.seconds / 60:.1f} minutes on the development machine). "
        "Code: `hub/evaluation/`. Every number below was measured in that run.",
        "",
        "## What was run",
        "",
        "- **Streams**: each dataset home's real days, resampled whole (cut at the "
        "home's quietest hour, weekday for weekday and weekend for weekend, seeded) "
        f"into {s.days}-day streams (`hub/evaluation/resample.py`); and as many "
        "streams of the simulated home (`config/simulated-home.yaml`, the simulator's "
        "'typical' person, `hub/simulate/`). The first 14 days are the learning period. "
        "The targets are judged on the resampled real homes.",
        "- **Changes** injected into the events, abrupt and gradual (14-day ramp), at "
        f"an onset drawn from day {s.earliest_onset} to day {s.days - s.horizon}; "
        f"the changed stream runs {s.horizon} days past the onset "
        "(`hub/evaluation/inject.py` says exactly which events move, go or are added). "
        "A change is injected only into homes with the sensors it acts on, and "
        "persons whose days hold what it changes (see 'Changes not injected').",
        "- **Pipeline**: the real one, `daily_features` -> `day_signs` -> `score_days` "
        "-> `routine_conditions`, the alerts being the conditions as the live hub "
        "raises them (one per behaviour while it holds).",
        f"- **Detected**: an alert the unchanged stream did not raise, from the onset to "
        f"{ABRUPT_WITHIN} days after it (abrupt) or to {GRADUAL_WITHIN} days after the "
        "ramp's last day (gradual). **Delay**: days from the onset to the date whose data "
        "raised the alert (the live hub sends it once that date's result is final, at the "
        "end of the next day: `hub/routine/stored.py`). **AUC**: the day's "
        "score on changed days at full strength against the unchanged stream's judged "
        "days; for statistics and the full system the score is the detector's evidence "
        "after the day (its strongest window of recent days, in standard errors: what it "
        "decides by), with the day's own largest |z| "
        "in its own column. **False alerts**: alerts on the unchanged streams after "
        "learning, per 30 days.",
        "- **Methods**: fixed rules as commercial systems configure them; "
        "IsolationForest on the daily behaviour values (its threshold set to the full "
        "system's false-alert rate over all homes: "
        f"{_num(evaluation.forest_threshold, 3)}); Hearth's statistics alone; the full "
        "system (statistics + the on-device model as one more behaviour). "
        f"Model: {evaluation.model_note}.",
        "",
        "## False routine alerts on unchanged streams",
        "",
        f"Target: at most {FALSE_TARGET:g} per home per 30 days, after learning.",
        "",
        f"![false alerts]({plots[0]})",
        "",
        "| home | days watched | " + " | ".join(METHODS) + " | full system meets target |",
        "|---|---:|" + "---:|" * len(METHODS) + "---|",
    ]
    for home in evaluation.homes:
        rates = [false_rate(home, m) for m in METHODS]
        met = "yes" if false_rate(home, FULL) <= FALSE_TARGET else "**NO**"
        lines.append(
            f"| {home.home} | {home.days_watched} | "
            + " | ".join(f"{r:.2f}" for r in rates)
            + f" | {met} |"
        )
    lines += [
        "",
        "What the full system's false alerts were about (count over all streams):",
        "",
    ]
    for home in evaluation.homes:
        about = ", ".join(f"{k} {v}" for k, v in sorted(home.false_by_behaviour.items())) or "none"
        lines.append(f"- {home.home}: {about}")
    lines += [
        "",
        "## Detection of injected changes",
        "",
        f"Target: at least {DETECTION_TARGET:.0%} detected by the deadline; per-day AUC at "
        f"least {AUC_TARGET} on abrupt changes.",
        "",
        f"![detection]({plots[1]})",
        "",
        f"![AUC]({plots[2]})",
        "",
        "| change | shape | cases | "
        + " | ".join(f"{m}: detected / median delay / AUC" for m in METHODS)
        + " | full system AUC by day score | full system named the right behaviour |",
        "|---|---|---:|" + "---|" * len(METHODS) + "---:|---:|",
    ]
    for kind, shape, group in scenarios(evaluation):
        cells = [
            f"{_pct(detection_rate(group, m))} / {_num(median_delay(group, m), 1)} d / "
            f"{_num(mean_auc(group, m))}"
            for m in METHODS
        ]
        named = f"{sum(c.named for c in group)}/{len(group)}"
        day_auc = _num(mean_auc(group, DAY_SCORE))
        lines.append(
            f"| {DESCRIPTIONS[kind]} | {shape} | {len(group)} | "
            + " | ".join(cells)
            + f" | {day_auc} | {named} |"
        )
    simulated = scenarios(evaluation, real=False)
    if simulated:
        lines += [
            "",
            "The same changes in the simulated home (not part of the targets, which are "
            "on resampled real homes):",
            "",
            "| change | shape | cases | "
            + " | ".join(f"{m}: detected / AUC" for m in METHODS)
            + " |",
            "|---|---|---:|" + "---|" * len(METHODS),
        ]
        for kind, shape, group in simulated:
            cells = [
                f"{_pct(detection_rate(group, m))} / {_num(mean_auc(group, m))}" for m in METHODS
            ]
            lines.append(
                f"| {DESCRIPTIONS[kind]} | {shape} | {len(group)} | " + " | ".join(cells) + " |"
            )
    lines += _not_injected(evaluation)
    lines += ["", "Detected by the full system, per home:", ""]
    homes = [h.home for h in evaluation.homes]
    lines.append("| change | shape | " + " | ".join(homes) + " |")
    lines.append("|---|---|" + "---:|" * len(homes))
    for kind, shape, _ in scenarios(evaluation):
        group = [c for c in cases if c.kind is kind and c.shape == shape]
        cells = [_pct(detection_rate([c for c in group if c.home == h], FULL)) for h in homes]
        lines.append(f"| {DESCRIPTIONS[kind]} | {shape} | " + " | ".join(cells) + " |")
    lines += _by_size(evaluation)
    lines += ["", "## Against the targets", ""]
    lines += _verdicts(evaluation, [c for c in cases if c.home in DATASET_FILES])
    lines += ["", "## Day types on the unchanged streams", ""]
    kinds = sorted({k for h in evaluation.homes for k in h.day_types})
    lines.append("| home | " + " | ".join(kinds) + " |")
    lines.append("|---|" + "---:|" * len(kinds))
    for home in evaluation.homes:
        lines.append(
            f"| {home.home} | " + " | ".join(str(home.day_types.get(k, 0)) for k in kinds) + " |"
        )
    return lines


def by_size(cases: Sequence[Case]) -> dict[str, tuple[int, int]]:
    """Per size band (`size.BANDS`): cases the full system detected, and cases with that size."""
    out = {}
    for band, _, _ in BANDS:
        inside = [c for c in cases if c.size is not None and band_of(c.size) == band]
        found = sum(detected(c.delay.get(FULL), SHAPES[c.shape]) for c in inside)
        out[band] = (found, len(inside))
    return out


def against_ideal(cases: Sequence[Case]) -> tuple[float, float, int] | None:
    """Abrupt cases with a size: the share an ideal detector would find (`size.py`,
    `ideal_detection`, averaged over the cases' sizes), the share the full system
    found by the deadline, and how many cases; None without such cases."""
    sized = [c for c in cases if c.shape == "abrupt" and c.size is not None]
    if not sized:
        return None
    ideal = statistics.fmean(ideal_detection(c.size) for c in sized if c.size is not None)
    found = sum(detected(c.delay.get(FULL), SHAPES[c.shape]) for c in sized) / len(sized)
    return ideal, found, len(sized)


def _by_size(evaluation: Evaluation) -> list[str]:
    """Detection by how big each change was for the person (`size.py`), real homes."""
    rows = []
    for kind, shape, group in scenarios(evaluation):
        bands = by_size(group)
        if not any(cases for _, cases in bands.values()):
            continue
        cells = [f"{found}/{cases}" if cases else "-" for found, cases in bands.values()]
        rows.append(f"| {DESCRIPTIONS[kind]} | {shape} | " + " | ".join(cells) + " |")
    if not rows:
        return []
    return [
        "",
        "Detected by the full system, by the change's size for the person: the largest "
        "step it made in a behaviour it moves, in that person's own day-to-day spreads "
        "(`hub/evaluation/size.py`; the door at night is a count judged as a rate, so it "
        "has no size here). A mean of the four days an abrupt deadline leaves stands "
        f"{FOUND:g} standard errors out only when the days are near two spreads out:",
        "",
        "| change | shape | " + " | ".join(f"{band} spreads" for band, _, _ in BANDS) + " |",
        "|---|---|" + "---:|" * len(BANDS),
        *rows,
    ]


def _not_injected(evaluation: Evaluation) -> list[str]:
    streams = evaluation.settings.streams
    rows = [
        # One stream's reason as the example: the streams are drawn from the same real days.
        f"| {home.home} | {DESCRIPTIONS[kind]} | {len(why) // len(SHAPES)} of {streams} "
        f"| {why[0]} |"
        for home in evaluation.homes
        for kind, why in home.not_injected.items()
    ]
    if not rows:
        return []
    return [
        "",
        "### Changes not injected",
        "",
        "A change is injected only where the unchanged days hold what it changes "
        "(`hub/evaluation/inject.py`, `not_in_routine`): the home can tell when the "
        "person slept (time up, night-time toilet visits and door use need the night), "
        "and the person gets up for the toilet at night, or goes out, at least every "
        "other day on average. Elsewhere nothing would change, and a miss would say "
        "nothing of the detector. Not injected:",
        "",
        "| home | change | streams | why (the first such stream) |",
        "|---|---|---:|---|",
        *rows,
    ]


def _verdicts(evaluation: Evaluation, cases: Sequence[Case]) -> list[str]:
    out = []
    real = [h for h in evaluation.homes if h.home in DATASET_FILES]
    worst = max((false_rate(h, FULL) for h in real), default=0.0)
    out.append(
        f"- False alerts <= {FALSE_TARGET:g} per home per 30 days: "
        + ("met" if worst <= FALSE_TARGET else f"**not met** (worst home {worst:.2f})")
    )
    low = [
        f"{DESCRIPTIONS[kind]} ({shape}) {_pct(detection_rate(group, FULL))}"
        for kind, shape, group in scenarios(evaluation)
        if (detection_rate(group, FULL) or 0.0) < DETECTION_TARGET
    ]
    out.append(
        f"- Detection >= {DETECTION_TARGET:.0%}: "
        + ("met for every change" if not low else "**not met** for " + "; ".join(low))
    )
    bands = by_size(cases)
    out.append(
        "- Detection by the change's size in the person's own spreads a day, all real-home "
        "cases with a size: "
        + "; ".join(
            f"{band}: {_pct(found / count)} ({found} of {count})"
            for band, (found, count) in bands.items()
            if count
        )
    )
    yardstick = against_ideal(cases)
    if yardstick is not None:
        ideal, found, count = yardstick
        out.append(
            f"- For scale, the {count} abrupt real-home cases with a size: a detector told "
            "which behaviour changes, which way and from which day, facing day-to-day "
            "variation that is normal and exactly as wide as measured, with the same "
            f"false-alert budget, would find {_pct(ideal)} of them by the deadline "
            f"(`hub/evaluation/size.py`, `ideal_detection`); the full system found {_pct(found)}"
        )
    aucs = [
        (kind, mean_auc(group, FULL))
        for kind, shape, group in scenarios(evaluation)
        if shape == "abrupt"
    ]
    below = [f"{DESCRIPTIONS[k]} {_num(v)}" for k, v in aucs if v is None or v < AUC_TARGET]
    out.append(
        f"- Per-day AUC >= {AUC_TARGET} on abrupt changes: "
        + ("met" if not below else "**not met**: " + "; ".join(below))
    )
    full = detection_rate(cases, FULL) or 0.0
    forest = detection_rate(cases, FOREST) or 0.0
    rules = detection_rate(cases, RULES) or 0.0
    out.append(
        f"- The full system beats every baseline on detection at equal false-alert rate: "
        f"against IsolationForest (its threshold set to the full system's rate) "
        f"{_pct(full)} to {_pct(forest)}: {'yes' if full > forest else '**no**'}. The fixed "
        "rules have no threshold to set: at their own rate, "
        f"{_mean_false(real, RULES):.2f} false alerts per home per 30 days against the full "
        f"system's {_mean_false(real, FULL):.2f}, they detect {_pct(rules)} of the cases to "
        f"the full system's {_pct(full)}"
        + (" (**not beaten** on detection)" if rules >= full else "")
        + "."
    )
    groups = [g for _, _, g in scenarios(evaluation)]
    for method, name in (
        (RULES, "the fixed rules"),
        (FOREST, FOREST),
        (STATISTICS, "statistics alone"),
    ):
        ahead = sum((mean_auc(g, FULL) or 0.0) > (mean_auc(g, method) or 0.0) for g in groups)
        out.append(
            f"- Threshold-free, the full system's per-day AUC is above that of {name} on "
            f"{ahead} of {len(groups)} changes."
        )
    return out


def _mean_false(homes: Sequence[HomeStreams], method: str) -> float:
    return sum(false_rate(h, method) for h in homes) / len(homes) if homes else 0.0


def _plots(evaluation: Evaluation, folder: Path, stem: str) -> list[Path]:
    # Plotting is imported only when a report is written (it is slow to import).
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    homes = [h.home for h in evaluation.homes]
    groups = scenarios(evaluation)
    labels = [f"{k.value}\n{s}" for k, s, _ in groups]
    paths = []
    series = [
        ("false-alerts", homes, [[false_rate(h, m) for h in evaluation.homes] for m in METHODS],
         "false routine alerts per 30 days", FALSE_TARGET),
        ("detection", labels, [[100 * (detection_rate(g, m) or 0.0) for _, _, g in groups]
                               for m in METHODS], "detected by the deadline (%)",
         100 * DETECTION_TARGET),
        ("auc", labels, [[mean_auc(g, m) or 0.0 for _, _, g in groups] for m in METHODS],
         "mean per-day AUC", AUC_TARGET),
    ]  # fmt: skip
    for name, ticks, values, ylabel, target in series:
        figure, axes = plt.subplots(figsize=(max(7.0, 0.9 * len(ticks) + 2), 4.2))
        width = 0.8 / len(METHODS)
        for i, (method, heights) in enumerate(zip(METHODS, values, strict=True)):
            positions = [x + (i - (len(METHODS) - 1) / 2) * width for x in range(len(ticks))]
            axes.bar(positions, heights, width, label=method)
        axes.axhline(target, color="black", linestyle="--", linewidth=1, label="target")
        axes.set_xticks(range(len(ticks)), ticks, fontsize=7)
        axes.set_ylabel(ylabel)
        axes.legend(fontsize=7)
        figure.tight_layout()
        path = folder / f"{stem}-{name}.png"
        figure.savefig(path, dpi=100)
        plt.close(figure)
        paths.append(path)
    return paths
