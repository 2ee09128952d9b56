"""New York TLC plates (T + six digits + C) read with a frame letter or a digit misread are repaired
into that layout in region `any` only, weighed apart from national and UK repairs, and a real crop
read `T6730Z3C` by both readers comes out as the plate it is."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from detect.reading.choice import candidate_features, choose_text
from detect.reading.combiner import default_combiner
from detect.reading.country import NY_TLC_FORMAT, ny_tlc_repair
from detect.reading.custom_recogniser import PlatewatchPlateReader
from detect.reading.grammar import apply_grammar
from detect.reading.readers import EasyOCRReader, RapidOCRReader, TextCandidate, plate_geometry
from models import resolver
from platewatch.config import ModelPaths


@pytest.mark.parametrize(
    ("read", "plate"),
    [
        ("T6730Z3C", "T673023C"),  # Z for 2
        ("T6806680", "T680668C"),  # the closing C read as 0
        ("1793463C", "T793463C"),  # the opening T read as 1
        ("7123450G", "T123450C"),  # T as 7 and C as G: two repairs
        ("I12O456C", "T120456C"),  # I for T, O for 0
        ("T673023C", None),  # already the layout: nothing to repair
        ("1Z9346S0", None),  # four repairs: too far from the layout to call it one
        ("T6T3023C", None),  # a T in a digit slot could be 1 or 7: not repaired
        ("T67X023C", None),  # X looks like no digit
        ("T67302C", None),  # seven characters: a dropped digit is not repaired
        ("A673023C", None),  # A is no look-alike of T
        ("636861C", "T636861C"),  # the T not read at all
        ("5Z5178C", "T525178C"),  # the T not read, and Z for 2: two repairs
        ("5Z517BC", None),  # three repairs with the T
        ("129970C", None),  # a leading 1 may be the T itself, with a digit dropped
        ("2378370", None),  # seven digits: a plate of its own, not a TLC plate without its T
    ],
)
def test_ny_tlc_repair(read: str, plate: str | None) -> None:
    assert ny_tlc_repair(read) == plate


def test_region_any_repairs_into_the_tlc_layout_and_says_so() -> None:
    r = apply_grammar("T6730Z3C", "any")
    assert (r.text, r.valid, r.corrected, r.format, r.country) == (
        "T673023C",
        True,
        True,
        NY_TLC_FORMAT,
        "US",
    )
    assert r.foreign
    as_read = apply_grammar("T673023C", "any")
    assert (as_read.text, as_read.corrected) == ("T673023C", False)
    # A read that a European layout explains is left to that layout (Slovak BA302OZ stays itself).
    assert apply_grammar("BA302OZ", "any").format != NY_TLC_FORMAT


def test_region_gb_never_repairs_into_the_tlc_layout() -> None:
    for read in ("T6730Z3C", "1793463C", "T6806680"):
        r = apply_grammar(read, "gb")
        assert r.text != ny_tlc_repair(read) and r.format != NY_TLC_FORMAT, r


def test_a_tlc_repair_is_weighed_apart_from_other_repairs() -> None:
    only_repaired = [TextCandidate("T6730Z3C", 0.9, "rapidocr", "text_boxes")]
    (f,) = candidate_features(only_repaired, "any")
    assert f.text == "T673023C" and f.frame_repaired and not f.corrected
    seen_as_read = [*only_repaired, TextCandidate("T673023C", 0.6, "platewatch_plates", "inner_greedy")]
    (g,) = candidate_features(seen_as_read, "any")
    assert g.text == "T673023C" and not g.frame_repaired and not g.corrected
    national = [TextCandidate("BA3O20Z", 0.9, "rapidocr", "text_boxes")]
    assert all(not h.frame_repaired for h in candidate_features(national, "any"))
    model = default_combiner()
    assert model is not None
    weights = dict(zip(model.features, model.weights, strict=True))
    # Fitted with the sign a repair can only have; the national and UK repairs keep their penalty.
    assert weights["frame_repaired"] <= 0.0 and weights["corrected"] < -0.5


def test_a_real_tlc_crop_misread_by_both_readers_is_read_right(shared_dir: Path) -> None:
    # NEWYORK_TLC_01490.jpg carries T673023C; the readers read a Z for its 2.
    image = cv2.imread(
        str(shared_dir / "data" / "real_crops" / "us_reported" / "images" / "NEWYORK_TLC_01490.jpg")
    )
    assert image is not None
    crop = np.asarray(image, dtype=np.uint8)
    easy = EasyOCRReader(resolver.ocr_model_dir(ModelPaths().ocr_dir), text_detector="openvino", threads=1)
    rapid = RapidOCRReader(easy.text_boxes, threads=1, runtime="openvino")
    boxes = easy.text_boxes.find(crop)
    cands = rapid.read(crop, boxes) + PlatewatchPlateReader().read(crop)
    assert "T673023C" not in {c.text for c in cands}, "no reader reads it right as it stands"
    assert any(ny_tlc_repair(c.text) == "T673023C" for c in cands)
    choice = choose_text(cands, "any", geometry=plate_geometry(crop.shape, boxes))
    assert choice is not None and choice.text == "T673023C" and choice.format == NY_TLC_FORMAT
    assert choice.confidence < 0.9, "a repaired read is not letter grade on this support"
