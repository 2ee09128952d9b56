"""A real plate's left edge: a blue EU band and a national emblem cut off, blue digits kept."""

from __future__ import annotations

import csv
from pathlib import Path

import cv2
import numpy as np
import pytest

from detect.reading.readers import blue_band_end, emblem_end, inner_plate_left


def _label_crop(shared_dir: Path, name: str, margin: float) -> np.ndarray:
    folder = shared_dir / "data" / "openalpr_eu"
    file, x, y, w, h, _plate = (folder / f"{Path(name).stem}.txt").read_text(encoding="utf-8").split()
    image = cv2.imread(str(folder / file))
    assert image is not None, file
    x0, y0, ww, hh = int(x), int(y), int(w), int(h)
    dx, dy = int(ww * margin), int(hh * margin)
    return np.asarray(image[max(0, y0 - dy) : y0 + hh + dy, max(0, x0 - dx) : x0 + ww + dx], np.uint8)


@pytest.mark.parametrize("name", ["test_028.jpg", "eu10.jpg", "test_004.jpg"])
@pytest.mark.parametrize("margin", [0.0, 0.1])
def test_a_european_band_is_found_with_the_car_beside_it(shared_dir: Path, name: str, margin: float) -> None:
    # test_028: a Slovak plate on a silver car, grey body and a dark frame left of the band.
    crop = _label_crop(shared_dir, name, margin)
    end = blue_band_end(crop)
    assert 0.05 * crop.shape[1] < end <= 0.25 * crop.shape[1], end


@pytest.mark.parametrize(
    "name", ["NEWYORK_NYPD_01285.jpg", "NEWYORK_NYPD_01289.jpg", "NEWYORK_NYPD_01293.jpg"]
)
def test_blue_digits_on_a_white_plate_are_not_a_band(shared_dir: Path, name: str) -> None:
    image = cv2.imread(str(shared_dir / "data" / "real_crops" / "us_reported" / "images" / name))
    assert image is not None
    assert blue_band_end(np.asarray(image, np.uint8)) == 0


def test_a_blue_stroke_inside_a_white_plate_is_not_a_band() -> None:
    # tests/test_plates_reading.py has the band flush with the edge.
    digit = np.full((40, 200, 3), 235, np.uint8)
    digit[8:32, 20:30] = (180, 60, 20)  # BGR blue, white plate left of it, above and below
    assert blue_band_end(digit) == 0
    digit[:, :4] = (40, 40, 40)  # a dark frame at the edge: still white plate around the stroke
    assert blue_band_end(digit) == 0


@pytest.mark.parametrize("name", ["test_020.jpg", "test_053.jpg"])
def test_the_slovak_shield_is_cut_off_before_the_registration(shared_dir: Path, name: str) -> None:
    # Pre-2022 Slovak plates: the shield and a small SK left of the registration, no blue band.
    # Read whole, the shield came out as a leading M or P (docs/benchmarks.md).
    crop = _label_crop(shared_dir, name, 0.0)
    assert blue_band_end(crop) == 0
    _, left = inner_plate_left(crop)
    assert 0.06 * crop.shape[1] < left < 0.2 * crop.shape[1], left


def test_british_plates_lose_only_their_frame_or_band(uk_dev_dir: Path) -> None:
    with (uk_dev_dir / "labels.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        image = cv2.imread(str(uk_dev_dir / row["file"]))
        assert image is not None
        x, y, w, h = (int(float(row[k])) for k in ("x", "y", "w", "h"))
        crop = np.asarray(image[y : y + h, x : x + w], np.uint8)
        _, left = inner_plate_left(crop)
        assert left <= round(0.02 * w) + blue_band_end(crop) + 1, (row["plate"], left)


def test_a_coloured_fringe_on_the_first_character_stays() -> None:
    shield = np.full((30, 150, 3), 235, np.uint8)
    shield[4:26, 2:14] = (40, 40, 200)  # red
    shield[16:26, 2:14] = (180, 60, 20)  # blue
    shield[4:26, 20:30] = (20, 20, 20)  # the first character, a blue fringe on its left edge
    shield[4:26, 20] = (180, 60, 20)
    assert emblem_end(shield) == 14
    assert emblem_end(np.full((30, 150, 3), 235, np.uint8)) == 0
