"""Throughput of the whole video pipeline on one clip, beside a plain Ultralytics predict loop.

    .venv/bin/python bench/throughput.py [--clip PATH] [--upscale-1080p] [--fps 5] [--imgsz 640]
        [--threads 2] [--backend auto|torch|openvino] [--no-plates] [--out OUT.json]

Both loops see the same decoded frames in the same run: the plain loop is `YOLO.predict` on each
frame (vehicle classes, same model, backend, imgsz and confidence), nothing else. The pipeline is
everything `platewatch process` does per frame: decode (on its own thread, as in `process`),
detect (+ people), zone filter, track, plate locate + OCR (when a vehicle qualifies), kinematics,
evidence JPEGs, and handing sightings to the database writer (SQLite in a temp folder). `decode`
is the time the pipeline waited for the next frame. `--upscale-1080p` first builds (once, cached
in bench/out/) a 1920x1080 H.264 copy of the clip (bench/clip_1080p.py). Prints a table and writes
bench/out/throughput.json (or --out).
`--cameras N [--sources CLIP ...] [--device auto]` adds many cameras in one process
(`bench/multicam_throughput.py`): N copies of the clip, or the N `--sources`, batched through the
detectors; total and per-camera analysed frames/s and the single-camera figure of the same run,
under the JSON key "multicam".
"""

from __future__ import annotations

