"""Tracking accuracy against CVAT 1.1 video annotations: MOTA/IDF1 (motmetrics) and stopped calls.

Ground truth: every `<track label="vehicle">` box with `outside="0"`. The per-track stopped call:
a GT track counts as *stationary* when most of its boxes are `stopped="true"` or `parked="true"`
(both mean "not moving" to a kerb-crawling rule). A predicted track is *stationary* when its
kinematics put it below `detection.stopped_speed_kmh` for at least half of its observed time. Each
GT track is compared with the predicted track that overlaps it most (sum of IoU>=0.5 over frames).
Only the frames the pipeline processed are scored (all frames unless `--fps` is given).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from detect.pipeline import CameraPipeline
from detect.records import BoxXYXY, Sighting
from ingest.frames import Frame

MAX_IOU_DISTANCE = 0.5  # motmetrics distance = 1 - IoU: pairs need IoU >= 0.5
STATIONARY_FRACTION = 0.5


class CvatError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class GtBox:
    frame: int
    box: BoxXYXY
    stopped: bool
    parked: bool


@dataclass(slots=True)
class GtTrack:
    track_id: int
    boxes: list[GtBox] = field(default_factory=list)

    @property
    def stationary(self) -> bool:
        still = sum(1 for b in self.boxes if b.stopped or b.parked)
        return still > len(self.boxes) / 2


def parse_cvat(path: Path) -> dict[int, GtTrack]:
    """CVAT 1.1 interpolation XML -> GT tracks of label `vehicle` (boxes with outside="0" only)."""
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as e:
        raise CvatError(f"{path}: not readable CVAT XML: {e}") from None
    if root.tag != "annotations":
        raise CvatError(f"{path}: root element is <{root.tag}>, expected <annotations> (CVAT 1.1)")
    tracks: dict[int, GtTrack] = {}
    for t in root.iter("track"):
        if t.get("label") != "vehicle":
            continue
        tid = int(t.get("id", "-1"))
        track = tracks.setdefault(tid, GtTrack(tid))
        for b in t.iter("box"):
            if b.get("outside") == "1":
                continue
            attrs = {a.get("name"): (a.text or "").strip().lower() for a in b.iter("attribute")}
            box = (
                float(b.get("xtl", 0)),
                float(b.get("ytl", 0)),
                float(b.get("xbr", 0)),
                float(b.get("ybr", 0)),
            )
            track.boxes.append(
                GtBox(
                    int(b.get("frame", -1)),
                    box,
                    attrs.get("stopped") == "true",
                    attrs.get("parked") == "true",
                )
            )
    return {k: v for k, v in tracks.items() if v.boxes}


def _xywh(boxes: list[BoxXYXY]) -> npt.NDArray[np.float64]:
    a = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    a[:, 2:] -= a[:, :2]
    return a


def iou_distance(gt: list[BoxXYXY], pred: list[BoxXYXY]) -> npt.NDArray[np.float64]:
    """motmetrics' IoU distance matrix (NaN = may not pair).

    Same as `motmetrics.distances.iou_matrix`, which calls `np.asfarray` (gone in NumPy 2); the IoU
    itself is motmetrics' own `boxiou`.
    """
    import motmetrics as mm

    if not gt or not pred:
        return np.empty((len(gt), len(pred)))
    iou = mm.distances.boxiou(_xywh(gt)[:, None], _xywh(pred)[None, :])
    dist = 1.0 - np.asarray(iou, dtype=np.float64)
    return np.where(dist > MAX_IOU_DISTANCE, np.nan, dist)


def _box_iou(a: BoxXYXY, b: BoxXYXY) -> float:
    d = iou_distance([a], [b])
    return 0.0 if np.isnan(d[0, 0]) else 1.0 - float(d[0, 0])


@dataclass(slots=True)
class TrackEval:
    mota: float
    idf1: float
    precision: float
    recall: float
    num_switches: int
    frames_scored: int
    gt_tracks: int
    predicted_tracks: int
    stopped_accuracy: float | None
    per_track: list[dict[str, Any]]
    settings: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        acc = "n/a" if self.stopped_accuracy is None else f"{self.stopped_accuracy:.3f}"
        return (
            f"MOTA {self.mota:.3f}  IDF1 {self.idf1:.3f}  precision {self.precision:.3f}  "
            f"recall {self.recall:.3f}  ID switches {self.num_switches}  GT tracks {self.gt_tracks}  "
            f"stopped accuracy {acc} ({self.frames_scored} frames)"
        )


def evaluate_tracks(
    frames: Iterable[Frame],
    pipeline: CameraPipeline,
    gt: dict[int, GtTrack],
    settings: dict[str, Any] | None = None,
) -> TrackEval:
    import motmetrics as mm

    gt_by_frame: dict[int, list[tuple[int, BoxXYXY]]] = defaultdict(list)
    for track in gt.values():
        for b in track.boxes:
            gt_by_frame[b.frame].append((track.track_id, b.box))
    acc = mm.MOTAccumulator(auto_id=True)
    overlap: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    sightings: list[Sighting] = []
    predicted_ids: set[int] = set()
    scored_frames: set[int] = set()
    for frame in frames:
        sightings.extend(pipeline.process(frame))
        preds = [(d.track_id or 0, d.box) for d in pipeline.last_tracked]
        predicted_ids.update(p[0] for p in preds)
        gts = gt_by_frame.get(frame.index, [])
        acc.update(
            [g[0] for g in gts],
            [p[0] for p in preds],
            iou_distance([g[1] for g in gts], [p[1] for p in preds]),
        )
        scored_frames.add(frame.index)
        for gid, gbox in gts:
            for pid, pbox in preds:
                iou = _box_iou(gbox, pbox)
                if iou > 0:
                    overlap[gid][pid] += iou
    sightings.extend(pipeline.flush())

    mh = mm.metrics.create()
    m = mh.compute(acc, metrics=["mota", "idf1", "precision", "recall", "num_switches"], name="all")
    by_track: dict[int, Sighting] = {int(s.track_key.rsplit(":", 1)[1]): s for s in sightings}
    per_track: list[dict[str, Any]] = []
    correct = judged = 0
    for gid, track in sorted(gt.items()):
        best_pid = max(overlap[gid], key=lambda p: overlap[gid][p]) if overlap.get(gid) else None
        s = by_track.get(best_pid) if best_pid is not None else None
        pred_stationary: bool | None = None
        if s is not None:
            pred_stationary = (
                s.dwell_seconds > 0 and s.stopped_seconds >= STATIONARY_FRACTION * s.dwell_seconds
            )
            judged += 1
            correct += int(pred_stationary == track.stationary)
        per_track.append(
            {
                "gt_track": gid,
                "gt_boxes": sum(1 for b in track.boxes if b.frame in scored_frames),
                "gt_stationary": track.stationary,
                "predicted_track": best_pid,
                "predicted_stationary": pred_stationary,
                "stopped_seconds": None if s is None else round(s.stopped_seconds, 2),
                "seen_seconds": None if s is None else round(s.dwell_seconds, 2),
                "speed_kmh": None if s is None or s.speed_kmh is None else round(s.speed_kmh, 1),
            }
        )

    def metric(name: str) -> float:
        v = float(m[name].iloc[0])
        return 0.0 if np.isnan(v) else v

    return TrackEval(
        mota=metric("mota"),
        idf1=metric("idf1"),
        precision=metric("precision"),
        recall=metric("recall"),
        num_switches=int(metric("num_switches")),
        frames_scored=len(scored_frames),
        gt_tracks=len(gt),
        predicted_tracks=len(predicted_ids),
        stopped_accuracy=correct / judged if judged else None,
        per_track=per_track,
        settings=settings or {},
    )
