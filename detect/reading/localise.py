"""Plate localisation (YOLO plate detector) and rectification of the plate patch.

The plate detector is run on a vehicle crop enlarged by a margin: a plate on a small vehicle in a
large frame is then seen at a useful resolution, and plates are only looked for where a vehicle is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from detect.batch_inference import InferenceDevice, predict_grouped
from detect.inference_backend import Backend, choose_backend, load_detector
from detect.records import BoxXYXY
from ingest.frames import Image
from platewatch.config import Detection, ModelPaths


@dataclass(frozen=True, slots=True)
class PlateBox:
    box: BoxXYXY  # frame pixels
    confidence: float


def clip_box(box: BoxXYXY, width: int, height: int) -> tuple[int, int, int, int]:
    x1, y1, x2, y2 = box
    return (
        max(0, int(np.floor(x1))),
        max(0, int(np.floor(y1))),
        min(width, int(np.ceil(x2))),
        min(height, int(np.ceil(y2))),
    )


def expand_box(box: BoxXYXY, fx: float, fy: float | None = None) -> BoxXYXY:
    """Grow a box by a fraction of its own width (fx) and height (fy) on every side."""
    x1, y1, x2, y2 = box
    w, h = x2 - x1, y2 - y1
    dy = (fx if fy is None else fy) * h
    return (x1 - fx * w, y1 - dy, x2 + fx * w, y2 + dy)


def box_iou(a: BoxXYXY, b: BoxXYXY) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def box_coverage(inner: BoxXYXY, outer: BoxXYXY) -> float:
    """Fraction of `inner`'s area that lies inside `outer`."""
    ix = max(0.0, min(inner[2], outer[2]) - max(inner[0], outer[0]))
    iy = max(0.0, min(inner[3], outer[3]) - max(inner[1], outer[1]))
    area = (inner[2] - inner[0]) * (inner[3] - inner[1])
    return ix * iy / area if area > 0 else 0.0


class PlateDetector:
    """Single-class YOLO licence-plate detector (weights resolved offline).

    On OpenVINO it runs the committed 320 px export: vehicle crops are a few hundred pixels across,
    so 320 px finds the same plates as torch at 640 (docs/benchmarks.md, "CPU inference").
    """

    def __init__(self, detection: Detection, models: ModelPaths, backend: Backend | None = None) -> None:
        self.backend: Backend = backend or choose_backend(
            detection.backend,
            explicit_torch=models.plate_detector,
            explicit_openvino=models.plate_detector_openvino,
        )
        loaded = load_detector(
            "plate_detector",
            self.backend,
            detection.plate_imgsz,
            models.plate_detector,
            models.plate_detector_openvino,
        )
        self.weights: Path = loaded.weights
        self._model: Any = loaded.model
        self._confidence = detection.plate_confidence
        self._imgsz = loaded.imgsz
        self._min_width = detection.min_plate_width_px

    def detect(self, image: Image, within: BoxXYXY | None = None, margin: float = 0.1) -> list[PlateBox]:
        """Plates in `image`, or only inside `within` (grown by `margin`); boxes in image pixels."""
        x0, y0, region = self._region(image, within, margin)
        if region is None:
            return []
        model: Any = self._model  # predict() is typed as a union; it returns a list of Results
        result = model.predict(region, conf=self._confidence, imgsz=self._imgsz, verbose=False)[0]
        boxes = result.boxes
        if boxes is None or len(boxes) == 0:
            return []
        return self._plates(boxes.xyxy.cpu().numpy().tolist(), boxes.conf.cpu().numpy().tolist(), x0, y0)

    def detect_batch(
        self,
        requests: Sequence[tuple[Image, BoxXYXY | None]],
        device: InferenceDevice | None = None,
        margin: float = 0.1,
    ) -> list[list[PlateBox]]:
        """`detect(image, within)` for many (image, within) pairs in few forward passes.

        Each region is letterboxed here exactly as Ultralytics letterboxes a lone image (scaled to
        `imgsz`, padded to the stride), then regions of one padded size share a pass: on the
        torch backend the boxes are the ones `detect` finds, whatever else is in the batch.
        """
        from ultralytics.data.augment import LetterBox
        from ultralytics.utils.checks import check_imgsz
        from ultralytics.utils.ops import scale_boxes

        out: list[list[PlateBox]] = [[] for _ in requests]
        model: Any = self._model
        stride = int(max(getattr(model.model, "stride", [32])))
        imgsz: Any = check_imgsz(self._imgsz, stride=stride)  # type: ignore[no-untyped-call]
        letterbox: Any = LetterBox(imgsz, auto=True, stride=stride)
        index: list[tuple[int, int, int, tuple[int, int], tuple[int, int]]] = []
        padded: list[Image] = []
        for i, (image, within) in enumerate(requests):
            x0, y0, region = self._region(image, within, margin)
            if region is None:
                continue
            boxed: Image = letterbox(image=region)
            index.append((i, x0, y0, region.shape[:2], boxed.shape[:2]))
            padded.append(boxed)
        results = predict_grouped(model, padded, device, conf=self._confidence, imgsz=self._imgsz)
        for (i, x0, y0, region_shape, boxed_shape), result in zip(index, results, strict=True):
            boxes = result.boxes
            if boxes is None or len(boxes) == 0:
                continue
            xyxy: Any = scale_boxes(boxed_shape, boxes.xyxy.clone(), region_shape)
            out[i] = self._plates(xyxy.cpu().numpy().tolist(), boxes.conf.cpu().numpy().tolist(), x0, y0)
        return out

    @staticmethod
    def _region(image: Image, within: BoxXYXY | None, margin: float) -> tuple[int, int, Image | None]:
        h, w = image.shape[:2]
        if within is None:
            x0, y0, x1, y1 = 0, 0, w, h
        else:
            x0, y0, x1, y1 = clip_box(expand_box(within, margin), w, h)
        if x1 - x0 < 8 or y1 - y0 < 8:
            return x0, y0, None
        return x0, y0, np.ascontiguousarray(image[y0:y1, x0:x1])

    def _plates(self, xyxy: list[list[float]], confs: list[float], x0: int, y0: int) -> list[PlateBox]:
        found: list[PlateBox] = []
        for b, p in zip(xyxy, confs, strict=True):
            box = (float(b[0]) + x0, float(b[1]) + y0, float(b[2]) + x0, float(b[3]) + y0)
            if box[2] - box[0] < self._min_width:
                continue
            found.append(PlateBox(box=box, confidence=float(p)))
        return sorted(found, key=lambda d: d.confidence, reverse=True)


