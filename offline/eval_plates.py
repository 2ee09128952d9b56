"""Plate-reading accuracy of the full still-image pipeline on a labelled folder.

Labels (ground-truth boxes are used only to score, never to read):
- OpenALPR benchmark layout: `NAME.jpg` with `NAME.txt` beside it, lines `file x y w h PLATE`
  (tab- or space-separated);
- or `labels.csv` with columns `file,plate,x,y,w,h`, paths relative to the folder.
"""

from __future__ import annotations

import csv
import difflib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from detect.reading.localise import PlateBox, box_iou
from detect.reading.recogniser import PlateObservation, PlateRecogniser
from detect.records import BoxXYXY
from detect.still import UnreadableImageError, load_image, plates_in_image
from offline.label_errata import Erratum, corrected_labels, shipped_errata

DETECTED_IOU = 0.3
_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp"}


class LabelError(ValueError):
    """A label file that cannot be parsed; names the file and line."""


@dataclass(frozen=True, slots=True)
class LabelledPlate:
    file: str  # relative to the dataset folder
    plate: str
    box: BoxXYXY


def _xywh(values: list[str], where: str) -> BoxXYXY:
    try:
        x, y, w, h = (float(v) for v in values)
    except ValueError:
        raise LabelError(f"{where}: box must be four numbers x y w h, got {values}") from None
    return (x, y, x + w, y + h)


def load_labels(folder: Path) -> list[LabelledPlate]:
    """Ground truth for `folder`, in file order; raises `LabelError` naming a malformed line."""
    if not folder.is_dir():
        raise LabelError(f"{folder}: not a folder")
    csv_path = folder / "labels.csv"
    out: list[LabelledPlate] = []
    if csv_path.is_file():
        with csv_path.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            missing = {"file", "plate", "x", "y", "w", "h"} - set(reader.fieldnames or [])
            if missing:
                raise LabelError(f"{csv_path}: missing columns {', '.join(sorted(missing))}")
            for n, row in enumerate(reader, start=2):
                where = f"{csv_path}:{n}"
                box = _xywh([row["x"], row["y"], row["w"], row["h"]], where)
                out.append(LabelledPlate(row["file"], row["plate"].strip().upper(), box))
        return out
    for txt in sorted(folder.glob("*.txt")):
        for n, line in enumerate(txt.read_text(encoding="utf-8").splitlines(), start=1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) < 6:
                raise LabelError(f"{txt}:{n}: expected 'file x y w h PLATE', got {line!r}")
            image_name = parts[0]
            if not (folder / image_name).exists():
                # Some label files name the image without the folder layout; fall back to the stem.
                siblings = [
                    p.name for p in folder.glob(txt.stem + ".*") if p.suffix.lower() in _IMAGE_SUFFIXES
                ]
                image_name = siblings[0] if siblings else image_name
            out.append(LabelledPlate(image_name, parts[5].upper(), _xywh(parts[1:5], f"{txt}:{n}")))
    if not out:
        raise LabelError(f"{folder}: no labels.csv and no OpenALPR .txt labels")
    return out


def lenient(text: str) -> str:
    """Fold the confusions even a human checks twice: O vs 0, I vs 1."""
    return text.replace("O", "0").replace("I", "1")


def _match(
    truths: list[LabelledPlate], observations: list[PlateObservation]
) -> dict[int, PlateObservation | None]:
    """Assign reads to ground-truth plates: by box overlap first, then by best text similarity."""
    pairs = sorted(
        (
            (box_iou(t.box, o.read.box), ti, oi)
            for ti, t in enumerate(truths)
            for oi, o in enumerate(observations)
            if o.read.box is not None
        ),
        reverse=True,
    )
    assigned: dict[int, PlateObservation | None] = {}
    used: set[int] = set()
    for iou, ti, oi in pairs:
        if iou < DETECTED_IOU:
            break
        if ti in assigned or oi in used:
            continue
        assigned[ti] = observations[oi]
        used.add(oi)
    for ti, truth in enumerate(truths):
        if ti in assigned:
            continue
        free = [(oi, o) for oi, o in enumerate(observations) if oi not in used]
        if not free:
            assigned[ti] = None
            continue
        oi, best = max(free, key=lambda p: difflib.SequenceMatcher(None, truth.plate, p[1].read.text).ratio())
        if difflib.SequenceMatcher(None, truth.plate, best.read.text).ratio() >= 0.5:
            assigned[ti] = best
            used.add(oi)
        else:
            assigned[ti] = None
    return assigned


