"""Sensor noise and compression blocks smoothed off a plate before a second read.

A street camera at night turns its gain up (sensor noise of several grey levels on a dark plate)
and an NVR or an MJPEG camera compresses hard: on a plate 64-80 px wide both break the thin strokes
the readers follow. An edge-preserving (bilateral) filter at the camera's resolution smooths the
noise and the 8x8 block edges while keeping the strokes' edges, which are far stronger than either.
It is applied only to a second read of a plate whose first read fell short of letter grade, and
the more confident read is kept (`PlateRecogniser.read_plate`).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from detect.reading.deblur import plate_region
from detect.records import BoxXYXY
from ingest.frames import Image

# Chosen on `bench/street.py --widths 64,80 --conditions jpeg,night,gaussian` (each filter on every
# read, no first read to fall back on): exact % JPEG 64/80 px, night 64/80 px, Gaussian-blurred 64/80
# px — none 24/66, 69/79, 83/86; Gaussian sigma 0.8 45/79, 69/83, 69/79; bilateral (5 px, colour
# 40) 31/69, 83/90, 45/90; bilateral (5 px, colour 60) 38/86, 79/83, 59/84; median 3 px 7/48, 7/48.
BILATERAL_DIAMETER_PX = 5
BILATERAL_SIGMA_COLOUR = 60.0
BILATERAL_SIGMA_SPACE_PX = 5.0


@dataclass(frozen=True, slots=True)
class DenoisedPlate:
    image: Image  # the region around the plate, smoothed
    box: BoxXYXY  # the plate box in `image`


def denoise_plate(image: Image, box: BoxXYXY) -> DenoisedPlate | None:
    """The region around a plate, smoothed by an edge-preserving filter; None when too small."""
    around = plate_region(image, box)
    if around is None:
        return None
    region, region_box = around
    smoothed = cv2.bilateralFilter(
        region, BILATERAL_DIAMETER_PX, BILATERAL_SIGMA_COLOUR, BILATERAL_SIGMA_SPACE_PX
    )
    return DenoisedPlate(np.ascontiguousarray(smoothed, dtype=np.uint8), region_box)
