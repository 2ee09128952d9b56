"""Why a plate read won: every candidate of every plate in still images, with its measured features.

For each plate the still pipeline finds (`detect.still.plates_in_image`), prints the rectified
patch's geometry (registration line x1..x2, character height, blue band end), each reader's
candidates with their spans in patch pixels, the pooled candidates' combiner features, whether the
whole-plate rule put them out, their combiner probability, and the choice. Writes the same as JSON.

    .venv/bin/python bench/explain_choice.py ../shared/data/openalpr_eu/test_020.jpg --region any \\
        --out var/bench/explain_test_020.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = Path(os.environ.get("PLATEWATCH_SHARED_DIR", REPO.parent / "shared"))
os.environ.setdefault("PLATEWATCH_MODEL_DIR", str(SHARED / "models"))


def main() -> None:
    parser = argparse.ArgumentParser(description="Explain the candidate choice on still images.")
    parser.add_argument("images", type=Path, nargs="+")
    parser.add_argument("--region", choices=("gb", "any"), default="any")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    import cv2
    import numpy as np
    import torch

    from detect.reading.choice import FEATURE_NAMES, candidate_features, choose_text
    from detect.reading.combiner import default_combiner
    from detect.reading.localise import rectify_plate
    from detect.reading.recogniser import PlateRecogniser
    from detect.still import plates_in_image
    from platewatch.config import Detection, ModelPaths

    torch.set_num_threads(args.threads)
    recogniser = PlateRecogniser(Detection(region=args.region), ModelPaths(), threads=args.threads)
    model = default_combiner()
    pitch = model.char_pitch if model is not None else 0.0
    report: list[dict[str, Any]] = []
    failed = 0
    for path in args.images:
        raw = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if raw is None:
            print(f"{path}: not an image", file=sys.stderr)
            failed += 1
            continue
        image = np.asarray(raw, dtype=np.uint8)
        for plate in plates_in_image(recogniser, image):
            try:
                patch = rectify_plate(image, plate.box)
            except ValueError as e:
                print(f"{path}: plate {plate.box} not rectified: {e}", file=sys.stderr)
                continue
            candidates, geometry = recogniser.read_patch(patch)
            width = patch.shape[1]
            features = candidate_features(candidates, args.region, None, geometry, pitch)
            choice = choose_text(candidates, args.region, geometry=geometry)
            entry: dict[str, Any] = {
                "image": str(path),
                "box": [round(v, 1) for v in plate.box],
                "patch": list(patch.shape[:2]),
                "geometry": None
                if geometry is None
                else {
                    "x1": geometry.x1,
                    "x2": geometry.x2,
                    "char_height": geometry.char_height,
                    "band_end": geometry.band_end,
                    "char_px": round(geometry.char_height * pitch, 1),
                },
                "candidates": [
                    {
                        "text": c.text,
                        "confidence": round(c.confidence, 3),
                        "reader": c.reader,
                        "variant": c.variant,
                        "span_px": None if c.span is None else [round(s * width, 1) for s in c.span],
                    }
                    for c in candidates
                ],
                "features": [
                    {
                        "text": f.text,
                        "format": f.format,
                        "out": f.truncated,
                        "p": None if model is None else round(model.probability(f.vector()), 3),
                        **{n: round(v, 3) for n, v in zip(FEATURE_NAMES, f.vector(), strict=True)},
                    }
                    for f in features
                ],
                "choice": None if choice is None else {"text": choice.text, "confidence": choice.confidence},
            }
            report.append(entry)
            print(json.dumps(entry))
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
