"""The moving/stopped/parked call on the real London clips' ground-truth tracks (bench/motion_eval.py).

The chain under test is production's: detect.kinematics (uncalibrated stop threshold in box heights/s)
then intel_api.rules.motion.classify_motion. Floors are the figures measured by the benchmark
(docs/benchmarks.md), less two tracks of slack for smoothing changes; a regression beyond that fails.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]
MEASURED_CORRECT = 46  # of 62 tracks (0.742) with kinematics.STOPPED_BOX_HEIGHTS_PER_S = 0.08
MEASURED_STATIONARY_CORRECT = 49  # stopped+parked vs moving (0.790)
SLACK_TRACKS = 2


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("motion_eval", REPO / "bench" / "motion_eval.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["motion_eval"] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.video
def test_motion_call_on_ground_truth_tracks(uk_dev_dir: Path) -> None:
    bench = _bench()
    tracks = bench.load_gt_tracks(uk_dev_dir / "videos")
    assert len(tracks) == 62
    labels = {t.label for t in tracks}
    assert labels == {"moving", "stopped", "parked"}
    s = bench.score(tracks)
    assert s.accuracy >= (MEASURED_CORRECT - SLACK_TRACKS) / len(tracks), s.confusion
    assert s.stationary_accuracy >= (MEASURED_STATIONARY_CORRECT - SLACK_TRACKS) / len(tracks), s.confusion
    # every annotated parked car is called parked: a resident's parked car must never look like crawling
    assert s.confusion["parked"]["parked"] == sum(t.label == "parked" for t in tracks)


@pytest.mark.video
def test_ground_truth_labels_follow_the_annotation(uk_dev_dir: Path) -> None:
    bench = _bench()
    tracks = {(t.clip, t.track_id): t for t in bench.load_gt_tracks(uk_dev_dir / "videos")}
    clip = "jamcam_2019-07-02_09-01-45.122302_00001.03601"
    assert tracks[(clip, 1)].label == "parked"  # flagged parked in every frame
    assert tracks[(clip, 12)].label == "stopped"  # stopped most of the clip, then pulls away
    assert tracks[(clip, 13)].label == "moving"
