"""The fixed real-crop subsample the recogniser is compared on: per-set counts, and never the half
of a trainable set that a reader may have been trained on."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from offline.ocr_training.real_samples import TRAINABLE_SETS
from offline.real_crops import TRAINED_HALF, crops, split

ROOT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real_crops"
pytestmark = pytest.mark.skipif(not (ROOT / "us_reported").is_dir(), reason=f"no real crops at {ROOT}")


def test_counts_pick_that_many_per_set_spread_over_the_set() -> None:
    chosen = list(crops(ROOT, None, {"us_reported": 30, "id_satria": 20, "ar_cnn_ocr_lp": 0}))
    assert Counter(c.set_name for c in chosen) == {"us_reported": 30, "id_satria": 20}
    us = [c.file for c in chosen if c.set_name == "us_reported"]
    assert len(set(us)) == 30
    assert chosen == list(crops(ROOT, None, {"us_reported": 30, "id_satria": 20, "ar_cnn_ocr_lp": 0}))


def test_skip_trained_leaves_out_exactly_the_trained_half() -> None:
    assert set(TRAINED_HALF) == set(TRAINABLE_SETS)
    every = [c for c in crops(ROOT) if c.set_name == "ar_cnn_ocr_lp"]
    unseen = [c for c in crops(ROOT, skip_trained=True) if c.set_name == "ar_cnn_ocr_lp"]
    assert unseen and len(unseen) < len(every)
    assert all(split(c.label) != TRAINED_HALF["ar_cnn_ocr_lp"] for c in unseen)
    assert {c.file for c in every} - {c.file for c in unseen} == {
        c.file for c in every if split(c.label) == TRAINED_HALF["ar_cnn_ocr_lp"]
    }
    # evaluation-only sets are kept whole
    us_all = sum(1 for c in crops(ROOT) if c.set_name == "us_reported")
    assert sum(1 for c in crops(ROOT, skip_trained=True) if c.set_name == "us_reported") == us_all
