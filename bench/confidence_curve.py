"""Accuracy-coverage curve of single-image plate reads and the letter-grade threshold it supports.

Pools the per-plate results of the still-image evaluation (offline.eval_plates) on the shared sets,
prints the curve and the thresholds (offline.calibration), writes a JSON and the plot for docs/.

    # reuse existing evaluation output (bench/plates.py or `platewatch eval plates --json`):
    .venv/bin/python bench/confidence_curve.py --from-json bench/out/plates.json
    # or run the evaluation first (about 3 minutes on 2 CPU cores):
    .venv/bin/python bench/confidence_curve.py --threads 2
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = Path(os.environ.get("PLATEWATCH_SHARED_DIR", REPO.parent / "shared"))
os.environ.setdefault("PLATEWATCH_MODEL_DIR", str(SHARED / "models"))

from offline.calibration import (  # noqa: E402  (the path above makes the repo importable)
    DEFAULT_CONFIDENCE_LEVEL,
    DEFAULT_TARGET,
    CurvePoint,
    ThresholdChoice,
    accuracy_coverage,
    at_threshold,
    threshold_from_curve,
)

SETS = (("openalpr_eu", "any"), ("uk_dev", "gb"))
DEFAULT_READERS = "rapidocr,platewatch_plates"
POOLED = "pooled"


def set_name(report: Mapping[str, Any]) -> str:
    return str(report.get("set") or Path(str(report["dataset"])).name)


def load_reports(paths: Sequence[Path], readers: str) -> dict[str, dict[str, Any]]:
    """Per-set reports with the given reader set, from bench/plates.py or `eval plates` JSON."""
    wanted = [r for r in readers.split(",") if r]
    out: dict[str, dict[str, Any]] = {}
    for path in paths:
        data = json.loads(path.read_text(encoding="utf-8"))
        reports = data["runs"] if "runs" in data else [data]
        for report in reports:
            if "results" not in report:
                raise ValueError(f"{path}: a report without per-plate 'results'")
            if list(report.get("readers", [])) != wanted:
                continue
            name = set_name(report)
            if name in out:
                print(f"note: {name} appears again in {path}; the later report is used")
            out[name] = report
    if not out:
        raise ValueError(f"no report with readers {readers} in {', '.join(map(str, paths))}")
    return out


def run_evaluation(readers: str, threads: int) -> dict[str, dict[str, Any]]:
    import torch

    from detect.reading.recogniser import PlateRecogniser
    from offline.eval_plates import evaluate, summary_line
    from platewatch.config import Detection, ModelPaths

    if threads > 0:
        torch.set_num_threads(threads)
    base = PlateRecogniser(
        Detection(), ModelPaths(), readers=[r for r in readers.split(",") if r], threads=threads
    )
    out: dict[str, dict[str, Any]] = {}
    for name, region in SETS:
        report = evaluate(base.for_region(region), SHARED / "data" / name)  # type: ignore[arg-type]
        print(summary_line(report))
        out[name] = {"set": name, **report}
    return out


def pairs_of(report: Mapping[str, Any]) -> tuple[list[tuple[float, bool]], int]:
    """(confidence, correct) of each plate that was read, and the number of plates."""
    results = report["results"]
    # Scored against the plate as printed: published labels with the shipped errata applied (older
    # reports without errata fall back to the published label).
    pairs = [
        (float(r["confidence"]), bool(r.get("correct_with_errata", r["correct"])))
        for r in results
        if r["read"]
    ]
    return pairs, len(results)


def plot_curves(
    curves: Mapping[str, Sequence[CurvePoint]],
    configured: Mapping[str, CurvePoint],
    target: float,
    path: Path,
) -> None:
    """Accuracy against coverage, one line per set; the target line and the configured threshold."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5.5), dpi=120)
    for name, curve in curves.items():
        if not curve:
            continue
        xs = [p.coverage for p in curve]
        ys = [p.accuracy for p in curve]
        n = round(curve[-1].accepted / curve[-1].coverage)
        style = {"linewidth": 2.6, "color": "black"} if name == POOLED else {"linewidth": 1.5}
        point = configured.get(name)
        at_t = f"; {point.accepted} at conf ≥ {point.threshold:g}" if point is not None else ""
        (line,) = ax.step(xs, ys, where="post", label=f"{name} ({n} plates{at_t})", **style)
        ax.plot(xs, ys, "o", markersize=2.5, color=line.get_color())
        if point is not None and point.accepted:
            ax.plot(
                point.coverage,
                point.accuracy,
                marker="X",
                markersize=11,
                color=line.get_color(),
                markeredgecolor="white",
                linestyle="none",
            )
    ax.axhline(target, color="crimson", linestyle="--", linewidth=1.2, label=f"target {target:.1%}")
    threshold = next(iter(configured.values())).threshold if configured else None
    if threshold is not None:
        ax.plot(
            [], [], "X", color="grey", markersize=10, label=f"configured letter grade (conf ≥ {threshold:g})"
        )
    ax.set_xlabel("coverage: share of plates read with confidence ≥ threshold")
    ax.set_ylabel("accuracy of those reads (exact match with the plate as printed)")
    ax.set_title("Single-image plate reads: accuracy vs coverage")
    ax.set_xlim(0, 1.02)
    lowest = min((p.accuracy for c in curves.values() for p in c), default=0.0)
    ax.set_ylim(max(0.0, min(lowest, target) - 0.05), 1.01)
    ax.grid(True, alpha=0.3)
    # Top right sits below the target line and above the long tail of the curves.
    ax.legend(loc="lower left", fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png")
    plt.close(fig)


def _fmt_threshold(value: float | None) -> str:
    return "none" if value is None else f"{value:.4f}"


def describe(name: str, configured: CurvePoint, choice: ThresholdChoice) -> str:
    level = f"{choice.confidence_level:.0%}"
    lines = [
        f"{name}: {choice.plates} plates",
        f"  configured t={configured.threshold:g}: coverage {configured.coverage:.1%} "
        f"({configured.accepted}), accuracy {configured.accuracy:.1%} ({configured.correct}/"
        f"{configured.accepted}), {level} lower bound {configured.lower_bound:.1%}",
        f"  empirical {choice.target_precision:.1%} threshold: {_fmt_threshold(choice.empirical_threshold)}"
        f" -> coverage {choice.empirical_coverage:.1%}, accuracy {choice.empirical_accuracy:.1%}",
        f"  demonstrated ({level} lower bound) threshold: {_fmt_threshold(choice.threshold)}; best bound "
        f"{choice.best_lower_bound:.1%} at t={_fmt_threshold(choice.best_bound_threshold)}; needs "
        f"{choice.needed_all_correct} accepted reads all correct"
        + (
            f" ({choice.more_correct_needed} more correct in a row at the empirical threshold)"
            if choice.more_correct_needed
            else ""
        ),
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="Accuracy-coverage curve of plate-read confidence.")
    parser.add_argument("--from-json", type=Path, nargs="+", help="existing evaluation JSON file(s)")
    parser.add_argument("--readers", default=DEFAULT_READERS, help="reader set to use (comma-separated)")
    parser.add_argument("--threads", type=int, default=0, help="torch/ONNX threads when evaluating")
    parser.add_argument("--target", type=float, default=DEFAULT_TARGET)
    parser.add_argument("--confidence-level", type=float, default=DEFAULT_CONFIDENCE_LEVEL)
    parser.add_argument("--json", type=Path, default=REPO / "bench" / "out" / "confidence_curve.json")
    parser.add_argument("--png", type=Path, default=REPO / "docs" / "accuracy_coverage.png")
    args = parser.parse_args()

    from platewatch.config import Detection

    configured_t = Detection().letter_grade_confidence
    try:
        if args.from_json:
            reports = load_reports(args.from_json, args.readers)
        else:
            reports = run_evaluation(args.readers, args.threads)
    except (OSError, ValueError, KeyError) as e:
        sys.exit(f"cannot read evaluation results: {e}")

    per_set = {name: pairs_of(report) for name, report in reports.items()}
    pooled_pairs = [p for pairs, _ in per_set.values() for p in pairs]
    per_set[POOLED] = (pooled_pairs, sum(total for _, total in per_set.values()))

    curves: dict[str, list[CurvePoint]] = {}
    configured: dict[str, CurvePoint] = {}
    out: dict[str, Any] = {
        "readers": args.readers,
        "target_precision": args.target,
        "confidence_level": args.confidence_level,
        "configured_threshold": configured_t,
        "sources": [str(p) for p in args.from_json] if args.from_json else "evaluated",
        "sets": {},
    }
    for name, (pairs, total) in per_set.items():
        curve = accuracy_coverage(pairs, total, args.confidence_level)
        choice = threshold_from_curve(curve, args.target, args.confidence_level, total=total)
        point = at_threshold(pairs, configured_t, total, args.confidence_level)
        curves[name], configured[name] = curve, point
        print(describe(name, point, choice))
        out["sets"][name] = {
            "plates": total,
            "reads": len(pairs),
            "at_configured": asdict(point),
            "choice": asdict(choice),
            "curve": [asdict(p) for p in curve],
        }

    print(f"\n{POOLED} curve (highest thresholds first):")
    print(f"{'threshold':>9} {'accepted':>8} {'coverage':>8} {'accuracy':>8} {'lower95':>8}")
    for p in curves[POOLED]:
        print(f"{p.threshold:9.4f} {p.accepted:8d} {p.coverage:8.1%} {p.accuracy:8.1%} {p.lower_bound:8.1%}")
    plot_curves(curves, configured, args.target, args.png)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(out, indent=2), encoding="utf-8")
    print(f"wrote {args.json} and {args.png}")


if __name__ == "__main__":
    main()
