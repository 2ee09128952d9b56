"""Real crops through `PlateRecogniser.read_plate`, the motion-blur second read on and off.

    .venv/bin/python bench/real_crops_second_read.py --per-set 150 --out bench/out/real_second_read.json

The crops of `../shared/data/real_crops` (about `--per-set` per set, every k-th, the Argentinian
half a reader may be trained on left out), each read with the whole crop as the plate box under
region any, once with `detection.motion_deblur` on and once off. Real crops are sharp: what this
measures is the harm the second read does where there is no motion blur to undo. Prints and writes
reads right, reads at letter grade and wrong among them, both ways, and every crop whose read changed.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> None:
    from detect.reading.recogniser import PlateObservation, PlateRecogniser
    from detect.still import load_image
    from offline.real_crops import crops
    from platewatch.config import Detection, ModelPaths

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--per-set", type=int, default=150, help="crops per set (every k-th)")
    ap.add_argument("--root", type=Path, default=REPO.parent / "shared" / "data" / "real_crops")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()

    on = PlateRecogniser(Detection(region="any"), ModelPaths())
    off = on.for_region("any")
    off.detection = off.detection.model_copy(update={"motion_deblur": False})
    threshold = on.detection.letter_grade_confidence
    now = datetime.now(UTC)
    totals: dict[str, dict[str, int]] = {
        k: {"right": 0, "letter_grade": 0, "wrong_at_letter_grade": 0} for k in ("on", "off")
    }
    changed: list[dict[str, Any]] = []
    n = 0
    for crop in crops(args.root, per_set=args.per_set, skip_trained=True):
        image = load_image(crop.path)
        h, w = image.shape[:2]
        box = (0.0, 0.0, float(w), float(h))
        label = "".join(crop.label.split()).upper()
        reads: dict[str, PlateObservation | None] = {
            "on": on.read_plate(image, box, now),
            "off": off.read_plate(image, box, now),
        }
        n += 1
        for key, obs in reads.items():
            if obs is None:
                continue
            right = obs.read.text == label
            totals[key]["right"] += right
            if obs.read.confidence >= threshold:
                totals[key]["letter_grade"] += 1
                totals[key]["wrong_at_letter_grade"] += not right
        texts = {k: (o.read.text if o is not None else None) for k, o in reads.items()}
        if texts["on"] != texts["off"]:
            changed.append({"set": crop.set_name, "file": crop.file, "label": label, **texts})
    report = {"crops": n, "threshold": threshold, **totals, "changed": changed}
    for key in ("off", "on"):
        t = totals[key]
        print(
            f"second read {key:3s}: {t['right']}/{n} right, {t['letter_grade']} at letter grade, "
            f"{t['wrong_at_letter_grade']} wrong among them"
        )
    print(f"{len(changed)} reads changed")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
