"""Wiring for `platewatch process` and the benchmark: models from the config, one pipeline per camera.

Sources are read on their own thread (`ingest.frame_queue.ThreadedReader`), frames are processed
here, and Sightings go to the `SightingWriter` thread: decoding, detection and the database
never wait on each other.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import cv2

from detect.evidence import EvidenceStore
from detect.pipeline import CameraPipeline, ConsensusFn, PipelineStats, PlateReaderLike
from detect.records import Sighting
from detect.scene import SceneDetector
from ingest.backoff import Backoff
from ingest.factory import open_source
from ingest.frame_queue import ThreadedReader, queue_length
from ingest.image_folder import ImageFolderSource
from ingest.source import FrameSource
from ingest.stream import redact_url
from ingest.video_file import VideoFileSource
from platewatch.config import Camera, SiteConfig
from platewatch.redact import redact

if TYPE_CHECKING:
    from intel_api.store import CameraInfo

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Models:
    detector: SceneDetector
    plate_reader: PlateReaderLike | None
    consensus: ConsensusFn | None


def load_models(cfg: SiteConfig, read_plates: bool = True) -> Models:
    """Load the detector (and the plate reader + consensus unless `read_plates` is False)."""
    detector = SceneDetector(cfg.detection, cfg.models)
    if not read_plates:
        return Models(detector, None, None)
    from detect.consensus import plate_consensus
    from detect.reading.recogniser import PlateRecogniser

    return Models(detector, PlateRecogniser(cfg.detection, cfg.models), plate_consensus)


def camera_info(camera: Camera) -> CameraInfo:
    # Imported here: a worker with the HTTP sink never loads intel_api's database layer.
    from intel_api.store import CameraInfo

    return CameraInfo(
        id=camera.id,
        name=camera.name,
        location=camera.location.description,
        latitude=camera.location.latitude,
        longitude=camera.location.longitude,
        direction_of_travel=camera.direction_of_travel,
    )


def camera_for_source(cfg: SiteConfig, source: str | None, camera_id: str | None) -> list[Camera]:
    """The cameras `platewatch process` should run.

    No source: every configured camera. A camera id: that camera. A path or URL: `--camera`'s
    zones and calibration, else those of the camera whose `source` it is, else an ad-hoc camera of
    its own: an id made from the file name, the whole frame (no zones), no calibration (speeds in
    pixels) and the time from the file. Borrowing another camera's zones would drop every vehicle
    outside them, and its start time would date the sightings wrongly.
    """
    if source is None:
        return [cfg.camera(camera_id)] if camera_id else list(cfg.cameras)
    ids = {c.id: c for c in cfg.cameras}
    if source in ids and camera_id is None:
        return [ids[source]]
    if camera_id is not None:
        return [cfg.camera(camera_id).model_copy(update={"source": source})]
    for cam in cfg.cameras:
        if cam.source == source or _same_path(cam.source, source):
            return [cam]
    shown = redact(source)
    stem = re.sub(r"[^a-z0-9_]+", "_", Path(redact_url(source).rstrip("/")).stem.lower()).strip("_")[:64]
    stem = stem or "source"
    log.warning(
        "%s is not a configured camera: processing it as ad-hoc camera %r over the whole frame "
        "(no zones, no calibration: speeds in pixels), times from the file; use --camera ID to "
        "borrow a configured camera's zones and calibration",
        shown,
        stem,
    )
    return [Camera(id=stem, name=Path(shown).name, source=source)]


def _same_path(a: str, b: str) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except (OSError, RuntimeError):
        return False


def expected_frames(source: FrameSource, process_fps: float) -> int | None:
    """How many frames a file will yield at `process_fps` (for a progress bar); None if unknown."""
    if not isinstance(source, VideoFileSource) or source.fps <= 0:
        return None
    cap = cv2.VideoCapture(str(source.path))
    try:
        count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    finally:
        cap.release()
    if count <= 0:
        return None
    return int(count * min(1.0, process_fps / source.fps)) + 1


@dataclass(slots=True)
class CameraRun:
    camera_id: str
    stats: PipelineStats
    seconds: float
    frames_dropped: int = 0
    frames_corrupt: int = 0
    sightings: list[str] = field(default_factory=list)  # track keys
    stopped: bool = False  # ended by a stop request, not by the end of the source
    truncated: bool = False  # a video file that ended well before the frames its header declares
    error: str | None = None  # why the camera stopped early (multi-camera runs carry on without it)


def open_camera(
    cfg: SiteConfig,
    camera: Camera,
    models: Models,
    fps: float,
    *,
    stop: threading.Event | None = None,
    backoff: Backoff | None = None,
    max_retries: int | None = None,
) -> tuple[FrameSource, CameraPipeline]:
    """The camera's source (analysed at `fps`) and its pipeline; raises SourceOpenError."""
    source = open_source(
        camera.model_copy(update={"process_fps": fps}),
        cfg.detection.process_fps,
        stop_event=stop,
        backoff=backoff,
        max_retries=max_retries,
    )
    pipeline = CameraPipeline(
        camera,
        cfg.detection,
        models.detector,
        plate_reader=models.plate_reader,
        consensus=models.consensus,
        evidence=EvidenceStore(cfg.storage.evidence_path()),
        process_fps=source.fps if isinstance(source, ImageFolderSource) else fps,
        stills=isinstance(source, ImageFolderSource),
    )
    return source, pipeline


def run_camera(
    cfg: SiteConfig,
    camera: Camera,
    models: Models,
    on_sighting: Callable[[Sighting], None],
    *,
    process_fps: float | None = None,
    progress: Callable[[int | None], Callable[[], None]] | None = None,
    stop: threading.Event | None = None,
) -> CameraRun:
    """Process one camera's source to its end, or until `stop` is set; raises SourceOpenError.

    A stop ends the run between frames (a stream waiting to reconnect wakes at once); the tracks
    still open are finished and handed to `on_sighting` like at the end of a file.
    """
    fps = process_fps or camera.process_fps or cfg.detection.process_fps
    source, pipeline = open_camera(cfg, camera, models, fps, stop=stop)
    tick = progress(expected_frames(source, fps)) if progress else None
    run = CameraRun(camera.id, pipeline.stats, 0.0)
    t0 = time.perf_counter()
    reader = ThreadedReader(source, maxsize=queue_length(source, cfg.detection.queue_size))
    try:
        with reader:
            for frame in reader:
                for s in pipeline.process(frame):
                    on_sighting(s)
                    run.sightings.append(s.track_key)
                if tick:
                    tick()
                if stop is not None and stop.is_set():
                    run.stopped = True
                    break
    finally:
        # also on Ctrl-C: tracks seen so far become sightings rather than being lost
        for s in pipeline.flush():
            on_sighting(s)
            run.sightings.append(s.track_key)
        run.seconds = time.perf_counter() - t0
        run.frames_dropped = source.stats.frames_dropped
        run.frames_corrupt = source.stats.frames_corrupt
        run.truncated = bool(getattr(source, "truncated", False))
    return run
