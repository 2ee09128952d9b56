"""`platewatch process-many`: several cameras in one process, their frames batched through the detectors.

The GPU box's command: one process holds the models once and runs them on a batch of one frame
per camera (fp16 on CUDA), instead of one `platewatch process` per camera each with its own copy.
Sightings go to the same sink as `platewatch process` (the database, or the API with --api-url).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from platewatch.cli.options import ConfigOption, load_or_exit
from platewatch.cli.process_cmd import (
    database_sink,
    finish_report,
    http_sink,
    new_totals,
    report_camera,
    stop_on_signals,
)
from platewatch.redact import redact

if TYPE_CHECKING:
    from platewatch.config import Camera, SiteConfig


def process_many(
    sources: list[str] | None = typer.Argument(
        None,
        help="Camera ids from the config, or video files, image folders or stream URLs. Omit: every camera.",
        show_default=False,
    ),
    config: Path = ConfigOption,
    fps: float | None = typer.Option(None, "--fps", min=0.1, max=60, help="Frames per second to analyse."),
    device: str | None = typer.Option(
        None, "--device", help="auto, cpu, cuda or cuda:N (overrides detection.device; fp16 on CUDA)."
    ),
    database_url: str | None = typer.Option(None, "--database-url", help="Overrides config and environment."),
    api_url: str | None = typer.Option(
        None,
        "--api-url",
        envvar="PLATEWATCH_API_URL",
        help="Post sightings to this PlateWatch API (camera key in PLATEWATCH_API_KEY), not the database.",
    ),
    read_plates: bool = typer.Option(True, "--plates/--no-plates", help="Read number plates (slower)."),
) -> None:
    """Process several cameras at once in one process, batching their frames through the detectors."""
    from detect.batch_inference import DeviceUnavailableError, resolve_device
    from detect.multicam import run_cameras
    from detect.records import Sighting
    from detect.runtime import load_models

    cfg = load_or_exit(config)
    cameras = cameras_for_sources(cfg, sources or [])
    setting = device or cfg.detection.device
    try:
        # the config's value was validated on load; a --device value is checked here
        checked = type(cfg.detection).model_validate({"device": setting}).device
        inference = resolve_device(checked)
    except DeviceUnavailableError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(code=2) from None
    except ValueError:
        typer.echo(f"error: --device must be auto, cpu, cuda or cuda:N, got {setting!r}", err=True)
        raise typer.Exit(code=2) from None
    if api_url and len(cameras) > 1:
        # A camera key is bound to one camera and the service refuses another camera's sightings
        # under it: a mixed batch would sit in the spool for ever.
        typer.echo(
            "error: --api-url posts with one camera key, which is bound to one camera; for several "
            "cameras use the database sink (--database-url) or one `platewatch process CAMERA "
            "--api-url ...` per camera",
            err=True,
        )
        raise typer.Exit(code=2)
    writer = http_sink(cfg, api_url) if api_url else database_sink(cfg, cameras, database_url)
    t0 = time.perf_counter()
    models = load_models(cfg, read_plates=read_plates)
    writer.start()
    problems: list[str] = []
    stop = threading.Event()
    totals = new_totals()

    def on_sighting(s: Sighting) -> None:
        totals["stopped"] += int(s.stopped)
        writer.submit(s)

    precision = "fp16" if inference.half else "fp32"
    typer.echo(f"{len(cameras)} cameras, detectors batched on {inference.name} ({precision})")
    result = None
    # The handlers stay in place while the sink drains: a stop signal then must not kill the process
    # before every sighting made is stored or spooled.
    with stop_on_signals(stop):
        try:
            result = run_cameras(cfg, cameras, models, on_sighting, inference, process_fps=fps, stop=stop)
        except KeyboardInterrupt:
            typer.echo("interrupted: storing the sightings made so far", err=True)
        finally:
            ws = writer.close()
    if result is not None:
        for cam, run in zip(cameras, result.runs, strict=True):
            report_camera(cam, run, totals, problems)
        if result.seconds > 0:
            typer.echo(
                f"{result.frames} frames analysed in {result.steps} batches, "
                f"{result.frames / result.seconds:.2f} frames/s in total"
            )
    finish_report(writer, ws, totals, time.perf_counter() - t0, stop.is_set(), problems)


def cameras_for_sources(cfg: SiteConfig, sources: list[str]) -> list[Camera]:
    """The cameras for `sources` (ids or paths/URLs, as `platewatch process SOURCE`); exits 2 on a clash."""
    from detect.runtime import camera_for_source

    if not sources:
        if not cfg.cameras:
            typer.echo("error: the config has no cameras; name the sources to process", err=True)
            raise typer.Exit(code=2)
        return list(cfg.cameras)
    cameras: list[Camera] = []
    for source in sources:
        cameras.extend(camera_for_source(cfg, source, None))
    seen: dict[str, str] = {}
    for source, cam in zip(sources, cameras, strict=True):
        if cam.id in seen:
            typer.echo(
                redact(
                    f"error: {seen[cam.id]!r} and {source!r} are both camera {cam.id!r}; each camera "
                    "can be processed once (configure the sources as cameras with their own ids)"
                ),
                err=True,
            )
            raise typer.Exit(code=2)
        seen[cam.id] = source
    return cameras


def register(app: typer.Typer, eval_app: typer.Typer) -> None:  # noqa: ARG001
    app.command("process-many")(process_many)
