"""Many cameras in one process, their frames batched through the detectors (a GPU box's path).

Each camera's source is read on its own thread into its own bounded queue (`ThreadedReader`: a
live camera that is not kept up with loses its oldest frames, a file waits), as `run_camera` does
for one camera, and each camera keeps its own `CameraPipeline` (tracker, plate reads, sightings).
Per step the loop takes the next frame of every camera that has one, waiting at most `max_wait_s`
for the others, so a stalled or reconnecting stream holds nobody up; it runs the scene detector
once on that batch, tracks each camera's vehicles, runs the plate detector once over every
vehicle chosen for a read across all cameras, and reads the plates found. A camera's frames are
processed in order whatever batch they land in, so its sightings are those of a run on its own.
A camera whose source fails is finished (its open tracks become sightings) and the rest go on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from detect.batch_inference import InferenceDevice
from detect.pipeline import CameraPipeline, FrameStep, PipelineStats, PlateObservationLike
from detect.reading.localise import PlateBox
from detect.records import BoxXYXY, Sighting
from detect.runtime import CameraRun, Models, open_camera
from ingest.backoff import Backoff
from ingest.errors import IngestError
from ingest.frame_queue import ThreadedReader, queue_length
from ingest.frames import Frame, Image
from ingest.source import FrameSource
from platewatch.config import Camera, SiteConfig
from platewatch.redact import redact

log = logging.getLogger(__name__)

BATCH_STAGES = ("wait", "detect", "plate_locate")


@runtime_checkable
class BatchPlateReader(Protocol):
    """A plate reader that can search many vehicles' crops in one pass (`PlateRecogniser`)."""

    def find_plates_batch(
        self, requests: Sequence[tuple[Image, BoxXYXY]], device: InferenceDevice | None = None
    ) -> list[list[PlateBox]]: ...

    def read_found_plates(
        self, image: Image, plates: Sequence[PlateBox], timestamp: datetime
    ) -> PlateObservationLike | None: ...


@dataclass(slots=True)
class MultiCameraRun:
    runs: list[CameraRun]  # one per camera asked for, in order; `error` says why one ended early
    device: InferenceDevice
    steps: int = 0  # detector batches run
    seconds: float = 0.0
    # Batched work, shared by the cameras (each camera's own stats get its share of detect and
    # plate_locate, so per-camera stage splits stay comparable with a single-camera run).
    batch_seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(BATCH_STAGES, 0.0))
    stopped: bool = False

    @property
    def frames(self) -> int:
        return sum(r.stats.frames for r in self.runs)


@dataclass(slots=True)
class _Lane:
    """One camera inside the loop."""

    camera: Camera
    source: FrameSource
    reader: ThreadedReader
    pipeline: CameraPipeline
    run: CameraRun
    started: float
    frame: Frame | None = None
    done: bool = False


def run_cameras(
    cfg: SiteConfig,
    cameras: Sequence[Camera],
    models: Models,
    on_sighting: Callable[[Sighting], None],
    device: InferenceDevice,
    *,
    process_fps: float | None = None,
    stop: threading.Event | None = None,
    max_wait_s: float | None = None,
    backoff: Backoff | None = None,
    max_retries: int | None = None,
    on_step: Callable[[MultiCameraRun], None] | None = None,
) -> MultiCameraRun:
    """Process every camera's source to its end (or until `stop`), batching across cameras.

    A camera whose source cannot be opened or fails later gets `CameraRun.error` and the others
    carry on. A stop ends the loop between steps; every camera's open tracks are then finished
    and handed to `on_sighting`, as at the end of a file (also on Ctrl-C). `max_wait_s` (default:
    one frame interval) bounds how long a step waits for a camera with no frame ready.
    `backoff`/`max_retries` are passed to stream sources (default: retry for ever).
    """
    if not cameras:
        raise ValueError("no cameras to process")
    ids = [c.id for c in cameras]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ValueError(f"camera id(s) given more than once: {', '.join(repeated)}")
    result = MultiCameraRun(runs=[], device=device)
    lanes: list[_Lane] = []
    fastest = 0.0
    for camera in cameras:
        fps = process_fps or camera.process_fps or cfg.detection.process_fps
        fastest = max(fastest, fps)
        try:
            source, pipeline = open_camera(
                cfg, camera, models, fps, stop=stop, backoff=backoff, max_retries=max_retries
            )
        except (IngestError, OSError) as e:
            log.error("camera %s: %s; the other cameras carry on", camera.id, redact(str(e)))
            result.runs.append(CameraRun(camera.id, PipelineStats(), 0.0, error=str(e)))
            continue
        run = CameraRun(camera.id, pipeline.stats, 0.0)
        result.runs.append(run)
        reader = ThreadedReader(source, maxsize=queue_length(source, cfg.detection.queue_size))
        lanes.append(_Lane(camera, source, reader, pipeline, run, time.perf_counter()))
    wait_s = max_wait_s if max_wait_s is not None else 1.0 / fastest
    loop = _Loop(models, on_sighting, device, result)
    t0 = time.perf_counter()
    try:
        for lane in lanes:
            lane.reader.start()
        while any(not lane.done for lane in lanes):
            if stop is not None and stop.is_set():
                result.stopped = True
                for lane in lanes:
                    lane.run.stopped = not lane.done
                break
            ready = loop.gather([lane for lane in lanes if not lane.done], wait_s)
            if ready:
                loop.step(ready)
                if on_step is not None:
                    on_step(result)
    finally:
        # also on Ctrl-C: tracks seen so far become sightings rather than being lost
        for lane in lanes:
            loop.end(lane)
        result.seconds = time.perf_counter() - t0
    return result


