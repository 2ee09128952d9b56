"""A read one character short of every layout we know (a dropped first or last character) is
measured as such and, on a real New York TLC crop read without its T, is kept below letter grade."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import cv2
import numpy as np
import pytest

from detect.reading.choice import candidate_features, choose_text
from detect.reading.combiner import default_combiner
from detect.reading.country import NY_TLC_FORMAT
from detect.reading.grammar import short_of_layout
from detect.reading.readers import EasyOCRReader, RapidOCRReader, TextCandidate, plate_geometry
from models import resolver
from platewatch.config import ModelPaths

LETTER_GRADE = 0.9


@pytest.mark.parametrize(
    ("text", "region", "short"),
    [
        ("737798C", "any", True),  # New York TLC T737798C without its T
        ("T737798C", "any", False),
        ("T73779C", "any", False),  # a TLC plate one digit short: not an end character
        ("7ABC12", "any", True),  # a Californian 7ABC123 without its last digit
        ("7ABC123", "any", False),
        ("KBB472", "any", False),  # fits Germany's loose layout as read: not flagged
        ("LC71HV", "gb", True),  # LC71HVY without its last letter
        ("LC71HVY", "gb", False),
        ("C71HVY", "gb", False),  # a British prefix mark as it stands: not short of anything
        ("12", "any", False),  # too little to be one character short of a plate
    ],
)
def test_short_of_layout(text: str, region: str, short: bool) -> None:
    assert short_of_layout(text, region, date(2026, 12, 1)) is short  # type: ignore[arg-type]


def test_the_fitted_combiner_weighs_a_short_read_down() -> None:
    model = default_combiner()
    assert model is not None
    weight = dict(zip(model.features, model.weights, strict=True))["short_of_layout"]
    assert weight < -1.0


def test_a_real_tlc_plate_read_without_its_t_is_repaired_into_its_layout(shared_dir: Path) -> None:
    # NEWYORK_TLC_01493.jpg carries T673756C; RapidOCR reads 673756C at about 0.95 from both the
    # text boxes and the inner plate (the T sits against the frame). The read fits no layout and
    # would with one more character; region any now repairs it into the TLC layout, T inserted
    # (`country.ny_tlc_repair`), and a frame letter no reader saw weighs as a repair.
    folder = shared_dir / "data" / "real_crops" / "us_reported"
    image = cv2.imread(str(folder / "images" / "NEWYORK_TLC_01493.jpg"))
    assert image is not None
    crop = np.asarray(image, dtype=np.uint8)
    easy = EasyOCRReader(resolver.ocr_model_dir(ModelPaths().ocr_dir))
    rapid = RapidOCRReader(easy.text_boxes, threads=1)
    boxes = easy.text_boxes.find(crop)
    geometry = plate_geometry(crop.shape, boxes)
    cands: list[TextCandidate] = rapid.read(crop, boxes)
    assert {c.text for c in cands} == {"673756C"}
    assert min(c.confidence for c in cands) > LETTER_GRADE
    assert short_of_layout("673756C", "any")
    model = default_combiner()
    assert model is not None
    (features,) = candidate_features(cands, "any", geometry=geometry, pitch=model.char_pitch)
    assert (features.text, features.frame_repaired, features.short_of_layout) == ("T673756C", True, False)
    choice = choose_text(cands, "any", geometry=geometry)
    assert choice is not None and (choice.text, choice.format) == ("T673756C", NY_TLC_FORMAT)
    # The inserted T weighs as a repair: the same reads with the T seen score higher.
    seen = [dataclasses.replace(c, text="T" + c.text) for c in cands]
    as_read = choose_text(seen, "any", geometry=geometry)
    assert as_read is not None and as_read.text == "T673756C"
    assert choice.confidence < as_read.confidence
