"""Emblems between groups, plate holders with dealer text, screws: drawn where they belong, and
never changing the label or hiding the registration characters."""

from __future__ import annotations

import numpy as np
import pytest

from offline.synth import generate_plate
from offline.synth.formats import PlateText
from offline.synth.holder import add_holder, add_screws
from offline.synth.render import RenderedPlate, render_eu


def _colourful(region: np.ndarray) -> float:
    """Share of pixels that are clearly coloured (not black/white/grey ink or plate)."""
    f = region.astype(np.int16)
    return float(((f.max(axis=2) - f.min(axis=2)) > 60).mean())


@pytest.mark.parametrize("layout", ["eu_sk", "eu_cz", "eu_hr", "eu_de"])
def test_emblem_layouts_draw_something_coloured_in_the_first_gap(layout: str) -> None:
    groups = {
        "eu_sk": ("RK", "346AL"),
        "eu_cz": ("2T4", "0211"),
        "eu_hr": ("ZG", "123", "-", "AB"),
        "eu_de": ("M", "AB", "123"),
    }[layout]
    text = PlateText(layout, groups, layout[-2:].upper())
    coloured_gaps = 0
    for seed in range(20):
        plate = render_eu(text, np.random.default_rng(seed))
        assert plate.gaps, "a multi-group plate reports its gaps"
        x = plate.gaps[0]
        _, y0, _, y1 = plate.text_box
        coloured_gaps += _colourful(plate.image[y0:y1, x - 6 : x + 6]) > 0.2
    # Emblems are frequent but not universal on these layouts (front plates have no stickers).
    assert 5 <= coloured_gaps <= 20


def test_plates_without_emblems_leave_the_gaps_plain() -> None:
    text = PlateText("eu_es", ("1234", "BCD"), "E")
    for seed in range(10):
        plate = render_eu(text, np.random.default_rng(seed))
        _, y0, _, y1 = plate.text_box
        assert _colourful(plate.image[y0:y1, plate.gaps[0] - 4 : plate.gaps[0] + 4]) < 0.05


def test_holder_surrounds_the_plate_and_moves_the_text_box_with_it() -> None:
    rng = np.random.default_rng(1)
    plate = render_eu(PlateText("eu_sk", ("BA", "123AB"), "SK"), rng)
    for seed in range(10):
        held = add_holder(plate, np.random.default_rng(seed))
        h, w = plate.image.shape[:2]
        hh, hw = held.image.shape[:2]
        assert hh > h and hw > w
        side = (hw - w) // 2
        x0, y0, x1, y1 = held.text_box
        top = y0 - plate.text_box[1]
        assert (x0 - plate.text_box[0], x1 - plate.text_box[2]) == (side, side)
        # The plate itself is pasted unchanged inside the holder.
        assert np.array_equal(held.image[top : top + h, side : side + w], plate.image)
        assert held.gaps == tuple(g + side for g in plate.gaps)


def test_screws_never_change_the_text_box_or_size() -> None:
    plate = render_eu(PlateText("eu_cz", ("1AB", "2345"), "CZ"), np.random.default_rng(0))
    for seed in range(10):
        screwed = add_screws(plate, np.random.default_rng(seed))
        assert isinstance(screwed, RenderedPlate)
        assert screwed.image.shape == plate.image.shape and screwed.text_box == plate.text_box


@pytest.mark.parametrize("layout", ["eu_sk", "gb_current", "us", "br_mercosul"])
def test_degraded_crops_stay_plate_shaped_with_holders_and_loose_boxes(layout: str) -> None:
    for index in range(40):
        img = generate_plate(19, index, layouts=[layout]).image
        h, w = img.shape[:2]
        assert img.dtype == np.uint8 and img.shape[2] == 3
        assert 8 <= h <= 400 and w > h, img.shape
