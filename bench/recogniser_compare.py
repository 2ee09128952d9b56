"""Side-by-side table of two (or more) plate-recogniser weights on the same fixed evaluation.

Each weight set is measured by the same commands from a checkout that carries it (see
docs/benchmarks.md, "Plate recogniser: street and real-crop training"), writing into one folder:
`TAG_uk_dev.json`, `TAG_openalpr_eu.json` (`platewatch eval plates --json`), `TAG_real_crops.jsonl`
(`bench/real_crops.py dump --counts ... --skip-trained`) and `TAG_street.json` (`bench/street.py`).
This script only reads them and prints one markdown table, each row old against new:

    .venv/bin/python bench/recogniser_compare.py --dir bench/out/ocrtrain --tags old,new \\
        --out bench/out/ocrtrain/compare.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from detect.reading.choice import choose_text  # noqa: E402 - after the path set-up above
from detect.reading.combiner import default_combiner  # noqa: E402
from offline.fit_combiner import REGION, candidates_of, load_rows  # noqa: E402

SET_NAMES = {"us_reported": "US", "id_satria": "Indonesia", "ar_cnn_ocr_lp": "Argentina (unseen half)"}
LETTER_GRADE = 0.9


def _pct(k: int, n: int) -> str:
    return f"{k}/{n} ({100 * k / n:.1f} %)" if n else "—"


def real_crops(path: Path) -> dict[str, Any]:
    """Reading stage (both readers, choice with the shipped combiner) and our reader alone."""
    rows = load_rows(path)
    combiner = default_combiner()
    per: dict[str, dict[str, int]] = defaultdict(
        lambda: {"n": 0, "exact": 0, "ours": 0, "lg": 0, "lg_right": 0}
    )
    seconds: list[float] = []
    reader_seconds: list[float] = []
    for row in rows:
        cands = candidates_of(row)
        t = per[row["set"]]
        t["n"] += 1
        choice = choose_text(cands, REGION, combiner=combiner)
        right = choice is not None and choice.text == row["label"]
        t["exact"] += int(right)
        if choice is not None and choice.confidence >= LETTER_GRADE:
            t["lg"] += 1
            t["lg_right"] += int(right)
        ours = [c for c in cands if c.reader == "platewatch_plates"]
        alone = choose_text(ours, REGION, combiner=combiner) if ours else None
        t["ours"] += int(alone is not None and alone.text == row["label"])
        if "seconds" in row:
            seconds.append(float(row["seconds"]))
        if "reader_seconds" in row:
            reader_seconds.append(float(row["reader_seconds"]))
    return {
        "sets": dict(per),
        "median_read_s": statistics.median(seconds) if seconds else None,
        # our reader alone, best of 3 per crop (`bench/real_crops.py reread`); None for a plain dump
        "median_reader_s": statistics.median(reader_seconds) if reader_seconds else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dir", type=Path, default=REPO / "bench" / "out" / "ocrtrain")
    parser.add_argument("--tags", default="old,new", help="comma-separated file prefixes, e.g. old,new")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    tags = [t.strip() for t in args.tags.split(",") if t.strip()]
    results: dict[str, dict[str, Any]] = {}
    for tag in tags:
        r: dict[str, Any] = {}
        for name in ("uk_dev", "openalpr_eu"):
            p = args.dir / f"{tag}_{name}.json"
            if p.is_file():
                rep = json.loads(p.read_text(encoding="utf-8"))
                r[name] = {
                    k: rep[k] for k in ("plates", "exact", "exact_with_errata", "lenient_exact", "detected")
                }
        p = args.dir / f"{tag}_real_crops.jsonl"
        if p.is_file():
            r["real_crops"] = real_crops(p)
        p = args.dir / f"{tag}_street.json"
        if p.is_file():
            street = json.loads(p.read_text(encoding="utf-8"))
            r["street"] = {
                "total": street["total"],
                "by_width": street["by_width"],
                "by_condition": street["by_condition"],
                "cells": street["cells"],
                "median_read_ms": street["median_read_ms"],
            }
        results[tag] = r

    lines = ["| measure | " + " | ".join(tags) + " |", "|---|" + "---|" * len(tags)]

    def row(label: str, cells: list[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    for name, region in (("openalpr_eu", "any"), ("uk_dev", "gb")):
        if all(name in results[t] for t in tags):
            row(
                f"`{name}` (region {region}), as printed",
                [_pct(results[t][name]["exact_with_errata"], results[t][name]["plates"]) for t in tags],
            )
    if all("openalpr_eu" in results[t] for t in tags):
        row("`openalpr_eu` published labels", [str(results[t]["openalpr_eu"]["exact"]) for t in tags])
    if all("real_crops" in results[t] for t in tags):
        for s, label in SET_NAMES.items():
            sets = [results[t]["real_crops"]["sets"].get(s) for t in tags]
            if all(sets):
                row(f"real crops {label}: reading stage", [_pct(x["exact"], x["n"]) for x in sets if x])
                row(f"real crops {label}: our reader alone", [_pct(x["ours"], x["n"]) for x in sets if x])
        for t in tags:
            sets = results[t]["real_crops"]["sets"].values()
            results[t]["real_crops"]["letter_grade"] = {
                "accepted": sum(x["lg"] for x in sets),
                "right": sum(x["lg_right"] for x in sets),
            }
        row(
            f"real crops, confidence ≥ {LETTER_GRADE}: right / accepted",
            [
                f"{results[t]['real_crops']['letter_grade']['right']}/"
                f"{results[t]['real_crops']['letter_grade']['accepted']}"
                for t in tags
            ],
        )
        if all(results[t]["real_crops"]["median_reader_s"] is not None for t in tags):
            row(
                "our reader: median ms per crop (best of 3)",
                [f"{1000 * results[t]['real_crops']['median_reader_s']:.1f}" for t in tags],
            )
    if all("street" in results[t] for t in tags):
        first = results[tags[0]]["street"]
        for w in first["by_width"]:
            row(
                f"street {w} px, all conditions",
                [
                    _pct(
                        results[t]["street"]["by_width"][w]["exact"],
                        results[t]["street"]["by_width"][w]["plates"],
                    )
                    for t in tags
                ],
            )
        for c in first["by_condition"]:
            row(
                f"street {c} (all widths)",
                [
                    _pct(
                        results[t]["street"]["by_condition"][c]["exact"],
                        results[t]["street"]["by_condition"][c]["plates"],
                    )
                    for t in tags
                ],
            )
        row(
            "street: wrong reads at confidence ≥ 0.9",
            [str(results[t]["street"]["total"]["letter_grade_wrong"]) for t in tags],
        )
    print("\n".join(lines))
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(
            json.dumps({"tags": tags, "results": results, "table": lines}, indent=2), encoding="utf-8"
        )
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
