"""Still-image pipeline: image file -> vehicles -> plate boxes -> reads.

Plates are looked for inside each vehicle first (the plate detector sees a small vehicle at a
useful scale); the plate detector also runs once on the whole image so that a plate on a vehicle
the vehicle detector missed (close-ups, partly visible cars) is still read. Plate boxes found
twice are kept once.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

from detect.reading.localise import PlateBox, box_coverage, box_iou
from ingest.frames import Image

if TYPE_CHECKING:
    from detect.reading.recogniser import PlateObservation, PlateRecogniser

_SAME_PLATE_IOU = 0.4
_SAME_PLATE_COVERAGE = 0.7
_MAX_VEHICLES = 12


class UnreadableImageError(ValueError):
    """An image file that cannot be decoded (missing, truncated, not an image)."""


def load_image(path: Path) -> Image:
    """Decode an image file to BGR uint8; raises `UnreadableImageError` with the reason."""
    if not path.is_file():
        raise UnreadableImageError(f"{path}: no such file")
    data = np.fromfile(str(path), dtype=np.uint8)
    image = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if image is None:
        try:  # OpenCV builds without a codec (some WebP/AVIF) can still be read through Pillow
            from PIL import Image as PILImage

            with PILImage.open(path) as pil:
                image = cv2.cvtColor(np.asarray(pil.convert("RGB")), cv2.COLOR_RGB2BGR)
        except Exception as e:  # noqa: BLE001 - any decoder failure means the same to the caller
            raise UnreadableImageError(f"{path}: not a readable image ({e})") from None
    if image.ndim != 3 or image.shape[2] != 3 or image.shape[0] < 8 or image.shape[1] < 8:
        raise UnreadableImageError(f"{path}: unusable image shape {image.shape}")
    return np.ascontiguousarray(image, dtype=np.uint8)


def _same_plate(a: PlateBox, b: PlateBox) -> bool:
    return (
        box_iou(a.box, b.box) >= _SAME_PLATE_IOU
        or box_coverage(a.box, b.box) >= _SAME_PLATE_COVERAGE
        or box_coverage(b.box, a.box) >= _SAME_PLATE_COVERAGE
    )


def dedupe_plates(plates: list[PlateBox]) -> list[PlateBox]:
    """Keep the most confident of overlapping plate boxes."""
    kept: list[PlateBox] = []
    for plate in sorted(plates, key=lambda p: p.confidence, reverse=True):
        if not any(_same_plate(plate, k) for k in kept):
            kept.append(plate)
    return kept


def plates_in_image(recogniser: PlateRecogniser, image: Image) -> list[PlateBox]:
    """Plate boxes in a whole image: per vehicle, then whole-image fallback, de-duplicated."""
    t0 = time.perf_counter()
    vehicles = recogniser.vehicles.detect(image)
    recogniser.seconds.vehicles += time.perf_counter() - t0
    min_height = recogniser.detection.min_vehicle_height_px
    found: list[PlateBox] = []
    for vehicle in vehicles[:_MAX_VEHICLES]:
        if vehicle.box[3] - vehicle.box[1] < min_height:
            continue
        found += recogniser.find_plates(image, vehicle.box)
    found += recogniser.find_plates(image)
    return dedupe_plates(found)


def read_still(recogniser: PlateRecogniser, path: Path, timestamp: datetime) -> list[PlateObservation]:
    """Read every plate in one image file; raises `UnreadableImageError` for a bad file."""
    return recogniser.read_image(load_image(path), timestamp)
