"""`bench/throughput.py --cameras N`: many cameras in one process, against one camera, same run.

The multi-camera figure is `detect.multicam.run_cameras` (what `platewatch process-many` runs):
N cameras (N copies of the clip, or the `--sources` given), each read on its own thread, the
detectors batched across them. The single-camera figure beside it is `detect.runtime.run_camera`
(what `platewatch process` runs) on each distinct source in turn, so the ratio says how much
more one process analyses by batching N cameras than by processing them one after another.
Both hand their sightings to the database writer (SQLite in a temp folder).
"""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def measure_cameras(
    sources: list[Path], fps: float, imgsz: int, plates: bool, device_setting: str
) -> dict[str, Any]:
    from detect.batch_inference import resolve_device
    from detect.multicam import run_cameras
    from detect.records import Sighting
    from detect.runtime import load_models, run_camera
    from detect.writer import SightingWriter
    from intel_api.db.migrate import upgrade
    from platewatch.config import SiteConfig

    start = datetime(2019, 6, 28, 13, 0, tzinfo=UTC)
    device = resolve_device(device_setting)
    with tempfile.TemporaryDirectory() as tmp:
        cfg = SiteConfig.model_validate(
            {
                "site": {"name": "bench"},
                "storage": {"data_dir": tmp},
                "detection": {"process_fps": fps, "vehicle_imgsz": imgsz, "device": device_setting},
                "cameras": [
                    {"id": f"cam_{i + 1}", "source": str(src), "start_time": start.isoformat()}
                    for i, src in enumerate(sources)
                ],
            }
        )
        # one database each, so that the multi-camera run stores its sightings rather than
        # finding them stored already by the single-camera run (same keys)
        url, multi_url = f"sqlite:///{tmp}/single.db", f"sqlite:///{tmp}/multi.db"
        upgrade(url)
        upgrade(multi_url)
        models = load_models(cfg, read_plates=plates)
        # warm both detectors on this device so neither figure pays for the first call
        models.detector.detect_scene_batch([_first_frame(sources[0])], device)

        singles: list[dict[str, Any]] = []
        for cam in {str(c.source): c for c in cfg.cameras}.values():
            writer = SightingWriter(url, Path(tmp) / "spool_single", batch_seconds=0.5)
            writer.start()
            run = run_camera(cfg, cam, models, writer.submit)
            writer.close()
            singles.append({"frames": run.stats.frames, "seconds": run.seconds})
        single_frames = sum(s["frames"] for s in singles)
        single_fps = single_frames / sum(s["seconds"] for s in singles)

        writer = SightingWriter(multi_url, Path(tmp) / "spool_multi", batch_seconds=0.5)
        writer.start()
        made: list[Sighting] = []

        def submit(s: Sighting) -> None:
            made.append(s)
            writer.submit(s)

        t = time.perf_counter()
        result = run_cameras(cfg, cfg.cameras, models, submit, device)
        seconds = time.perf_counter() - t
        writer.close()

    total_fps = result.frames / seconds
    steps = max(1, result.steps)
    return {
        "cameras": len(sources),
        "sources": [p.name for p in sources],
        "device": device.name,
        "fp16": device.half,
        "total_fps": round(total_fps, 2),
        "per_camera_fps": {r.camera_id: round(r.stats.frames / seconds, 2) for r in result.runs},
        "single_camera_fps": round(single_fps, 2),
        "total_vs_single": round(total_fps / single_fps, 3),
        "frames": result.frames,
        "steps": result.steps,
        "frames_per_step": round(result.frames / steps, 2),
        "batch_ms_per_step": {k: round(1000 * v / steps, 1) for k, v in result.batch_seconds.items()},
        "sightings": len(made),
        "errors": {r.camera_id: r.error for r in result.runs if r.error},
    }


def _first_frame(path: Path) -> Any:
    from ingest.video_file import VideoFileSource

    with VideoFileSource(path, "warm") as source:
        for frame in source:
            return frame.image
    raise SystemExit(f"{path}: no frames")


def print_cameras(m: dict[str, Any]) -> None:
    precision = "fp16" if m["fp16"] else "fp32"
    print(f"{m['cameras']} cameras in one process on {m['device']} ({precision}):")
    print(f"  total            : {m['total_fps']:6.2f} analysed frames/s ({m['frames_per_step']} per batch)")
    for cam, fps in m["per_camera_fps"].items():
        print(f"  {cam:<16} : {fps:6.2f} frames/s")
    print(f"  one camera alone : {m['single_camera_fps']:6.2f} frames/s  (total {m['total_vs_single']:.2f}x)")
    for k, v in m["batch_ms_per_step"].items():
        print(f"  {k:<13} {v:7.1f} ms/batch")
    if m["errors"]:
        print(f"  errors: {m['errors']}")
