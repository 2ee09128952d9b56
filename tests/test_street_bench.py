"""The street benchmark's degradations (at their stated strength) and its scoring."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from offline import street_conditions as sc
from offline.street_scores import StoredPlate, StreetRead, score_clip, score_reads


def _grey(value: int, h: int = 40, w: int = 60) -> sc.ImageBGR:
    return np.full((h, w, 3), value, np.uint8)


def test_scale_to_plate_width_gives_the_target_width_and_keeps_context() -> None:
    image = np.zeros((600, 900, 3), np.uint8)
    box = (300.0, 400.0, 540.0, 460.0)  # 240 x 60 plate
    image[400:460, 300:540] = 255
    for width in (48, 64, 80, 120):
        scaled = sc.scale_to_plate_width(image, box, width)
        x0, y0, x1, y1 = scaled.box
        assert x1 - x0 == pytest.approx(width, abs=0.6)
        assert (y1 - y0) == pytest.approx(width / 4, abs=0.6)
        # half a plate width of scene left and right, 1.5 plate heights above and below
        assert scaled.image.shape[1] == pytest.approx(2 * width, abs=1)
        assert scaled.image.shape[0] == pytest.approx(4 * width / 4, abs=1)
        # the white plate lands where the box says
        cx, cy = int((x0 + x1) / 2), int((y0 + y1) / 2)
        assert scaled.image[cy, cx, 0] == 255
        assert scaled.image[1, 1, 0] == 0


def test_scale_rejects_a_degenerate_box() -> None:
    with pytest.raises(ValueError, match="cannot scale"):
        sc.scale_to_plate_width(_grey(0), (10.0, 10.0, 10.5, 20.0), 64)


def test_motion_blur_smears_horizontally_by_its_length_only() -> None:
    for name, length in sc.MOTION_PX.items():
        image = _grey(0, 41, 61)
        image[20, 30] = 255
        out = sc.apply_condition(image, name, np.random.default_rng(0))[..., 0]
        ys, xs = np.nonzero(out)
        assert set(ys.tolist()) == {20}  # no vertical spread
        assert xs.max() - xs.min() + 1 == length
        assert int(out.sum()) == pytest.approx(255, abs=length)  # energy kept: a normalised kernel


def test_gaussian_blur_has_the_stated_sigma() -> None:
    image = np.zeros((61, 61, 3), np.float32)
    image[30, 30] = 1.0
    out = cv2.GaussianBlur(image, (0, 0), sc.GAUSSIAN_SIGMA_PX)[..., 0]
    xs = np.arange(61, dtype=np.float64)
    profile = out.sum(axis=0)
    var = float((profile * (xs - 30) ** 2).sum() / profile.sum())
    assert var == pytest.approx(sc.GAUSSIAN_SIGMA_PX**2, rel=0.05)
    u8 = _grey(0, 61, 61)
    u8[25:36, 25:36] = 255
    blurred = sc.apply_condition(u8, "gaussian", np.random.default_rng(0))
    expected = cv2.GaussianBlur(u8, (0, 0), sc.GAUSSIAN_SIGMA_PX)
    assert np.array_equal(blurred, expected)
    assert not np.array_equal(blurred, u8)


def test_night_is_grey_dark_and_noisy_at_the_stated_strength() -> None:
    colour = np.zeros((200, 200, 3), np.uint8)
    colour[:] = (40, 180, 220)  # a yellow rear plate, BGR
    out = sc.apply_condition(colour, "night", np.random.default_rng(1))
    assert np.array_equal(out[..., 0], out[..., 1]) and np.array_equal(out[..., 1], out[..., 2])
    grey = float(cv2.cvtColor(colour, cv2.COLOR_BGR2GRAY)[0, 0]) / 255.0
    expected_mean = 255 * sc.NIGHT_GAIN * grey**sc.NIGHT_GAMMA
    assert float(out[..., 0].mean()) == pytest.approx(expected_mean, abs=1.0)
    assert float(out[..., 0].std()) == pytest.approx(sc.NIGHT_NOISE_SIGMA, rel=0.1)
    assert expected_mean < 0.6 * 255 * grey  # darker than a linear dimming


def test_jpeg_uses_the_stated_quality() -> None:
    rng = np.random.default_rng(2)
    image = cv2.GaussianBlur(rng.integers(0, 256, (64, 96, 3), dtype=np.uint8), (0, 0), 1.5)
    out = sc.apply_condition(image, "jpeg", rng)
    _, at_quality = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, sc.JPEG_QUALITY])
    assert np.array_equal(out, cv2.imdecode(at_quality, cv2.IMREAD_COLOR))
    _, fine = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 95])
    err_stated = np.abs(out.astype(int) - image).mean()
    err_fine = np.abs(cv2.imdecode(fine, cv2.IMREAD_COLOR).astype(int) - image).mean()
    assert err_stated > 1.5 * err_fine


def test_clean_is_untouched_and_unknown_conditions_are_named() -> None:
    image = _grey(77)
    assert sc.apply_condition(image, "clean", np.random.default_rng(0)) is image
    with pytest.raises(sc.UnknownConditionError, match="fog"):
        sc.check_conditions(["clean", "fog"])
    with pytest.raises(sc.UnknownConditionError, match="fog"):
        sc.apply_condition(image, "fog", np.random.default_rng(0))


def test_score_reads_counts_exact_letter_grade_and_confident_wrong_reads() -> None:
    reads = [
        StreetRead("a", "AB12CDE", 64, "clean", "AB12CDE", 0.95),  # right, letter grade
        StreetRead("b", "AB12CDF", 64, "clean", "AB12CDF", 0.50),  # right, below
        StreetRead("c", "AB12CDG", 64, "clean", "AB12CD6", 0.93),  # wrong at letter grade
        StreetRead("d", "AB12CDH", 64, "clean", "", 0.0),  # nothing read
        StreetRead("a", "AB12CDE", 48, "night", "A812CDE", 0.40),  # wrong, below
        StreetRead("a", "AB12CDE", 48, "clean", "AB12CDE", 0.90),  # right, exactly at threshold
    ]
    scores = score_reads(reads, threshold=0.9)
    cell = scores.cells[(64, "clean")]
    assert (cell.plates, cell.exact, cell.letter_grade_right, cell.letter_grade_wrong) == (4, 2, 1, 1)
    assert cell.exact_rate == 0.5 and cell.letter_grade_rate == 0.25
    assert cell.wrong_reads == ["AB12CDG->AB12CD6@0.930 (c)"]
    assert scores.by_width[48].plates == 2 and scores.by_width[48].letter_grade_right == 1
    assert scores.by_condition["clean"].plates == 5 and scores.by_condition["clean"].exact == 3
    assert scores.by_condition["night"].exact == 0
    t = scores.total
    assert (t.plates, t.exact, t.letter_grade_right, t.letter_grade_wrong) == (6, 3, 2, 1)


def test_score_clip_counts_found_missed_and_false_reads() -> None:
    stored = [
        StoredPlate("FL920KF", 0.97),
        StoredPlate("FL920KF", 0.80),  # the same car seen twice: still found, not false
        StoredPlate("EJ72BLY", 0.89),  # a coerced foreign plate: false
        StoredPlate("C71HVY", 0.30),  # false, below 0.5
    ]
    score = score_clip("paris_rain.mp4", ["FL920KF", "FL124XR", "EJ728LY"], stored)
    assert score.found == ("FL920KF",)
    assert score.missed == ("FL124XR", "EJ728LY")
    assert [p.text for p in score.false_reads] == ["EJ72BLY", "C71HVY"]
    assert score.confident_false_reads == 1
    d = score.as_dict()
    assert d["false_reads_at_or_above_0_5"] == 1 and d["missed"] == ["FL124XR", "EJ728LY"]
    empty = score_clip("x.mp4", ["AB12CDE"], [])
    assert empty.found == () and empty.missed == ("AB12CDE",) and empty.false_reads == ()
