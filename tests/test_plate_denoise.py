"""Noise and compression blocks smoothed off a plate before a second read (detect/reading/denoise.py).

Real uk_dev plates brought to street widths and degraded by the street bench's own conditions
(offline/street_conditions.py): the night condition's sensor noise and the JPEG condition's blocks.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
import pytest

from detect.reading.denoise import denoise_plate
from detect.reading.localise import rectify_plate
from detect.reading.recogniser import PlateRecogniser
from detect.still import load_image
from offline.eval_plates import load_labels
from offline.street_conditions import ScaledPlate, apply_condition, scale_to_plate_width
from platewatch.config import Detection, ModelPaths

NOW = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
# uk_dev plates that the street bench read wrong as captured and right smoothed (docs/benchmarks.md).
CASES = [
    ("EF69ZWH", 80, "jpeg"),
    ("SN66XMZ", 80, "jpeg"),
    ("DZ17YXR", 64, "jpeg"),
    ("KV24AWU", 64, "jpeg"),
    ("CZ17KOD", 48, "jpeg"),
    ("EF69ZWH", 64, "night"),
]


def _scaled(uk_dev_dir: Path, plate: str, width: int) -> ScaledPlate:
    for label in load_labels(uk_dev_dir):
        if label.plate == plate:
            return scale_to_plate_width(load_image(uk_dev_dir / label.file), label.box, width)
    raise AssertionError(f"{plate} not in uk_dev labels")


def test_noise_is_smoothed_and_the_strokes_kept(uk_dev_dir: Path) -> None:
    rng = np.random.default_rng(3)
    # Sensor noise on a flat plate background: most of it goes.
    flat = np.clip(200 + rng.normal(0, 8, (60, 200, 3)), 0, 255).astype(np.uint8)
    out = denoise_plate(flat, (50.0, 20.0, 150.0, 40.0))
    assert out is not None and out.image.shape == (40, 150, 3) and out.box == (25.0, 10.0, 125.0, 30.0)
    before = float(flat[10:50, 25:175].astype(np.float32).std())
    assert float(out.image.astype(np.float32).std()) < 0.6 * before
    # A real plate: its character edges survive.
    scaled = _scaled(uk_dev_dir, "LR33TEE", 80)
    smoothed = denoise_plate(scaled.image, scaled.box)
    assert smoothed is not None
    x1, y1, x2, y2 = (int(round(v)) for v in smoothed.box)
    bx1, by1, bx2, by2 = (int(round(v)) for v in scaled.box)
    assert _edge_strength(smoothed.image[y1:y2, x1:x2]) > 0.6 * _edge_strength(scaled.image[by1:by2, bx1:bx2])


def _edge_strength(patch: np.ndarray) -> float:
    grey = cv2.cvtColor(patch.astype(np.uint8), cv2.COLOR_BGR2GRAY).astype(np.float32)
    return float(np.abs(np.diff(grey, axis=1)).mean())


def test_tiny_patches_are_left_alone() -> None:
    image = np.full((40, 40, 3), 128, np.uint8)
    assert denoise_plate(image, (10.0, 10.0, 14.0, 12.0)) is None


@pytest.fixture(scope="module")
def recognisers() -> tuple[PlateRecogniser, PlateRecogniser]:
    on = PlateRecogniser(Detection(region="gb", denoise_second_read=True), ModelPaths())
    off = on.for_region("gb")
    off.detection = off.detection.model_copy(update={"denoise_second_read": False})
    return on, off


def test_off_by_default() -> None:
    assert Detection().denoise_second_read is False


def test_noisy_and_compressed_plates_read_better_smoothed_and_never_letter_grade_alone(
    uk_dev_dir: Path, recognisers: tuple[PlateRecogniser, PlateRecogniser]
) -> None:
    on, off = recognisers
    right_on = right_off = 0
    for text, width, condition in CASES:
        scaled = _scaled(uk_dev_dir, text, width)
        degraded = apply_condition(scaled.image, condition, np.random.default_rng(7))
        with_second = on.read_plate(degraded, scaled.box, NOW)
        without = off.read_plate(degraded, scaled.box, NOW)
        right_on += with_second is not None and with_second.read.text == text
        right_off += without is not None and without.read.text == text
        if with_second is not None and without is not None and with_second.read != without.read:
            # The smoothed read won: below letter grade, evidence still the captured patch.
            assert with_second.read.confidence < on.detection.letter_grade_confidence
            assert np.array_equal(with_second.crop, rectify_plate(degraded, scaled.box))
    assert right_on >= right_off + 2
