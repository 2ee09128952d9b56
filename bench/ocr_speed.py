"""Plate recogniser benchmark: stock EasyOCR english_g2 vs PlateWatch's plate-trained network.

Both read the same plate crops, cut with the ground-truth boxes of shared/data/openalpr_eu and
shared/data/uk_dev (evaluation only: neither set is used for training), through the same EasyOCR
`recognize` call on the whole crop. Stock gets the A-Z0-9 allowlist; ours has only that alphabet.

Reported per set and crop style: exact match; exact match with O and 0 treated alike (the
openalpr_eu labels were typed by hand and write O for 0 in places, e.g. RKO99AN, OYO9FEU); mean
character error rate; median and p90 milliseconds per plate (after a warm-up).

    .venv/bin/python bench/ocr_speed.py --json bench/out/ocr_recogniser.json

With --pipeline it also runs the whole still-image pipeline (offline.eval_plates: vehicle -> plate
detector -> rectify -> readers -> grammar) once per reader set, ours passed in as a reader object.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = Path(os.environ.get("PLATEWATCH_SHARED_DIR", REPO.parent / "shared"))
os.environ.setdefault("PLATEWATCH_MODEL_DIR", str(SHARED / "models"))

from detect.reading.grammar import PLATE_ALPHABET  # noqa: E402  (needs the repository on the path)


@dataclass(frozen=True)
class Sample:
    set_name: str
    image: Path
    label: str
    box: tuple[int, int, int, int]  # x, y, w, h


def load_samples() -> list[Sample]:
    out: list[Sample] = []
    eu = SHARED / "data" / "openalpr_eu"
    for txt in sorted(eu.glob("*.txt")):
        for line in txt.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) >= 6:
                x, y, w, h = (int(v) for v in parts[1:5])
                out.append(Sample("openalpr_eu", eu / parts[0], parts[5].upper(), (x, y, w, h)))
    uk = SHARED / "data" / "uk_dev"
    with (uk / "labels.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            box = (int(row["x"]), int(row["y"]), int(row["w"]), int(row["h"]))
            out.append(Sample("uk_dev", uk / row["file"], row["plate"].upper(), box))
    return out


def crop(image: np.ndarray, box: tuple[int, int, int, int], pad_x: float, pad_y: float) -> np.ndarray:
    x, y, w, h = box
    H, W = image.shape[:2]
    x1, y1 = max(0, int(x - pad_x * w)), max(0, int(y - pad_y * h))
    x2, y2 = min(W, int(x + w + pad_x * w)), min(H, int(y + h + pad_y * h))
    return np.ascontiguousarray(image[y1:y2, x1:x2])


def cer(pred: str, truth: str) -> float:
    prev = list(range(len(truth) + 1))
    for i, p in enumerate(pred, 1):
        cur = [i]
        for j, t in enumerate(truth, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (p != t)))
        prev = cur
    return prev[-1] / max(1, len(truth))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", type=Path, default=REPO / "bench" / "out" / "ocr_recogniser.json")
    ap.add_argument("--ours", type=Path, default=None, help="Folder with platewatch_plates.{pth,yaml,py}")
    ap.add_argument("--threads", type=int, default=2, help="torch threads for both recognisers")
    ap.add_argument("--repeat", type=int, default=3, help="timing runs per crop (raw recognisers)")
    ap.add_argument("--pipeline", action="store_true", help="Also score the full still-image pipeline")
    ap.add_argument("--only-pipeline", action="store_true", help="Skip the crop benchmark")
    args = ap.parse_args()
    if not SHARED.is_dir():
        sys.exit(f"shared data not found at {SHARED}; set PLATEWATCH_SHARED_DIR")

    import easyocr
    import torch

    from detect.reading.custom_recogniser import PlatewatchPlateReader, plate_recogniser_dir
    from detect.reading.readers import plate_chars
    from models.resolver import ocr_model_dir

    torch.set_num_threads(args.threads)
    stock = easyocr.Reader(
        ["en"],
        gpu=False,
        model_storage_directory=str(ocr_model_dir()),
        detector=True,  # CRAFT, for the project EasyOCRReader row
        download_enabled=False,
        verbose=False,
    )
    ours_dir = args.ours or plate_recogniser_dir()
    ours = PlatewatchPlateReader(ours_dir)

    from detect.reading.choice import choose_text
    from detect.reading.readers import EasyOCRReader

    project_easyocr = EasyOCRReader(ocr_model_dir(), easyocr_reader=stock)
    region_of = {"openalpr_eu": "any", "uk_dev": "gb"}

    def chosen(candidates: list, set_name: str) -> str:  # type: ignore[type-arg]
        choice = choose_text(candidates, region_of[set_name])  # type: ignore[arg-type]
        return choice.text if choice is not None else ""

    def read_stock(img: np.ndarray, _set: str) -> str:
        grey = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
        h, w = grey.shape
        res = stock.recognize(grey, horizontal_list=[[0, w, 0, h]], free_list=[], allowlist=PLATE_ALPHABET)
        return plate_chars(str(res[0][1]).upper()) if res else ""

    def read_ours(img: np.ndarray, _set: str) -> str:
        return ours.recognise(img)[0]

    def read_project_easyocr(img: np.ndarray, set_name: str) -> str:
        return chosen(project_easyocr.read(img), set_name)

    def read_ours_chosen(img: np.ndarray, set_name: str) -> str:
        return chosen(ours.read(img), set_name)

    # Raw recognisers on the whole crop, then each inside the project's reader + choose_text + grammar
    # (EasyOCRReader adds CRAFT text boxes and band/frame removal; region gb for uk_dev, any for EU).
    readers: dict[str, Callable[[np.ndarray, str], str]] = {
        "stock_english_g2": read_stock,
        "platewatch_plates": read_ours,
        "easyocr_reader+choose": read_project_easyocr,
        "platewatch_plates+choose": read_ours_chosen,
    }
    crop_styles = {"gt_box": (0.0, 0.0), "gt_box_padded": (0.06, 0.25)}
    samples = load_samples()
    images = {s.image: cv2.imread(str(s.image), cv2.IMREAD_COLOR) for s in samples}
    unreadable = [str(p) for p, im in images.items() if im is None]
    if unreadable:
        sys.exit(f"cannot decode: {unreadable}")

    warm = crop(images[samples[0].image], samples[0].box, 0, 0)  # type: ignore[arg-type]
    for fn in readers.values():
        for _ in range(3):
            fn(warm, "uk_dev")

    results: dict[str, object] = {
        "load_average_at_start": os.getloadavg(),
        "repeat": args.repeat,
        "samples": len(samples),
        "threads": args.threads,
        "ours_dir": str(ours_dir),
        "rows": [],
    }
    rows: list[dict[str, object]] = []
    per_plate: list[dict[str, str]] = []
    all_times: dict[tuple[str, str], list[float]] = {}
    for style, (px, py) in ({} if args.only_pipeline else crop_styles).items():
        for reader_name, fn in readers.items():
            for set_name in ("openalpr_eu", "uk_dev"):
                subset = [s for s in samples if s.set_name == set_name]
                times, exact, exact_o0, cers = [], 0, 0, []
                for s in subset:
                    c = crop(images[s.image], s.box, px, py)  # type: ignore[arg-type]
                    # Best of `repeat` runs: the machine is shared, and the minimum is the figure
                    # least disturbed by other processes (the raw recognisers only; the others run once).
                    runs = args.repeat if reader_name in ("stock_english_g2", "platewatch_plates") else 1
                    best = float("inf")
                    for _ in range(runs):
                        t0 = time.perf_counter()
                        pred = fn(c, set_name)
                        best = min(best, (time.perf_counter() - t0) * 1000)
                    times.append(best)
                    all_times.setdefault((style, reader_name), []).append(best)
                    exact += pred == s.label
                    exact_o0 += pred.replace("O", "0") == s.label.replace("O", "0")
                    cers.append(cer(pred, s.label))
                    per_plate.append(
                        {
                            "crop": style,
                            "reader": reader_name,
                            "set": set_name,
                            "file": s.image.name,
                            "label": s.label,
                            "read": pred,
                        }
                    )
                row: dict[str, object] = {
                    "crop": style,
                    "reader": reader_name,
                    "set": set_name,
                    "n": len(subset),
                    "exact": exact,
                    "exact_rate": round(exact / len(subset), 4),
                    "exact_O_eq_0": exact_o0,
                    "exact_O_eq_0_rate": round(exact_o0 / len(subset), 4),
                    "mean_cer": round(float(np.mean(cers)), 4),
                    "median_ms": round(statistics.median(times), 2),
                    "p90_ms": round(float(np.percentile(times, 90)), 2),
                }
                rows.append(row)
                print(
                    f"{style:14s} {reader_name:24s} {set_name:12s} exact {exact:3d}/{len(subset):3d} "
                    f"({row['exact_rate']:.3f})  O=0 {exact_o0:3d}  CER {row['mean_cer']:.3f}  "
                    f"median {row['median_ms']:.1f} ms  p90 {row['p90_ms']:.1f} ms"
                )
    results["rows"] = rows
    results["per_plate"] = per_plate
    if all_times:
        # The figure: median time per plate over every crop of both sets, ours beside stock.
        summary = {
            f"{style}:{name}_median_ms": round(statistics.median(all_times[(style, name)]), 2)
            for style in crop_styles
            for name in ("stock_english_g2", "platewatch_plates")
            if (style, name) in all_times
        } | {"plates": len(samples)}
        ours_ms = statistics.median(all_times[("gt_box", "platewatch_plates")])
        stock_ms = statistics.median(all_times[("gt_box", "stock_english_g2")])
        summary["ratio_ours_to_stock"] = round(ours_ms / stock_ms, 3)
        results["speed_summary"] = summary
        print(
            f"median per plate, all {len(samples)} GT crops: platewatch_plates {ours_ms:.1f} ms, "
            f"stock english_g2 {stock_ms:.1f} ms (ratio {ours_ms / stock_ms:.2f}), {args.threads} threads"
        )
    if args.pipeline or args.only_pipeline:
        results["pipeline"] = run_pipeline(ours)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(f"wrote {args.json}")


def run_pipeline(ours: object) -> list[dict[str, object]]:
    from detect.reading.recogniser import PlateRecogniser
    from offline.eval_plates import evaluate, summary_line
    from platewatch.config import Detection, ModelPaths

    out: list[dict[str, object]] = []
    reader_sets: dict[str, list[object]] = {
        "easyocr": ["easyocr"],
        "platewatch_plates": [ours],
        "easyocr+rapidocr": ["easyocr", "rapidocr"],
        "easyocr+rapidocr+platewatch_plates": ["easyocr", "rapidocr", ours],
        "rapidocr+platewatch_plates": ["rapidocr", ours],
    }
    for folder, region in ((SHARED / "data" / "openalpr_eu", "any"), (SHARED / "data" / "uk_dev", "gb")):
        base = PlateRecogniser(Detection(region=region), ModelPaths(), readers=["easyocr"])
        for name, readers in reader_sets.items():
            recogniser = PlateRecogniser(Detection(region=region), ModelPaths(), readers=readers)  # type: ignore[arg-type]
            recogniser._vehicles = base.vehicles  # share the loaded vehicle detector
            report = evaluate(recogniser, folder)
            print(f"pipeline {name:36s} {summary_line(report)}")
            out.append({k: v for k, v in report.items() if k != "images"} | {"reader_set": name})
    return out


if __name__ == "__main__":
    main()
