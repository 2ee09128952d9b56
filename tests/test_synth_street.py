"""UK plates drawn with the real glyph crops, and the street-strength degradations of the generator."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from offline.synth import StreetDegradation, generate_plate
from offline.synth.fonts import glyph_mask, plate_fonts
from offline.synth.formats import PlateText
from offline.synth.render import render_gb
from offline.synth.street import (
    infrared_bloom,
    loose_crop,
    motion_blur,
    perspective,
    rain,
    street_degrade,
)
from offline.synth.uk_glyphs import GlyphsMissingError, crop_mask, glyph_folder

needs_glyphs = pytest.mark.skipif(
    not glyph_folder().is_dir(), reason=f"no real UK glyphs at {glyph_folder()}"
)


def _iou(a: np.ndarray, b: np.ndarray) -> float:  # type: ignore[type-arg]
    return float((a & b).sum() / max(1, (a | b).sum()))


@needs_glyphs
def test_uk_plate_is_drawn_with_the_real_glyph_crops() -> None:
    rendered = render_gb(PlateText("gb_current", ("AB23", "CDE"), "UK"), np.random.default_rng(5))
    assert [g.char for g in rendered.glyphs] == list("AB23CDE")
    font = plate_fonts()[0]
    for glyph in rendered.glyphs:
        assert glyph.source is not None and glyph.source.parent == glyph_folder()
        assert glyph.source.name.startswith(f"{glyph.char}-")
        x0, y0, x1, y1 = glyph.box
        region = cv2.cvtColor(rendered.image[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY) < 128
        real = cv2.resize(crop_mask(glyph.source), (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA) > 0.5
        stretched = (
            cv2.resize(glyph_mask(font, glyph.char), (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA) > 0.5
        )
        assert _iou(region, real) > 0.9, glyph
        assert _iou(region, real) > _iou(region, stretched) + 0.05, glyph


@needs_glyphs
def test_different_draws_use_different_real_crops() -> None:
    text = PlateText("gb_current", ("AA11", "AAA"), "UK")
    sources = {g.source for seed in range(4) for g in render_gb(text, np.random.default_rng(seed)).glyphs}
    assert len(sources) >= 8  # 28 draws from 125 crops of A and 50 of 1


def test_missing_glyph_folder_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    missing = tmp_path / "no_glyphs_here"
    monkeypatch.setenv("PLATEWATCH_UK_GLYPHS", str(missing))
    with pytest.raises(GlyphsMissingError, match=str(missing)):
        render_gb(PlateText("gb_current", ("AB23", "CDE"), "UK"), np.random.default_rng(0))
    with pytest.raises(GlyphsMissingError, match="no_glyphs_here"):
        generate_plate(1, 0, layouts=["gb_current"])
    # the font renderer still works without the shared folder
    plate = generate_plate(1, 0, layouts=["gb_current"], uk_glyphs="font", clean=True)
    assert plate.image.shape[0] > 50


def test_perspective_turns_the_plate_by_the_stated_angle() -> None:
    plate = np.full((111, 520, 3), 240, np.uint8)
    for yaw in (0.0, 20.0, 35.0, -35.0):
        warped, corners = perspective(plate, yaw)
        left_h = corners[3, 1] - corners[0, 1]
        right_h = corners[2, 1] - corners[1, 1]
        f, half = 2.0 * 520, 260.0
        s = np.sin(np.deg2rad(yaw))
        # pinhole: each edge's height scales with f / depth; a positive yaw turns the left edge away
        assert left_h / right_h == pytest.approx((f - half * s) / (f + half * s), rel=1e-3)
        bright = (warped[..., 0] > 200).any(axis=0)
        assert bright.sum() == pytest.approx(corners[:, 0].max() - corners[:, 0].min(), abs=3)
    narrow, _ = perspective(plate, 35.0)
    assert narrow.shape[1] < 0.9 * 520  # foreshortened


def test_motion_blur_spreads_a_point_over_its_length() -> None:
    image = np.zeros((9, 40, 3), np.uint8)
    image[4, 20] = 250
    for length in (4, 7):
        out = motion_blur(image, length)[..., 0]
        ys, xs = np.nonzero(out)
        assert set(ys.tolist()) == {4} and xs.max() - xs.min() + 1 == length


def test_infrared_bloom_lights_the_surround_by_its_gain_and_width() -> None:
    img = np.full((120, 200, 3), 30, np.uint8)
    img[40:80, 60:140] = (40, 200, 240)  # yellow plate face
    sigma, gain = 6.0, 0.8
    out = infrared_bloom(img, sigma, gain, np.random.default_rng(0))[..., 0].astype(np.float32)
    far = out[:10, :10].mean()
    edge = out[55:65, 141].mean()  # just right of the plate, mid-height
    # a straight edge's halo right beside it is half the bright level
    assert edge - far == pytest.approx(gain * 255 * 0.5, abs=20)
    assert out[55:65, 140 + int(4 * sigma)].mean() - far < 8  # gone four sigmas out
    assert out[50:70, 70:130].mean() > 220  # the face itself is saturated


def test_rain_adds_streaks_in_proportion_to_density() -> None:
    img = np.full((60, 240, 3), 40, np.uint8)
    dry = rain(img, np.random.default_rng(3), 0.0)[..., 0]
    wet = rain(img, np.random.default_rng(3), 1.5)[..., 0]
    heavy = rain(img, np.random.default_rng(3), 6.0)[..., 0]
    assert dry.std() < 1.0  # only the veil: flat
    streak_px = [int((x > dry.max() + 20).sum()) for x in (wet, heavy)]
    assert 0 < streak_px[0] < streak_px[1]


def test_street_degrade_brings_the_plate_to_the_stated_width() -> None:
    rendered = render_gb(PlateText("gb_current", ("AB23", "CDE"), "UK"), np.random.default_rng(1), "font")
    options = StreetDegradation(
        max_yaw_deg=0.0,
        min_width_px=40,
        max_width_px=40,
        night_probability=0,
        rain_probability=0,
        max_margin_frac=0.0,
    )
    out = street_degrade(rendered, np.random.default_rng(2), options)
    # no margin: the crop is the plate (a side may cut 1.5 % into its blank margin)
    assert 40 * 0.97 - 1 <= out.shape[1] <= 40 * 521 / 520 + 1
    for index in range(6):
        plate = generate_plate(9, index, uk_glyphs="font", street=StreetDegradation())
        assert 40 * 0.97 - 1 <= plate.image.shape[1] <= 160 * (1 + 2 * 0.3) + 2


def test_loose_crop_margins_stay_within_their_stated_bounds() -> None:
    plate = np.full((100, 400, 3), 200, np.uint8)
    shapes = {loose_crop(plate, np.random.default_rng(i), 0.3, (50, 60, 70)).shape for i in range(60)}
    heights = [h for h, _, _ in shapes]
    widths = [w for _, w, _ in shapes]
    assert min(heights) >= 100 * (1 - 2 * 0.08) and max(heights) <= 100 * (1 + 2 * 0.3) + 1
    assert min(widths) >= 400 * (1 - 2 * 0.015) and max(widths) <= 400 * (1 + 2 * 0.3) + 1
    assert max(widths) > 400 * 1.25 and max(heights) > 100 * 1.25  # loose boxes are drawn
    assert len(shapes) > 30  # the margins vary from crop to crop
    out = loose_crop(plate, np.random.default_rng(0), 0.0, (50, 60, 70))
    assert out.shape[0] <= 100 and out.shape[1] <= 400  # no margin: only the plate, maybe cut in


def test_street_options_are_validated() -> None:
    with pytest.raises(ValueError, match="min_width_px"):
        StreetDegradation(min_width_px=4)
    with pytest.raises(ValueError, match="max_motion_frac"):
        StreetDegradation(max_motion_frac=0.9)
    with pytest.raises(ValueError, match="max_yaw_deg"):
        StreetDegradation(max_yaw_deg=85)
    with pytest.raises(ValueError, match="max_margin_frac"):
        StreetDegradation(max_margin_frac=1.5)


@needs_glyphs
def test_training_batches_take_the_street_fraction() -> None:
    from offline.ocr_training.dataset import _street_options, synthetic_batch

    picked = [_street_options(5, i, 0.3) is not None for i in range(400)]
    assert 0.22 < sum(picked) / 400 < 0.38
    assert picked == [_street_options(5, i, 0.3) is not None for i in range(400)]  # reproducible
    assert all(_street_options(5, i, 0.0) is None for i in range(50))
    plain_x, plain_y = synthetic_batch(3, 0, 4)
    street_x, street_y = synthetic_batch(3, 0, 4, street_fraction=1.0)
    assert plain_y == street_y  # same plates, other degradation
    assert plain_x.shape != street_x.shape or not bool((plain_x == street_x).all())
