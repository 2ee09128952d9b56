"""Horizontal motion blur measured and undone (detect/reading/deblur.py), on real plate photos.

The plates are the shared uk_dev stills brought to street widths and smeared by the street bench's
own conditions (offline/street_conditions.py), so the blur is the one `bench/street.py` measures.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
import pytest

from detect.reading.deblur import blur_length, deblur_plate, wiener_horizontal
from detect.reading.localise import rectify_plate
from detect.reading.recogniser import PlateRecogniser
from detect.still import load_image
from offline.eval_plates import load_labels
from offline.street_conditions import ScaledPlate, motion_blur, scale_to_plate_width
from platewatch.config import Detection, ModelPaths

NOW = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)


def _scaled(uk_dev_dir: Path, plate: str, width: int) -> ScaledPlate:
    for label in load_labels(uk_dev_dir):
        if label.plate == plate:
            return scale_to_plate_width(load_image(uk_dev_dir / label.file), label.box, width)
    raise AssertionError(f"{plate} not in uk_dev labels")


def _plate_grey(scaled: ScaledPlate, image: np.ndarray) -> np.ndarray:
    x1, y1, x2, y2 = (int(round(v)) for v in scaled.box)
    return np.asarray(cv2.cvtColor(image[y1:y2, x1:x2], cv2.COLOR_BGR2GRAY), np.float32)


@pytest.mark.parametrize("width", [64, 80])
def test_blur_length_is_measured_on_smeared_real_plates(uk_dev_dir: Path, width: int) -> None:
    for label in load_labels(uk_dev_dir):
        scaled = scale_to_plate_width(load_image(uk_dev_dir / label.file), label.box, width)
        for length in (5, 9):
            out = deblur_plate(motion_blur(scaled.image, length), scaled.box)
            assert out is not None and abs(out.blur_px - length) <= 1, (label.plate, width, length, out)


def test_sharp_plates_show_no_motion(uk_dev_dir: Path) -> None:
    # 200-300 px: a stroke is 5-8 px wide there and shows as a trough too (MIN_BLUR_TO_PLATE_WIDTH).
    for label in load_labels(uk_dev_dir):
        image = load_image(uk_dev_dir / label.file)
        for width in (48, 64, 80, 120, 200, 300):
            scaled = scale_to_plate_width(image, label.box, width)
            assert deblur_plate(scaled.image, scaled.box) is None, (label.plate, width)


def test_wiener_undoes_a_known_smear(uk_dev_dir: Path) -> None:
    scaled = _scaled(uk_dev_dir, "KV24AWU", 80)
    sharp = scaled.image.astype(np.float32)
    smeared = motion_blur(scaled.image, 9)
    restored = wiener_horizontal(smeared, 9)
    assert restored.shape == smeared.shape and restored.dtype == np.uint8
    # Compared away from the left and right edges, where replication stands in for the unseen scene.
    inner = np.s_[:, 20:-20]
    err_smeared = float(np.mean((smeared.astype(np.float32) - sharp)[inner] ** 2))
    err_restored = float(np.mean((restored.astype(np.float32) - sharp)[inner] ** 2))
    assert err_restored < 0.5 * err_smeared, (err_restored, err_smeared)


def test_deblur_plate_keeps_the_box_on_the_plate(uk_dev_dir: Path) -> None:
    scaled = _scaled(uk_dev_dir, "LR33TEE", 80)
    smeared = motion_blur(scaled.image, 9)
    out = deblur_plate(smeared, scaled.box)
    assert out is not None and out.blur_px == 9
    # The region is cut from the image around the box: the box moves by the cut's offset only.
    bw = scaled.box[2] - scaled.box[0]
    assert out.box[2] - out.box[0] == pytest.approx(bw)
    x1, y1, x2, y2 = (int(round(v)) for v in out.box)
    assert 0 <= x1 < x2 <= out.image.shape[1] and 0 <= y1 < y2 <= out.image.shape[0]


def test_tiny_or_flat_patches_are_left_alone() -> None:
    flat = np.full((30, 120, 3), 128, np.uint8)
    assert deblur_plate(flat, (20.0, 8.0, 100.0, 22.0)) is None  # no edges to measure
    assert deblur_plate(flat, (20.0, 8.0, 40.0, 22.0)) is None  # 20 px wide: a 4 px smear at most
    assert blur_length(np.zeros((10, 10), np.float32), 9) == 0


@pytest.fixture(scope="module")
def recognisers(shared_dir: Path) -> tuple[PlateRecogniser, PlateRecogniser]:
    on = PlateRecogniser(Detection(region="gb"), ModelPaths())
    off = on.for_region("gb")
    off.detection = off.detection.model_copy(update={"motion_deblur": False})
    return on, off


def test_smeared_plates_are_read_with_deblur_and_not_without(
    uk_dev_dir: Path, recognisers: tuple[PlateRecogniser, PlateRecogniser]
) -> None:
    on, off = recognisers
    right_on = right_off = 0
    for text in ("KV24AWU", "ZE24CAZ", "LR33TEE", "SN66XMZ"):
        scaled = _scaled(uk_dev_dir, text, 64)
        smeared = motion_blur(scaled.image, 9)
        with_deblur = on.read_plate(smeared, scaled.box, NOW)
        without = off.read_plate(smeared, scaled.box, NOW)
        right_on += with_deblur is not None and with_deblur.read.text == text
        right_off += without is not None and without.read.text == text
        if with_deblur is not None:
            # Evidence is the plate as the camera captured it, not the deconvolved one.
            assert np.array_equal(with_deblur.crop, rectify_plate(smeared, scaled.box))
            assert with_deblur.read.box == scaled.box
    assert right_off == 0
    assert right_on >= 3


def test_a_sharp_plate_is_read_once(
    uk_dev_dir: Path, recognisers: tuple[PlateRecogniser, PlateRecogniser]
) -> None:
    on, _ = recognisers
    scaled = _scaled(uk_dev_dir, "LR33TEE", 120)
    before = on.seconds.restore
    obs = on.read_plate(scaled.image, scaled.box, NOW)
    assert obs is not None and obs.read.text == "LR33TEE"
    assert obs.read.confidence >= on.detection.letter_grade_confidence
    assert on.seconds.restore == before  # letter grade at once: no second look