def evaluate(
    recogniser: PlateRecogniser,
    folder: Path,
    limit: int | None = None,
    progress: Callable[[str], None] | None = None,
    errata: list[Erratum] | None = None,
) -> dict[str, Any]:
    """Run the still-image pipeline over a labelled folder and score it (see module docstring).
    Reads are scored against the published labels and against them with `errata` applied (default:
    the errata shipped in `offline/label_errata/`)."""
    labels = load_labels(folder)
    fixed, applied = corrected_labels(labels, shipped_errata() if errata is None else errata)
    plate_of = {id(label): corrected.plate for label, corrected in zip(labels, fixed, strict=True)}
    by_file: dict[str, list[LabelledPlate]] = {}
    for label in labels:
        by_file.setdefault(label.file, []).append(label)
    files = list(by_file)[: limit if limit is not None else None]
    results: list[dict[str, Any]] = []
    seconds: list[float] = []
    timestamp = datetime.now(UTC)
    for name in files:
        truths = by_file[name]
        t0 = time.perf_counter()
        error: str | None = None
        boxes: list[PlateBox] = []
        observations: list[PlateObservation] = []
        try:
            image = load_image(folder / name)
            boxes = plates_in_image(recogniser, image)
            for plate in boxes:
                observation = recogniser.read_plate(image, plate.box, timestamp)
                if observation is not None:
                    observations.append(observation)
        except UnreadableImageError as e:
            error = str(e)
        seconds.append(time.perf_counter() - t0)
        matched = _match(truths, observations)
        for ti, truth in enumerate(truths):
            obs = matched.get(ti)
            read = obs.read.text if obs else ""
            printed = plate_of[id(truth)]
            entry: dict[str, Any] = {
                "file": name,
                "truth": truth.plate,
                "plate": printed,  # == truth unless an erratum corrects the published label
                "read": read,
                "raw": obs.read.raw_text if obs else "",
                "confidence": round(obs.read.confidence, 4) if obs else 0.0,
                "grammar_valid": obs.read.grammar_valid if obs else False,
                "reader": obs.read.reader if obs else None,
                "correct": read == truth.plate,
                "correct_with_errata": read == printed,
                "lenient_correct": bool(read) and lenient(read) == lenient(truth.plate),
                "detected": any(box_iou(b.box, truth.box) >= DETECTED_IOU for b in boxes),
                "candidates": sorted({c.text for c in obs.candidates}) if obs else [],
            }
            if error is not None:
                entry["error"] = error
            results.append(entry)
        if progress is not None:
            marks = " ".join(f"{r['truth']}->{r['read'] or '-'}" for r in results[-len(truths) :])
            progress(f"{name}: {marks} ({seconds[-1]:.2f}s)")
    plates = len(results)
    exact = sum(r["correct"] for r in results)
    exact_errata = sum(r["correct_with_errata"] for r in results)
    scored_files = set(files)
    lenient_exact = sum(r["lenient_correct"] for r in results)
    return {
        "dataset": str(folder),
        "region": recogniser.detection.region,
        "readers": [r.name for r in recogniser.readers],
        "images": len(files),
        "plates": plates,
        "exact": exact,
        "accuracy": exact / plates if plates else 0.0,
        "errata": [
            {"file": e.file, "label": e.label, "plate": e.plate, "evidence": e.evidence}
            for e in applied
            if e.file in scored_files
        ],
        "exact_with_errata": exact_errata,
        "accuracy_with_errata": exact_errata / plates if plates else 0.0,
        "lenient_exact": lenient_exact,
        "lenient_accuracy": lenient_exact / plates if plates else 0.0,
        "detected": sum(r["detected"] for r in results),
        "errors": sum(1 for r in results if "error" in r),
        "mean_seconds_per_image": sum(seconds) / len(seconds) if seconds else 0.0,
        "stage_seconds_per_image": {
            k: v / max(1, len(files)) for k, v in recogniser.seconds.as_dict().items()
        },
        "results": results,
    }


def summary_line(report: dict[str, Any]) -> str:
    corrected = ""
    if report["errata"]:
        corrected = (
            f" against the published labels, {report['exact_with_errata']}/{report['plates']} "
            f"({report['accuracy_with_errata']:.1%}) with {len(report['errata'])} label errata"
        )
    return (
        f"{report['dataset']}: {report['exact']}/{report['plates']} exact ({report['accuracy']:.1%})"
        f"{corrected}, "
        f"lenient {report['lenient_accuracy']:.1%}, detected {report['detected']}/{report['plates']}, "
        f"{report['errors']} unreadable, {report['mean_seconds_per_image']:.2f} s/image "
        f"[region {report['region']}, readers {'+'.join(report['readers'])}]"
    )
