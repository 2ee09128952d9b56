"""Colour accuracy on real labelled photos: detect the vehicle, crop it, measure its colour.

    python bench/colour.py --images ../shared/data/openalpr_eu --labels bench/data/colour_labels.csv \
        --out colour.json

Labels (bench/data/colour_labels.csv) were made by eye from the photos, leaving out cars whose colour a
person could not name with confidence (turquoise, dark blue-black). Prints accuracy, per-colour recall,
the confusion pairs and the measured-share of crops; writes them as JSON with --out.
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import Counter
from pathlib import Path

import cv2

from detect.colour import measure
from detect.vehicles import VehicleDetector
from platewatch.config import Detection, ModelPaths


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", type=Path, required=True)
    ap.add_argument("--labels", type=Path, required=True)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    detector = VehicleDetector(Detection(), ModelPaths())
    rows = list(csv.DictReader(args.labels.open(encoding="utf-8")))
    confusion: Counter[tuple[str, str]] = Counter()
    per: dict[str, list[bool]] = {}
    unmeasured = 0
    for row in rows:
        img = cv2.imread(str(args.images / row["file"]))
        if img is None:
            raise SystemExit(f"cannot read {row['file']}")
        found = detector.detect(img)
        if found:
            # The pipeline measures the tracked vehicle; in a photo that is the largest one in view.
            best = max(found, key=lambda d: (d.box[2] - d.box[0]) * (d.box[3] - d.box[1]))
            x1, y1, x2, y2 = (max(0, int(v)) for v in best.box)
            crop = img[y1:y2, x1:x2]
        else:
            crop = img  # a close-up with no whole vehicle in view: the photo is the vehicle
        reading = measure(crop)
        got = reading.colour if reading else "none"
        unmeasured += reading is None
        confusion[(row["colour"], got)] += 1
        per.setdefault(row["colour"], []).append(got == row["colour"])
    correct = sum(n for (t, g), n in confusion.items() if t == g)
    result = {
        "images": len(rows),
        "accuracy": round(correct / len(rows), 3),
        "unmeasured": unmeasured,
        "recall": {k: round(sum(v) / len(v), 3) for k, v in sorted(per.items())},
        "support": {k: len(v) for k, v in sorted(per.items())},
        "errors": {f"{t}->{g}": n for (t, g), n in sorted(confusion.items()) if t != g},
    }
    print(json.dumps(result, indent=2))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
