"""Still-image plate pipeline benchmark: accuracy and time per stage on the shared labelled sets.

Runs offline.eval_plates (vehicle -> plate detector -> rectify -> text boxes -> readers -> grammar,
no ground-truth boxes used for reading) on shared/data/uk_dev (region gb) and
shared/data/openalpr_eu (region any), once per reader set, and writes one JSON with the full
reports (per-plate results included).

    .venv/bin/python bench/plates.py --threads 2 --json bench/out/plates.json
    .venv/bin/python bench/plates.py --readers easyocr --readers easyocr,rapidocr
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

SETS = (("uk_dev", "gb"), ("openalpr_eu", "any"))


def main() -> None:
    parser = argparse.ArgumentParser(description="Still-image plate pipeline benchmark.")
    parser.add_argument("--readers", action="append", help="comma-separated reader set (repeatable)")
    parser.add_argument("--threads", type=int, default=0, help="torch/ONNX threads (0: default)")
    parser.add_argument("--limit", type=int, default=None, help="first N images per set")
    parser.add_argument("--json", type=Path, default=REPO / "bench" / "out" / "plates.json")
    args = parser.parse_args()

    import torch

    from detect.reading.recogniser import PlateRecogniser
    from offline.eval_plates import evaluate, summary_line
    from platewatch.config import Detection, ModelPaths

    if args.threads > 0:
        torch.set_num_threads(args.threads)
    reader_sets = args.readers or ["rapidocr,platewatch_plates"]
    out: dict[str, Any] = {"threads": args.threads or torch.get_num_threads(), "runs": []}
    for reader_set in reader_sets:
        names = [r for r in reader_set.split(",") if r]
        base = PlateRecogniser(Detection(), ModelPaths(), readers=names, threads=args.threads)
        for name, region in SETS:
            recogniser = base.for_region(region)  # type: ignore[arg-type]
            recogniser.seconds = type(base.seconds)()  # per-set stage times
            report = evaluate(recogniser, SHARED / "data" / name, limit=args.limit)
            print(summary_line(report))
            stages = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in report["stage_seconds_per_image"].items())
            print(f"  per image: {stages}")
            out["runs"].append({"readers": reader_set, "set": name, **report})
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(out, indent=2), encoding="utf-8")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
