"""Is a character read beyond a covered registration line the plate's? Measured on the real crops.

A rule proposed for the Slovak plates of openalpr_eu (shield read as M/P before RK906AJ): when a
valid read's measured span leaves less than `k` characters' width of the text boxes' registration
line uncovered, a read one character longer read something outside the line, so the shorter one
is the plate. This counts, over every real crop of a candidates dump, each such pair and which of
the two is the label, per set and per `k`; `--outside` also requires the longer read's measured
span to put its extra character half a character beyond the line. The rule is worth having only
where the shorter read is right more often than the longer one.

    .venv/bin/python bench/leading_character.py --candidates /work/main/var/calib/new_weights.jsonl \\
        --out var/bench/leading_character.json
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SHARES = (0.5, 0.8, 1.0, 1.5)


def main() -> None:
    parser = argparse.ArgumentParser(description="Leading/trailing extra character against the line.")
    parser.add_argument("--candidates", type=Path, required=True, help="a real_crops.py dump (JSON lines)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    from detect.reading.choice import _reads_more, candidate_features
    from detect.reading.combiner import default_combiner
    from detect.reading.readers import PlateGeometry, TextCandidate

    model = default_combiner()
    if model is None or model.char_pitch <= 0:
        raise SystemExit("no fitted combiner with a character pitch: nothing to measure against")
    try:
        rows = [json.loads(line) for line in args.candidates.read_text(encoding="utf-8").splitlines() if line]
    except (OSError, ValueError) as e:
        raise SystemExit(f"{args.candidates}: unreadable dump: {e}") from None
    counts: Counter[tuple[str, str, float, bool]] = Counter()
    for row in rows:
        if not row.get("geometry"):
            continue
        geometry = PlateGeometry(**row["geometry"])
        cands = [TextCandidate(t, c, r, v, tuple(s) if s else None) for t, c, r, v, s in row["candidates"]]
        features = {f.text: f for f in candidate_features(cands, "any", None, geometry, model.char_pitch)}
        char_px = geometry.char_height * model.char_pitch
        for short in features.values():
            measured = any(c.span for c in cands if c.text in (short.text, short.raw))
            if not (short.valid and measured):
                continue
            for text in features:
                if not _reads_more(text, short.text):
                    continue
                spans = [c.span for c in cands if c.span and c.text == text]
                at_start = text.endswith(short.text)
                outside = bool(spans) and all(
                    s[0] * geometry.width < geometry.x1 - char_px / 2
                    if at_start
                    else s[1] * geometry.width > geometry.x2 + char_px / 2
                    for s in spans
                )
                right = (
                    "short" if row["label"] == short.text else "long" if row["label"] == text else "neither"
                )
                room = short.unexplained * geometry.extent / char_px
                for k in SHARES:
                    if room < k:
                        counts[(row["set"], right, k, False)] += 1
                        if outside:
                            counts[(row["set"], right, k, True)] += 1
    table = []
    for k in SHARES:
        for outside in (False, True):
            for data_set in sorted({key[0] for key in counts}):
                cell = {r: counts[(data_set, r, k, outside)] for r in ("short", "long", "neither")}
                table.append({"set": data_set, "k": k, "outside": outside, **cell})
                print(
                    f"k<{k:<4} outside={outside!s:5} {data_set:14} short right {cell['short']:3}  "
                    f"long right {cell['long']:3}  neither {cell['neither']:3}"
                )
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"candidates": str(args.candidates), "table": table}, indent=2))


if __name__ == "__main__":
    main()
