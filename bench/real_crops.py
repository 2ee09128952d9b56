"""Reading-stage benchmark on shared/data/real_crops (US, Indonesia, Argentina).

Step 1 (slow, readers): dump every crop's reader candidates to JSON lines.
    .venv/bin/python bench/real_crops.py dump --per-set 400 --out bench/out/real_crops_candidates.jsonl
A fixed subsample that leaves out the Argentinian half a reader may be trained on:
    .venv/bin/python bench/real_crops.py dump --counts us_reported=300,id_satria=200 --skip-trained \
        --threads 1 --out bench/out/real_crops_candidates.jsonl
Our reader's candidates re-read by other weights, every other reader's kept from a dump (fast; also
times our reader per crop):
    .venv/bin/python bench/real_crops.py reread --source bench/out/real_crops_candidates.jsonl \
        --ours var/ocr_runs/RUN/export --out bench/out/real_crops_candidates_new.jsonl
Step 2 (fast): candidate choice (region any) on the dump; exact accuracy per set and split, and the
letter-grade threshold's precision with its Clopper-Pearson bound on the "report" half.
    .venv/bin/python bench/real_crops.py score --candidates bench/out/real_crops_candidates.jsonl \
        --out bench/out/real_crops.json
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


def _counts(text: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for part in text.split(","):
        name, _, value = part.partition("=")
        if not value.strip().isdigit():
            raise argparse.ArgumentTypeError(f"expected SET=N[,SET=N], got {text!r}")
        out[name.strip()] = int(value)
    from offline.real_crops import SETS

    unknown = sorted(set(out) - set(SETS))
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown set(s) {unknown}; known: {', '.join(SETS)}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description="Reading stage on real plate crops.")
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("--per-set", type=int, default=None)
    d.add_argument("--threads", type=int, default=2)
    d.add_argument(
        "--counts",
        type=_counts,
        default=None,
        help="crops per set, e.g. us_reported=300,id_satria=200 (others: --per-set; 0 leaves a set out)",
    )
    d.add_argument(
        "--skip-trained",
        action="store_true",
        help="leave out the half of a trainable set (Argentina) that the reader may be trained on",
    )
    d.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "real_crops_candidates.jsonl")
    r = sub.add_parser("reread", help="a dump with our reader's candidates re-read by other weights")
    r.add_argument("--source", type=Path, required=True, help="a dump made by the dump step")
    r.add_argument("--ours", type=Path, default=None, help="folder with platewatch_plates.{pth,yaml,py}")
    r.add_argument("--repeat", type=int, default=3, help="timed reads per crop (the best is kept)")
    r.add_argument("--threads", type=int, default=1)
    r.add_argument("--out", type=Path, required=True)
    s = sub.add_parser("score")
    s.add_argument("--candidates", type=Path, default=REPO / "bench" / "out" / "real_crops_candidates.jsonl")
    s.add_argument("--threshold", type=float, default=0.9)
    s.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "real_crops.json")
    args = parser.parse_args()

    if args.command == "dump":
        import torch

        from detect.reading.recogniser import PlateRecogniser
        from offline.real_crops import dump
        from platewatch.config import Detection, ModelPaths

        torch.set_num_threads(args.threads)
        recogniser = PlateRecogniser(Detection(region="any"), ModelPaths(), threads=args.threads)
        n = dump(
            recogniser, SHARED / "data" / "real_crops", args.out, args.per_set, args.counts, args.skip_trained
        )
        print(f"wrote {n} crops to {args.out}")
        return

    if args.command == "reread":
        import statistics

        import torch

        from detect.reading.custom_recogniser import PlatewatchPlateReader
        from offline.real_crops import reread

        torch.set_num_threads(args.threads)
        reader = PlatewatchPlateReader(args.ours)
        n, k = reread(reader, SHARED / "data" / "real_crops", args.source, args.out, args.repeat)
        with args.out.open(encoding="utf-8") as fh:
            times = [json.loads(line).get("reader_seconds") for line in fh]
        ms = statistics.median(t for t in times if t is not None) * 1000 if k else 0.0
        print(
            f"wrote {n} crops to {args.out}; {k} re-read, median {ms:.1f} ms per crop (best of {args.repeat})"
        )
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
