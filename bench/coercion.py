"""Coercion benchmark: the rate at which correct foreign reads are changed into UK plates (region gb).

Cases: the synthetic generator's foreign layouts (offline/synth/formats.py; with and without the
band's country letters in front of the read), the foreign plates labelled in
shared/data/plate_clips, and the labels of shared/data/real_crops (US, Indonesia, Argentina).
Each correct read goes through `choose_text` with region gb as the only candidate.

    .venv/bin/python bench/coercion.py --out bench/out/coercion.json
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


def main() -> None:
    parser = argparse.ArgumentParser(description="Rate of correct foreign reads changed into UK plates.")
    parser.add_argument("--per-layout", type=int, default=500, help="synthetic plates per foreign layout")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "coercion.json")
    args = parser.parse_args()

    from offline.coercion import clip_cases, real_crop_cases, run, summarise, synthetic_cases

    cases = synthetic_cases(args.per_layout, args.seed)
    clips = SHARED / "data" / "plate_clips" / "labels.csv"
    if clips.is_file():
        cases += clip_cases(clips)
    crops = SHARED / "data" / "real_crops"
    if crops.is_dir():
        cases += real_crop_cases(crops)
    results = run(cases)
    summary = summarise(results)
    print(f"{'source':30s} {'reads':>6s} {'made UK':>8s} {'rate':>7s} {'changed':>8s} {'UK as read':>10s}")
    for key, row in summary.items():
        print(
            f"{key:30s} {row['reads']:6d} {row['made_uk']:8d} {100 * row['rate']:6.2f}%"
            f" {row['changed']:8d} {row['uk_as_read']:10d}"
        )
    examples = [
        {"source": r.case.source, "read": r.case.text, "band": r.with_band, "stored": r.chosen}
        for r in results
        if r.made_uk
    ][:40]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"summary": summary, "examples": examples}, indent=2), encoding="utf-8")
    print(f"wrote {args.out}")
    if examples:
        print("examples:", ", ".join(f"{e['read']}->{e['stored']}" for e in examples[:12]))


if __name__ == "__main__":
    main()
