"""Reading-stage benchmark on shared/data/real_crops (US, Indonesia, Argentina).

Step 1 (slow, readers, about 0.5 s a crop on one thread): dump every crop's reader candidates and
text-box geometry to JSON lines, cached in var/ and resumed where a run stopped. The dump records
the recogniser weights it was made with; after new weights land, pass --fresh.
    OMP_NUM_THREADS=1 nice -n 19 .venv/bin/python bench/real_crops.py dump --threads 1
Step 2 (fast): candidate choice (region any) on the dump; exact accuracy per set and split, and the
letter-grade threshold's precision with its Clopper-Pearson bound on the "report" half.
    .venv/bin/python bench/real_crops.py score --out bench/out/real_crops.json
(`offline/fit_combiner.py` refits the combiner on the dump's "fit" half.)

A fixed subsample that leaves out the Argentinian half a reader may be trained on:
    .venv/bin/python bench/real_crops.py dump --counts us_reported=300,id_satria=200 --skip-trained \
        --threads 1 --out bench/out/real_crops_candidates.jsonl
Our reader's candidates re-read by other weights, every other reader's kept from a dump (fast; also
times our reader per crop):
    .venv/bin/python bench/real_crops.py reread --source bench/out/real_crops_candidates.jsonl \
        --ours var/ocr_runs/RUN/export --out bench/out/real_crops_candidates_new.jsonl
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
    d.add_argument("--threads", type=int, default=1)
    d.add_argument("--shard", default="0/1", help="i/n: this worker reads every n-th crop from the i-th")
    d.add_argument("--out", type=Path, default=DUMP)
    d.add_argument("--fresh", action="store_true", help="discard a cached dump and read every crop again")
    d.add_argument("--per-set", type=int, default=None)
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
    r = sub.add_parser("reread", help="a dump with our reader's candidates re-read by other weights")
    r.add_argument("--source", type=Path, required=True, help="a dump made by the dump step")
    r.add_argument("--ours", type=Path, default=None, help="folder with platewatch_plates.{pth,yaml,py}")
    r.add_argument("--repeat", type=int, default=3, help="timed reads per crop (the best is kept)")
    r.add_argument("--threads", type=int, default=1)
    r.add_argument("--out", type=Path, required=True)
    c = sub.add_parser("calibrate", help="dump (resumed; --fresh after new weights), refit, report")
    c.add_argument("--fresh", action="store_true", help="discard a cached dump and read every crop again")
    c.add_argument("--threads", type=int, default=1)
    c.add_argument("--threshold", type=float, default=0.9)
    c.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "real_crops.json")
    s = sub.add_parser("score")
    s.add_argument("--candidates", type=Path, default=DUMP)
    s.add_argument("--threshold", type=float, default=0.9)
    s.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "real_crops.json")
    args = parser.parse_args()

    if args.command == "calibrate":
        from offline.fit_combiner import fit_file

        run_dump(DUMP, args.fresh, args.threads)
        payload = fit_file(
            DUMP, REPO / "detect" / "reading" / "combiner.json", 1.0, "bench/real_crops.py calibrate"
        )
        print(json.dumps({k: payload[k] for k in ("weights", "bias", "char_pitch", "fitted_on")}))
        report(DUMP, args.threshold, args.out)
        return
    if args.command == "dump":
        index, count = (int(v) for v in args.shard.split("/"))
        subsample = (args.per_set, args.counts, args.skip_trained)
        run_dump(args.out, args.fresh, args.threads, (index, count), subsample)
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
    report(args.candidates, args.threshold, args.out)


def run_dump(
    out: Path,
    fresh: bool,
    threads: int,
    shard: tuple[int, int] = (0, 1),
    subsample: tuple[int | None, dict[str, int] | None, bool] = (None, None, False),
) -> None:
    """Read every crop not yet in the cached dump (all of them with `fresh`)."""
    import torch

    from detect.reading.recogniser import PlateRecogniser
    from models import resolver
    from offline.real_crops import dump, dump_files, load_dump
    from platewatch.config import Detection, ModelPaths

    meta_path = out.with_suffix(".meta.json")
    weights = resolver.sha256_of(resolver.resolve("plate_recogniser"))
    if out.is_file() and not fresh:
        made_with = json.loads(meta_path.read_text()).get("plate_recogniser") if meta_path.is_file() else None
        if made_with != weights:
            sys.exit(
                f"{out} was dumped with recogniser weights {made_with}, not the current {weights}; "
                "rerun with --fresh"
            )
    if fresh:
        for path in dump_files(out):
            path.unlink()
    out.parent.mkdir(parents=True, exist_ok=True)
    meta_path.write_text(json.dumps({"plate_recogniser": weights}) + "\n", encoding="utf-8")
    torch.set_num_threads(threads)
    recogniser = PlateRecogniser(Detection(region="any"), ModelPaths(), threads=threads)
    n = dump(recogniser, SHARED / "data" / "real_crops", out, shard, *subsample)
    print(f"read {n} crops; {len(load_dump(out))} in {out} and its shards")


def report(candidates: Path, threshold: float, out: Path) -> None:
    from offline.real_crops_score import score

    result = score(candidates, threshold)
    for line in result["lines"]:
        print(line)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
