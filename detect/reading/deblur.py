"""Horizontal motion blur on a plate: measured from the image, then undone by Wiener deconvolution.

A vehicle crossing the frame during the exposure smears its plate along the direction of travel: a
car at walking pace under a 1/50 s night exposure moves a 64 px plate by 5-9 px, and neither reader
reads a plate smeared that much (0 of 116 reads at 48-64 px on `bench/street.py`, docs/benchmarks.md). The
smear of a constant speed is a 1 x L box. Its length is measured from the image itself (no camera
speed is known): the horizontal derivative of a box-blurred image is the difference of two copies of
the sharp edges L px apart, so the derivative's autocorrelation has its deepest trough at lag L
(Yitzhaky & Kopeika, "Identification of blur parameters from motion blurred images", 1997). A sharp
plate puts that trough at 2-3 px (the width of an edge); defocus at 3-4.

Deconvolution is done at the camera's resolution, before the patch is rectified and scaled: the box
is L px there, not after an upscale. Wiener's noise term keeps the zeros of the box's spectrum from
blowing noise up.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from detect.records import BoxXYXY
from ingest.frames import Image

# Trough lags below this are what sharp and defocused plates give (measured on the shared stills at
# 48-120 px: clean 2-3, Gaussian sigma 1 px 3-4): nothing to undo.
MIN_BLUR_PX = 5
# Nor shorter than this share of the plate width: a character's stroke also puts a trough at its
# own width (UK strokes are 14 mm of a 520 mm plate, 0.027), which reaches 5 px on plates wider than
# about 185 px. On 671 real crops (`../shared/data/real_crops`, median 214 px wide) the trough was at
# 5 px or more on 44 % of sharp plates, at a median 0.019 of the width; with this floor 4.6 % remain.
# A smear that matters is longer: 5-9 px on a 64-120 px plate is 0.042-0.14.
MIN_BLUR_TO_PLATE_WIDTH = 0.035
# A smear longer than this share of the plate width leaves no character legible to undo; a trough
# that far out on a sharp plate is the characters' own pitch (seen at 48 px), not motion.
MAX_BLUR_TO_PLATE_WIDTH = 0.2
# Wiener's noise-to-signal term, chosen on `bench/street.py --conditions motion5,motion9` (232 smeared
# plates, 48-120 px): 0.03 read 124, 0.01 145, 0.003 170, 0.001 168; one wrong read at letter grade at
# every setting, a plate read wrong before deblurring. Lower keeps more of the box's weak frequencies
# and amplifies noise more: 0.003 is where the gain stops.
WIENER_NSR = 0.003
# Scene kept around the plate box for the measurement and the deconvolution, in box widths and
# heights: rectification grows the box (by up to 0.15 and 0.4 when it turns a tilted plate) and needs
# those pixels deblurred too. Measured on the shared stills at 48-120 px with these margins, the
# smear of 392 plates blurred by 5 and 9 px was found within 1 px in 390.
REGION_MARGIN_X = 0.25
REGION_MARGIN_Y = 0.5

Float = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class DeblurredPlate:
    image: Image  # the region around the plate, deconvolved
    box: BoxXYXY  # the plate box in `image`
    blur_px: int  # the smear undone


def blur_length(grey: Float, max_px: int) -> int:
    """The horizontal smear (px) of a greyscale patch: the deepest trough of its derivative's
    autocorrelation at lags 2..`max_px`; 0 when the patch is too small to tell."""
    if grey.ndim != 2 or grey.shape[1] < 2 * max_px + 4 or max_px < 2:
        return 0
    dx = np.diff(grey.astype(np.float32), axis=1)
    dx -= dx.mean(axis=1, keepdims=True)
    n = dx.shape[1]
    energy = float((dx * dx).sum())
    if energy <= 1e-6:
        return 0  # a flat patch: no edges to measure
    lags = range(2, max_px + 1)
    corr = [float((dx[:, : n - lag] * dx[:, lag:]).sum()) / energy for lag in lags]
    return 2 + int(np.argmin(corr))


def wiener_horizontal(image: Image, length: int, nsr: float = WIENER_NSR) -> Image:
    """`image` with a horizontal 1 x `length` box blur undone (Wiener deconvolution, per channel)."""
    if length < 2:
        return image
    pad = 2 * length  # edge-replicated so the circular transform does not wrap one side onto the other
    padded = cv2.copyMakeBorder(image, 0, 0, pad, pad, cv2.BORDER_REPLICATE).astype(np.float32)
    width = padded.shape[1]
    kernel = np.zeros(width, np.float32)
    kernel[:length] = 1.0 / length
    kernel = np.roll(kernel, -(length // 2))  # centred, as cv2.filter2D's box blur is
    spectrum = np.fft.rfft(kernel)
    gain = np.conj(spectrum) / (np.abs(spectrum) ** 2 + nsr)
    axis_gain = gain[None, :, None] if padded.ndim == 3 else gain[None, :]
    restored = np.fft.irfft(np.fft.rfft(padded, axis=1) * axis_gain, n=width, axis=1)
    out = np.clip(np.rint(restored[:, pad : width - pad]), 0, 255).astype(np.uint8)
    return np.ascontiguousarray(out)


def deblur_plate(image: Image, box: BoxXYXY) -> DeblurredPlate | None:
    """The region around a plate with its horizontal motion blur undone; None when it shows none.

    Only a smear of at least `MIN_BLUR_PX` and `MIN_BLUR_TO_PLATE_WIDTH` of the plate's width, and
    at most `MAX_BLUR_TO_PLATE_WIDTH` of it, is undone: below, the trough is a stroke's width or the
    plate is as sharp as the camera makes it; above, it is the characters' pitch, not motion.
    """
    x1, y1, x2, y2 = box
    max_px = int(MAX_BLUR_TO_PLATE_WIDTH * (x2 - x1))
    if max_px < MIN_BLUR_PX or y2 - y1 < 4:
        return None
    around = plate_region(image, box)
    if around is None:
        return None
    region, region_box = around
    # Measured on the plate and the scene just around it: its edges (plate border, bumper) give the
    # trough beside the characters' own (on the plate alone, a tall plate's pitch won at 64 px).
    grey = cv2.cvtColor(region, cv2.COLOR_BGR2GRAY) if region.ndim == 3 else region
    length = blur_length(np.asarray(grey, np.float32), max_px)
    if length < max(MIN_BLUR_PX, MIN_BLUR_TO_PLATE_WIDTH * (x2 - x1)):
        return None
    return DeblurredPlate(wiener_horizontal(region, length), region_box, length)


def plate_region(image: Image, box: BoxXYXY) -> tuple[Image, BoxXYXY] | None:
    """The plate with `REGION_MARGIN_X`/`_Y` of scene around it, and the plate's box in it; None
    when that is too small to restore."""
    x1, y1, x2, y2 = box
    bw, bh = x2 - x1, y2 - y1
    h, w = image.shape[:2]
    left = int(max(0, np.floor(x1 - REGION_MARGIN_X * bw)))
    right = int(min(w, np.ceil(x2 + REGION_MARGIN_X * bw)))
    top = int(max(0, np.floor(y1 - REGION_MARGIN_Y * bh)))
    bottom = int(min(h, np.ceil(y2 + REGION_MARGIN_Y * bh)))
    if right - left < 8 or bottom - top < 4:
        return None
    region = np.ascontiguousarray(image[top:bottom, left:right])
    return region, (x1 - left, y1 - top, x2 - left, y2 - top)
