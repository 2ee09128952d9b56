"""Whole-plate rule and the fitted candidate combiner."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from detect.reading.choice import FEATURE_NAMES, candidate_features, choose_text
from detect.reading.combiner import Combiner, CombinerFileError, load_combiner
from detect.reading.readers import TextCandidate
from offline.fit_combiner import fit

NOW = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.mark.parametrize("combiner", [None, "default"])
def test_a_dropped_first_character_loses_to_the_whole_plate(combiner: None | str) -> None:
    # The real night plate LC71HVY was stored as C71HVY (a valid prefix plate) though LC71HVY was read.
    cands = [
        TextCandidate("C71HVY", 0.97, "rapidocr", "text_boxes"),
        TextCandidate("C71HVY", 0.95, "rapidocr", "inner"),
        TextCandidate("LC71HVY", 0.80, "platewatch_plates", "inner_greedy"),
    ]
    choice = choose_text(cands, "gb", NOW, combiner=combiner)  # type: ignore[arg-type]
    assert choice is not None and choice.text == "LC71HVY"
    flags = {f.text: f.truncated for f in candidate_features(cands, "gb", NOW)}
    assert flags == {"C71HVY": True, "LC71HVY": False}


def test_a_dropped_last_character_loses_too() -> None:
    cands = [TextCandidate("PJT290", 0.99, "rapidocr"), TextCandidate("PJT2905", 0.7, "platewatch_plates")]
    choice = choose_text(cands, "any", NOW, combiner=None)
    assert choice is not None and choice.text == "PJT2905"


def test_a_country_band_is_not_an_unexplained_character() -> None:
    cands = [TextCandidate("GBKV24AWU", 0.9, "rapidocr", "inner")]
    choice = choose_text(cands, "gb", NOW, combiner=None)
    assert choice is not None and choice.text == "KV24AWU"


def test_fit_recovers_a_separating_direction_and_is_calibrated() -> None:
    rng = np.random.default_rng(0)
    x = rng.random((600, len(FEATURE_NAMES)))
    truth = 1 / (1 + np.exp(-(6 * x[:, 0] - 3)))  # right-ness driven by confidence alone
    y = (rng.random(600) < truth).astype(float)
    weights, bias = fit(x, y, l2=0.1)
    assert weights[0] > 3 and abs(bias + 3) < 1.5
    model = Combiner(FEATURE_NAMES, tuple(weights), bias)
    p = np.array([model.probability(list(row)) for row in x])
    assert abs(p.mean() - y.mean()) < 0.02  # log-loss fit: mean probability matches the base rate


def test_combiner_file_is_validated(tmp_path: Path) -> None:
    bad = tmp_path / "c.json"
    bad.write_text(json.dumps({"features": ["confidence"], "weights": [1.0], "bias": 0.0}), encoding="utf-8")
    with pytest.raises(CombinerFileError, match="features"):
        load_combiner(bad, FEATURE_NAMES)
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(CombinerFileError, match="unreadable"):
        load_combiner(bad, FEATURE_NAMES)


def test_a_lone_read_among_failed_reads_is_not_agreement() -> None:
    # A real New York TLC crop: the box read "LE69" (0.52); the two whole-patch reads came out as
    # "7E" and "G". Counting only reads of plate length, the lone read scored full agreement and
    # reached 0.90 (letter grade) for a wrong text.
    cands = [
        TextCandidate("LE69", 0.52, "rapidocr", "text_boxes"),
        TextCandidate("7E", 0.24, "rapidocr", "inner"),
        TextCandidate("G", 0.26, "platewatch_plates", "inner_greedy"),
    ]
    (feature,) = candidate_features(cands, "any", NOW)
    assert feature.text == "LE69" and feature.agreement == pytest.approx(1 / 3)
    choice = choose_text(cands, "any", NOW)
    assert choice is not None and choice.confidence < 0.9
    # Readers that agree still do.
    agreed = [
        TextCandidate("LE69", 0.52, "rapidocr", "text_boxes"),
        TextCandidate("LE69", 0.5, "rapidocr", "inner"),
    ]
    (feature,) = candidate_features(agreed, "any", NOW)
    assert feature.agreement == 1.0


@pytest.mark.parametrize("combiner", [None, "default"])
def test_a_character_dropped_inside_the_read_loses_to_the_layout(combiner: None | str) -> None:
    # The reads of a real New York crop (KEN2651): the inner read dropped the 6 and was the more
    # confident. KEN2651 fits a layout (LLL DDDD) that KEN251 does not.
    cands = [
        TextCandidate("KEN2651", 0.376, "rapidocr", "text_boxes"),
        TextCandidate("KEN251", 0.671, "rapidocr", "inner"),
        TextCandidate("HV2651", 0.043, "platewatch_plates", "inner_greedy"),
    ]
    features = {f.text: f for f in candidate_features(cands, "any", NOW)}
    assert features["KEN251"].truncated and not features["KEN2651"].truncated
    choice = choose_text(cands, "any", NOW, combiner=combiner)  # type: ignore[arg-type]
    assert choice is not None and choice.text == "KEN2651"
    # Where the layout cannot tell (both fit the same ones), the shorter read stays in.
    same = [TextCandidate("KL44", 0.9, "rapidocr", "inner"), TextCandidate("KLX44", 0.5, "rapidocr", "inner")]
    assert not any(f.truncated for f in candidate_features(same, "any", NOW))
