"""Synthetic plate images: shape and type, determinism from the seed, every layout, UK geometry."""

from __future__ import annotations

import numpy as np
import pytest

from offline.synth import LAYOUTS, generate_plate
from offline.synth.formats import PlateText
from offline.synth.render import GB_CHAR_H, GB_PLATE_H, GB_PLATE_W, render_gb


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_renders_a_bgr_uint8_crop(layout: str) -> None:
    for index in range(3):
        plate = generate_plate(11, index, layouts=[layout])
        img = plate.image
        assert plate.text.layout == layout
        assert img.dtype == np.uint8 and img.ndim == 3 and img.shape[2] == 3
        h, w = img.shape[:2]
        assert 8 <= h <= 200 and 16 <= w <= 800, img.shape
        assert w > h, "a single-line plate crop is wider than it is tall"
        assert img.std() > 5, "blank image"


def test_same_seed_and_index_give_identical_plates_in_any_order() -> None:
    forward = [generate_plate(3, i) for i in range(6)]
    backward = [generate_plate(3, i) for i in reversed(range(6))][::-1]
    for a, b in zip(forward, backward, strict=True):
        assert a.label == b.label
        assert np.array_equal(a.image, b.image)


def test_different_seeds_give_different_plates() -> None:
    a = [generate_plate(1, i).label for i in range(20)]
    b = [generate_plate(2, i).label for i in range(20)]
    assert a != b


def test_unknown_layout_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown plate layout"):
        generate_plate(0, 0, layouts=["gb_current", "moon_base"])


def test_clean_uk_plate_has_charles_wright_geometry() -> None:
    """At 1 px/mm: 520 x 111 plate, ink 79 mm tall, 7 characters of 50 mm + 11 mm gaps + 33 mm group gap."""
    rng = np.random.default_rng(0)
    rendered = render_gb(PlateText("gb_current", ("AB23", "CDE"), "UK"), rng)
    img = rendered.image
    assert img.shape == (GB_PLATE_H, GB_PLATE_W, 3)
    x1, y1, x2, y2 = rendered.text_box
    assert (y2 - y1, x2 - x1) == (GB_CHAR_H, 7 * 50 + 5 * 11 + 33)
    grey = img.mean(axis=2)
    # Character ink only: ignore the side band, frame and supplier line by looking at the text rows.
    ink = grey < 90
    rows = np.nonzero(ink[:, 60:-12].sum(axis=1) > 20)[0]
    assert abs((rows.max() - rows.min() + 1) - GB_CHAR_H) <= 6
    cols = np.nonzero(ink[20:95, 55:-12].any(axis=0))[0]
    text_width = cols.max() - cols.min() + 1
    # Strokes are thinned or thickened by up to 2 px per edge for variety, and edges are anti-aliased.
    assert abs(text_width - (7 * 50 + 5 * 11 + 33)) <= 16
