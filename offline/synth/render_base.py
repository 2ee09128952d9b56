"""Drawing primitives shared by the plate renderer, its emblems and the plate holders."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from offline.synth.fonts import Mask

ImageBGR = npt.NDArray[np.uint8]
Colour = tuple[int, int, int]  # BGR
BoxXYXY = tuple[int, int, int, int]


def jitter(rng: np.random.Generator, colour: Colour, amount: int = 12) -> Colour:
    b, g, r = (int(np.clip(c + rng.integers(-amount, amount + 1), 0, 255)) for c in colour)
    return (b, g, r)


def paint(canvas: ImageBGR, mask: Mask, x: int, y: int, w: int, h: int, colour: Colour) -> None:
    """Alpha-blend `mask`, resized to w x h, onto canvas at (x, y), clipped to the canvas."""
    if w <= 0 or h <= 0:
        return
    m = cv2.resize(mask, (w, h), interpolation=cv2.INTER_AREA)
    ch, cw = canvas.shape[:2]
    x0, y0, x1, y1 = max(0, x), max(0, y), min(cw, x + w), min(ch, y + h)
    if x1 <= x0 or y1 <= y0:
        return
    a = m[y0 - y : y1 - y, x0 - x : x1 - x, None]
    region = canvas[y0:y1, x0:x1].astype(np.float32)
    blended = region * (1.0 - a) + np.asarray(colour, dtype=np.float32) * a
    canvas[y0:y1, x0:x1] = np.clip(blended, 0, 255).astype(np.uint8)
