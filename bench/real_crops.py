"""Reading-stage benchmark on shared/data/real_crops (US, Indonesia, Argentina).

Step 1 (slow, readers, about 0.5 s a crop on one thread): dump every crop's reader candidates and
text-box geometry to JSON lines, cached in var/ and resumed where a run stopped. The dump records
the recogniser weights it was made with; after new weights land, pass --fresh.
    OMP_NUM_THREADS=1 nice -n 19 .venv/bin/python bench/real_crops.py dump --threads 1
Step 2 (fast): candidate choice (region any) on the dump; exact accuracy per set and split, and the
letter-grade threshold's precision with its Clopper-Pearson bound on the "report" half.
    .venv/bin/python bench/real_crops.py score --out bench/out/real_crops.json
(`offline/fit_combiner.py` refits the combiner on the dump's "fit" half.)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = Path(os.environ.get("PLATEWATCH_SHARED_DIR", REPO.parent / "shared"))
os.environ.setdefault("PLATEWATCH_MODEL_DIR", str(SHARED / "models"))
DUMP = REPO / "var" / "real_crops_candidates.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description="Reading stage on real plate crops.")
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("--per-set", type=int, default=None)
    d.add_argument("--threads", type=int, default=2)
    d.add_argument("--out", type=Path, default=DUMP)
    d.add_argument("--fresh", action="store_true", help="discard a cached dump and read every crop again")
    s = sub.add_parser("score")
    s.add_argument("--candidates", type=Path, default=DUMP)
    s.add_argument("--threshold", type=float, default=0.9)
    s.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "real_crops.json")
    args = parser.parse_args()

    if args.command == "dump":
        import torch

        from detect.reading.recogniser import PlateRecogniser
        from models import resolver
        from offline.real_crops import dump
        from platewatch.config import Detection, ModelPaths

        meta_path = args.out.with_suffix(".meta.json")
        weights = resolver.sha256_of(resolver.resolve("plate_recogniser"))
        if args.out.is_file() and not args.fresh:
            made_with = (
                json.loads(meta_path.read_text()).get("plate_recogniser") if meta_path.is_file() else None
            )
            if made_with != weights:
                sys.exit(
                    f"{args.out} was dumped with recogniser weights {made_with}, not the current {weights}; "
                    "rerun with --fresh"
                )
        if args.fresh:
            args.out.unlink(missing_ok=True)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        meta_path.write_text(json.dumps({"plate_recogniser": weights}) + "\n", encoding="utf-8")
        torch.set_num_threads(args.threads)
        recogniser = PlateRecogniser(Detection(region="any"), ModelPaths(), threads=args.threads)
        n = dump(recogniser, SHARED / "data" / "real_crops", args.out, args.per_set)
        print(f"wrote {n} crops to {args.out}")
        return

    from offline.real_crops_score import score

    report = score(args.candidates, args.threshold)
    for line in report["lines"]:
        print(line)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
