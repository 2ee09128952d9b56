"""The video pipeline on real London CCTV clips with the real detector: sightings, storage, stops."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from detect.evidence import EvidenceStore
from detect.pipeline import CameraPipeline
from detect.records import Sighting
from detect.runtime import Models, run_camera
from detect.scene import SceneDetector
from detect.writer import SightingWriter
from ingest.errors import SourceOpenError
from ingest.frames import Frame
from ingest.video_file import VideoFileSource
from intel_api.db import models as m
from platewatch.config import Camera, Detection, ModelPaths, SiteConfig, load_config

pytestmark = [pytest.mark.video, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
BUSY = "jamcam_2019-06-28_13-02-35.503167_00001.03601.mp4"  # queueing traffic, buses
PARKED = "jamcam_2019-07-02_09-01-45.122302_00001.03601.mp4"  # CVAT: 10 parked + 3 stopped tracks
START = datetime(2019, 6, 28, 13, 2, 35, tzinfo=UTC)


@pytest.fixture(scope="module")
def detector() -> SceneDetector:
    return SceneDetector(Detection(), ModelPaths())


def clip_frames(
    path: Path, camera_id: str, fps: float, seconds: float, start: datetime = START
) -> Iterator[Frame]:
    source = VideoFileSource(path, camera_id, start_time=start, process_fps=fps)
    frames = itertools.takewhile(lambda f: f.timestamp - start < timedelta(seconds=seconds), source)
    try:
        yield from frames
    finally:
        source.close()


def run_pipeline(
    detector: SceneDetector,
    clip: Path,
    evidence: Path | None,
    fps: float = 4.0,
    seconds: float = 5.0,
    **cam: object,
) -> tuple[list[Sighting], CameraPipeline]:
    camera = Camera(id="jamcam_03601", source=str(clip), **cam)  # type: ignore[arg-type]
    pipeline = CameraPipeline(
        camera, Detection(), detector, evidence=EvidenceStore(evidence) if evidence else None, process_fps=fps
    )
    return list(pipeline.run(clip_frames(clip, camera.id, fps, seconds))), pipeline


@pytest.fixture(scope="module")
def busy_runs(
    detector: SceneDetector, uk_videos: list[Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[list[Sighting], CameraPipeline, list[Sighting]]:
    clip = next(p for p in uk_videos if p.name == BUSY)
    first, pipeline = run_pipeline(detector, clip, tmp_path_factory.mktemp("evidence"))
    again, _ = run_pipeline(detector, clip, tmp_path_factory.mktemp("evidence2"))
    return first, pipeline, again


def test_one_sighting_per_track_with_frame_times(
    busy_runs: tuple[list[Sighting], CameraPipeline, list[Sighting]],
) -> None:
    sightings, pipeline, _ = busy_runs
    st = pipeline.stats
    assert st.frames == 20
    assert sightings, "vehicles in a busy London street must give sightings"
    keys = [s.track_key for s in sightings]
    assert len(set(keys)) == len(keys) == st.sightings == st.tracks - st.short_tracks_dropped
    # one record per pass, not per frame or per detection
    assert len(sightings) * 4 < st.vehicle_detections
    end = START + timedelta(seconds=5)
    for s in sightings:
        assert START <= s.first_seen <= s.last_seen < end
        assert s.frames_seen >= 2 and s.camera_id == "jamcam_03601"
        assert s.track_key.startswith(f"jamcam_03601:{int(START.timestamp() * 1000)}:")
        assert s.extra["motion_basis"] == "pixels" and s.speed_kmh is None
        assert s.vehicle_image_path is not None and Path(s.vehicle_image_path).is_file()
        image = cv2.imread(s.vehicle_image_path)
        assert image is not None and image.shape[0] > 10
        assert Path(s.vehicle_image_path).parent.name == "2019-06-28"
    # a vehicle seen over the whole 5 s segment is emitted once, at the end
    assert max(s.dwell_seconds for s in sightings) >= 4.0


def test_same_clip_twice_gives_the_same_keys(
    busy_runs: tuple[list[Sighting], CameraPipeline, list[Sighting]],
) -> None:
    first, _, again = busy_runs
    assert sorted(s.track_key for s in first) == sorted(s.track_key for s in again)


def test_sightings_stored_once_with_evidence(
    busy_runs: tuple[list[Sighting], CameraPipeline, list[Sighting]],
    db_url: str,
    engine: Engine,
    tmp_path: Path,
) -> None:
    first, _, again = busy_runs
    writer = SightingWriter(db_url, tmp_path / "spool", batch_size=5, batch_seconds=0.2)
    writer.start()
    for s in first:
        writer.submit(s)
    stats = writer.close()
    assert stats.inserted == len(first) and stats.duplicates == 0 and stats.spooled == 0
    # processing the same clip again (same epoch: the file's start time) stores nothing new
    writer = SightingWriter(db_url, tmp_path / "spool", batch_size=5, batch_seconds=0.2)
    writer.start()
    for s in again:
        writer.submit(s)
    stats = writer.close()
    assert stats.inserted == 0 and stats.duplicates == len(again)
    with engine.connect() as c:
        rows = c.execute(sa.select(m.Sighting.track_key, m.Sighting.vehicle_image_path)).all()
    assert len(rows) == len(first)
    assert all(path and Path(path).is_file() for _, path in rows)


def test_parked_and_stopped_vehicles_are_found(detector: SceneDetector, uk_videos: list[Path]) -> None:
    clip = next(p for p in uk_videos if p.name == PARKED)
    sightings, _ = run_pipeline(detector, clip, None, fps=4.0, seconds=6.0)
    stopped = [s for s in sightings if s.stopped]
    assert stopped, "the CVAT labels ten parked cars and three stopped ones in this clip"
    assert max(s.stopped_seconds for s in stopped) >= 4.0


def test_calibrated_camera_gives_speeds_and_headings(detector: SceneDetector, uk_videos: list[Path]) -> None:
    demo = load_config(REPO / "configs" / "demo.yaml").camera("jamcam_03601_0702")
    clip = next(p for p in uk_videos if p.name == PARKED)
    sightings, _ = run_pipeline(
        detector, clip, None, fps=4.0, seconds=6.0, zones=demo.zones, calibration=demo.calibration
    )
    assert sightings and all(s.extra["motion_basis"] == "ground_plane" for s in sightings)
    long = [s for s in sightings if s.dwell_seconds >= 2.0]
    assert long and all(s.speed_kmh is not None and 0 <= s.speed_kmh < 120 for s in long)
    assert any(s.stopped and s.min_speed_kmh is not None and s.min_speed_kmh < 3.0 for s in long)
    assert all(d.zone in {"carriageway", "near_lanes"} for s in sightings for d in s.zone_dwell)


def test_lost_tracks_are_emitted_and_forgotten_and_epochs_restart_ids(
    detector: SceneDetector, uk_videos: list[Path]
) -> None:
    clip = next(p for p in uk_videos if p.name == BUSY)
    camera = Camera(id="jamcam_03601", source=str(clip))
    pipeline = CameraPipeline(camera, Detection(), detector, process_fps=4.0)
    frames = list(clip_frames(clip, camera.id, 4.0, 1.0))
    assert len(frames) == 4
    emitted = [s for f in frames for s in pipeline.process(f)]
    assert emitted == [] and pipeline.open_tracks > 3
    # nothing in view for longer than track_lost_seconds (frame time): every track is finished
    empty = np.full_like(frames[0].image, 128)
    later = replace(
        frames[-1], index=99, timestamp=frames[-1].timestamp + timedelta(seconds=2.5), image=empty
    )
    finished = pipeline.process(later)
    assert len(finished) >= 3 and pipeline.open_tracks == 0
    first_epoch = frames[0].stream_epoch
    assert all(s.track_key.startswith(f"jamcam_03601:{first_epoch}:") for s in finished)
    # a reconnection (new epoch) restarts tracker ids; keys stay unique through the epoch
    reconnected = [replace(f, stream_epoch=first_epoch + 5000) for f in frames]
    new = [s for f in reconnected for s in pipeline.process(f)] + pipeline.flush()
    new_ids = sorted(int(s.track_key.rsplit(":", 1)[1]) for s in new)
    assert new and min(new_ids) == 1
    assert all(s.track_key.startswith(f"jamcam_03601:{first_epoch + 5000}:") for s in new)
    assert not {s.track_key for s in new} & {s.track_key for s in finished}


def _write_video(path: Path, frames: list[np.ndarray]) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), 10.0, (320, 240))
    for f in frames:
        writer.write(f)
    writer.release()


def _config(tmp_path: Path, source: Path) -> SiteConfig:
    return SiteConfig.model_validate(
        {
            "site": {"name": "test"},
            "storage": {"data_dir": str(tmp_path / "var")},
            "cameras": [{"id": "test_cam", "source": str(source), "start_time": "2024-05-01T22:00:00Z"}],
        }
    )


@pytest.mark.parametrize("n_frames", [0, 1])
def test_empty_or_one_frame_video_gives_no_sightings(
    detector: SceneDetector, tmp_path: Path, n_frames: int
) -> None:
    road = np.full((240, 320, 3), 90, np.uint8)
    clip = tmp_path / f"empty{n_frames}.mp4"
    _write_video(clip, [road] * n_frames)
    cfg = _config(tmp_path, clip)
    got: list[Sighting] = []
    run = run_camera(cfg, cfg.cameras[0], Models(detector, None, None), got.append)
    assert got == [] and run.stats.frames == n_frames


def test_video_without_vehicles_gives_no_sightings(detector: SceneDetector, tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    frames = [np.clip(rng.normal(110, 8, (240, 320, 3)), 0, 255).astype(np.uint8) for _ in range(12)]
    clip = tmp_path / "blank.mp4"
    _write_video(clip, frames)
    cfg = _config(tmp_path, clip)
    got: list[Sighting] = []
    run = run_camera(cfg, cfg.cameras[0], Models(detector, None, None), got.append, process_fps=10)
    assert run.stats.frames == 12 and run.stats.vehicle_detections == 0 and got == []


def test_unreadable_file_is_a_clear_error(detector: SceneDetector, tmp_path: Path) -> None:
    bad = tmp_path / "corrupt.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    cfg = _config(tmp_path, bad)
    with pytest.raises(SourceOpenError, match="corrupt.mp4"):
        run_camera(cfg, cfg.cameras[0], Models(detector, None, None), lambda s: None)
    cfg = _config(tmp_path, tmp_path / "missing.mp4")
    with pytest.raises(SourceOpenError, match="not found"):
        run_camera(cfg, cfg.cameras[0], Models(detector, None, None), lambda s: None)
