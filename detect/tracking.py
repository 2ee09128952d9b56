"""Vehicle tracking across frames with Ultralytics' ByteTrack, driven by the processed frame rate.

Supervision 0.31 no longer ships ByteTrack, so the tracker is `ultralytics.trackers.BYTETracker`
fed with our own detections. Its "frames lost" budget is set from `track_lost_seconds` times the
*processed* frame rate: at 5 fps a 2 s budget is 10 frames, not 50.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np
import numpy.typing as npt
from ultralytics.trackers.byte_tracker import BYTETracker

from detect.records import COCO_VEHICLE_CLASSES, VehicleDetection

_CLASS_IDS = {v: k for k, v in COCO_VEHICLE_CLASSES.items()}


class _Boxes:
    """The small slice of ultralytics' `Boxes` interface the tracker reads (numpy-backed)."""

    def __init__(
        self, xyxy: npt.NDArray[np.float32], conf: npt.NDArray[np.float32], cls: npt.NDArray[np.float32]
    ):
        self.xyxy = xyxy
        self.conf = conf
        self.cls = cls

    @property
    def xywh(self) -> npt.NDArray[np.float32]:
        out = np.empty_like(self.xyxy)
        out[:, 0] = (self.xyxy[:, 0] + self.xyxy[:, 2]) / 2
        out[:, 1] = (self.xyxy[:, 1] + self.xyxy[:, 3]) / 2
        out[:, 2] = self.xyxy[:, 2] - self.xyxy[:, 0]
        out[:, 3] = self.xyxy[:, 3] - self.xyxy[:, 1]
        return out

    def __len__(self) -> int:
        return len(self.conf)

    def __getitem__(self, index: Any) -> _Boxes:
        return _Boxes(self.xyxy[index], self.conf[index], self.cls[index])


@dataclass(frozen=True, slots=True)
class TrackerSettings:
    high_threshold: float = 0.25  # detections above join tracks in the first association
    low_threshold: float = 0.1  # weaker ones can only continue an existing track
    new_track_threshold: float = 0.25
    match_threshold: float = 0.8


class VehicleTracker:
    """Assigns a track id to each vehicle detection; ids restart at 1 after `reset()` (new epoch)."""

    def __init__(
        self, process_fps: float, lost_seconds: float, settings: TrackerSettings | None = None
    ) -> None:
        s = settings or TrackerSettings()
        self.process_fps = process_fps
        self.lost_frames = max(1, math.ceil(lost_seconds * process_fps))
        args = SimpleNamespace(
            track_high_thresh=s.high_threshold,
            track_low_thresh=s.low_threshold,
            new_track_thresh=s.new_track_threshold,
            track_buffer=self.lost_frames,
            match_thresh=s.match_threshold,
            fuse_score=True,
        )
        tracker_cls: Any = BYTETracker  # untyped third-party class
        self._tracker: Any = tracker_cls(args)

    def reset(self) -> None:
        self._tracker.reset()

    def forget(self, track_ids: set[int]) -> None:
        """Drop finished tracks so ByteTrack cannot revive an id whose Sighting was already emitted.

        The pipeline finishes tracks by frame *time*; ByteTrack keeps lost tracks by frame *count*.
        On a live stream that drops frames the two disagree, and a revived id would repeat a track key.
        """
        if not track_ids:
            return
        t = self._tracker
        for pool in (t.tracked_stracks, t.lost_stracks):
            for track in pool:
                if track.track_id in track_ids:
                    track.mark_removed()
        t.tracked_stracks = [x for x in t.tracked_stracks if x.track_id not in track_ids]
        t.lost_stracks = [x for x in t.lost_stracks if x.track_id not in track_ids]

    def update(self, detections: Sequence[VehicleDetection]) -> list[VehicleDetection]:
        """Detections of this frame that belong to a confirmed track, with `track_id` set.

        The box returned is the detector's own box (not the Kalman prediction): speeds are
        measured from what was seen. A frame with no detections must still be passed in so that
        tracks age.
        """
        if detections:
            xyxy = np.array([d.box for d in detections], dtype=np.float32)
            conf = np.array([d.confidence for d in detections], dtype=np.float32)
            cls = np.array([_CLASS_IDS[d.vehicle_class] for d in detections], dtype=np.float32)
        else:
            xyxy = np.zeros((0, 4), dtype=np.float32)
            conf = np.zeros(0, dtype=np.float32)
            cls = np.zeros(0, dtype=np.float32)
        rows = self._tracker.update(_Boxes(xyxy, conf, cls))
        out: list[VehicleDetection] = []
        for row in rows:
            track_id, idx = int(row[4]), int(row[7])
            det = detections[idx]
            out.append(VehicleDetection(det.box, det.vehicle_class, det.confidence, track_id))
        return out
