"""Multi-frame reading weighs each frame by its measured quality; the evidence crop is the best frame."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import cv2
import numpy as np

from detect.consensus import track_consensus
from detect.reading.quality import laplacian_variance, plate_quality
from detect.records import PlateRead
from detect.track_state import TrackState

T0 = datetime(2026, 11, 1, 22, 0, tzinfo=UTC)
ON = date(2026, 11, 1)


def _read(text: str, conf: float, quality: float | None, i: int) -> PlateRead:
    return PlateRead(
        text, text, conf, T0 + timedelta(seconds=i * 0.2), reader="platewatch_plates", quality=quality
    )


def _plate_patch() -> np.ndarray:
    """Black characters on a white plate at the canonical 64 px height (a rectified patch)."""
    patch = np.full((64, 300, 3), 235, np.uint8)
    cv2.putText(patch, "AB12 CDE", (10, 50), cv2.FONT_HERSHEY_SIMPLEX, 1.6, (20, 20, 20), 5, cv2.LINE_AA)
    return patch


def test_blur_and_small_size_lower_the_measured_quality() -> None:
    patch = _plate_patch()
    blurred = cv2.blur(patch, (9, 1))  # 9 px horizontal motion blur
    assert laplacian_variance(blurred) < 0.5 * laplacian_variance(patch)
    sharp_big = plate_quality(patch, (0, 0, 160, 40))
    assert plate_quality(blurred, (0, 0, 160, 40)) < sharp_big
    assert plate_quality(patch, (0, 0, 48, 12)) < 0.5 * sharp_big
    assert 0.0 < sharp_big <= 1.0


def test_one_sharp_frame_beats_many_poor_ones() -> None:
    poor = [_read("AB12CDF", 0.85, 0.08, i) for i in range(5)]
    good = [_read("AB12CDE", 0.9, 0.95, 6)]
    weighted = track_consensus(poor + good, "gb", ON)
    assert weighted is not None and weighted.read.text == "AB12CDE"
    assert weighted.read.timestamp == good[0].timestamp  # the best supporting frame
    # The same reads with no quality measured: the five poor frames outvote the good one.
    unweighted = [_read(r.text, r.confidence, None, i) for i, r in enumerate(poor + good)]
    plain = track_consensus(unweighted, "gb", ON)
    assert plain is not None and plain.read.text == "AB12CDF"


def test_evidence_crop_is_the_best_frame() -> None:
    state = TrackState(track_id=1, first_seen=T0, last_seen=T0)
    patch = _plate_patch()
    crops = [np.full_like(patch, 10 * i) for i in range(4)]
    qualities = [0.1, 0.9, 0.2, 0.3]
    confidences = [0.99, 0.8, 0.99, 0.95]  # the sharp frame is not the most confident read
    for i, (crop, q, c) in enumerate(zip(crops, qualities, confidences, strict=True)):
        state.add_read(_read("AB12CDE", c, q, i), crop, cap=3)
    assert state.plate_crop is not None and np.array_equal(state.plate_crop, crops[1])
    # The cap keeps the best reads by confidence x quality, so the sharp frame survives it.
    assert any(r.quality == 0.9 for r in state.reads) and len(state.reads) == 3
