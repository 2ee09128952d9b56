"""`platewatch process`: run the video pipeline on a file, folder, stream or every configured camera."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import typer

from platewatch.cli.options import ConfigOption, load_or_exit
from platewatch.redact import redact


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM (systemd's stop) and SIGINT (Ctrl-C) ask for a clean stop instead of killing the run.

    The frame loop ends at the next frame, open tracks are finished and the writer stores or spools
    everything before the summary; a second signal while that happens is ignored for the same reason.
    """

    def handler(signum: int, _frame: FrameType | None) -> None:
        if not stop.is_set():
            typer.echo(
                f"{signal.Signals(signum).name}: stopping; finishing open tracks and storing sightings",
                err=True,
            )
        stop.set()

    if threading.current_thread() is not threading.main_thread():
        yield  # signals can only be caught on the main thread (e.g. under a test runner thread)
        return
    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


if TYPE_CHECKING:
    from detect.runtime import CameraRun
    from detect.sinks import SightingSink, SinkStats
    from platewatch.config import Camera, SiteConfig


def process(
    source: str | None = typer.Argument(
        None,
        help="Camera id from the config, or a video file, image folder or stream URL. Omit: every camera.",
    ),
    config: Path = ConfigOption,
    camera: str | None = typer.Option(
        None, "--camera", help="Camera whose id, zones and calibration to use."
    ),
    fps: float | None = typer.Option(None, "--fps", min=0.1, max=60, help="Frames per second to analyse."),
    database_url: str | None = typer.Option(None, "--database-url", help="Overrides config and environment."),
    api_url: str | None = typer.Option(
        None,
        "--api-url",
        envvar="PLATEWATCH_API_URL",
        help="Post sightings to this PlateWatch API (camera key in PLATEWATCH_API_KEY), not the database.",
    ),
    read_plates: bool = typer.Option(True, "--plates/--no-plates", help="Read number plates (slower)."),
    progress_bar: bool = typer.Option(True, "--progress/--no-progress", help="Progress bar for files."),
) -> None:
    """Detect and track vehicles, read plates, and store one sighting per vehicle pass."""
    from rich.progress import Progress

    from detect.records import Sighting
    from detect.runtime import camera_for_source, load_models, run_camera
    from ingest.errors import IngestError

    cfg = load_or_exit(config)
    try:
        cameras = camera_for_source(cfg, source, camera)
    except KeyError as e:
        typer.echo(redact(f"error: {e.args[0]}"), err=True)
        raise typer.Exit(code=2) from None
    # With --api-url the service stores the sightings and runs the rules; otherwise this process does.
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

    def _run_all() -> None:
        for cam in cameras:
            if stop.is_set():
                problems.append(f"camera {cam.id}: not processed (stopped on request)")
                continue
            bar = Progress(transient=True, disable=not progress_bar)

            def progress(total: int | None, cam_id: str = cam.id, bar: Progress = bar) -> Callable[[], None]:
                if total is None:
                    return lambda: None
                task = bar.add_task(cam_id, total=total)
                return lambda: bar.advance(task)

            try:
                with bar:
                    run = run_camera(
                        cfg, cam, models, on_sighting, process_fps=fps, progress=progress, stop=stop
                    )
            except (IngestError, OSError) as e:
                problems.append(f"camera {cam.id}: {e}")
                continue
            report_camera(cam, run, totals, problems)

    # The handlers stay in place while the sink drains and the summary is written: a stop signal
    # then must not kill the process before every sighting made is stored or spooled, nor turn a
    # finished run's exit status into a signal's.
    with stop_on_signals(stop):
        try:
            _run_all()
        except KeyboardInterrupt:
            typer.echo("interrupted: storing the sightings made so far", err=True)
        finally:
            ws = writer.close()
        finish_report(writer, ws, totals, time.perf_counter() - t0, stop.is_set(), problems)


def new_totals() -> dict[str, int]:
    return {"frames": 0, "vehicles": 0, "sightings": 0, "plates": 0, "with_plate": 0, "stopped": 0}


