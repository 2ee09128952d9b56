"""`platewatch eval tracks`: MOTA/IDF1 and stopped-call accuracy of the tracker on a CVAT clip."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import typer


def tracks(
    video: Path = typer.Argument(..., help="Video file."),
    cvat: Path = typer.Option(..., "--cvat", help="CVAT 1.1 XML annotation of the video."),
    json_out: Path = typer.Option(..., "--json", help="Where to write the metrics JSON."),
    fps: float | None = typer.Option(
        None, "--fps", min=0.1, max=60, help="Analyse this many frames/s (default all)."
    ),
    imgsz: int | None = typer.Option(None, "--imgsz", min=160, max=1920, help="Detector image size."),
    conf: float | None = typer.Option(
        None, "--conf", min=0.01, max=0.99, help="Vehicle confidence threshold."
    ),
    config: Path | None = typer.Option(
        None, "--config", "-c", help="Site config: detection settings, models."
    ),
    camera: str | None = typer.Option(None, "--camera", help="Config camera whose zones/calibration to use."),
    backend: str | None = typer.Option(
        None, "--backend", help="Detector runtime: auto, torch or openvino (default: the config's, auto)."
    ),
) -> None:
    """Run detection + tracking on VIDEO and score it against the CVAT tracks."""
    from detect.pipeline import CameraPipeline
    from detect.scene import SceneDetector
    from ingest.errors import IngestError
    from ingest.video_file import VideoFileSource
    from offline.eval_tracks import CvatError, evaluate_tracks, parse_cvat
    from platewatch.cli.options import load_or_exit
    from platewatch.config import Camera, Detection, ModelPaths

    try:
        gt = parse_cvat(cvat)
    except CvatError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(code=2) from None
    detection, models, cam = Detection(), ModelPaths(), Camera(id="eval", source=str(video))
    if config is not None:
        cfg = load_or_exit(config)
        detection, models = cfg.detection, cfg.models
        if camera:
            cam = cfg.camera(camera).model_copy(update={"source": str(video)})
    updates: dict[str, object] = {}
    if imgsz:
        updates["vehicle_imgsz"] = imgsz
    if conf:
        updates["vehicle_confidence"] = conf
    if backend is not None:
        if backend not in ("auto", "torch", "openvino"):
            typer.echo(f"error: --backend must be auto, torch or openvino, not {backend!r}", err=True)
            raise typer.Exit(code=2)
        updates["backend"] = backend
    detection = detection.model_copy(update=updates)
    try:
        # fixed start: the evaluation is about pixels and frame times, not wall-clock dates
        source = VideoFileSource(video, cam.id, start_time=datetime(2000, 1, 1, tzinfo=UTC), process_fps=fps)
    except IngestError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(code=2) from None
    stream_fps = fps or source.fps or 25.0
    detector = SceneDetector(detection, models)
    pipeline = CameraPipeline(cam, detection, detector, process_fps=stream_fps)
    settings = {
        "video": video.name,
        "fps": stream_fps,
        "backend": detector.backend,
        "vehicle_imgsz": detector.imgsz,
        "vehicle_confidence": detection.vehicle_confidence,
        "track_lost_seconds": detection.track_lost_seconds,
        "stopped_speed_kmh": detection.stopped_speed_kmh,
        "motion_basis": "ground_plane" if cam.calibration else "pixels",
    }
    with source:
        result = evaluate_tracks(source, pipeline, gt, settings)
    json_out.parent.mkdir(parents=True, exist_ok=True)
    json_out.write_text(json.dumps(result.as_dict(), indent=2) + "\n", encoding="utf-8")
    typer.echo(f"{video.name}: {result.summary()}")


def register(app: typer.Typer, eval_app: typer.Typer) -> None:  # noqa: ARG001
    eval_app.command("tracks")(tracks)
