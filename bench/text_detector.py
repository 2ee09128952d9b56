"""EasyOCR's CRAFT text detector on torch against OpenVINO, side by side on the same plate patches.

For every patch (the labelled plates of the shared still sets, rectified as the pipeline does, and a
subsample of the real plate crops) both backends find the text boxes, interleaved patch by patch,
and the reading stage runs on each backend's boxes. Printed and written to `--out`: milliseconds per
patch for each backend (median and mean) and their ratio, how many patches got the same boxes (to
within `--tolerance` px), the same candidate list and the same chosen read, and every patch that
differs.

    .venv/bin/python bench/text_detector.py --out bench/out/text_detector.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from detect.reading.choice import choose_text  # noqa: E402
from detect.reading.localise import rectify_plate  # noqa: E402
from detect.reading.readers import EasyOCRReader, TextBox, blue_band_end, plate_geometry, single_line  # noqa: E402
from detect.reading.recogniser import PlateRecogniser  # noqa: E402
from detect.still import load_image  # noqa: E402
from ingest.frames import Image  # noqa: E402
from models import resolver  # noqa: E402
from offline.eval_plates import load_labels  # noqa: E402
from offline.real_crops import crops  # noqa: E402
from platewatch.config import Detection, ModelPaths  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"


def patches(real_per_set: int) -> list[tuple[str, str, str, Image]]:
    """(set, name, truth, patch): still-set plates rectified at their labelled box, then real crops."""
    out: list[tuple[str, str, str, Image]] = []
    for set_name, region in (("openalpr_eu", "any"), ("uk_dev", "gb")):
        folder = SHARED / set_name
        for label in load_labels(folder):
            image = load_image(folder / label.file)
            try:
                out.append((f"{set_name}:{region}", label.file, label.plate, rectify_plate(image, label.box)))
            except ValueError:
                continue
    if real_per_set:
        for crop in crops(SHARED / "real_crops", per_set=real_per_set, skip_trained=True):
            out.append((f"{crop.set_name}:any", crop.file, crop.label, load_image(crop.path)))
    return out


def same_boxes(a: list[TextBox], b: list[TextBox], tolerance: int) -> bool:
    if len(a) != len(b):
        return False
    key = lambda box: (box.y1, box.x1)  # noqa: E731
    return all(
        max(abs(p.x1 - q.x1), abs(p.x2 - q.x2), abs(p.y1 - q.y1), abs(p.y2 - q.y2)) <= tolerance
        for p, q in zip(sorted(a, key=key), sorted(b, key=key), strict=True)
    )


def read_with(
    recogniser: PlateRecogniser, patch: Image, boxes: list[TextBox], region: str
) -> tuple[list[str], str]:
    """Candidates and the chosen read when the readers are given these boxes."""
    from detect.reading.readers import RapidOCRReader

    candidates = []
    for reader in recogniser.readers:
        if isinstance(reader, EasyOCRReader | RapidOCRReader):
            candidates += reader.read(patch, boxes)
        elif single_line(boxes):
            candidates += reader.read(patch)
    geometry = plate_geometry(patch.shape, boxes, blue_band_end(patch), patch)
    choice = choose_text(candidates, region, datetime.now(UTC), geometry=geometry)  # type: ignore[arg-type]
    return sorted(f"{c.text}@{c.reader}/{c.variant}" for c in candidates), choice.text if choice else ""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--real-per-set", type=int, default=60, help="real crops per set (0: none)")
    parser.add_argument("--threads", type=int, default=1, help="torch and OpenVINO threads")
    parser.add_argument("--tolerance", type=int, default=1, help="px two boxes may differ by and be the same")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "text_detector.json")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    recogniser = PlateRecogniser(Detection(backend="torch"), ModelPaths(), threads=args.threads)
    model_dir = resolver.ocr_model_dir()
    finders = {
        "torch": recogniser.text_boxes,
        "openvino": EasyOCRReader(model_dir, text_detector="openvino", threads=args.threads).text_boxes,
    }
    work = patches(args.real_per_set)
    print(f"{len(work)} patches; warming up", flush=True)
    for finder in finders.values():
        finder.find(work[0][3])
    ms: dict[str, list[float]] = {name: [] for name in finders}
    rows: list[dict[str, Any]] = []
    same = {"boxes": 0, "candidates": 0, "read": 0}
    for i, (set_region, name, truth, patch) in enumerate(work):
        found: dict[str, list[TextBox]] = {}
        order = list(finders) if i % 2 == 0 else list(reversed(finders))  # neither always runs first
        for backend in order:
            t0 = time.perf_counter()
            found[backend] = finders[backend].find(patch)
            ms[backend].append(1000 * (time.perf_counter() - t0))
        region = set_region.split(":")[1]
        reads = {b: read_with(recogniser, patch, found[b], region) for b in finders}
        row: dict[str, Any] = {
            "set": set_region.split(":")[0],
            "file": name,
            "truth": truth,
            "width": int(patch.shape[1]),
            "same_boxes": same_boxes(found["torch"], found["openvino"], args.tolerance),
            "same_candidates": reads["torch"][0] == reads["openvino"][0],
            "read_torch": reads["torch"][1],
            "read_openvino": reads["openvino"][1],
        }
        same["boxes"] += bool(row["same_boxes"])
        same["candidates"] += bool(row["same_candidates"])
        same["read"] += row["read_torch"] == row["read_openvino"]
        rows.append(row)
    n = len(rows)
    result: dict[str, Any] = {
        "patches": n,
        "threads": args.threads,
        "ms_per_patch": {
            b: {"median": round(statistics.median(v), 2), "mean": round(statistics.fmean(v), 2)}
            for b, v in ms.items()
        },
        "openvino_speed_up": round(statistics.median(ms["torch"]) / statistics.median(ms["openvino"]), 2),
        "same": same,
        "right": {b: sum(r[f"read_{b}"] == r["truth"] for r in rows) for b in finders},
        "differing": [r for r in rows if not (r["same_boxes"] and r["same_candidates"])],
        "rows": rows,
    }
    for backend, stats in result["ms_per_patch"].items():
        print(f"{backend:9s} median {stats['median']:7.1f} ms  mean {stats['mean']:7.1f} ms per patch")
    print(f"OpenVINO speed-up (median): {result['openvino_speed_up']}x")
    print(
        f"same boxes {same['boxes']}/{n}, same candidates {same['candidates']}/{n}, "
        f"same read {same['read']}/{n}; "
        f"right: torch {result['right']['torch']}, openvino {result['right']['openvino']}"
    )
    for r in result["differing"]:
        print(
            f"  differs: {r['set']} {r['file']} truth {r['truth']}: "
            f"torch {r['read_torch']!r} openvino {r['read_openvino']!r}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
