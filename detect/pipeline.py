"""Frames -> vehicle detections -> tracks -> one `Sighting` per vehicle pass.

Per frame: one detector pass (vehicles + people), zone filter, ByteTrack, bounded per-track state,
an occasional plate read for vehicles in a plate zone. A track unseen for
`detection.track_lost_seconds` (frame time) is finished: consensus, kinematics and evidence are
computed once, the Sighting is emitted and the state forgotten. Nothing here touches the database:
Sightings go to `detect.writer.SightingWriter`.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

import numpy as np

from detect.colour import measure as measure_colour
from detect.evidence import EvidenceStore, EvidenceWriteError, vehicle_shot
from detect.kinematics import GroundPlane, summarise_motion
from detect.records import BoxXYXY, PlateRead, Sighting, VehicleDetection, track_key
from detect.scene import SceneDetections
from detect.track_state import TrackState
from detect.tracking import VehicleTracker
from detect.zones import ZoneSet
from ingest.frames import Frame, Image
from platewatch.config import Camera, Detection

log = logging.getLogger(__name__)

# A plate is read at most once every this long per track (3 frames at the default 5 frames/s): its
# view changes with time, not with how many frames are analysed, so 10 frames/s does not double it.
READ_EVERY_SECONDS = 0.6
LARGER_BOX_FACTOR = 1.15  # ...unless the vehicle is now this much taller than at its last read
# A read track whose vehicle is now this much shorter than at its tallest read is moving away: its
# best view (largest, sharpest plate) has been read, the next ones only get worse, so it is not read
# again (on the 1080p paris_rain clip a read costs 0.3-0.7 s of text boxes and recognisers).
SMALLER_BOX_FACTOR = 1 / LARGER_BOX_FACTOR
# A plate is at most this fraction of its vehicle's box width (cars and vans measured at 0.31-0.34
# on the shared clips; a motorcycle's plate is wider relative to it): a vehicle narrower than
# min_plate_width_px / this cannot show a plate wide enough to read, so it is not searched.
MAX_PLATE_TO_VEHICLE_WIDTH = 0.5
# Plate searches per analysed frame across all tracks; the rest wait for the next frame (they stay
# due), tracks without a read yet and nearer (taller) vehicles first. Keeps a busy frame from
# costing seconds of OCR while one plate needs only a few good views.
MAX_PLATE_SEARCHES_PER_FRAME = 2
MIN_FRAMES_TO_READ = 2
MIN_FRAMES_FOR_SIGHTING = 2  # a track seen in one frame only is detector noise more often than not
STRONG_CONSENSUS_READS = 3
# After this many attempts that found no legible plate, only a vehicle that has come closer (grown)
# is tried again: a parked car or a bus seen side-on would otherwise cost a plate search every
# few frames until max_reads_per_track.
MAX_FAILED_BEFORE_GROWTH = 3

# The body colour is a share of pixels: a 1080p van close up is ~400k of them, and every-n-th
# pixel gives the same shares in a tenth of the time (50 ms -> 9 ms on a 700x600 crop).
COLOUR_MAX_PIXELS = 40_000

STAGES = ("decode", "detect", "track", "plate", "kinematics", "evidence", "write")


class SceneDetectorLike(Protocol):
    def detect_scene(self, image: Image) -> SceneDetections: ...


class PlateObservationLike(Protocol):
    @property
    def read(self) -> PlateRead: ...

    @property
    def crop(self) -> Image: ...


class PlateReaderLike(Protocol):
    def read_vehicle(
        self, image: Image, vehicle_box: BoxXYXY, timestamp: datetime
    ) -> PlateObservationLike | None: ...


ConsensusFn = Callable[[Sequence[PlateRead], Literal["gb", "any"]], PlateRead | None]


@dataclass(slots=True)
class PipelineStats:
    frames: int = 0
    vehicle_detections: int = 0
    tracks: int = 0
    sightings: int = 0
    short_tracks_dropped: int = 0
    plate_attempts: int = 0
    plates_read: int = 0
    sightings_with_plate: int = 0
    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - t0

    def merge(self, other: PipelineStats) -> None:
        for name in ("frames", "vehicle_detections", "tracks", "sightings", "short_tracks_dropped"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("plate_attempts", "plates_read", "sightings_with_plate"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for k, v in other.seconds.items():
            self.seconds[k] = self.seconds.get(k, 0.0) + v


@dataclass(slots=True)
class FrameStep:
    """One frame between `CameraPipeline.track` and `CameraPipeline.finish`."""

    frame: Frame
    finished: list[Sighting]  # tracks of a previous epoch, finished by this frame's new one
    to_read: list[VehicleDetection]  # tracked vehicles whose plate is to be read in this frame


class CameraPipeline:
    """Turns one camera's frames into Sightings; single-threaded, one instance per camera."""

    def __init__(
        self,
        camera: Camera,
        detection: Detection,
        detector: SceneDetectorLike,
        *,
        plate_reader: PlateReaderLike | None = None,
        consensus: ConsensusFn | None = None,
        evidence: EvidenceStore | None = None,
        process_fps: float | None = None,
        stills: bool = False,
    ) -> None:
        self.camera = camera
        # Stills (an image folder): a photo is the only view of a vehicle, so a single detection
        # is a sighting and its plate is read at once; on video that would be noise.
        self.stills = stills
        self._min_frames_for_sighting = 1 if stills else MIN_FRAMES_FOR_SIGHTING
        self._min_frames_to_read = 1 if stills else MIN_FRAMES_TO_READ
        self.cfg = detection
        self.detector = detector
        self.plate_reader = plate_reader
        self.consensus = consensus
        self.evidence = evidence
        self.zones = ZoneSet(camera.zones)
        self.plane = GroundPlane(camera.calibration) if camera.calibration else None
        self.process_fps = process_fps or camera.process_fps or detection.process_fps
        self.tracker = VehicleTracker(self.process_fps, detection.track_lost_seconds)
        self._read_every_frames = max(1, round(READ_EVERY_SECONDS * self.process_fps))
        self.stats = PipelineStats()
        self._tracks: dict[int, TrackState] = {}
        self._epoch: int | None = None
        self._frame_no = 0
        self.last_tracked: list[VehicleDetection] = []  # this frame's tracked boxes (evaluation, display)

    @property
    def open_tracks(self) -> int:
        return len(self._tracks)

    # -- per frame -------------------------------------------------------------------------
    def process(self, frame: Frame, scene: SceneDetections | None = None) -> list[Sighting]:
        """Feed one frame; returns the Sightings of tracks that this frame finished.

        `scene`: this frame's detections when the caller has already run the detector (a batch
        of several cameras' frames); otherwise the pipeline's own detector runs here.
        """
        step = self.track(frame, scene)
        if self.plate_reader is not None:
            with self.stats.timed("plate"):
                for det in step.to_read:
                    self.add_plate(det, self.plate_reader.read_vehicle(frame.image, det.box, frame.timestamp))
        return self.finish(step)

    # The three phases of `process`, apart so that a multi-camera loop can batch the detectors
    # across cameras between them: track (with given or own detections), read the plates of
    # `FrameStep.to_read` (each result handed to `add_plate`), then finish.
    def track(self, frame: Frame, scene: SceneDetections | None = None) -> FrameStep:
        """Detect (unless `scene` is given), track, and pick the vehicles whose plate to read now."""
        if frame.camera_id != self.camera.id:
            raise ValueError(f"frame from camera {frame.camera_id!r} fed to pipeline of {self.camera.id!r}")
        finished: list[Sighting] = []
        # Stills are separate moments: a car in one photo is not the car at the same place in the
        # next, so each photo gets its own epoch (unique, stable keys) and nothing is tracked across.
        epoch = frame.stream_epoch + frame.index if self.stills else frame.stream_epoch
        if self._epoch is not None and epoch != self._epoch:
            # reconnection: old ids mean nothing to the new tracker, finish every open track
            finished.extend(self.flush())
        self._epoch = epoch
        self._frame_no += 1
        self.stats.frames += 1

        with self.stats.timed("detect"):
            if scene is None:
                scene = self.detector.detect_scene(frame.image)
            vehicles = [d for d in scene.vehicles if self.zones.keeps(d.box)]
        self.stats.vehicle_detections += len(vehicles)
        with self.stats.timed("track"):
            tracked = self.tracker.update(vehicles)
            self.last_tracked = tracked
            for det in tracked:
                self._observe(frame, det, scene.people)
        to_read: list[VehicleDetection] = []
        if self.plate_reader is not None:
            with self.stats.timed("plate"):
                to_read = self._plate_searches(tracked)
                for det in to_read:
                    self._count_read(det)
        return FrameStep(frame, finished, to_read)

    def add_plate(self, det: VehicleDetection, obs: PlateObservationLike | None) -> None:
        """The result of reading the plate of `det`, one of this frame's `FrameStep.to_read`."""
        if obs is None:
            return
        assert det.track_id is not None
        state = self._tracks[det.track_id]
        self.stats.plates_read += 1
        state.add_read(obs.read, obs.crop, self.cfg.max_reads_per_track, self.cfg.settle_reads)
        if self.consensus is not None and len(state.reads) >= STRONG_CONSENSUS_READS:
            best = self.consensus(state.reads, self.cfg.region)
            if (
                best is not None
                and best.grammar_valid
                and best.confidence >= self.cfg.letter_grade_confidence
            ):
                state.reading_done = True

    def finish(self, step: FrameStep) -> list[Sighting]:
        """End the frame: the Sightings of the tracks it finished (a new epoch's, then lost ones)."""
        return step.finished + self._finish_lost(step.frame.timestamp)

    def flush(self) -> list[Sighting]:
        """Finish every open track (end of stream or new epoch) and restart the tracker ids."""
        states = list(self._tracks.values())
        self._tracks.clear()
        self.tracker.reset()
        return self._emit(states)

    def run(self, frames: Iterable[Frame]) -> Iterator[Sighting]:
        it = iter(frames)
        while True:
            with self.stats.timed("decode"):
                frame = next(it, None)
            if frame is None:
                break
            yield from self.process(frame)
        yield from self.flush()

    # -- internals -------------------------------------------------------------------------
    def _observe(self, frame: Frame, det: VehicleDetection, people: Sequence[BoxXYXY]) -> None:
        assert det.track_id is not None
        state = self._tracks.get(det.track_id)
        if state is None:
            state = TrackState(det.track_id, frame.timestamp, frame.timestamp)
            self._tracks[det.track_id] = state
            self.stats.tracks += 1
        state.observe(self._frame_no, frame.timestamp, det, self.zones.zones_at(det.box))
        area = (det.box[2] - det.box[0]) * (det.box[3] - det.box[1])
        if area > state.colour_area:
            # The largest view shows the most paint; measured from the unblurred crop of the box.
            x1, y1, x2, y2 = (max(0, int(v)) for v in det.box)
            step = max(1, math.ceil(math.sqrt(area / COLOUR_MAX_PIXELS)))
            reading = measure_colour(np.ascontiguousarray(frame.image[y1:y2:step, x1:x2:step]))
            state.colour_area = area
            if reading is not None:
                state.colour, state.colour_confidence = reading.colour, reading.confidence
        if self.evidence is not None and area > state.vehicle_image_area:
            # the largest view is the most useful to a reviewer; people are blurred right now
            with self.stats.timed("evidence"):
                state.vehicle_image = vehicle_shot(frame.image, det.box, people, self.cfg.blur_people)
                state.vehicle_image_area = area

    def _plate_searches(self, tracked: Sequence[VehicleDetection]) -> list[VehicleDetection]:
        """This frame's plate searches: the due tracks, most useful first, at most the frame's budget."""
        due = [
            (self._tracks[d.track_id], d)
            for d in tracked
            if d.track_id is not None and self._should_read(self._tracks[d.track_id], d)
        ]
        if self.stills:
            return [d for _, d in due]  # a photo is the only view: every vehicle in it is searched
        due.sort(key=lambda sd: (bool(sd[0].reads), sd[1].box[1] - sd[1].box[3]))
        return [d for _, d in due[:MAX_PLATE_SEARCHES_PER_FRAME]]

    def _should_read(self, state: TrackState, det: VehicleDetection) -> bool:
        if state.reading_done or state.read_attempts >= self.cfg.max_reads_per_track:
            return False
        if state.frames_seen < self._min_frames_to_read:
            return False
        height = det.box[3] - det.box[1]
        if height < self.cfg.min_vehicle_height_px or not self.zones.in_plate_zone(det.box):
            return False
        if (det.box[2] - det.box[0]) * MAX_PLATE_TO_VEHICLE_WIDTH < self.cfg.min_plate_width_px:
            return False
        waited = self._frame_no - state.last_read_frame_no >= self._read_every_frames
        grown = height >= LARGER_BOX_FACTOR * state.largest_read_height
        if state.reads and height < SMALLER_BOX_FACTOR * state.largest_read_height:
            return False  # moving away: the best view is behind it
        if state.settled_text is not None or (
            not state.reads and state.read_attempts >= MAX_FAILED_BEFORE_GROWTH
        ):
            # Settled (or unreadable so far): only a vehicle that has come closer is read again, so
            # a plate growing sharper as the car approaches still gives its best frame as evidence
            # (issue 10 item 6) while one sitting at the same size is not read over and over.
            return grown
        return waited or grown

    def _count_read(self, det: VehicleDetection) -> None:
        """Count a plate read of `det` in this frame (chosen by `_plate_searches`)."""
        assert det.track_id is not None
        state = self._tracks[det.track_id]
        state.read_attempts += 1
        state.last_read_frame_no = self._frame_no
        state.largest_read_height = max(state.largest_read_height, det.box[3] - det.box[1])
        self.stats.plate_attempts += 1

    def _finish_lost(self, now: datetime) -> list[Sighting]:
        lost = [
            s
            for s in self._tracks.values()
            if (now - s.last_seen).total_seconds() > self.cfg.track_lost_seconds
        ]
        for s in lost:
            del self._tracks[s.track_id]
        self.tracker.forget({s.track_id for s in lost})
        return self._emit(lost)

    def _emit(self, states: list[TrackState]) -> list[Sighting]:
        out: list[Sighting] = []
        for state in sorted(states, key=lambda s: s.first_seen):
            if state.frames_seen < self._min_frames_for_sighting:
                self.stats.short_tracks_dropped += 1
                continue
            out.append(self._sighting(state))
        self.stats.sightings += len(out)
        return out

    def _sighting(self, state: TrackState) -> Sighting:
        assert self._epoch is not None
        key = track_key(self.camera.id, self._epoch, state.track_id)
        with self.stats.timed("kinematics"):
            motion = summarise_motion(state.samples, self.plane, self.cfg.stopped_speed_kmh)
        plate: PlateRead | None = None
        if state.reads and self.consensus is not None:
            with self.stats.timed("plate"):
                plate = self.consensus(state.reads, self.cfg.region)
        if plate is not None:
            self.stats.sightings_with_plate += 1
        plate_path: str | None = None
        vehicle_path: str | None = None
        if self.evidence is not None:
            with self.stats.timed("evidence"):
                try:
                    plate_path, vehicle_path = self.evidence.save(
                        self.camera.id, state.first_seen.date(), key, state.plate_crop, state.vehicle_image
                    )
                except EvidenceWriteError as e:
                    # the sighting is still worth storing; the missing image shows as no path
                    log.error("[%s] evidence for %s not written: %s", self.camera.id, key, e)
        return Sighting(
            camera_id=self.camera.id,
            track_key=key,
            vehicle_class=state.vehicle_class,
            first_seen=state.first_seen,
            last_seen=state.last_seen,
            plate=plate,
            candidates=tuple(sorted(state.reads, key=lambda r: r.timestamp)),
            speed_kmh=motion.speed_kmh,
            min_speed_kmh=motion.min_speed_kmh,
            direction=motion.direction,
            heading_deg=motion.heading_deg,
            stopped=motion.stopped,
            stopped_seconds=motion.stopped_seconds,
            zone_dwell=motion.zone_dwell,
            plate_image_path=plate_path,
            vehicle_image_path=vehicle_path,
            frames_seen=state.frames_seen,
            colour=state.colour,
            colour_confidence=state.colour_confidence,
            extra={"motion_basis": "ground_plane" if self.plane else "pixels"},
        )
