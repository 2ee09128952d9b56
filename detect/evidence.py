"""Evidence images for a sighting: the best plate crop and a wider vehicle shot, people blurred.

Blurring happens in memory when the shot is taken, so an unblurred image of a bystander never
reaches the disk. Files are written atomically (temp file + rename): a crash leaves either the old
file or the new one, never half a JPEG that a letter could point to.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import cv2
import numpy as np

from detect.records import BoxXYXY
from ingest.frames import Image

VEHICLE_SHOT_MARGIN = 0.5  # the vehicle shot shows half a box of context on each side
JPEG_QUALITY = 90
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


class EvidenceWriteError(OSError):
    pass


def safe_key(track_key: str) -> str:
    return _UNSAFE.sub("_", track_key)


def _clip(box: BoxXYXY, width: int, height: int) -> tuple[int, int, int, int]:
    x1, y1, x2, y2 = box
    return (
        max(0, min(width, int(np.floor(x1)))),
        max(0, min(height, int(np.floor(y1)))),
        max(0, min(width, int(np.ceil(x2)))),
        max(0, min(height, int(np.ceil(y2)))),
    )


def blur_regions(image: Image, boxes: Sequence[BoxXYXY], pad: float = 0.1) -> Image:
    """A copy of `image` with every box pixelated then Gaussian-blurred (faces become unrecognisable)."""
    out = image.copy()
    h, w = out.shape[:2]
    for box in boxes:
        bw, bh = box[2] - box[0], box[3] - box[1]
        x1, y1, x2, y2 = _clip(
            (box[0] - pad * bw, box[1] - pad * bh, box[2] + pad * bw, box[3] + pad * bh), w, h
        )
        if x2 - x1 < 2 or y2 - y1 < 2:
            continue
        region = out[y1:y2, x1:x2]
        # ~6 blocks across the shorter side: a face in the region covers at most a block or two
        block = max(2, min(x2 - x1, y2 - y1) // 6)
        small = cv2.resize(
            region, (max(1, (x2 - x1) // block), max(1, (y2 - y1) // block)), interpolation=cv2.INTER_AREA
        )
        pixelated = cv2.resize(small, (x2 - x1, y2 - y1), interpolation=cv2.INTER_NEAREST)
        k = (block * 2) | 1
        out[y1:y2, x1:x2] = cv2.GaussianBlur(pixelated, (k, k), 0)
    return out


def vehicle_shot(image: Image, box: BoxXYXY, people: Sequence[BoxXYXY], blur_people: bool = True) -> Image:
    """The vehicle with context around it, with people in the crop blurred when asked."""
    h, w = image.shape[:2]
    bw, bh = box[2] - box[0], box[3] - box[1]
    m = VEHICLE_SHOT_MARGIN
    x1, y1, x2, y2 = _clip((box[0] - m * bw, box[1] - m * bh, box[2] + m * bw, box[3] + m * bh), w, h)
    crop = image[y1:y2, x1:x2]
    if not blur_people:
        return crop.copy()
    local = [
        (p[0] - x1, p[1] - y1, p[2] - x1, p[3] - y1)
        for p in people
        if p[2] > x1 and p[0] < x2 and p[3] > y1 and p[1] < y2
    ]
    return blur_regions(crop, local) if local else crop.copy()


class EvidenceStore:
    """Writes `<root>/<camera>/<YYYY-MM-DD>/<track_key>_{plate,vehicle}.jpg`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _write(self, path: Path, image: Image) -> str:
        ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        if not ok:
            raise EvidenceWriteError(f"could not encode evidence image {path}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".jpg.tmp")
            with open(tmp, "wb") as f:
                f.write(buf.tobytes())
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except OSError as e:
            raise EvidenceWriteError(f"could not write evidence image {path}: {e.strerror}") from e
        return str(path.resolve())

    def save(
        self, camera_id: str, day: date, track_key: str, plate_crop: Image | None, vehicle_image: Image | None
    ) -> tuple[str | None, str | None]:
        folder = self.root / camera_id / day.isoformat()
        stem = safe_key(track_key)
        plate_path = self._write(folder / f"{stem}_plate.jpg", plate_crop) if plate_crop is not None else None
        vehicle_path = (
            self._write(folder / f"{stem}_vehicle.jpg", vehicle_image) if vehicle_image is not None else None
        )
        return plate_path, vehicle_path
