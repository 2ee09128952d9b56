"""Vehicle body colour measured from the vehicle crop (issue 12: keeper-record consistency check).

The method: take the lower-middle of the vehicle box (body panels, below the windows and away from
the road and wheels), convert to HSV, drop specular highlights, and give each pixel one of nine
names by hue, saturation and value. A body is called chromatic when enough of its pixels are
saturated (reflections of sky and road make even a red car partly grey), otherwise it is called
black, grey or white from its achromatic pixels. The confidence is the winning share. A crop too dark
to judge (night, unlit) gets no colour rather than a guess: street lighting shifts every hue.
Accuracy on labelled real photos is in docs/benchmarks.md (`bench/colour.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args

import cv2
import numpy as np
import numpy.typing as npt

from detect.records import ColourName

COLOURS: tuple[str, ...] = get_args(ColourName)
CHROMATIC_SHARE = 0.20  # of body pixels saturated enough to carry a hue
MIN_SAT = 60
MIN_BRIGHT_VALUE = 60  # a crop whose brightest tenth is darker than this is not measured
GREEN_BLUE = 100  # OpenCV hue (0-180) where teal greens end and blues begin
TOP, BOTTOM = 0.35, 0.80  # the body band: below the windows, above the road
DARK_DROP = 0.25
BLACK_BELOW, WHITE_FROM = 80, 180


@dataclass(frozen=True, slots=True)
class ColourReading:
    colour: str
    confidence: float
    shares: dict[str, float]


def body_region(crop: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    h, w = crop.shape[:2]
    return crop[int(h * TOP) : int(h * BOTTOM), int(w * 0.2) : int(w * 0.8)]


def _hue_name(
    h: npt.NDArray[np.int32], s: npt.NDArray[np.int32], v: npt.NDArray[np.int32]
) -> npt.NDArray[np.str_]:
    names = np.full(h.shape, "blue", dtype="<U6")
    names[(h < 8) | (h >= 160)] = "red"
    names[(h >= 8) & (h < 20)] = "orange"
    names[(h >= 20) & (h < 34)] = "yellow"
    names[(h >= 34) & (h < GREEN_BLUE)] = "green"
    names[(h >= GREEN_BLUE) & (h < 130)] = "blue"
    names[(h >= 130) & (h < 160)] = "red"  # purples and magentas read as red on a DVLA record more often
    # Dull, dark oranges and yellows are browns, beiges and golds.
    warm = (h >= 8) & (h < 34)
    names[warm & ((v < 150) | (s < 110))] = "brown"
    return names


def measure(crop: npt.NDArray[np.uint8]) -> ColourReading | None:
    """The body colour of a BGR vehicle crop, or None when the crop cannot be judged."""
    region = body_region(crop)
    if region.size == 0 or min(region.shape[:2]) < 8:
        return None
    hsv = cv2.cvtColor(region, cv2.COLOR_BGR2HSV).reshape(-1, 3).astype(np.int32)
    h, s, v = hsv[:, 0], hsv[:, 1], hsv[:, 2]
    if float(np.percentile(v, 90)) < MIN_BRIGHT_VALUE:
        return None
    keep = ~((v > 240) & (s < 30))  # specular highlights say nothing about the paint
    h, s, v = h[keep], s[keep], v[keep]
    if h.size == 0:
        return None
    chroma = (s >= MIN_SAT) & (v >= 35)
    counts: dict[str, float]
    if chroma.mean() >= CHROMATIC_SHARE:
        names = _hue_name(h[chroma], s[chroma], v[chroma])
        values, n = np.unique(names, return_counts=True)
        counts = {str(k): float(c) for k, c in zip(values, n, strict=True)}
    else:
        grey = np.sort(v[~chroma])
        # Tyres, shadow, grilles and trim are the darkest quarter of any body; the paint is the rest.
        paint = grey[int(len(grey) * DARK_DROP) :]
        counts = {
            "black": float((paint < BLACK_BELOW).sum()),
            "grey": float(((paint >= BLACK_BELOW) & (paint < WHITE_FROM)).sum()),
            "white": float((paint >= WHITE_FROM).sum()),
        }
    total = sum(counts.values())
    if total == 0:
        return None
    shares = {k: c / total for k, c in counts.items()}
    best = max(shares, key=lambda k: shares[k])
    return ColourReading(colour=best, confidence=round(shares[best], 3), shares=shares)
