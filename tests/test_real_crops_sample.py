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


def test_reread_with_the_same_weights_reproduces_the_dump(tmp_path: Path) -> None:
    """Re-reading our reader's candidates with unchanged weights gives the dump back, row for row,
    and keeps every other reader's candidates as they were."""
    import json

    import cv2

    from detect.reading.custom_recogniser import PlatewatchPlateReader
    from offline.real_crops import reread

    reader = PlatewatchPlateReader()
    chosen = list(crops(ROOT, None, {"us_reported": 3, "id_satria": 2, "ar_cnn_ocr_lp": 2}))
    source = tmp_path / "source.jsonl"
    with source.open("w", encoding="utf-8") as fh:
        for i, crop in enumerate(chosen):
            image = cv2.imread(str(crop.path), cv2.IMREAD_COLOR)
            ours = [[c.text, c.confidence, c.reader, c.variant, c.span] for c in reader.read(image)]
            other = [["OTHER1", 0.5, "rapidocr", "box"]]
            # the last row stands for a two-line crop: the pipeline never gave it to our reader
            cands = other if i == len(chosen) - 1 else other + ours
            row = {"set": crop.set_name, "file": crop.file, "label": crop.label, "candidates": cands}
            fh.write(json.dumps(row) + "\n")
    out = tmp_path / "out.jsonl"
    n, k = reread(reader, ROOT, source, out, repeat=1)
    before = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines()]
    after = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert n == len(chosen)
    assert k == sum(1 for r in before if any(c[2] == reader.name for c in r["candidates"]))
    assert [r["candidates"] for r in after] == [r["candidates"] for r in before]
    assert all("reader_seconds" in a for a, b in zip(after, before, strict=True) if len(b["candidates"]) > 1)
