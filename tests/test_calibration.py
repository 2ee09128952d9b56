"""Accuracy-coverage curve, Clopper-Pearson bound and letter-grade threshold choice (no models)."""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path
from types import ModuleType

import pytest

from offline.calibration import (
    accuracy_coverage,
    at_threshold,
    clopper_pearson_lower,
    letter_grade_threshold,
    needed_all_correct,
)

REPO = Path(__file__).resolve().parents[1]


def _bench_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("confidence_curve", REPO / "bench" / "confidence_curve.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_curve_on_constructed_pairs() -> None:
    pairs = [(0.99, True), (0.95, True), (0.95, False), (0.8, True), (0.5, False)]
    curve = accuracy_coverage(pairs, total=10)  # 5 plates gave no read at all
    assert [p.threshold for p in curve] == [0.99, 0.95, 0.8, 0.5]
    assert [p.accepted for p in curve] == [1, 3, 4, 5]  # the tie at 0.95 is accepted together
    assert [p.coverage for p in curve] == pytest.approx([0.1, 0.3, 0.4, 0.5])
    assert [p.accuracy for p in curve] == pytest.approx([1.0, 2 / 3, 0.75, 0.6])
    point = at_threshold(pairs, 0.9, total=10)
    assert (point.accepted, point.correct) == (3, 2) and point.coverage == pytest.approx(0.3)
    empty = at_threshold(pairs, 0.999, total=10)
    assert empty.accepted == 0 and empty.coverage == 0.0


def test_coverage_never_decreases_and_bounds_stay_below_accuracy() -> None:
    pairs = [((i * 37 % 101) / 100, i % 7 != 0) for i in range(200)]
    curve = accuracy_coverage(pairs)
    coverages = [p.coverage for p in curve]
    assert coverages == sorted(coverages) and coverages[-1] == 1.0
    thresholds = [p.threshold for p in curve]
    assert thresholds == sorted(thresholds, reverse=True) and len(set(thresholds)) == len(thresholds)
    assert all(0.0 <= p.lower_bound <= p.accuracy for p in curve)


def test_clopper_pearson_matches_closed_forms() -> None:
    assert clopper_pearson_lower(0, 10) == 0.0
    assert clopper_pearson_lower(20, 20) == pytest.approx(0.05 ** (1 / 20))
    # k = 1: P(X >= 1) = 1 - (1 - p)^n = alpha.
    assert clopper_pearson_lower(1, 5) == pytest.approx(1 - 0.95 ** (1 / 5), rel=1e-9)
    stats = pytest.importorskip("scipy.stats")
    for k, n in [(83, 108), (199, 200), (5, 9)]:
        assert clopper_pearson_lower(k, n) == pytest.approx(stats.beta.ppf(0.05, k, n - k + 1), rel=1e-9)
    with pytest.raises(ValueError, match="correct <= total"):
        clopper_pearson_lower(3, 2)


def test_needed_count_is_the_smallest_that_demonstrates() -> None:
    n = needed_all_correct(0.995, 0.95)
    assert n == 598  # ln(0.05) / ln(0.995) = 597.6
    assert clopper_pearson_lower(n, n) >= 0.995 > clopper_pearson_lower(n - 1, n - 1)
    assert needed_all_correct(0.95, 0.95) == math.ceil(math.log(0.05) / math.log(0.95))


def test_separable_set_gives_the_threshold_above_every_error() -> None:
    # 700 correct reads at 0.9-0.97, 300 wrong ones at or below 0.6: separable at 0.9.
    right = [(0.9 + (i % 8) / 100, True) for i in range(700)]
    wrong = [(0.3 + (i % 31) / 100, False) for i in range(300)]
    choice = letter_grade_threshold(right + wrong)
    assert choice.demonstrable
    assert choice.threshold == pytest.approx(0.9)
    assert choice.empirical_threshold == pytest.approx(0.9)
    assert choice.empirical_coverage == pytest.approx(0.7) and choice.empirical_accuracy == 1.0
    assert choice.more_correct_needed == 0
    assert choice.best_lower_bound >= 0.995


def test_small_set_cannot_demonstrate_and_says_how_many_are_needed() -> None:
    pairs = [(0.95, True)] * 50 + [(0.4, False)] * 5
    choice = letter_grade_threshold(pairs)
    assert not choice.demonstrable and choice.threshold is None
    assert choice.empirical_threshold == 0.95 and choice.empirical_accuracy == 1.0
    assert choice.best_lower_bound == pytest.approx(0.05 ** (1 / 50))
    assert choice.needed_all_correct == 598
    assert choice.more_correct_needed == 598 - 50
    assert choice.plates == 55


def test_no_threshold_reaches_the_target_empirically() -> None:
    choice = letter_grade_threshold([(0.9, False), (0.8, True)])
    assert choice.empirical_threshold is None and choice.more_correct_needed is None
    assert not choice.demonstrable


def test_bad_input_is_rejected() -> None:
    with pytest.raises(ValueError, match="within"):
        accuracy_coverage([(1.5, True)])
    with pytest.raises(ValueError, match="smaller than"):
        accuracy_coverage([(0.5, True), (0.6, True)], total=1)
    with pytest.raises(ValueError, match="target_precision"):
        letter_grade_threshold([(0.5, True)], target_precision=1.0)


def test_bench_plot_writes_a_png_and_reads_eval_json(tmp_path: Path) -> None:
    bench = _bench_module()
    report = {
        "dataset": "/x/uk_dev",
        "readers": ["easyocr", "rapidocr"],
        "results": [
            {"read": "AB12CDE", "confidence": 0.95, "correct": True},
            {"read": "AB12CDF", "confidence": 0.7, "correct": False},
            {"read": "", "confidence": 0.0, "correct": False},
        ],
    }
    source = tmp_path / "eval.json"
    source.write_text(json.dumps({"runs": [report, {**report, "readers": ["easyocr"]}]}), encoding="utf-8")
    reports = bench.load_reports([source], "easyocr,rapidocr")
    assert list(reports) == ["uk_dev"]
    pairs, total = bench.pairs_of(reports["uk_dev"])
    assert pairs == [(0.95, True), (0.7, False)] and total == 3
    curve = accuracy_coverage(pairs, total)
    png = tmp_path / "plot.png"
    bench.plot_curves({"uk_dev": curve}, {"uk_dev": at_threshold(pairs, 0.9, total)}, 0.995, png)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    with pytest.raises(ValueError, match="no report with readers"):
        bench.load_reports([source], "rapidocr")


def test_wilson_interval_matches_the_textbook_value() -> None:
    from offline.calibration import wilson_interval

    low, high = wilson_interval(95, 100)
    assert abs(low - 0.8882) < 5e-4 and abs(high - 0.9785) < 5e-4
    # All right: the interval still leaves room below 100 %; 600 of 600 clears 99.3 %.
    assert wilson_interval(600, 600)[0] > 0.993 and wilson_interval(600, 600)[1] == 1.0
    with pytest.raises(ValueError):
        wilson_interval(1, 0)
