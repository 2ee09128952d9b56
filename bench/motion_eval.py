"""Moving / stopped / parked calls against the ground truth of the real London JamCam clips.

    .venv/bin/python bench/motion_eval.py [--pipeline] [--videos DIR] [--out bench/out/motion_eval.json]

Ground-truth label per annotated track of `../shared/data/uk_dev/videos/*.tracks.csv` (CVAT
interpolation tracks, 25 fps, ~10 s), from the annotators' per-frame `stopped` / `parked` flags:
- parked  if the track is flagged parked in at least half of its frames;
- stopped if it is flagged stopped for at least MIN_STOP_S (1 s) in all, the classifier's own threshold;
- moving  otherwise (the annotation has no "slow"; without calibration the classifier never says slow).
Clips are ~10 s long, so `parked_after_s` is scaled from the site's 300 s to EVAL_PARKED_AFTER_S = 8 s:
"stationary for at least 8 of the ~9.5 s it is visible". Parked and stopped-in-traffic look the same in
10 s of motion (both stand still throughout); those confusions are real limits, reported, not hidden.

1. On the ground-truth boxes: the production chain `detect.kinematics.summarise_motion` (ground point =
   bottom-centre, motion in box heights/s as JamCam has no calibration) then
   `intel_api.rules.motion.classify_motion`. The stop threshold is the one kinematics uses in production
   (`STOPPED_BOX_HEIGHTS_PER_S`); a sweep of it is printed as a sensitivity study only.
2. With `--pipeline`: the real detector + tracker (`detect.pipeline`, 5 frames/s as configured by
   default) on the clips; each GT track is matched to the predicted track overlapping it most
   (`offline.eval_tracks`), and the classifier runs on that sighting's figures. GT tracks the pipeline
   never matched are counted as missed, not scored.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import detect.kinematics as kinematics  # noqa: E402
from detect.kinematics import MotionSample, summarise_motion  # noqa: E402
from intel_api.rules.facts import SightingFacts  # noqa: E402
from intel_api.rules.motion import MIN_STOP_S, MotionSummary, classify_motion  # noqa: E402
from platewatch.config import Detection, SlowRule  # noqa: E402

FPS = 25.0
EVAL_PARKED_AFTER_S = 8.0
PIPELINE_FPS = Detection().process_fps
SWEEP_BOX_HEIGHTS_PER_S = (0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.1, 0.15)
LABELS = ("moving", "stopped", "parked")
T0 = datetime(2019, 6, 28, 13, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class GtTrack:
    clip: str
    track_id: int
    vehicle_type: str
    frames: tuple[int, ...]
    boxes: tuple[tuple[float, float, float, float], ...]
    stopped_frames: int
    parked_frames: int

    @property
    def label(self) -> str:
        if self.parked_frames * 2 >= len(self.frames):
            return "parked"
        if self.stopped_frames / FPS >= MIN_STOP_S:
            return "stopped"
        return "moving"


def load_gt_tracks(videos: Path) -> list[GtTrack]:
    tracks: list[GtTrack] = []
    files = sorted(videos.glob("*.tracks.csv"))
    if not files:
        raise FileNotFoundError(f"no *.tracks.csv under {videos}")
    for path in files:
        rows: dict[int, list[dict[str, str]]] = defaultdict(list)
        with path.open(newline="") as fh:
            for row in csv.DictReader(fh):
                rows[int(row["track_id"])].append(row)
        for tid, rs in sorted(rows.items()):
            rs.sort(key=lambda r: int(r["frame"]))
            tracks.append(
                GtTrack(
                    clip=path.name.removesuffix(".tracks.csv"),
                    track_id=tid,
                    vehicle_type=rs[0]["type"],
                    frames=tuple(int(r["frame"]) for r in rs),
                    boxes=tuple((float(r["x1"]), float(r["y1"]), float(r["x2"]), float(r["y2"])) for r in rs),
                    stopped_frames=sum(r["stopped"] == "true" for r in rs),
                    parked_frames=sum(r["parked"] == "true" for r in rs),
                )
            )
    return tracks


@contextmanager
def stop_threshold(box_heights_per_s: float | None) -> Iterator[None]:
    """Sensitivity study only: run kinematics with another uncalibrated stop threshold, then restore."""
    if box_heights_per_s is None:
        yield
        return
    saved = kinematics.STOPPED_BOX_HEIGHTS_PER_S
    kinematics.STOPPED_BOX_HEIGHTS_PER_S = box_heights_per_s
    try:
        yield
    finally:
        kinematics.STOPPED_BOX_HEIGHTS_PER_S = saved


def classify(dwell_s: float, stopped_s: float, speed_kmh: float | None) -> str:
    rule = SlowRule(parked_after_s=EVAL_PARKED_AFTER_S)
    label = classify_motion(MotionSummary(dwell_s, speed_kmh, speed_kmh, stopped_s), rule).label
    return "moving" if label == "slow" else label


def call_gt_track(track: GtTrack) -> str:
    samples = [
        MotionSample(T0 + timedelta(seconds=f / FPS), box)
        for f, box in zip(track.frames, track.boxes, strict=True)
    ]
    kin = summarise_motion(samples, None, Detection().stopped_speed_kmh)
    facts = SightingFacts(
        id=None,
        track_key=f"{track.clip}:{track.track_id}",
        camera_id="jamcam",
        first_seen=samples[0].timestamp,
        last_seen=samples[-1].timestamp,
        vehicle_class=track.vehicle_type,
        speed_kmh=kin.speed_kmh,
        stopped=kin.stopped,
        stopped_seconds=kin.stopped_seconds,
    )
    m = MotionSummary.from_facts(facts)
    return classify(m.dwell_seconds, m.stopped_seconds, m.speed_kmh)


@dataclass(frozen=True, slots=True)
class Scores:
    accuracy: float
    stationary_accuracy: float  # stopped and parked merged: stationary vs moving
    confusion: dict[str, dict[str, int]]  # truth -> call -> count
    n: int
    per_track: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "tracks_scored": self.n,
            "accuracy": round(self.accuracy, 4),
            "stationary_accuracy": round(self.stationary_accuracy, 4),
            "confusion": self.confusion,
            "per_track": self.per_track,
        }


def tally(pairs: list[dict[str, Any]]) -> Scores:
    confusion = {t: dict.fromkeys(LABELS, 0) for t in LABELS}
    for p in pairs:
        confusion[p["truth"]][p["call"]] += 1
    n = len(pairs)
    still = ("stopped", "parked")
    correct = sum(confusion[t][t] for t in LABELS)
    binary = confusion["moving"]["moving"] + sum(confusion[t][c] for t in still for c in still)
    return Scores(correct / n if n else 0.0, binary / n if n else 0.0, confusion, n, pairs)


def score(tracks: list[GtTrack], box_heights_per_s: float | None = None) -> Scores:
    """Scores on the ground-truth boxes; None = the production stop threshold."""
    with stop_threshold(box_heights_per_s):
        pairs = [
            {
                "clip": t.clip,
                "track": t.track_id,
                "type": t.vehicle_type,
                "truth": t.label,
                "call": call_gt_track(t),
            }
            for t in tracks
        ]
    return tally(pairs)


def score_pipeline(tracks: list[GtTrack], videos: Path) -> tuple[Scores, int, float]:
    """Real detector + tracker on the clips; returns (scores on matched tracks, GT tracks missed, seconds)."""
    from detect.pipeline import CameraPipeline
    from detect.scene import SceneDetector
    from ingest.video_file import VideoFileSource
    from offline.eval_tracks import evaluate_tracks, parse_cvat
    from platewatch.config import Camera, ModelPaths

    # Weights live in ../shared/models unless the deployment says otherwise; Ultralytics stays offline.
    os.environ.setdefault("PLATEWATCH_MODEL_DIR", str(REPO.parent / "shared" / "models"))
    os.environ.setdefault("YOLO_CONFIG_DIR", str(REPO / "bench" / "out" / "ultralytics"))
    os.environ.setdefault("YOLO_OFFLINE", "1")
    truth = {(t.clip, t.track_id): t for t in tracks}
    pairs: list[dict[str, Any]] = []
    missed = 0
    detection = Detection()
    detector = SceneDetector(detection, ModelPaths())
    t_start = time.perf_counter()
    for clip in sorted({t.clip for t in tracks}):
        video = videos / f"{clip}.mp4"
        gt = parse_cvat(videos / f"{clip}.cvat.xml")
        cam = Camera(id="eval", source=str(video))
        source = VideoFileSource(video, cam.id, start_time=T0, process_fps=PIPELINE_FPS)
        pipeline = CameraPipeline(cam, detection, detector, process_fps=PIPELINE_FPS)
        with source:
            result = evaluate_tracks(source, pipeline, gt)
        for row in result.per_track:
            t = truth[(clip, int(row["gt_track"]))]
            if row["stopped_seconds"] is None or row["seen_seconds"] is None:
                missed += 1
                continue
            call = classify(float(row["seen_seconds"]), float(row["stopped_seconds"]), None)
            pairs.append(
                {
                    "clip": clip,
                    "track": t.track_id,
                    "type": t.vehicle_type,
                    "truth": t.label,
                    "call": call,
                    "predicted_track": row["predicted_track"],
                    "seen_seconds": row["seen_seconds"],
                    "stopped_seconds": row["stopped_seconds"],
                }
            )
    return tally(pairs), missed, time.perf_counter() - t_start


def _print_scores(title: str, s: Scores) -> None:
    print(f"\n{title}: accuracy {s.accuracy:.3f}, ", end="")
    print(f"stationary-vs-moving {s.stationary_accuracy:.3f} ({s.n} tracks)")
    print("  truth \\ call " + "".join(f"{c:>9}" for c in LABELS))
    for t in LABELS:
        print(f"  {t:<13}" + "".join(f"{s.confusion[t][c]:>9}" for c in LABELS))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--videos", type=Path, default=REPO.parent / "shared" / "data" / "uk_dev" / "videos")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "motion_eval.json")
    ap.add_argument(
        "--pipeline", action="store_true", help="Also run the real detector + tracker (slow on CPU)."
    )
    args = ap.parse_args()
    tracks = load_gt_tracks(args.videos)
    truth = Counter(t.label for t in tracks)
    print(f"{len(tracks)} ground-truth tracks in {len({t.clip for t in tracks})} clips: {dict(truth)}")
    print(f"parked_after_s scaled to {EVAL_PARKED_AFTER_S:g} s for ~10 s clips; stops from {MIN_STOP_S:g} s")
    production = kinematics.STOPPED_BOX_HEIGHTS_PER_S
    gt_scores = score(tracks)
    _print_scores(f"ground-truth boxes, production stop threshold {production:g} box heights/s", gt_scores)
    print("\nsensitivity to the stop threshold (ground-truth boxes):")
    sweep: dict[str, dict[str, Any]] = {}
    for bh in sorted({*SWEEP_BOX_HEIGHTS_PER_S, production}):
        s = score(tracks, bh)
        sweep[f"{bh:g}"] = {
            "accuracy": round(s.accuracy, 4),
            "stationary_accuracy": round(s.stationary_accuracy, 4),
        }
        print(f"  {bh:>5g} box heights/s: accuracy {s.accuracy:.3f}, ", end="")
        print(f"stationary-vs-moving {s.stationary_accuracy:.3f}")
    wrong = [p for p in gt_scores.per_track if p["truth"] != p["call"]]
    print("\nerrors on ground-truth boxes (production threshold):")
    for p in wrong:
        print(f"  {p['clip']} track {p['track']} ({p['type']}): truth {p['truth']}, called {p['call']}")
    report: dict[str, Any] = {
        "source": str(args.videos),
        "tracks": len(tracks),
        "truth_counts": dict(truth),
        "eval_parked_after_s": EVAL_PARKED_AFTER_S,
        "min_stop_s": MIN_STOP_S,
        "production_stop_box_heights_per_s": production,
        "ground_truth_boxes": gt_scores.as_dict(),
        "sweep_box_heights_per_s": sweep,
    }
    if args.pipeline:
        p_scores, missed, seconds = score_pipeline(tracks, args.videos)
        _print_scores(
            f"pipeline tracks at {PIPELINE_FPS:g} frames/s ({missed} GT tracks unmatched)", p_scores
        )
        print(f"  pipeline run took {seconds:.0f} s")
        report["pipeline"] = {**p_scores.as_dict(), "gt_tracks_unmatched": missed, "fps": PIPELINE_FPS}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
