"""How good one frame's view of a plate is, measured: its size in the frame and its sharpness.

A plate growing sharper as the car approaches gives many small, blurred reads and a few large,
sharp ones; the consensus weighs each read by this quality so that one good frame outweighs many
poor ones, and the evidence crop is the best frame.

- size: the plate box's width in frame pixels, relative to ``FULL_WIDTH_PX`` (capped at 1). UK
  characters are 50 mm of a 520 mm plate, so at 120 px a character is ~11 px wide: the width where
  readers stop gaining from resolution (docs/benchmarks.md, accuracy by plate width).
- sharpness: the variance of the Laplacian (Pech-Pacheco et al., 2000) of the rectified patch in
  grey; every patch is resampled to the same canonical height, so blur and upsampling of a small
  plate both lower it. Mapped to 0..1 as ``v / (v + SHARPNESS_HALF)``.
"""

from __future__ import annotations

import cv2
import numpy as np

from detect.records import BoxXYXY
from ingest.frames import Image

FULL_WIDTH_PX = 120.0
# Laplacian variance at which sharpness counts half: between a plate motion-blurred over about a
# character's stroke (variance well under 100 at the canonical height) and a sharp one (over 1000).
SHARPNESS_HALF = 300.0
_FLOOR = 0.02  # no frame weighs nothing: a lone poor read must still be able to name the plate


def laplacian_variance(patch: Image) -> float:
    grey = cv2.cvtColor(patch, cv2.COLOR_BGR2GRAY) if patch.ndim == 3 else patch
    return float(cv2.Laplacian(np.ascontiguousarray(grey), cv2.CV_64F).var())


def plate_quality(patch: Image, box: BoxXYXY) -> float:
    """0..1: size term x sharpness term of one plate view (module docstring)."""
    width = max(0.0, float(box[2]) - float(box[0]))
    size = min(1.0, width / FULL_WIDTH_PX)
    variance = laplacian_variance(patch)
    sharp = variance / (variance + SHARPNESS_HALF)
    return round(max(_FLOOR, size * sharp), 4)
