"""OpenVINO against torch on the shared footage: vehicle recall ratio and plates found.

    .venv/bin/python bench/backends.py [--every 10] [--out bench/out/backends.json]

Vehicles: every `--every`-th frame of the shared clips (plate_clips and the uk_dev JamCam videos);
torch's boxes are the reference, an OpenVINO box matching one at IoU >= 0.5 counts it as kept.
Plates: the plate detector run inside each torch vehicle box of the same frames and of the still
images (uk_dev, openalpr_eu), torch at its configured 640 px against the OpenVINO export at its
own size; "same plate" is IoU >= 0.5. Prints the figures and per-image latencies, writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = Path(os.environ.get("PLATEWATCH_SHARED_DIR", REPO.parent / "shared"))
os.environ.setdefault("PLATEWATCH_MODEL_DIR", str(SHARED / "models"))
os.environ.setdefault("YOLO_OFFLINE", "1")

IOU = 0.5


def clips() -> list[Path]:
    data = SHARED / "data"
    return sorted((data / "plate_clips").glob("*.mp4")) + sorted((data / "uk_dev/videos").glob("*.mp4"))


def stills() -> list[Path]:
    data = SHARED / "data"
    return sorted(p for d in ("uk_dev/images", "openalpr_eu") for p in (data / d).iterdir() if p.is_file())


def matched(ref: list[Any], other: list[Any]) -> int:
    """How many `ref` boxes have an `other` box at IoU >= 0.5 (greedy, each used once)."""
    from detect.reading.localise import box_iou

    free = list(other)
    hits = 0
    for r in ref:
        best = max(free, key=lambda o: box_iou(r.box, o.box), default=None)
        if best is not None and box_iou(r.box, best.box) >= IOU:
            free.remove(best)
            hits += 1
    return hits


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--every", type=int, default=10, help="use every Nth frame of each clip")
    ap.add_argument("--out", type=Path, default=REPO / "bench/out/backends.json")
    args = ap.parse_args()

    import cv2

    from detect.reading.localise import PlateDetector
    from detect.still import load_image
    from detect.vehicles import VehicleDetector
    from platewatch.config import Detection, ModelPaths

    cfg, paths = Detection(), ModelPaths()
    images: list[tuple[str, Any]] = []
    for clip in clips():
        cap = cv2.VideoCapture(str(clip), cv2.CAP_FFMPEG)
        i = 0
        while cap.grab():
            if i % args.every == 0:
                ok, image = cap.retrieve()
                if ok:
                    images.append((f"{clip.name}#{i}", image))
            i += 1
        cap.release()
    n_frames = len(images)
    for still in stills():
        try:
            images.append((still.name, load_image(still)))
        except ValueError:
            continue

    result: dict[str, Any] = {"frames": n_frames, "stills": len(images) - n_frames}
    vehicles: dict[str, list[list[Any]]] = {}
    plates: dict[str, list[list[list[Any]]]] = {}
    for backend in ("torch", "openvino"):
        det = VehicleDetector(cfg, paths, backend=backend)  # type: ignore[arg-type]
        det.detect(images[0][1])
        t = time.perf_counter()
        vehicles[backend] = [det.detect(im) for _, im in images[:n_frames]]
        result[f"{backend}_vehicle_ms"] = round(1000 * (time.perf_counter() - t) / n_frames, 1)
    ref_boxes = [VehicleDetector(cfg, paths, backend="torch").detect(im) for _, im in images[n_frames:]]
    for backend in ("torch", "openvino"):
        pd = PlateDetector(cfg, paths, backend=backend)  # type: ignore[arg-type]
        t = time.perf_counter()
        crops = 0
        per_image: list[list[list[Any]]] = []
        for (_, im), vs in zip(images, vehicles["torch"] + ref_boxes, strict=True):
            per_image.append([pd.detect(im, v.box) for v in vs])
            crops += len(vs)
        plates[backend] = per_image
        result[f"{backend}_plate_ms_per_crop"] = round(1000 * (time.perf_counter() - t) / max(1, crops), 1)
        result[f"{backend}_plate_imgsz"] = pd._imgsz
    ref_total = sum(len(v) for v in vehicles["torch"])
    ov_total = sum(len(v) for v in vehicles["openvino"])
    kept = sum(matched(t, o) for t, o in zip(vehicles["torch"], vehicles["openvino"], strict=True))
    result["vehicles_torch"] = ref_total
    result["vehicles_openvino"] = ov_total
    result["vehicle_recall_openvino_vs_torch"] = round(kept / max(1, ref_total), 3)
    result["vehicle_precision_openvino_vs_torch"] = round(kept / max(1, ov_total), 3)
    torch_plates = [p for img in plates["torch"] for crop in img for p in crop[:1]]
    ov_plates = [p for img in plates["openvino"] for crop in img for p in crop[:1]]
    same = sum(
        matched(t[:1], o[:1])
        for ti, oi in zip(plates["torch"], plates["openvino"], strict=True)
        for t, o in zip(ti, oi, strict=True)
    )
    result["plates_torch"] = len(torch_plates)
    result["plates_openvino"] = len(ov_plates)
    result["plates_same"] = same
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    for k, v in result.items():
        print(f"{k:<38} {v}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
