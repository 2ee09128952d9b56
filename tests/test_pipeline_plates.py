"""Plate reading inside the pipeline: the real recogniser, called sparingly, consensus per track."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
import pytest

from detect.consensus import plate_consensus
from detect.pipeline import MAX_FAILED_BEFORE_GROWTH, CameraPipeline
from detect.reading.recogniser import PlateRecogniser
from detect.records import BoxXYXY, Sighting
from detect.scene import SceneDetections, SceneDetector
from ingest.frames import Frame, Image
from platewatch.config import Camera, Detection, ModelPaths

pytestmark = [pytest.mark.slow]

T0 = datetime(2024, 5, 1, 22, 0, tzinfo=UTC)


class FixedScene:
    """One vehicle box on every frame: a stationary vehicle over a plain background (no plate to find)."""

    def __init__(self, scene: SceneDetections) -> None:
        self.scene = scene

    def detect_scene(self, image: Image) -> SceneDetections:
        return self.scene


@pytest.fixture(scope="module")
def recogniser() -> PlateRecogniser:
    return PlateRecogniser(Detection(), ModelPaths())


def test_a_readable_car_gets_a_consensus_plate(uk_dev_dir: Path, recogniser: PlateRecogniser) -> None:
    image_path = uk_dev_dir / "images" / "carplate_Cars3.jpg"  # DZ17YXR, front plate, 416x416
    raw = cv2.imread(str(image_path))
    assert raw is not None
    image: Image = np.asarray(raw, dtype=np.uint8)
    # the photo as a 12-frame "video" of a car standing in front of the camera
    pipeline = CameraPipeline(
        Camera(id="still", source=str(image_path)),
        Detection(),
        SceneDetector(Detection(), ModelPaths()),
        plate_reader=recogniser,
        consensus=plate_consensus,
        process_fps=5.0,
    )
    sightings = []
    for i in range(12):
        ts = T0.replace(microsecond=200_000 * (i % 5), second=i // 5)
        sightings += pipeline.process(Frame("still", i, ts, 1, image))
    sightings += pipeline.flush()
    assert sightings and len({s.track_key for s in sightings}) == len(sightings)
    st = pipeline.stats
    # not on every frame: the first frame is too early, then one attempt every READ_EVERY_SECONDS
    assert 2 <= st.plate_attempts <= 4 * len(sightings) and st.plate_attempts < st.frames * len(sightings) / 2
    texts = {s.plate.text for s in sightings if s.plate is not None}
    assert "DZ17YXR" in texts
    s = next(s for s in sightings if s.plate is not None and s.plate.text == "DZ17YXR")
    assert s.candidates and len(s.candidates) <= Detection().max_reads_per_track
    # the consensus is drawn from the candidates kept with the sighting
    assert any(c.text == "DZ17YXR" for c in s.candidates)


def test_unreadable_vehicles_stop_being_tried(uk_dev_dir: Path, recogniser: PlateRecogniser) -> None:
    blank: Image = np.full((288, 352, 3), 120, np.uint8)
    box: BoxXYXY = (100.0, 100.0, 220.0, 200.0)
    from detect.records import VehicleClass, VehicleDetection

    scene = SceneDetections([VehicleDetection(box, VehicleClass.CAR, 0.9)], [])
    pipeline = CameraPipeline(
        Camera(id="blank", source="x"),
        Detection(),
        FixedScene(scene),
        plate_reader=recogniser,
        consensus=plate_consensus,
        process_fps=5.0,
    )
    for i in range(40):
        pipeline.process(
            Frame("blank", i, T0.replace(second=i // 5, microsecond=200_000 * (i % 5)), 1, blank)
        )
    (s,) = pipeline.flush()
    assert pipeline.stats.plate_attempts == MAX_FAILED_BEFORE_GROWTH
    assert s.plate is None and s.candidates == ()


def test_image_folder_gives_one_sighting_per_car_with_plates(
    uk_dev_dir: Path, recogniser: PlateRecogniser, tmp_path: Path
) -> None:
    from detect.runtime import Models, run_camera
    from platewatch.config import SiteConfig

    folder = uk_dev_dir / "images"
    cfg = SiteConfig.model_validate(
        {
            "site": {"name": "stills"},
            "storage": {"data_dir": str(tmp_path)},
            "cameras": [{"id": "stills", "source": str(folder), "start_time": "2024-05-01T12:00:00Z"}],
        }
    )
    got: list[Sighting] = []
    models = Models(SceneDetector(Detection(), ModelPaths()), recogniser, plate_consensus)
    run = run_camera(cfg, cfg.cameras[0], models, got.append)
    assert run.stats.frames == 8 and got
    assert all(s.frames_seen == 1 for s in got)  # nothing tracked from one photo into the next
    assert len({s.track_key for s in got}) == len(got)
    labels = {line.split(",")[1] for line in (uk_dev_dir / "labels.csv").read_text().splitlines()[1:]}
    read = {s.plate.text for s in got if s.plate is not None}
    assert len(read & labels) >= 3, (read, labels)
    for s in got:
        if s.plate is not None:
            assert s.plate_image_path is not None and Path(s.plate_image_path).is_file()
