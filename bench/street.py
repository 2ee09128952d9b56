"""Street-camera benchmark: plate reading under small, blurred, night and compressed conditions.

Stills (default): every labelled plate of the shared sets (`openalpr_eu`, region any; `uk_dev`,
region gb; truth = the plate as printed, i.e. with the shipped label errata) is cut out with its
surrounding scene, resized so the plate box has each target width, degraded under each condition
(`offline.street_conditions`, strengths stated there), and read at its labelled box by the default
readers (`PlateRecogniser.read_plate`: rectification, readers, grammar, choice; the plate detector is
not part of this measurement). Prints exact accuracy and accuracy at letter grade (right with
confidence >= `detection.letter_grade_confidence`, 0.9) per width x condition, counts wrong reads at
or above letter grade, plots both against width (PNG), and writes JSON.

    .venv/bin/python bench/street.py --out bench/out/street.json    # first 20 plates per set
    .venv/bin/python bench/street.py --limit 0                      # every plate (2,808 reads)
    .venv/bin/python bench/street.py --widths 64 --conditions motion5,motion9

Clips (`--clips`): `platewatch process` on each clip in shared/data/plate_clips with a whole-frame
camera (no zones, region gb, a fresh SQLite database per clip), then found / false reads per clip
against its labels.csv (every legible plate is listed; any other stored plate is a false read).

    .venv/bin/python bench/street.py --clips --out bench/out/street_clips.json
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = Path(os.environ.get("PLATEWATCH_SHARED_DIR", REPO.parent / "shared"))
os.environ.setdefault("PLATEWATCH_MODEL_DIR", str(SHARED / "models"))

from offline.street_conditions import (  # noqa: E402 - after the path set-up above
    CONDITIONS,
    WIDTHS,
    check_conditions,
)
from offline.street_scores import (  # noqa: E402
    ClipScore,
    StoredPlate,
    StreetRead,
    StreetScores,
    score_clip,
    score_reads,
)

SETS = (("openalpr_eu", "any"), ("uk_dev", "gb"))
CLIPS_DIR = SHARED / "data" / "plate_clips"


def _ints(text: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None
    if not values or any(v < 8 for v in values):
        raise argparse.ArgumentTypeError(f"widths must be integers >= 8 px, got {text!r}")
    return values


def _conditions(text: str) -> list[str]:
    try:
        return check_conditions([c for c in text.split(",") if c])
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _seed(file: str, width: int, condition: str) -> int:
    # Stable across runs and processes (hash() is salted): the same noise for the same cell.
    return zlib.crc32(f"{file}|{width}|{condition}".encode())


def run_stills(args: argparse.Namespace) -> dict[str, Any]:
    import numpy as np
    import torch

    from detect.reading.recogniser import DEFAULT_READERS, PlateRecogniser
    from detect.still import UnreadableImageError, load_image
    from offline.eval_plates import load_labels
    from offline.label_errata import corrected_labels, shipped_errata
    from offline.street_conditions import apply_condition, scale_to_plate_width
    from platewatch.config import Detection, ModelPaths

    if args.threads > 0:
        torch.set_num_threads(args.threads)
    import yaml

    # The same KEY=VALUE settings as the clips' config file, validated by the same model.
    settings = {k.strip(): yaml.safe_load(v) for k, _, v in (d.partition("=") for d in args.detection)}
    detection = Detection.model_validate(settings)
    threshold = detection.letter_grade_confidence
    base = PlateRecogniser(detection, ModelPaths(), readers=DEFAULT_READERS, threads=args.threads)
    timestamp = datetime.now(UTC)
    reads: list[StreetRead] = []
    read_seconds: list[float] = []
    for set_name, region in SETS:
        folder = SHARED / "data" / set_name
        labels = load_labels(folder)
        printed, _ = corrected_labels(labels, shipped_errata())
        if args.limit is not None:
            printed = printed[: args.limit]
        recogniser = base.for_region(region)  # type: ignore[arg-type]
        images: dict[str, Any] = {}
        for n, label in enumerate(printed, start=1):
            if label.file not in images:
                try:
                    images = {label.file: load_image(folder / label.file)}
                except UnreadableImageError as e:
                    print(f"skipped {label.file}: {e}", file=sys.stderr)
                    continue
            image = images[label.file]
            marks: list[str] = []
            for width in args.widths:
                scaled = scale_to_plate_width(image, label.box, width)
                for condition in args.conditions:
                    rng = np.random.default_rng(_seed(label.file, width, condition))
                    degraded = apply_condition(scaled.image, condition, rng)
                    t0 = time.perf_counter()
                    obs = recogniser.read_plate(degraded, scaled.box, timestamp)
                    read_seconds.append(time.perf_counter() - t0)
                    text = obs.read.text if obs else ""
                    conf = obs.read.confidence if obs else 0.0
                    reads.append(
                        StreetRead(f"{set_name}/{label.file}", label.plate, width, condition, text, conf)
                    )
                    marks.append("." if text == label.plate else "x")
            print(f"{set_name} {n}/{len(printed)} {label.plate}: {''.join(marks)}", flush=True)
    scores = score_reads(reads, threshold)
    print_table(scores, args.widths, args.conditions)
    if args.plot is not None:
        plot(scores, args.widths, args.conditions, args.plot)
        print(f"wrote {args.plot}")
    median_ms = sorted(read_seconds)[len(read_seconds) // 2] * 1000 if read_seconds else 0.0
    return {
        "mode": "stills",
        "threshold": threshold,
        "readers": list(DEFAULT_READERS),
        "limit_per_set": args.limit,
        "detection_settings": args.detection,
        "widths": args.widths,
        "conditions": args.conditions,
        "median_read_ms": round(median_ms, 1),
        "total": scores.total.as_dict(),
        "by_width": {str(w): s.as_dict() for w, s in sorted(scores.by_width.items())},
        "by_condition": {c: s.as_dict() for c, s in scores.by_condition.items()},
        "cells": [{"width": w, "condition": c, **s.as_dict()} for (w, c), s in sorted(scores.cells.items())],
        "reads": [
            {
                "file": r.file,
                "truth": r.truth,
                "width": r.width,
                "condition": r.condition,
                "read": r.read,
                "confidence": round(r.confidence, 4),
            }
            for r in reads
        ],
    }


def print_table(scores: StreetScores, widths: Sequence[int], conditions: Sequence[str]) -> None:
    print(f"\nexact % / letter-grade % (confidence >= {scores.threshold}) by plate width and condition")
    print("width  " + "".join(f"{c:>14}" for c in conditions) + f"{'all':>14}")
    for w in widths:
        row = [scores.cells[(w, c)] for c in conditions] + [scores.by_width[w]]
        print(
            f"{w:>4}px "
            + "".join(f"{100 * s.exact_rate:>7.0f}/{100 * s.letter_grade_rate:<6.0f}" for s in row)
        )
    cols = [scores.by_condition[c] for c in conditions] + [scores.total]
    print("all    " + "".join(f"{100 * s.exact_rate:>7.0f}/{100 * s.letter_grade_rate:<6.0f}" for s in cols))
    t = scores.total
    print(
        f"total: {t.exact}/{t.plates} exact ({t.exact_rate:.1%}), {t.letter_grade_right} right at letter "
        f"grade ({t.letter_grade_rate:.1%}), {t.letter_grade_wrong} wrong at letter grade"
    )
    for wrong in t.wrong_reads:
        print(f"  wrong at letter grade: {wrong}")


def plot(scores: StreetScores, widths: Sequence[int], conditions: Sequence[str], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    for ax, title, attr in (
        (axes[0], "exact", "exact_rate"),
        (axes[1], f"right at letter grade (conf >= {scores.threshold})", "letter_grade_rate"),
    ):
        for c in conditions:
            ax.plot(widths, [100 * getattr(scores.cells[(w, c)], attr) for w in widths], marker="o", label=c)
        ax.set_title(title)
        ax.set_xlabel("plate width (px)")
        ax.set_xticks(list(widths))
        ax.set_ylim(0, 100)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("% of plates")
    axes[1].legend(loc="lower right", fontsize=8)
    fig.suptitle(f"Street-camera conditions: {scores.total.plates} degraded reads ({len(widths)} widths)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _clip_labels() -> dict[str, list[str]]:
    labels_path = CLIPS_DIR / "labels.csv"
    if not labels_path.is_file():
        raise SystemExit(f"error: no clip labels at {labels_path}")
    out: dict[str, list[str]] = {}
    with labels_path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            out.setdefault(row["clip"], []).append(row["plate"])
    return out


def _whole_frame_config(folder: Path, camera_id: str, clip: Path, detection: Sequence[str] = ()) -> Path:
    # No zones: the whole frame is watched and read (detect.zones); region gb, the product default.
    # `detection`: KEY=VALUE settings added to the detection block (validated by the config loader).
    extra = "".join(
        f"  {key.strip()}: {value.strip()}\n" for key, _, value in (d.partition("=") for d in detection)
    )
    text = (
        "site:\n  name: street benchmark\n"
        f"storage:\n  data_dir: {json.dumps(str(folder / 'data'))}\n"
        "detection:\n  region: gb\n"
        + extra
        + f"cameras:\n  - id: {camera_id}\n    source: {json.dumps(str(clip))}\n"
        "    start_time: 2026-01-01T12:00:00Z\n"
    )
    path = folder / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def stored_plates(database_url: str) -> list[StoredPlate]:
    import sqlalchemy as sa

    from intel_api.db.models import Sighting

    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(Sighting.plate_text, Sighting.plate_confidence).where(
                    Sighting.plate_text.is_not(None)
                )
            ).all()
    finally:
        engine.dispose()
    return [StoredPlate(str(text), float(conf or 0.0)) for text, conf in rows if text]


def run_clips(only: Sequence[str] | None = None, detection: Sequence[str] = ()) -> dict[str, Any]:
    labels = _clip_labels()
    if only:
        unknown = sorted(set(only) - set(labels))
        if unknown:
            raise SystemExit(f"error: no clip {', '.join(unknown)} in {CLIPS_DIR / 'labels.csv'}")
        labels = {k: v for k, v in labels.items() if k in only}
    platewatch = Path(sys.executable).with_name("platewatch")
    if not platewatch.is_file():
        raise SystemExit(f"error: {platewatch} not found (install the package into this environment)")
    scores: list[ClipScore] = []
    failed: list[str] = []
    for clip_name, plates in labels.items():
        clip = CLIPS_DIR / clip_name
        if not clip.is_file():
            print(f"error: {clip} listed in labels.csv but missing", file=sys.stderr)
            failed.append(clip_name)
            continue
        camera_id = "".join(ch if ch.isalnum() else "_" for ch in clip.stem.lower())
        with tempfile.TemporaryDirectory(prefix="street_clip_") as tmp:
            folder = Path(tmp)
            config = _whole_frame_config(folder, camera_id, clip, detection)
            url = f"sqlite:///{folder / 'sightings.db'}"
            cmd = [str(platewatch), "process", camera_id, "--config", str(config)]
            cmd += ["--database-url", url, "--no-progress"]
            t0 = time.perf_counter()
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
            seconds = time.perf_counter() - t0
            output = done.stdout + done.stderr
            if done.returncode != 0 and "is cut off" in output:
                # A clip shorter than its header (paris_rain.mp4): every decodable frame was processed.
                print(f"note: {clip_name} is cut off; scoring the frames that decode", flush=True)
            elif done.returncode != 0:
                print(
                    f"error: platewatch process failed on {clip_name}:\n{done.stderr[-2000:]}",
                    file=sys.stderr,
                )
                failed.append(clip_name)
                continue
            score = score_clip(clip_name, plates, stored_plates(url))
        scores.append(score)
        false = ", ".join(f"{p.text}@{p.confidence:.2f}" for p in score.false_reads) or "none"
        print(
            f"{clip_name}: found {len(score.found)}/{len(score.labelled)} "
            f"({', '.join(score.found) or '-'}; missed {', '.join(score.missed) or '-'}), "
            f"{len(score.false_reads)} false reads ({score.confident_false_reads} at >= 0.5): {false} "
            f"[{seconds:.0f} s]",
            flush=True,
        )
    found = sum(len(s.found) for s in scores)
    labelled = sum(len(s.labelled) for s in scores)
    false_total = sum(len(s.false_reads) for s in scores)
    confident = sum(s.confident_false_reads for s in scores)
    print(f"total: {found}/{labelled} found, {false_total} false reads ({confident} at >= 0.5)")
    if failed:
        raise SystemExit(f"error: {len(failed)} clip(s) not processed: {', '.join(failed)}")
    return {
        "mode": "clips",
        "detection_settings": list(detection),
        "found": found,
        "labelled": labelled,
        "false_reads": false_total,
        "false_reads_at_or_above_0_5": confident,
        "clips": [s.as_dict() for s in scores],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Street-camera plate-reading benchmark.")
    parser.add_argument("--clips", action="store_true", help="run platewatch process on the plate clips")
    parser.add_argument("--clip", action="append", help="with --clips: only this clip (repeatable)")
    parser.add_argument(
        "--detection",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a detection setting for the run, e.g. motion_deblur=false (repeatable)",
    )
    # 20 per set: 29 plates x 24 cells, minutes on a quiet 2-core machine; 0 reads all 117 plates.
    parser.add_argument("--limit", type=int, default=20, help="first N labelled plates per set (0: all)")
    parser.add_argument("--widths", type=_ints, default=list(WIDTHS), help="plate widths, e.g. 48,64")
    parser.add_argument(
        "--conditions", type=_conditions, default=list(CONDITIONS), help=f"from {','.join(CONDITIONS)}"
    )
    parser.add_argument("--threads", type=int, default=2, help="torch/ONNX threads (0: default)")
    parser.add_argument("--plot", type=Path, default=REPO / "docs" / "street_accuracy.png")
    parser.add_argument("--no-plot", dest="plot", action="store_const", const=None)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "street.json")
    args = parser.parse_args()
    if args.limit < 0:
        parser.error("--limit must be >= 0")
    args.limit = args.limit or None
    bad = [d for d in args.detection if "=" not in d or not d.partition("=")[0].strip()]
    if bad:
        parser.error(f"--detection wants KEY=VALUE, got {', '.join(bad)}")
    report = run_clips(args.clip, args.detection) if args.clips else run_stills(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
