"""Side by side in one process: the 1080p pipeline as of session 10 against today's CPU settings.

    .venv/bin/python bench/throughput_ab.py [--clip PATH] [--rounds 4] [--out OUT.json]

"before": RapidOCR's line recogniser on ONNX Runtime, FFmpeg's own decoding threads (one per core)
and the file read up to `detection.queue_size` (64) frames ahead; "after": the recogniser on
OpenVINO (FP32, the same probabilities), one decoding thread, and the file read
`ingest.frame_queue.FILE_READ_AHEAD` frames ahead. Same loaded models, same clip (the 1080p copy
of paris_rain that bench/throughput.py builds), alternated `--rounds` times so that the host's
steal time falls on both alike; reports analysed frames/s and process CPU per frame for each run
and their medians, and that both give the same sightings and plates.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = Path(os.environ.get("PLATEWATCH_SHARED_DIR", REPO.parent / "shared"))
os.environ.setdefault("PLATEWATCH_MODEL_DIR", str(SHARED / "models"))
os.environ.setdefault("YOLO_OFFLINE", "1")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clip", type=Path, default=SHARED / "data/plate_clips/paris_rain.mp4")
    ap.add_argument("--fps", type=float, default=10.0)
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--out", type=Path, default=REPO / "bench/out/throughput_ab.json")
    args = ap.parse_args()
    from bench.clip_1080p import ensure_1080p

    clip = ensure_1080p(args.clip)
    import torch

    torch.set_num_threads(2)
    from detect.evidence import EvidenceStore
    from detect.pipeline import CameraPipeline
    from detect.reading.readers import RapidOCRReader
    from detect.runtime import load_models
    from ingest.frame_queue import FILE_READ_AHEAD, ThreadedReader
    from ingest.video_file import VideoFileSource
    from platewatch.config import SiteConfig

    start = datetime(2019, 6, 28, 13, 0, tzinfo=UTC)
    cfg = SiteConfig.model_validate(
        {
            "site": {"name": "bench"},
            "detection": {"process_fps": args.fps, "backend": "openvino"},
            "cameras": [{"id": "bench", "source": str(clip), "start_time": start.isoformat()}],
        }
    )
    camera = cfg.cameras[0]
    models = load_models(cfg, read_plates=True)
    recogniser: Any = models.plate_reader
    slot = next(i for i, r in enumerate(recogniser.readers) if isinstance(r, RapidOCRReader))
    on_openvino = recogniser.readers[slot]
    on_ort = RapidOCRReader(recogniser.text_boxes, runtime="onnxruntime")
    with VideoFileSource(clip, camera.id, start_time=start, process_fps=args.fps) as warm:
        models.detector.detect_scene(next(iter(warm)).image)

    def run(after: bool, tmp: Path) -> dict[str, Any]:
        recogniser.readers[slot] = on_openvino if after else on_ort
        pipeline = CameraPipeline(
            camera,
            cfg.detection,
            models.detector,
            plate_reader=recogniser,
            consensus=models.consensus,
            evidence=EvidenceStore(tmp / "evidence"),
            process_fps=args.fps,
        )
        source = VideoFileSource(
            clip, camera.id, start_time=start, process_fps=args.fps, decode_threads=1 if after else 0
        )
        t, cpu = time.perf_counter(), time.process_time()
        with ThreadedReader(source, maxsize=FILE_READ_AHEAD if after else cfg.detection.queue_size) as reader:
            sightings = list(pipeline.run(reader))
        wall, cpu = time.perf_counter() - t, time.process_time() - cpu
        n = pipeline.stats.frames
        return {
            "fps": round(n / wall, 2),
            "cpu_ms_per_frame": round(1000 * cpu / n, 1),
            "sightings": [(s.track_key, s.plate.text if s.plate else None) for s in sightings],
        }

    runs: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.rounds):
            for name in ("before", "after"):
                r = run(name == "after", Path(tmp))
                runs[name].append(r)
                fps, cpu = r["fps"], r["cpu_ms_per_frame"]
                print(f"{name:<6} {fps:6.2f} frames/s  {cpu:6.1f} ms CPU/frame", flush=True)
    same = all(r["sightings"] == runs["before"][0]["sightings"] for rs in runs.values() for r in rs)
    result: dict[str, Any] = {
        "clip": clip.name,
        "process_fps": args.fps,
        "rounds": args.rounds,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "same_sightings_and_plates": same,
        "sightings": len(runs["before"][0]["sightings"]),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    for name, rs in runs.items():
        result[name] = {
            "fps": [r["fps"] for r in rs],
            "cpu_ms_per_frame": [r["cpu_ms_per_frame"] for r in rs],
            "median_fps": statistics.median(r["fps"] for r in rs),
            "median_cpu_ms_per_frame": statistics.median(r["cpu_ms_per_frame"] for r in rs),
        }
    b, a = result["before"], result["after"]
    print(
        f"median: before {b['median_fps']:.2f} frames/s, {b['median_cpu_ms_per_frame']:.0f} ms CPU/frame; "
        f"after {a['median_fps']:.2f} frames/s, {a['median_cpu_ms_per_frame']:.0f} ms CPU/frame; "
        f"same sightings and plates: {same}"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
