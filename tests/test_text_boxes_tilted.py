"""Text boxes of a tilted plate: characters measured by their own height, runs kept on one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from real_crop_samples import labelled_crop

from detect.reading.readers import TextBox, group_lines, single_line
from detect.reading.recogniser import PlateRecogniser
from platewatch.config import Detection, ModelPaths


def test_a_slanted_run_is_as_tall_as_its_edges_not_its_bounds() -> None:
    # A run of characters 50 px tall rising 30 px over its 100 px width: bounds 80 px tall.
    slanted = TextBox(0, 0, 100, 80, quad=((0.0, 30.0), (100.0, 0.0), (100.0, 50.0), (0.0, 80.0)))
    assert slanted.height == 80 and slanted.text_height == pytest.approx(50.0)
    assert slanted.rows_at(50.0) == pytest.approx((15.0, 65.0))
    assert slanted.rows_at(-20.0) == pytest.approx((30.0, 80.0))  # clamped to the run
    assert TextBox(0, 0, 100, 40).text_height == 40.0


def test_runs_stepping_down_a_tilted_plate_are_one_line() -> None:
    # Measured CRAFT runs of a real Indonesian crop (B 1079 ZKM, tilted about 10 degrees): the
    # region letter's upright box, the digits' and the letters' slanted quadrilaterals.
    letter = TextBox(107, 0, 146, 52)
    digits = TextBox(156, 0, 305, 97, quad=((173, -9), (303, 15), (285, 95), (156, 70)))
    letters = TextBox(291, 18, 424, 123, quad=((309, 18), (422, 40), (405, 121), (291, 100)))
    assert group_lines([letters, digits, letter]) == [[letter, digits, letters]]


def test_a_short_letter_beside_tall_slanted_digits_joins_their_line() -> None:
    letter = TextBox(57, 0, 94, 48)
    digits = TextBox(103, 0, 255, 106, quad=((125, -10), (253, 21), (231, 104), (103, 72)))
    assert group_lines([digits, letter]) == [[letter, digits]]


def test_a_state_name_above_slanted_digits_stays_its_own_line() -> None:
    # A real New York crop: NEW YORK upright above the registration's slanted run, whose bounds
    # reach up past the state name's centre; the run's own top edge at that column does not.
    state = TextBox(26, 10, 188, 70)
    registration = TextBox(0, 37, 187, 148, quad=((14, 37), (185, 63), (168, 161), (-3, 135)))
    assert group_lines([registration, state]) == [[state], [registration]]


def test_two_rows_that_barely_touch_stay_two_lines() -> None:
    state, registration = TextBox(20, 0, 180, 30), TextBox(10, 24, 190, 100)
    assert group_lines([registration, state]) == [[state], [registration]]


@pytest.fixture(scope="module")
def recogniser() -> PlateRecogniser:
    return PlateRecogniser(Detection(region="any"), ModelPaths())


@pytest.mark.parametrize("name", ["DataTrain169.png", "DataTrain314.png"])
def test_the_region_letter_of_a_tilted_plate_is_read(
    shared_dir: Path, recogniser: PlateRecogniser, name: str
) -> None:
    # Indonesian plates, tilted: the text-box finder dropped the upright region letter as too
    # small beside the digits' slanted bounds, and every candidate lacked it (docs/benchmarks.md).
    crop, label = labelled_crop(shared_dir, "id_satria", name)
    boxes = recogniser.text_boxes.find(crop)
    main_left = min(b.x1 for b in boxes if b.x2 - b.x1 > 100)
    assert any(b.x2 <= main_left + 2 for b in boxes), boxes
    assert single_line(boxes), boxes  # one line: the whole-patch readers read it too
    candidates, _ = recogniser.read_patch(crop)
    box_reads = [c.text for c in candidates if c.variant == "text_boxes"]
    # The letter's box is read (DataTrain169's B comes out as 8: a read, not a gap).
    assert any(len(t) == len(label) and t.endswith(label[1:]) for t in box_reads), candidates


def test_a_tilted_plate_is_read_whole(shared_dir: Path, recogniser: PlateRecogniser) -> None:
    crop, label = labelled_crop(shared_dir, "id_satria", "DataTrain314.png")
    candidates, geometry = recogniser.read_patch(crop)
    assert {c.variant for c in candidates if c.text == label} >= {"text_boxes", "inner"}, candidates
    assert geometry is not None and geometry.x1 < 0.2 * crop.shape[1]  # the B is on the line
