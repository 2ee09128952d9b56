"""Evidence images: people found by the same detector pass are blurred before anything is written."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import cv2
import numpy as np
import pytest

from detect.evidence import EvidenceStore, blur_regions, safe_key, vehicle_shot
from detect.records import BoxXYXY
from detect.scene import SceneDetector
from ingest.frames import Image
from platewatch.config import Detection, ModelPaths

pytestmark = [pytest.mark.video, pytest.mark.slow]

PEDESTRIANS = "jamcam_2019-06-28_13-02-51.477310_00001.07355.mp4"  # people on the left pavement


def sharpness(image: Image) -> float:
    return float(cv2.Laplacian(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), cv2.CV_64F).var())


def region(image: Image, box: BoxXYXY) -> Image:
    x1, y1, x2, y2 = (int(round(v)) for v in box)
    return image[max(0, y1) : y2, max(0, x1) : x2]


@pytest.fixture(scope="module")
def frame_with_people(uk_videos: list[Path]) -> tuple[Image, list[BoxXYXY]]:
    cap = cv2.VideoCapture(str(next(p for p in uk_videos if p.name == PEDESTRIANS)))
    ok, raw = cap.read()
    cap.release()
    assert ok
    image: Image = np.asarray(raw, dtype=np.uint8)
    scene = SceneDetector(Detection(), ModelPaths()).detect_scene(image)
    people = [b for b in scene.people if (b[2] - b[0]) * (b[3] - b[1]) >= 150]
    assert people, "the detector finds the pedestrians on the pavement of this clip"
    assert scene.vehicles, "...and the vehicles in the same pass"
    return image, people


def test_people_are_blurred_in_the_vehicle_shot(frame_with_people: tuple[Image, list[BoxXYXY]]) -> None:
    image, people = frame_with_people
    person = max(people, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))
    # a vehicle box next to the person: the wider shot around it takes the pavement in
    px = (person[0] + person[2]) / 2
    vehicle = (px + 5.0, person[1], px + 60.0, person[3] + 10.0)
    raw = vehicle_shot(image, vehicle, people, blur_people=False)
    shot = vehicle_shot(image, vehicle, people, blur_people=True)
    assert raw.shape == shot.shape
    x0 = max(0, int(vehicle[0] - 0.5 * (vehicle[2] - vehicle[0])))
    y0 = max(0, int(vehicle[1] - 0.5 * (vehicle[3] - vehicle[1])))
    local = (person[0] - x0, person[1] - y0, person[2] - x0, person[3] - y0)
    before, after = sharpness(region(raw, local)), sharpness(region(shot, local))
    assert before > 20.0
    assert after < before / 5, f"person area still sharp: {before:.1f} -> {after:.1f}"


def test_blur_leaves_the_rest_of_the_image(frame_with_people: tuple[Image, list[BoxXYXY]]) -> None:
    image, people = frame_with_people
    out = blur_regions(image, people)
    assert out is not image and not np.shares_memory(out, image)
    for p in people:
        assert sharpness(region(out, p)) < sharpness(region(image, p))
    right = (250.0, 150.0, 352.0, 288.0)  # road, no people there
    assert np.array_equal(region(out, right), region(image, right))


def test_evidence_files_are_written_under_camera_and_date(
    frame_with_people: tuple[Image, list[BoxXYXY]], tmp_path: Path
) -> None:
    image, people = frame_with_people
    store = EvidenceStore(tmp_path)
    shot = vehicle_shot(image, (100.0, 150.0, 160.0, 225.0), people)
    plate_path, vehicle_path = store.save("cam_a", date(2019, 6, 28), "cam_a:1561:7", image[:20, :60], shot)
    assert vehicle_path == str((tmp_path / "cam_a" / "2019-06-28" / "cam_a_1561_7_vehicle.jpg").resolve())
    assert plate_path is not None and plate_path.endswith("cam_a_1561_7_plate.jpg")
    saved = cv2.imread(vehicle_path)
    assert saved is not None and saved.shape == shot.shape
    assert safe_key("a:b/../c") == "a_b_c"
    assert store.save("cam_a", date(2019, 6, 28), "k", None, None) == (None, None)
