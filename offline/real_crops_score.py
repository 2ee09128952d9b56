"""Candidate choice on the real-crop dump: exact accuracy per set and half, before (hand-set
ranking) and after (fitted combiner), and the letter-grade threshold's precision on the "report"
half with its one-sided 95 % Clopper-Pearson lower bound."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from detect.reading.choice import choose_text
from detect.reading.combiner import default_combiner
from offline.calibration import clopper_pearson_lower
from offline.fit_combiner import REGION, candidates_of, load_rows
from offline.real_crops import split


def score(path: Path, threshold: float) -> dict[str, Any]:
    rows = load_rows(path)
    model = default_combiner()
    table: dict[str, dict[str, Any]] = defaultdict(lambda: {"n": 0, "before": 0, "after": 0})
    accepted: dict[str, list[bool]] = {"before": [], "after": []}
    for row in rows:
        cands = candidates_of(row)
        half = split(row["label"])
        for name, combiner in (("before", None), ("after", model)):
            choice = choose_text(cands, REGION, combiner=combiner)
            right = choice is not None and choice.text == row["label"]
            for key in (f"{row['set']}:{half}", f"all:{half}"):
                if name == "before":
                    table[key]["n"] += 1
                table[key][name] += int(right)
            if half == "report" and choice is not None and choice.confidence >= threshold:
                accepted[name].append(right)
    lines = [f"{'set:half':26s} {'n':>5s} {'before':>14s} {'after':>14s}"]
    for key in sorted(table):
        t = table[key]
        lines.append(
            f"{key:26s} {t['n']:5d} {t['before']:5d} ({100 * t['before'] / t['n']:5.1f}%)"
            f" {t['after']:5d} ({100 * t['after'] / t['n']:5.1f}%)"
        )
    grade: dict[str, Any] = {}
    for name, flags in accepted.items():
        n, k = len(flags), sum(flags)
        lower = clopper_pearson_lower(k, n) if n else 0.0
        grade[name] = {"accepted": n, "right": k, "precision": k / n if n else None, "cp_lower_95": lower}
        lines.append(
            f"report half, confidence >= {threshold}: {name}: {k}/{n} right"
            + (f" ({100 * k / n:.1f}%, 95% lower bound {100 * lower:.1f}%)" if n else "")
        )
    return {"table": dict(table), "letter_grade": grade, "threshold": threshold, "lines": lines}
