"""Which vehicles get a plate search, and how often: only readable ones, paced by time, a per-frame cap."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from detect.consensus import plate_consensus
from detect.pipeline import (
    MAX_FAILED_BEFORE_GROWTH,
    MAX_PLATE_SEARCHES_PER_FRAME,
    MAX_PLATE_TO_VEHICLE_WIDTH,
    READ_EVERY_SECONDS,
    CameraPipeline,
    PlateObservationLike,
)
from detect.reading.recogniser import PlateRecogniser
from detect.records import BoxXYXY, VehicleClass, VehicleDetection
from detect.scene import SceneDetections
from ingest.frames import Frame, Image
from platewatch.config import Camera, Detection, ModelPaths

pytestmark = [pytest.mark.slow]

T0 = datetime(2024, 5, 1, 22, 0, tzinfo=UTC)
GREY: Image = np.full((720, 1280, 3), 120, np.uint8)


class FixedScene:
    def __init__(self, boxes: list[BoxXYXY]) -> None:
        self.scene = SceneDetections([VehicleDetection(b, VehicleClass.CAR, 0.9) for b in boxes], [])

    def detect_scene(self, image: Image) -> SceneDetections:
        return self.scene


@dataclass
class CountingReader:
    """The real recogniser, with the frame number and box of every search it is asked for."""

    inner: PlateRecogniser
    frame_no: int = 0
    calls: list[tuple[int, BoxXYXY]] = field(default_factory=list)

    def read_vehicle(
        self, image: Image, vehicle_box: BoxXYXY, timestamp: datetime
    ) -> PlateObservationLike | None:
        self.calls.append((self.frame_no, vehicle_box))
        return self.inner.read_vehicle(image, vehicle_box, timestamp)


@pytest.fixture(scope="module")
def recogniser() -> PlateRecogniser:
    return PlateRecogniser(Detection(), ModelPaths())


def run(boxes: list[BoxXYXY], fps: float, frames: int, recogniser: PlateRecogniser) -> CountingReader:
    reader = CountingReader(recogniser)
    pipeline = CameraPipeline(
        Camera(id="g", source="x"),
        Detection(),
        FixedScene(boxes),
        plate_reader=reader,
        consensus=plate_consensus,
        process_fps=fps,
    )
    for i in range(frames):
        reader.frame_no = i
        pipeline.process(Frame("g", i, T0 + timedelta(seconds=i / fps), 1, GREY))
    pipeline.flush()
    return reader


def test_a_vehicle_too_narrow_to_show_a_legible_plate_is_not_searched(recogniser: PlateRecogniser) -> None:
    min_width = Detection().min_plate_width_px / MAX_PLATE_TO_VEHICLE_WIDTH
    narrow: BoxXYXY = (100.0, 100.0, 100.0 + min_width - 2, 300.0)  # tall enough, too narrow
    wide: BoxXYXY = (600.0, 100.0, 600.0 + min_width + 2, 300.0)
    calls = run([narrow, wide], 5.0, 6, recogniser).calls
    assert calls and {box for _, box in calls} == {wide}


def test_searches_are_paced_by_time_not_by_frames_analysed(recogniser: PlateRecogniser) -> None:
    box: BoxXYXY = (300.0, 200.0, 600.0, 450.0)
    for fps in (5.0, 10.0):
        frames = [n for n, _ in run([box], fps, 40, recogniser).calls]
        gap = round(READ_EVERY_SECONDS * fps)
        assert len(frames) == MAX_FAILED_BEFORE_GROWTH  # no plate on a grey frame: then only if it grows
        assert [b - a for a, b in zip(frames, frames[1:], strict=False)] == [gap] * (len(frames) - 1)


def test_a_busy_frame_searches_at_most_the_budget_and_the_rest_follow(recogniser: PlateRecogniser) -> None:
    boxes: list[BoxXYXY] = [(10.0 + 250 * i, 200.0, 10.0 + 250 * i + 200, 380.0 + 10 * i) for i in range(5)]
    calls = run(boxes, 10.0, 8, recogniser).calls
    per_frame: dict[int, list[BoxXYXY]] = {}
    for n, b in calls:
        per_frame.setdefault(n, []).append(b)
    assert max(len(v) for v in per_frame.values()) == MAX_PLATE_SEARCHES_PER_FRAME
    first = min(per_frame)
    # the tallest (nearest) first; every vehicle gets its first search within three frames
    assert per_frame[first] == sorted(boxes, key=lambda b: b[1] - b[3])[:MAX_PLATE_SEARCHES_PER_FRAME]
    assert {b for n, b in calls if n < first + 3} == set(boxes)