class _Loop:
    def __init__(
        self,
        models: Models,
        on_sighting: Callable[[Sighting], None],
        device: InferenceDevice,
        result: MultiCameraRun,
    ) -> None:
        self.detector = models.detector
        reader = models.plate_reader
        self.batch_reader = reader if isinstance(reader, BatchPlateReader) else None
        self.on_sighting = on_sighting
        self.device = device
        self.result = result

    def gather(self, lanes: list[_Lane], wait_s: float) -> list[_Lane]:
        """The cameras with a frame for this step; waits at most `wait_s` for the others."""
        t0 = time.perf_counter()
        deadline = time.monotonic() + wait_s
        for lane in lanes:
            if lane.frame is not None:
                continue
            try:
                lane.frame = lane.reader.queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                continue
            except Exception as e:  # the reader thread's failure, re-raised here: this camera only
                log.error("camera %s failed: %s; the other cameras carry on", lane.camera.id, redact(str(e)))
                self.end(lane, error=str(e) or type(e).__name__)
                continue
            if lane.frame is None:  # end of the source
                self.end(lane)
        self.result.batch_seconds["wait"] += time.perf_counter() - t0
        return [lane for lane in lanes if lane.frame is not None and not lane.done]

    def step(self, lanes: list[_Lane]) -> None:
        frames = [lane.frame for lane in lanes if lane.frame is not None]
        assert len(frames) == len(lanes)
        self.result.steps += 1
        t0 = time.perf_counter()
        scenes = self.detector.detect_scene_batch([f.image for f in frames], self.device)
        spent = time.perf_counter() - t0
        self.result.batch_seconds["detect"] += spent
        steps: list[FrameStep] = []
        for lane, frame, scene in zip(lanes, frames, scenes, strict=True):
            lane.pipeline.stats.seconds["detect"] += spent / len(lanes)
            steps.append(lane.pipeline.track(frame, scene))
        self._read_plates(lanes, steps)
        for lane, frame_step in zip(lanes, steps, strict=True):
            lane.frame = None
            for sighting in lane.pipeline.finish(frame_step):
                self._emit(lane, sighting)

    def _read_plates(self, lanes: list[_Lane], steps: list[FrameStep]) -> None:
        requests = [(st.frame.image, det.box) for st in steps for det in st.to_read]
        if not requests:
            return
        if self.batch_reader is None:  # a reader without batching: one vehicle at a time
            for lane, st in zip(lanes, steps, strict=True):
                reader = lane.pipeline.plate_reader
                assert reader is not None
                with lane.pipeline.stats.timed("plate"):
                    for det in st.to_read:
                        obs = reader.read_vehicle(st.frame.image, det.box, st.frame.timestamp)
                        lane.pipeline.add_plate(det, obs)
            return
        t0 = time.perf_counter()
        found = iter(self.batch_reader.find_plates_batch(requests, self.device))
        spent = time.perf_counter() - t0
        self.result.batch_seconds["plate_locate"] += spent
        for lane, st in zip(lanes, steps, strict=True):
            lane.pipeline.stats.seconds["plate"] += spent * len(st.to_read) / len(requests)
            with lane.pipeline.stats.timed("plate"):
                for det in st.to_read:
                    plates = next(found)
                    obs = self.batch_reader.read_found_plates(st.frame.image, plates, st.frame.timestamp)
                    lane.pipeline.add_plate(det, obs)

    def _emit(self, lane: _Lane, sighting: Sighting) -> None:
        self.on_sighting(sighting)
        lane.run.sightings.append(sighting.track_key)

    def end(self, lane: _Lane, error: str | None = None) -> None:
        """Finish a camera: its open tracks become sightings, its reader stops, its run is filled."""
        if lane.done:
            return
        lane.done = True
        lane.frame = None
        lane.reader.close()
        for sighting in lane.pipeline.flush():
            self._emit(lane, sighting)
        run = lane.run
        run.seconds = time.perf_counter() - lane.started
        run.frames_dropped = lane.source.stats.frames_dropped
        run.frames_corrupt = lane.source.stats.frames_corrupt
        run.truncated = bool(getattr(lane.source, "truncated", False))
        if error is not None:
            run.error = error