import argparse
import json
import os
import platform
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
DEFAULT_CLIP = SHARED / "data/uk_dev/videos/jamcam_2019-06-28_13-02-51.477310_00001.07355.mp4"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clip", type=Path, default=DEFAULT_CLIP)
    ap.add_argument("--fps", type=float, default=5.0, help="frames per second analysed (the config default)")
    ap.add_argument("--imgsz", type=int, default=640)
    ap.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    ap.add_argument("--no-plates", action="store_true", help="leave plate reading out")
    ap.add_argument(
        "--backend", choices=["auto", "torch", "openvino"], default="auto", help="detector runtime"
    )
    ap.add_argument("--upscale-1080p", action="store_true", help="run on a 1920x1080 copy of --clip")
    ap.add_argument("--out", type=Path, default=REPO / "bench/out/throughput.json")
    ap.add_argument("--cameras", type=int, default=0, help="also run N cameras in one process, batched")
    ap.add_argument("--sources", type=Path, nargs="+", help="the cameras' clips (default: N × --clip)")
    ap.add_argument("--device", default="auto", help="batched detectors' device: auto, cpu, cuda, cuda:N")
    args = ap.parse_args()
    if args.sources and args.cameras not in (0, len(args.sources)):
        ap.error(f"--cameras {args.cameras} but {len(args.sources)} --sources")
    if args.sources:
        args.cameras = len(args.sources)
    if args.cameras < 0:
        ap.error("--cameras must be at least 1")
    for path in [args.clip, *(args.sources or [])]:
        if not path.is_file():
            ap.error(f"{path}: no such clip")
    if args.upscale_1080p:
        from bench.clip_1080p import ensure_1080p

        args.clip = ensure_1080p(args.clip)

    import torch

    torch.set_num_threads(args.threads)
    from detect.evidence import EvidenceStore
    from detect.pipeline import CameraPipeline
    from detect.records import COCO_VEHICLE_CLASSES
    from detect.runtime import load_models
    from detect.writer import SightingWriter
    from ingest.frame_queue import ThreadedReader, queue_length
    from ingest.video_file import VideoFileSource
    from platewatch.config import SiteConfig

    start = datetime(2019, 6, 28, 13, 0, tzinfo=UTC)
    cfg = SiteConfig.model_validate(
        {
            "site": {"name": "bench"},
            "detection": {"process_fps": args.fps, "vehicle_imgsz": args.imgsz, "backend": args.backend},
            "cameras": [{"id": "bench", "source": str(args.clip), "start_time": start.isoformat()}],
        }
    )
    camera = cfg.cameras[0]
    load_before = os.getloadavg()
    t = time.perf_counter()
    models = load_models(cfg, read_plates=not args.no_plates)
    load_s = time.perf_counter() - t

    # the same frames for both loops
    frames = list(VideoFileSource(args.clip, camera.id, start_time=start, process_fps=args.fps))
    if not frames:
        raise SystemExit(f"{args.clip}: no frames")
    warm = frames[0].image

    # --- plain Ultralytics loop -------------------------------------------------------------
    yolo = models.detector._model  # the very same loaded model
    predict_kw = {"imgsz": models.detector.imgsz, "conf": cfg.detection.vehicle_confidence, "verbose": False}
    yolo.predict(warm, classes=sorted(COCO_VEHICLE_CLASSES), **predict_kw)
    t, cpu = time.perf_counter(), time.process_time()
    for f in frames:
        yolo.predict(f.image, classes=sorted(COCO_VEHICLE_CLASSES), **predict_kw)
    plain_s, plain_cpu = time.perf_counter() - t, time.process_time() - cpu

    # --- whole pipeline ---------------------------------------------------------------------
    models.detector.detect_scene(warm)
    with tempfile.TemporaryDirectory() as tmp:
        writer = SightingWriter(f"sqlite:///{tmp}/bench.db", Path(tmp) / "spool", batch_seconds=0.5)
        from intel_api.db.migrate import upgrade

        upgrade(f"sqlite:///{tmp}/bench.db")
        writer.start()
        pipeline = CameraPipeline(
            camera,
            cfg.detection,
            models.detector,
            plate_reader=models.plate_reader,
            consensus=models.consensus,
            evidence=EvidenceStore(Path(tmp) / "evidence"),
            process_fps=args.fps,
        )
        recogniser: Any = models.plate_reader
        if recogniser is not None:
            recogniser.seconds = type(recogniser.seconds)()  # count only this run
        source = VideoFileSource(
            args.clip, camera.id, start_time=start, process_fps=args.fps, decode_threads=camera.decode_threads
        )
        t, cpu = time.perf_counter(), time.process_time()
        with ThreadedReader(source, maxsize=queue_length(source, cfg.detection.queue_size)) as reader:
            for s in pipeline.run(reader):
                with pipeline.stats.timed("write"):
                    writer.submit(s)
        pipe_s, pipe_cpu = time.perf_counter() - t, time.process_time() - cpu
        wstats = writer.close()

    st = pipeline.stats
    stages = dict(st.seconds)
    if recogniser is not None:
        plate_secs = recogniser.seconds.as_dict()
        locate = plate_secs.get("plates", 0.0)
        ocr = sum(v for k, v in plate_secs.items() if k != "plates" and k != "vehicles")
        stages["plate_locate"] = locate
        stages["ocr"] = ocr
        stages["plate_other"] = max(0.0, stages.pop("plate") - locate - ocr)
    else:
        plate_secs = {}
        stages["plate_locate"] = stages["ocr"] = 0.0
        stages["plate_other"] = stages.pop("plate")
    stages["other"] = max(0.0, pipe_s - sum(stages.values()))
    n = len(frames)
    result = {
        "clip": args.clip.name,
        "frames": n,
        "process_fps": args.fps,
        "imgsz": args.imgsz,
        "backend": models.detector.backend,
        "vehicle_imgsz": models.detector.imgsz,
        "torch_threads": args.threads,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "cpu_count": os.cpu_count(),
        "machine": platform.processor() or platform.machine(),
        "plates": not args.no_plates,
        "model_load_s": round(load_s, 2),
        "plain_predict_fps": round(n / plain_s, 2),
        "pipeline_fps": round(n / pipe_s, 2),
        "pipeline_vs_plain": round(plain_s / pipe_s, 3),
        # CPU time of the whole process (every thread: decode, writer, runtimes' pools) per frame:
        # steadier than frames/s on a shared host, where steal time moves the wall clock.
        "plain_cpu_ms_per_frame": round(1000 * plain_cpu / n, 1),
        "pipeline_cpu_ms_per_frame": round(1000 * pipe_cpu / n, 1),
        "stage_seconds": {k: round(v, 3) for k, v in stages.items()},
        "stage_ms_per_frame": {k: round(1000 * v / n, 1) for k, v in stages.items()},
        # OCR split: rectification, text boxes (CRAFT) and each recogniser, per plate attempt.
        "ocr_ms_per_attempt": {
            k: round(1000 * v / max(1, st.plate_attempts), 1)
            for k, v in plate_secs.items()
            if k not in ("plates", "vehicles")
        },
        "sightings": st.sightings,
        "plate_attempts": st.plate_attempts,
        "plates_read": st.plates_read,
        "stored": wstats.inserted,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if args.cameras:
        from bench.multicam_throughput import measure_cameras

        sources = args.sources or [args.clip] * args.cameras
        result["multicam"] = measure_cameras(sources, args.fps, args.imgsz, not args.no_plates, args.device)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"{args.clip.name}: {n} frames at {args.fps} fps, "
        f"{result['backend']} at {result['vehicle_imgsz']} px, "
        f"{args.threads} torch threads, load average {load_before[0]:.2f} -> {os.getloadavg()[0]:.2f}"
    )
    print(
        f"plain ultralytics predict : {result['plain_predict_fps']:6.2f} frames/s"
        f"  ({result['plain_cpu_ms_per_frame']:.0f} ms CPU/frame)"
    )
    ratio = result["pipeline_vs_plain"]
    print(
        f"whole pipeline            : {result['pipeline_fps']:6.2f} frames/s  ({ratio:.2f}x plain)"
        f"  ({result['pipeline_cpu_ms_per_frame']:.0f} ms CPU/frame)"
    )
    for k, v in result["stage_ms_per_frame"].items():
        print(f"  {k:<13} {v:7.1f} ms/frame")
    print(f"sightings {st.sightings}, plate attempts {st.plate_attempts}, plates read {st.plates_read}")
    if "multicam" in result:
        from bench.multicam_throughput import print_cameras

        print_cameras(result["multicam"])
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
