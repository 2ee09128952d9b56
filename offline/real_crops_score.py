"""Candidate choice on the real-crop dump: exact accuracy per set and half, before (hand-set
ranking) and after (fitted combiner), and the letter-grade threshold's precision on the "report"
half (never fitted on) with its two-sided 95 % Wilson interval and one-sided Clopper-Pearson bound."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from detect.reading.choice import choose_text
from detect.reading.combiner import default_combiner
from offline.calibration import clopper_pearson_lower, letter_grade_threshold, wilson_interval
from offline.fit_combiner import REGION, candidates_of, geometry_of
from offline.real_crops import load_dump, split

# Wrong reads accepted at the threshold listed per ranking, for the report.
_MAX_WRONG_SHOWN = 25


def score(path: Path, threshold: float) -> dict[str, Any]:
    rows = load_dump(path)
    model = default_combiner()
    table: dict[str, dict[str, Any]] = defaultdict(lambda: {"n": 0, "before": 0, "after": 0})
    accepted: dict[str, list[bool]] = {"before": [], "after": []}
    wrong: dict[str, list[str]] = {"before": [], "after": []}
    pairs: list[tuple[float, bool]] = []  # the combiner's reads on the report half
    for row in rows:
        cands = candidates_of(row)
        geometry = geometry_of(row)
        half = split(row["label"])
        for name, combiner in (("before", None), ("after", model)):
            choice = choose_text(cands, REGION, combiner=combiner, geometry=geometry)
            right = choice is not None and choice.text == row["label"]
            for key in (f"{row['set']}:{half}", f"all:{half}"):
                if name == "before":
                    table[key]["n"] += 1
                table[key][name] += int(right)
            if half == "report" and choice is not None and name == "after":
                pairs.append((max(0.0, min(1.0, choice.confidence)), right))
            if half == "report" and choice is not None and choice.confidence >= threshold:
                accepted[name].append(right)
                if not right and len(wrong[name]) < _MAX_WRONG_SHOWN:
                    wrong[name].append(f"{row['label']}->{choice.text}@{choice.confidence:.3f}")
    lines = [f"{'set:half':26s} {'n':>5s} {'hand-set':>14s} {'combiner':>14s}"]
    for key in sorted(table):
        t = table[key]
        lines.append(
            f"{key:26s} {t['n']:5d} {t['before']:5d} ({100 * t['before'] / t['n']:5.1f}%)"
            f" {t['after']:5d} ({100 * t['after'] / t['n']:5.1f}%)"
        )
    grade: dict[str, Any] = {}
    report_n = sum(t["n"] for k, t in table.items() if k == "all:report")
    for name, flags in accepted.items():
        n, k = len(flags), sum(flags)
        lower = clopper_pearson_lower(k, n) if n else 0.0
        wilson = wilson_interval(k, n) if n else (0.0, 0.0)
        grade[name] = {
            "accepted": n,
            "right": k,
            "precision": k / n if n else None,
            "coverage": n / report_n if report_n else 0.0,
            "wilson_95": list(wilson),
            "cp_lower_95": lower,
            "wrong_examples": wrong[name],
        }
        label = "hand-set" if name == "before" else "combiner"
        lines.append(
            f"report half ({report_n} crops), confidence >= {threshold}, {label}: {k}/{n} right"
            + (
                f" ({100 * k / n:.2f}%, Wilson 95% {100 * wilson[0]:.2f}-{100 * wilson[1]:.2f}%,"
                f" one-sided CP lower {100 * lower:.2f}%), coverage {100 * n / report_n:.1f}%"
                if n
                else ""
            )
        )
        if wrong[name]:
            lines.append(f"  wrong at >= {threshold}: {', '.join(wrong[name])}")
    if pairs:
        target = letter_grade_threshold(pairs, total=report_n)
        lines.append(
            f"combiner, report half: lowest threshold observed at >= {100 * target.target_precision:.1f}%"
            f" right: {target.empirical_threshold} (coverage {100 * target.empirical_coverage:.1f}%);"
            f" demonstrated at 95% confidence: {target.threshold}"
            f" (best one-sided lower bound {100 * target.best_lower_bound:.1f}%)"
        )
        grade["target"] = {
            "empirical_threshold": target.empirical_threshold,
            "empirical_coverage": target.empirical_coverage,
            "demonstrated_threshold": target.threshold,
            "best_lower_bound": target.best_lower_bound,
        }
    return {"table": dict(table), "letter_grade": grade, "threshold": threshold, "lines": lines}
