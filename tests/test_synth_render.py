"""Synthetic plate images: shape and type, determinism from the seed, every layout, UK geometry."""

from __future__ import annotations

import numpy as np
import pytest

from offline.synth import LAYOUTS, generate_plate
from offline.synth.formats import PlateText
from offline.synth.render import GB_CHAR_H, GB_PLATE_H, GB_PLATE_W, render_clean, render_gb


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


# Layouts with printed rows that are not the registration: state name and slogan (US), city strip
# (old Brazilian), country line (Argentina), expiry date (Indonesia).
_ROW_LAYOUTS = ("us", "br_old", "br_mercosul", "ar_old", "ar_mercosur", "id_plate")


@pytest.mark.parametrize("layout", _ROW_LAYOUTS)
def test_foreign_layouts_paint_exactly_the_label_inside_the_text_box(layout: str) -> None:
    for index in range(8):
        plate = generate_plate(21, index, layouts=[layout], clean=True)
        rendered = render_clean(plate.text, np.random.default_rng([21, index, 99]))
        assert "".join(g.char for g in rendered.glyphs) == plate.text.label
        h, w = rendered.image.shape[:2]
        x0, y0, x1, y1 = rendered.text_box
        assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h
        for g in rendered.glyphs:
            gx0, gy0, gx1, gy1 = g.box
            assert x0 <= gx0 < gx1 <= x1 and y0 <= gy0 < gy1 <= y1, g
        # every glyph box carries ink of the character colour (nothing painted off the plate)
        grey = rendered.image.mean(axis=2)
        for g in rendered.glyphs:
            gx0, gy0, gx1, gy1 = g.box
            cell = grey[gy0:gy1, gx0:gx1]
            assert cell.max() - cell.min() > 80, (layout, g)


@pytest.mark.parametrize("layout", ["us", "br_old", "ar_old", "ar_mercosur", "id_plate"])
def test_extra_rows_are_printed_outside_the_registration(layout: str) -> None:
    """The reader must learn to skip them: there is ink above (US, BR, AR) or below (ID) the text box."""
    with_rows = 0
    for index in range(8):
        text = generate_plate(23, index, layouts=[layout], clean=True).text
        rendered = render_clean(text, np.random.default_rng([23, index]))
        grey = rendered.image.mean(axis=2)
        x0, y0, x1, y1 = rendered.text_box
        above, below = grey[4 : max(5, y0 - 2), 8:-8], grey[min(grey.shape[0] - 5, y1 + 2) : -4, 8:-8]
        rows = [r for r in (above, below) if r.size and r.std() > 15]
        with_rows += bool(rows)
    assert with_rows >= 6


def test_same_seed_gives_the_same_foreign_plates() -> None:
    for layout in _ROW_LAYOUTS:
        a = generate_plate(4, 2, layouts=[layout])
        b = generate_plate(4, 2, layouts=[layout])
        assert a.label == b.label and np.array_equal(a.image, b.image)
