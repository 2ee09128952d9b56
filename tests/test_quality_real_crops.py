"""Quality-weighted consensus on a real plate: the same openalpr_eu photo seen far and blurred (the
poor frames of an approaching car) and close and sharp (the good frame). The quality is measured
on the rectified patches exactly as the recogniser measures it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
import pytest

from detect.consensus import track_consensus
from detect.reading.localise import rectify_plate
from detect.reading.quality import plate_quality
from detect.records import BoxXYXY, PlateRead
from detect.track_state import TrackState

T0 = datetime(2026, 11, 1, 22, 0, tzinfo=UTC)
ON = date(2026, 11, 1)


def _load(openalpr_dir: Path, name: str) -> tuple[np.ndarray, BoxXYXY, str]:
    image = cv2.imread(str(openalpr_dir / f"{name}.jpg"))
    assert image is not None, name
    _, x, y, w, h, label = (openalpr_dir / f"{name}.txt").read_text(encoding="utf-8").split()
    return image, (float(x), float(y), float(x) + float(w), float(y) + float(h)), label


def _view(image: np.ndarray, box: BoxXYXY, scale: float, blur: str | None) -> tuple[np.ndarray, BoxXYXY]:
    """The frame as a camera `1/scale` times further away, optionally blurred: rectified patch and box."""
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    if blur == "motion":
        kernel = np.zeros((1, 7), np.float32)
        kernel[0, :] = 1 / 7  # 7 px horizontal motion blur: walking pace under a night exposure
        small = cv2.filter2D(small, -1, kernel)
    elif blur == "gauss":
        small = cv2.GaussianBlur(small, (0, 0), 1.5)
    sbox: BoxXYXY = (box[0] * scale, box[1] * scale, box[2] * scale, box[3] * scale)
    return rectify_plate(np.ascontiguousarray(small, dtype=np.uint8), sbox), sbox


@pytest.mark.parametrize("name", ["eu1", "eu2", "eu11"])
def test_far_blurred_views_of_a_real_plate_measure_poorer(openalpr_dir: Path, name: str) -> None:
    image, box, _ = _load(openalpr_dir, name)
    good_patch, good_box = _view(image, box, 1.0, None)
    good = plate_quality(good_patch, good_box)
    for scale, blur in ((0.3, None), (0.3, "motion"), (0.5, "gauss"), (1.0, "gauss")):
        patch, sbox = _view(image, box, scale, blur)
        poor = plate_quality(patch, sbox)
        assert poor < 0.5 * good, (name, scale, blur, poor, good)
    # A 7 px smear of a 120-200 px plate costs less than a far view, but it is measured.
    patch, sbox = _view(image, box, 1.0, "motion")
    assert plate_quality(patch, sbox) < 0.9 * good


def test_one_good_real_frame_beats_many_poor_real_frames(openalpr_dir: Path) -> None:
    image, box, label = _load(openalpr_dir, "eu1")
    misread = label[:-1] + ("Z" if label[-1] != "Z" else "Y")
    state = TrackState(track_id=1, first_seen=T0, last_seen=T0)
    reads: list[PlateRead] = []
    poor_views = [(0.3, "motion"), (0.3, None), (0.35, "gauss"), (0.4, "motion"), (0.3, "gauss")]
    for i, (scale, blur) in enumerate(poor_views):
        patch, sbox = _view(image, box, scale, blur)
        read = PlateRead(
            misread,
            misread,
            0.9,
            T0 + timedelta(seconds=0.2 * i),
            reader="platewatch_plates",
            quality=plate_quality(patch, sbox),
        )
        reads.append(read)
        state.add_read(read, patch, cap=8)
    good_patch, good_box = _view(image, box, 1.0, None)
    good = PlateRead(
        label,
        label,
        0.8,  # less confident than every poor read: the quality must carry it
        T0 + timedelta(seconds=2),
        reader="platewatch_plates",
        quality=plate_quality(good_patch, good_box),
    )
    reads.append(good)
    state.add_read(good, good_patch, cap=8)

    consensus = track_consensus(reads, "any", ON)
    assert consensus is not None and consensus.read.text == label
    assert consensus.read.timestamp == good.timestamp
    # The evidence crop written for the sighting is the sharp, close frame.
    assert state.plate_crop is not None and np.array_equal(state.plate_crop, good_patch)
    # Without measured quality the five poor frames outvote it.
    plain = [
        PlateRead(r.raw_text, r.text, r.confidence, r.timestamp, reader=r.reader, quality=None) for r in reads
    ]
    unweighted = track_consensus(plain, "any", ON)
    assert unweighted is not None and unweighted.read.text == misread