def report_camera(cam: Camera, run: CameraRun, totals: dict[str, int], problems: list[str]) -> None:
    """One camera's summary line; adds to `totals` and to `problems` what did not happen."""
    st = run.stats
    totals["frames"] += st.frames
    totals["vehicles"] += st.tracks
    totals["sightings"] += st.sightings
    totals["plates"] += st.plates_read
    totals["with_plate"] += st.sightings_with_plate
    typer.echo(
        f"{cam.id}: {st.frames} frames, {st.tracks} vehicles tracked, {st.sightings} sightings, "
        f"{st.plate_attempts} plate attempts, {st.plates_read} plates read "
        f"({st.sightings_with_plate} sightings with a plate) "
        f"in {run.seconds:.1f} s"
        + (f", {run.frames_corrupt} unreadable frame(s) skipped" if run.frames_corrupt else "")
    )
    if run.error is not None:
        problems.append(f"camera {cam.id}: {run.error}")
    # The work did not happen: say so and exit non-zero rather than report an empty success.
    elif st.frames == 0 and not run.stopped:
        what = "unreadable" if run.frames_corrupt else "no"
        problems.append(
            f"camera {cam.id}: {what} frames in {redact(cam.source)}"
            + (f" ({run.frames_corrupt} could not be decoded)" if run.frames_corrupt else "")
        )
    if run.truncated:
        problems.append(f"camera {cam.id}: {redact(cam.source)} is cut off; the rest was not processed")


def finish_report(
    writer: SightingSink,
    ws: SinkStats,
    totals: dict[str, int],
    elapsed: float,
    stopped: bool,
    problems: list[str],
) -> None:
    """The closing summary (after the sink has drained); exits 1 if anything was not done."""
    waiting = sum(len(b) for b in writer.spool.batches())
    typer.echo(
        f"total: {totals['frames']} frames, {totals['vehicles']} vehicles, {totals['sightings']} sightings "
        f"({totals['stopped']} stopped), {totals['plates']} plates read, {elapsed:.1f} s; "
        f"stored {ws.inserted} new, {ws.duplicates} already stored, "
        f"{waiting} waiting in spool"
        + (f", {ws.replayed} replayed from spool" if ws.replayed else "")
        + (f", {ws.rejected} rejected" if ws.rejected else "")
        + ("; stopped on request" if stopped else "")
    )
    if waiting:
        problems.append(
            f"{waiting} sighting(s) are still in the spool {writer.spool.pending} (database unreachable); "
            "the next run stores them"
        )
    if ws.rejected:
        problems.append(f"{ws.rejected} sighting(s) refused by the database, kept in {writer.spool.rejected}")
    for problem in problems:
        typer.echo(redact(f"error: {problem}"), err=True)
    if problems:
        raise typer.Exit(code=1)


def http_sink(cfg: SiteConfig, api_url: str) -> SightingSink:
    """The HTTP sink, with the camera key from the environment (never from the command line)."""
    from detect.sinks.http import HttpSink

    key = os.environ.get("PLATEWATCH_API_KEY", "")
    if not key:
        typer.echo("error: --api-url needs the camera API key in PLATEWATCH_API_KEY", err=True)
        raise typer.Exit(code=2)
    if not api_url.startswith(("http://", "https://")):
        typer.echo(redact(f"error: --api-url must be an http(s) URL, got {api_url!r}"), err=True)
        raise typer.Exit(code=2)
    return HttpSink(api_url, key, cfg.storage.spool_path(), evidence_root=cfg.storage.evidence_path())


def database_sink(cfg: SiteConfig, cameras: list[Camera], database_url: str | None) -> SightingSink:
    """The database sink: migrate (or warn and spool), then store with the rules after each batch."""
    from sqlalchemy.orm import Session

    from detect.runtime import camera_info
    from detect.writer import SightingWriter
    from intel_api.db.migrate import upgrade
    from intel_api.rules.engine import apply_rules

    url = database_url or cfg.resolved_database_url()
    try:
        upgrade(url)
    except Exception as e:  # any failure here means "cannot use this database now"
        # The writer spools to disk when the database is down, so processing can still go on.
        typer.echo(
            redact(
                f"warning: could not migrate the database ({str(e).splitlines()[0]}); sightings will be "
                f"spooled to {cfg.storage.spool_path()} until it is reachable"
            ),
            err=True,
        )

    def after_store(session: Session, ids: list[int]) -> None:
        # incremental rules: flags for these new sightings, in their own transaction
        apply_rules(session, ids, cfg)

    return SightingWriter(
        url, cfg.storage.spool_path(), cameras=[camera_info(c) for c in cameras], after_store=after_store
    )


def register(app: typer.Typer, eval_app: typer.Typer) -> None:  # noqa: ARG001
    app.command("process")(process)
