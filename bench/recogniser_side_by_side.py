"""Two plate-recogniser weight folders in one process, interleaved crop by crop so both see the same
machine load: per-crop time of our reader alone (best of 3, median) on the real crops of a dump,
and exact reads of clean synthetic UK plates drawn with the real glyph shapes.

    .venv/bin/python bench/recogniser_side_by_side.py --old models/ocr \\
        --new var/ocr_runs/street_real_ar/export --candidates bench/out/ocrtrain/old_real_crops.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = Path(os.environ.get("PLATEWATCH_SHARED_DIR", REPO.parent / "shared"))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--old", type=Path, required=True, help="folder with platewatch_plates.{pth,yaml,py}")
    parser.add_argument("--new", type=Path, required=True)
    parser.add_argument(
        "--candidates", type=Path, required=True, help="a bench/real_crops.py dump (which crops)"
    )
    parser.add_argument("--every", type=int, default=3, help="time every k-th crop of the dump")
    parser.add_argument("--uk-plates", type=int, default=40, help="clean real-glyph UK plates to read")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    import cv2
    import numpy as np
    import torch

    from detect.reading.custom_recogniser import PlatewatchPlateReader
    from offline.synth import generate_plate

    torch.set_num_threads(args.threads)
    readers = {"old": PlatewatchPlateReader(args.old), "new": PlatewatchPlateReader(args.new)}
    with args.candidates.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()][:: max(1, args.every)]
    times: dict[str, list[float]] = {k: [] for k in readers}
    for row in rows:
        raw = cv2.imread(str(SHARED / "data" / "real_crops" / row["set"] / row["file"]), cv2.IMREAD_COLOR)
        if raw is None:
            sys.exit(f"unreadable crop {row['set']}/{row['file']}")
        image = np.asarray(raw, dtype=np.uint8)
        for name, reader in readers.items():
            best = float("inf")
            for _ in range(3):
                t0 = time.perf_counter()
                reader.read(image)
                best = min(best, time.perf_counter() - t0)
            times[name].append(best)
    right = dict.fromkeys(readers, 0)
    for i in range(args.uk_plates):
        plate = generate_plate(2024, i, layouts=["gb_current"], clean=True, uk_glyphs="real")
        for name, reader in readers.items():
            right[name] += int(reader.recognise(plate.image)[0] == plate.label)
    report = {
        name: {
            "median_ms": round(1000 * statistics.median(times[name]), 2),
            "crops_timed": len(times[name]),
            "uk_real_glyph_exact": right[name],
            "uk_plates": args.uk_plates,
        }
        for name in readers
    }
    for name, r in report.items():
        print(
            f"{name}: {r['median_ms']} ms per crop (median of {r['crops_timed']}, best of 3, "
            f"{args.threads} thread); clean real-glyph UK plates {r['uk_real_glyph_exact']}/{r['uk_plates']}"
        )
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
