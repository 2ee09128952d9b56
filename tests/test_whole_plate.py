"""The whole-plate rule and the combiner's whole-plate features on real US crops
(shared/data/real_crops), read by the real text-box finder and RapidOCR (fixed PP-OCR weights,
so the reads do not move when the plate-trained recogniser is retrained)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import cv2
import numpy as np
import pytest

from detect.reading.choice import FEATURE_NAMES, candidate_features, choose_text, count_log_ratio
from detect.reading.combiner import WEIGHTS_FILE, default_combiner
from detect.reading.readers import (
    EasyOCRReader,
    PlateGeometry,
    RapidOCRReader,
    TextCandidate,
    plate_geometry,
)
from models import resolver
from platewatch.config import ModelPaths


@pytest.fixture(scope="module")
def readers(shared_dir: Path) -> tuple[EasyOCRReader, RapidOCRReader]:
    easy = EasyOCRReader(resolver.ocr_model_dir(ModelPaths().ocr_dir))
    return easy, RapidOCRReader(easy.text_boxes, threads=1)


def _crop(shared_dir: Path, name: str) -> tuple[np.ndarray, str]:
    folder = shared_dir / "data" / "real_crops" / "us_reported"
    label = next(
        line.split(",")[1]
        for line in (folder / "labels.csv").read_text(encoding="utf-8").splitlines()
        if line.startswith(f"images/{name},")
    )
    image = cv2.imread(str(folder / "images" / name))
    assert image is not None, name
    return image, label


def _first_character_hidden(crop: np.ndarray, geometry: PlateGeometry, share: float) -> np.ndarray:
    """The crop with the left `share` of its registration line painted in the plate's background
    colour: what a reader sees when it misses the first character."""
    out = crop.copy()
    cut = geometry.x1 + int(round(share * geometry.extent))
    background = np.median(crop[:, geometry.x1 : geometry.x2].reshape(-1, 3), axis=0)
    out[:, max(0, geometry.x1 - 2) : cut] = background.astype(np.uint8)
    return out


@pytest.mark.parametrize("name", ["CONNECTICUT_00017.jpg"])
def test_a_read_missing_its_first_character_loses_to_the_whole_plate(
    readers: tuple[EasyOCRReader, RapidOCRReader], shared_dir: Path, name: str
) -> None:
    easy, rapid = readers
    crop, label = _crop(shared_dir, name)
    boxes = easy.text_boxes.find(crop)
    geometry = plate_geometry(crop.shape, boxes)
    assert geometry is not None
    whole = rapid.recognise_line(crop[:, geometry.x1 : geometry.x2])
    assert whole.text == label and whole.span is not None
    # The same plate with its first character hidden, read by the same reader.
    hidden = _first_character_hidden(crop, geometry, 1.2 / len(label))
    short = rapid.recognise_line(hidden[:, geometry.x1 : geometry.x2])
    assert short.text == label[1:] and short.span is not None
    width = crop.shape[1]

    def candidate(read_text: str, conf: float, span: tuple[float, float]) -> TextCandidate:
        return TextCandidate(
            read_text,
            conf,
            "rapidocr",
            "inner",
            ((geometry.x1 + span[0]) / width, (geometry.x1 + span[1]) / width),
        )

    # The truncated read is made the more confident one: the plate's width must still decide.
    cands = [candidate(short.text, 0.99, short.span), candidate(whole.text, 0.6, whole.span)]
    model = default_combiner()
    assert model is not None
    features = {
        f.text: f for f in candidate_features(cands, "any", geometry=geometry, pitch=model.char_pitch)
    }
    assert features[label[1:]].unexplained > features[label].unexplained + 0.07

    def signed_count(text: str) -> float:
        return features[text].count_long - features[text].count_short

    assert signed_count(label[1:]) < signed_count(label) - 0.1  # one character of 6-7 fewer
    assert features[label[1:]].truncated and not features[label].truncated
    for combiner in (model, None):
        choice = choose_text(cands, "any", combiner=combiner, geometry=geometry)
        assert choice is not None and choice.text == label


def test_a_state_name_row_is_dropped_not_glued(
    readers: tuple[EasyOCRReader, RapidOCRReader], shared_dir: Path
) -> None:
    # A real New York crop with the state name printed above the registration, stacked on top of
    # the registration of another real crop: the box reads "NEWYORK" and must not lead the read.
    _, rapid = readers
    crop, label = _crop(shared_dir, "CONNECTICUT_00017.jpg")
    h, w = crop.shape[:2]
    banner = np.full((h // 2, w, 3), 255, np.uint8)
    cv2.putText(banner, "TEXAS", (w // 6, int(h * 0.4)), cv2.FONT_HERSHEY_DUPLEX, h / 70, (40, 40, 40), 3)
    stacked = np.vstack([banner, crop])
    easy, _ = readers
    boxes = easy.text_boxes.find(stacked)
    reads = [rapid.recognise(stacked[b.y1 : b.y2, b.x1 : b.x2])[0] for b in boxes]
    assert "TEXAS" in reads  # the state name was found and read as its own box
    texts = [c.text for c in rapid.read(stacked, boxes)]
    assert texts and all("TEXAS" not in t for t in texts)
    choice = choose_text(rapid.read(stacked, boxes), "any", geometry=plate_geometry(stacked.shape, boxes))
    assert choice is not None and choice.text == label


def test_a_glued_state_name_is_stripped_from_one_string() -> None:
    # TEXASCYZ5139 was stored at 0.98 on a held-back US set.
    choice = choose_text([TextCandidate("TEXASCYZ5139", 0.98, "rapidocr", "text_boxes")], "any")
    assert choice is not None and choice.text == "CYZ5139"
    choice = choose_text([TextCandidate("TEXAS5139", 0.98, "rapidocr", "text_boxes")], "any")
    assert choice is not None and choice.text == "TEXAS5139"  # "5139" alone is too short a plate


def test_combiner_file_carries_every_feature_and_a_measured_pitch() -> None:
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    assert tuple(data["features"]) == FEATURE_NAMES
    # Character width per height of real plate fonts lies well inside (0.3, 0.8).
    assert 0.3 < data["char_pitch"] < 0.8
    assert data["fitted_on"]["crops"] >= 100


def test_count_against_the_line_width() -> None:
    line = PlateGeometry(width=200, height=100, x1=10, x2=190, char_height=60.0)  # 180 px line
    pitch = 0.43  # 7 characters of 60 px height fill 180 px
    assert abs(count_log_ratio(7, line, pitch)) < 0.01
    assert count_log_ratio(6, line, pitch) == pytest.approx(math.log(6 / 7 * 1.0), abs=0.01)
    assert count_log_ratio(6, None, pitch) == 0.0


def test_a_loose_format_is_no_evidence_for_a_character_at_the_edge(
    readers: tuple[EasyOCRReader, RapidOCRReader], shared_dir: Path
) -> None:
    # A real New York crop: the inner read takes the plate's frame for a leading S (SKGJ7815).
    # Germany's loose layout fits it, and fits KGJ7815 as well: no evidence that the S is a
    # character, so the whole read KGJ7815 is not put out (docs/benchmarks.md).
    easy, rapid = readers
    crop, label = _crop(shared_dir, "NEWYORK_00995.jpg")
    boxes = easy.text_boxes.find(crop)
    geometry = plate_geometry(crop.shape, boxes)
    assert geometry is not None
    width = crop.shape[1]
    cands = [
        TextCandidate(label, 0.75, "rapidocr", "text_boxes", (geometry.x1 / width, geometry.x2 / width)),
        TextCandidate("S" + label, 0.31, "rapidocr", "inner", (0.02, 0.94)),
    ]
    model = default_combiner()
    features = {
        f.text: f
        for f in candidate_features(
            cands, "any", geometry=geometry, pitch=model.char_pitch if model is not None else 0.0
        )
    }
    assert features["S" + label].known and features["S" + label].format == "de"
    assert not features[label].truncated
    choice = choose_text(cands, "any", geometry=geometry)
    assert choice is not None and choice.text == label
    # A layout that only the longer read fits still decides: a Brazilian LLL DDDD one letter short.
    cands = [
        TextCandidate("BC1234", 0.9, "rapidocr", "text_boxes"),
        TextCandidate("ABC1234", 0.5, "rapidocr", "inner"),
    ]
    features = {f.text: f for f in candidate_features(cands, "any")}
    assert features["BC1234"].truncated and not features["ABC1234"].truncated


def test_an_emblem_read_as_a_character_does_not_put_out_the_national_layout() -> None:
    # openalpr_eu test_020: a Slovak RK906AJ whose shield the inner read takes for a Q. The longer
    # read covers more of the plate's width, but only the shorter fits a layout (LL DDD LL): the
    # width is no evidence that the Q is a character, so the Slovak read stays in.
    geometry = PlateGeometry(width=200, height=50, x1=10, x2=190, char_height=40.0)
    cands = [
        TextCandidate("QRK906AJ", 0.6, "rapidocr", "inner", (0.05, 0.95)),
        TextCandidate("RK906AJ", 0.5, "rapidocr", "text_boxes", (0.2, 0.95)),
    ]
    model = default_combiner()
    pitch = model.char_pitch if model is not None else 0.0
    features = {f.text: f for f in candidate_features(cands, "any", geometry=geometry, pitch=pitch)}
    assert features["QRK906AJ"].format is None and features["RK906AJ"].known
    assert features["QRK906AJ"].unexplained + 0.07 < features["RK906AJ"].unexplained
    assert not features["RK906AJ"].truncated
    # Where neither fits a layout, the measured width still decides (the rule above).
    cands = [
        TextCandidate("QX9K0612", 0.6, "rapidocr", "inner", (0.05, 0.95)),
        TextCandidate("X9K0612", 0.5, "rapidocr", "text_boxes", (0.2, 0.95)),
    ]
    features = {f.text: f for f in candidate_features(cands, "any", geometry=geometry, pitch=pitch)}
    assert features["X9K0612"].format is None and features["X9K0612"].truncated
