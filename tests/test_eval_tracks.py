"""`platewatch eval tracks`: CVAT parsing and motmetrics scores on a real annotated clip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from offline.eval_tracks import CvatError, iou_distance, parse_cvat
from platewatch.cli.main import app

CLIP = "jamcam_2019-06-28_13-02-35.503167_00001.03601"


def test_parse_cvat_reads_tracks_and_attributes(uk_dev_dir: Path) -> None:
    videos = uk_dev_dir / "videos"
    counts = sorted(len(parse_cvat(p)) for p in videos.glob("*.cvat.xml"))
    assert counts == [0, 18, 21, 23]
    gt = parse_cvat(videos / f"{CLIP}.cvat.xml")
    assert len(gt[11].boxes) == 242 and not gt[11].stationary
    assert gt[9].stationary  # 156 of 242 boxes stopped="true"
    csv_rows = (videos / f"{CLIP}.tracks.csv").read_text().strip().splitlines()[1:]
    assert sum(len(t.boxes) for t in gt.values()) == len(csv_rows)


def test_parse_cvat_rejects_other_files(tmp_path: Path) -> None:
    bad = tmp_path / "x.xml"
    bad.write_text("<notcvat/>")
    with pytest.raises(CvatError, match="annotations"):
        parse_cvat(bad)
    bad.write_text("<annotations><track")
    with pytest.raises(CvatError, match="not readable"):
        parse_cvat(bad)


def test_iou_distance_matches_motmetrics_convention() -> None:
    d = iou_distance([(0, 0, 10, 10), (100, 100, 110, 110)], [(0, 0, 10, 10), (5, 0, 15, 10)])
    assert d[0, 0] == 0.0 and d.shape == (2, 2)
    assert all(d[1] != d[1])  # NaN: too far apart to pair
    assert d[0, 1] != d[0, 1]  # IoU 1/3 < 0.5: may not pair


@pytest.mark.video
@pytest.mark.slow
def test_eval_tracks_cli_writes_metrics(uk_dev_dir: Path, tmp_path: Path) -> None:
    videos = uk_dev_dir / "videos"
    out = tmp_path / "tracks.json"
    result = CliRunner().invoke(
        app,
        [
            "eval", "tracks", str(videos / f"{CLIP}.mp4"),
            "--cvat", str(videos / f"{CLIP}.cvat.xml"), "--json", str(out), "--fps", "5",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "MOTA" in result.output and "IDF1" in result.output
    data = json.loads(out.read_text())
    assert data["gt_tracks"] == 23 and len(data["per_track"]) == 23
    assert data["frames_scored"] == 49
    # measured at 5 fps: precision ~0.9, recall ~0.5 (the detector misses small, distant cars)
    assert data["precision"] > 0.75 and 0.3 < data["recall"] <= 1.0
    assert -1.0 < data["mota"] <= 1.0 and 0.3 < data["idf1"] <= 1.0
    assert data["stopped_accuracy"] is not None and data["stopped_accuracy"] >= 0.6
    assert {"mota", "idf1", "precision", "recall", "num_switches", "gt_tracks", "stopped_accuracy"} <= set(
        data
    )