def crop(image: Image, box: BoxXYXY) -> Image:
    h, w = image.shape[:2]
    x1, y1, x2, y2 = clip_box(box, w, h)
    return np.ascontiguousarray(image[y1:y2, x1:x2])


# Rectified plates are brought to one height (characters ~70 px tall: where EasyOCR's CRAFT text
# detector and both recognisers work best) keeping their aspect ratio, because stretching a loose
# detector box to a fixed width distorts glyphs and was measured to cost accuracy.
CANONICAL_HEIGHT = 96
_MAX_ASPECT = 8.0
_MAX_DESKEW_DEG = 20.0


def skew_angle(patch: Image) -> float:
    """Text-line angle in degrees (positive = rising to the right is corrected clockwise), from the
    centres of character-sized blobs; 0 when too few blobs are found to trust a fit."""
    grey = cv2.cvtColor(patch, cv2.COLOR_BGR2GRAY) if patch.ndim == 3 else patch
    h, w = grey.shape[:2]
    if h < 10 or w < 20:
        return 0.0
    best: list[tuple[float, float]] = []
    for flag in (cv2.THRESH_BINARY_INV, cv2.THRESH_BINARY):  # dark-on-light plates, then light-on-dark
        _, binary = cv2.threshold(grey, 0, 255, flag | cv2.THRESH_OTSU)
        count, _, stats, centroids = cv2.connectedComponentsWithStats(binary, connectivity=8)
        centres: list[tuple[float, float]] = []
        for i in range(1, count):
            bw, bh = stats[i, cv2.CC_STAT_WIDTH], stats[i, cv2.CC_STAT_HEIGHT]
            if 0.3 * h <= bh <= 0.95 * h and 0.02 * w <= bw <= 0.25 * w and bw <= 1.2 * bh:
                centres.append((float(centroids[i][0]), float(centroids[i][1])))
        if len(centres) > len(best):
            best = centres
    if len(best) < 4:
        return 0.0
    xs = np.array([c[0] for c in best])
    ys = np.array([c[1] for c in best])
    if np.ptp(xs) < 0.3 * w:
        return 0.0
    slope = float(np.polyfit(xs, ys, 1)[0])
    angle = float(np.degrees(np.arctan(slope)))
    return angle if abs(angle) <= _MAX_DESKEW_DEG else 0.0


def rectify_plate(image: Image, box: BoxXYXY, margin: float = 0.05) -> Image:
    """The plate patch deskewed (rotation estimated from character blobs) and scaled to
    `CANONICAL_HEIGHT`, so every reader sees plates at one scale whatever the camera distance."""
    x1, y1, x2, y2 = box
    bw, bh = x2 - x1, y2 - y1
    if bw < 2 or bh < 2:
        raise ValueError(f"plate box too small to rectify: {box}")
    patch = crop(image, expand_box(box, margin, 2 * margin))
    if patch.shape[0] < 2 or patch.shape[1] < 2:
        raise ValueError(f"plate box {box} lies outside the image {image.shape[1]}x{image.shape[0]}")
    angle = skew_angle(patch)
    if abs(angle) >= 1.0:
        # Rotate a larger crop so the corners that swing in come from the image, not black fill.
        big = crop(image, expand_box(box, margin + 0.1, 2 * margin + 0.3))
        centre = (big.shape[1] / 2.0, big.shape[0] / 2.0)
        rotation = cv2.getRotationMatrix2D(centre, angle, 1.0)
        turned = cv2.warpAffine(
            big,
            rotation,
            (big.shape[1], big.shape[0]),
            flags=cv2.INTER_CUBIC,
            borderMode=cv2.BORDER_REPLICATE,
        )
        ph, pw = patch.shape[:2]
        cx, cy = centre
        top, left = max(0, int(cy - ph / 2)), max(0, int(cx - pw / 2))
        patch = np.ascontiguousarray(turned[top : top + ph, left : left + pw], dtype=np.uint8)
    height = CANONICAL_HEIGHT
    width = int(round(min(_MAX_ASPECT, patch.shape[1] / patch.shape[0]) * height))
    interpolation = cv2.INTER_CUBIC if patch.shape[0] < height else cv2.INTER_AREA
    return np.ascontiguousarray(cv2.resize(patch, (width, height), interpolation=interpolation))
