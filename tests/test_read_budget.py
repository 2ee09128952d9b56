"""When a track stops being read: its text settled, or its vehicle moving away; never while it approaches.

A real frame of `paris_rain.mp4` (720p) through the real vehicle detector and plate recogniser; the
vehicle's box is then held, grown or shrunk around its real plate so the only thing that changes between
runs is the vehicle's apparent size. Letter grade is set out of reach (1.0) so that only the rules under
test can end the reading.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import pytest

from detect.consensus import plate_consensus
from detect.pipeline import READ_EVERY_SECONDS, SMALLER_BOX_FACTOR, CameraPipeline, PlateObservationLike
from detect.reading.recogniser import PlateRecogniser
from detect.records import BoxXYXY, Sighting, VehicleClass, VehicleDetection
from detect.scene import SceneDetections, SceneDetector
from ingest.frames import Frame, Image
from platewatch.config import Camera, Detection, ModelPaths

pytestmark = [pytest.mark.slow, pytest.mark.video]

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
FPS = 5.0
NO_LETTER_GRADE = {"letter_grade_confidence": 1.0}


@dataclass
class ScriptedScene:
    """One box per frame, in order: the vehicle at the size the test gives it."""

    boxes: list[BoxXYXY]
    frame_no: int = 0

    def detect_scene(self, image: Image) -> SceneDetections:
        box = self.boxes[self.frame_no]
        return SceneDetections([VehicleDetection(box, VehicleClass.CAR, 0.9)], [])


@dataclass
class CountingReader:
    inner: PlateRecogniser
    searched: list[BoxXYXY] = field(default_factory=list)
    read: list[str] = field(default_factory=list)

    def read_vehicle(
        self, image: Image, vehicle_box: BoxXYXY, timestamp: datetime
    ) -> PlateObservationLike | None:
        self.searched.append(vehicle_box)
        obs = self.inner.read_vehicle(image, vehicle_box, timestamp)
        if obs is not None:
            self.read.append(obs.read.text)
        return obs


@dataclass(frozen=True)
class RealCar:
    image: Image
    box: BoxXYXY  # the detector's box of the nearest car whose plate reads
    plate_centre: tuple[float, float]


@pytest.fixture(scope="module")
def recogniser() -> PlateRecogniser:
    return PlateRecogniser(Detection(), ModelPaths())


@pytest.fixture(scope="module")
def car(shared_dir: Path, recogniser: PlateRecogniser) -> RealCar:
    capture = cv2.VideoCapture(str(shared_dir / "data/plate_clips/paris_rain.mp4"))
    ok, image = capture.read()
    capture.release()
    assert ok, "paris_rain.mp4: no first frame"
    vehicles = SceneDetector(Detection(), ModelPaths()).detect_scene(image).vehicles
    for det in sorted(vehicles, key=lambda d: d.box[1] - d.box[3]):  # tallest first
        obs = recogniser.read_vehicle(image, det.box, T0)
        x1, y1, x2, y2 = det.box
        # room to grow the box 1.6x about its plate inside the frame
        if obs is not None and x1 > 0.4 * (x2 - x1) and image.shape[1] - x2 > 0.4 * (x2 - x1):
            px1, py1, px2, py2 = obs.read.box
            return RealCar(image, det.box, ((px1 + px2) / 2, (py1 + py2) / 2))
    pytest.fail("no readable car with room around it in the first frame of paris_rain.mp4")


def scaled(car: RealCar, factor: float) -> BoxXYXY:
    """The car's box scaled by `factor` about its plate (the plate stays inside, at the same place)."""
    x1, y1, x2, y2 = car.box
    cx, cy = car.plate_centre
    h, w = car.image.shape[:2]
    return (
        max(0.0, cx - (cx - x1) * factor),
        max(0.0, cy - (cy - y1) * factor),
        min(float(w), cx + (x2 - cx) * factor),
        min(float(h), cy + (y2 - cy) * factor),
    )


def run(
    car: RealCar, factors: list[float], recogniser: PlateRecogniser, **detection: object
) -> tuple[CountingReader, Sighting]:
    scene = ScriptedScene([scaled(car, f) for f in factors])
    reader = CountingReader(recogniser)
    pipeline = CameraPipeline(
        Camera(id="paris", source="x"),
        Detection.model_validate(detection),
        scene,
        plate_reader=reader,
        consensus=plate_consensus,
        process_fps=FPS,
    )
    for i in range(len(factors)):
        scene.frame_no = i
        pipeline.process(Frame("paris", i, T0 + timedelta(seconds=i / FPS), 1, car.image))
    (sighting,) = pipeline.flush()
    return reader, sighting


def height(box: BoxXYXY) -> float:
    return box[3] - box[1]


def test_a_plate_read_the_same_settle_reads_times_is_not_read_again(
    car: RealCar, recogniser: PlateRecogniser
) -> None:
    still = [1.0] * 30  # six seconds at the same size: a queue, a car at the lights
    settled, with_rule = run(car, still, recogniser, settle_reads=3, **NO_LETTER_GRADE)
    unsettled, without = run(car, still, recogniser, settle_reads=0, **NO_LETTER_GRADE)
    assert len(settled.read) == 3 and len(set(settled.read)) == 1
    # otherwise read every 0.6 s from its second frame on, to the end
    assert len(unsettled.searched) == len(range(1, len(still), round(READ_EVERY_SECONDS * FPS))) == 10
    assert with_rule.plate is not None and without.plate is not None
    assert with_rule.plate.text == without.plate.text == settled.read[0]


def test_a_settled_plate_on_an_approaching_car_is_still_read_as_it_grows(
    car: RealCar, recogniser: PlateRecogniser
) -> None:
    approaching = [0.7 * (1.6 / 0.7) ** (i / 19) for i in range(20)]  # 0.7x to 1.6x in four seconds
    reader, sighting = run(car, approaching, recogniser, settle_reads=3, **NO_LETTER_GRADE)
    assert len(reader.read) > 3  # settled after 3, and read again each time it came closer
    heights = [height(b) for b in reader.searched]
    assert heights == sorted(heights) and heights[-1] > 2 * heights[0]
    assert sighting.plate is not None and sighting.plate.text == reader.read[0]


def test_a_read_car_moving_away_is_not_read_again(car: RealCar, recogniser: PlateRecogniser) -> None:
    receding = [1.6 * (0.7 / 1.6) ** (i / 19) for i in range(20)]
    reader, sighting = run(car, receding, recogniser, settle_reads=0, **NO_LETTER_GRADE)
    still, _ = run(car, [1.6] * 20, recogniser, settle_reads=0, **NO_LETTER_GRADE)
    assert reader.read, "the nearest view must have been read"
    heights = [height(b) for b in reader.searched]
    assert min(heights) >= SMALLER_BOX_FACTOR * heights[0]  # nothing read once it had shrunk
    assert len(reader.searched) < len(still.searched)
    assert sighting.plate is not None
