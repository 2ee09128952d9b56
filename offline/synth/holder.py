"""Plate holders and fixings: what surrounds a real plate inside a detector's box.

Dealers fit plates in plastic holders (black, chrome, coloured) with their name and phone number
on a strip under the plate and sometimes over it; plates are screwed on, often between the
character groups. A plate detector's box and the rectified patch include all of it, so the
recogniser has to learn that small print and round caps are not registration characters.
"""

from __future__ import annotations

import string

import cv2
import numpy as np

from offline.synth.fonts import plate_fonts, small_text_fonts, text_mask
from offline.synth.render import RenderedPlate
from offline.synth.render_base import Colour, ImageBGR, jitter, paint

_HOLDER_COLOURS: tuple[Colour, ...] = (
    (20, 20, 20),  # black plastic, most common
    (35, 35, 35),
    (180, 180, 185),  # chrome
    (140, 60, 10),  # dealer blue
    (30, 30, 160),  # dealer red
    (235, 235, 235),  # white
)
_DEALER_WORDS = (
    "AUTO",
    "MOTORS",
    "CARS",
    "GARAGE",
    "SERVICE",
    "AUTOCENTRUM",
    "AUTOSALON",
    "TOYOTA",
    "SKODA",
    "RENAULT",
    "FORD",
    "GROUP",
    "WWW",
    "TEL",
)


def _dealer_text(rng: np.random.Generator) -> str:
    """A dealer line: a name and a phone number or web address, letters and digits like a plate's."""
    words = [_DEALER_WORDS[int(i)] for i in rng.integers(0, len(_DEALER_WORDS), int(rng.integers(1, 3)))]
    if rng.random() < 0.6:
        digits = "".join(rng.choice(list(string.digits), int(rng.integers(6, 11))))
        words.append(" ".join(digits[i : i + 3] for i in range(0, len(digits), 3)))
    else:
        words.append("".join(rng.choice(list(string.ascii_uppercase), int(rng.integers(4, 9)))) + ".COM")
    return "  ".join(words)


def _strip_text(canvas: ImageBGR, rng: np.random.Generator, y0: int, y1: int, x0: int, x1: int) -> None:
    h = y1 - y0
    if h < 4 or x1 - x0 < 20:
        return
    th = max(3, int(h * rng.uniform(0.5, 0.85)))
    fonts = small_text_fonts() + plate_fonts()
    m = text_mask(fonts[int(rng.integers(len(fonts)))], _dealer_text(rng), th)
    tw = min(x1 - x0 - 4, int(m.shape[1] * th / m.shape[0]))
    background = canvas[(y0 + y1) // 2, x0 + 1].astype(int)
    ink: Colour = (245, 245, 245) if background.mean() < 128 else (25, 25, 25)
    if rng.random() < 0.3:
        ink = (40, 190, 230)  # gold lettering
    tx = x0 + (x1 - x0 - tw) // 2 + int(rng.integers(-(x1 - x0) // 10, (x1 - x0) // 10 + 1))
    paint(canvas, m, tx, y0 + (h - th) // 2, tw, th, jitter(rng, ink, 15))


def add_holder(plate: RenderedPlate, rng: np.random.Generator) -> RenderedPlate:
    """Surround the plate with a holder frame; the bottom (sometimes top) strip carries dealer text."""
    img = plate.image
    h, w = img.shape[:2]
    side = int(h * rng.uniform(0.03, 0.12))
    top = int(h * rng.uniform(0.03, 0.3)) if rng.random() < 0.35 else side
    bottom = int(h * rng.uniform(0.15, 0.45)) if rng.random() < 0.8 else side
    colour = jitter(rng, _HOLDER_COLOURS[int(rng.integers(len(_HOLDER_COLOURS)))], 15)
    out = np.empty((h + top + bottom, w + 2 * side, 3), np.uint8)
    out[:] = colour
    if colour[0] > 150 and rng.random() < 0.7:
        # Chrome: a vertical shading so it is not a flat colour.
        shade = np.linspace(1.15, 0.7, out.shape[0], dtype=np.float32)[:, None, None]
        out = np.clip(out.astype(np.float32) * shade, 0, 255).astype(np.uint8)
    out[top : top + h, side : side + w] = img
    if bottom > side:
        _strip_text(out, rng, top + h + 1, top + h + bottom - 1, side, side + w)
    if top > side and rng.random() < 0.6:
        _strip_text(out, rng, 1, top - 1, side, side + w)
    x0, y0, x1, y1 = plate.text_box
    return RenderedPlate(out, (x0 + side, y0 + top, x1 + side, y1 + top), tuple(g + side for g in plate.gaps))


def add_screws(plate: RenderedPlate, rng: np.random.Generator) -> RenderedPlate:
    """Two or four screw caps: at the plate ends, in the gaps between groups, or above the text."""
    out = plate.image.copy()
    h, w = out.shape[:2]
    r = int(rng.integers(3, 7))
    x0, y0, x1, y1 = plate.text_box
    where = int(rng.integers(3))
    if where == 0 and plate.gaps:
        gap = plate.gaps[int(rng.integers(len(plate.gaps)))]
        spots = [(gap, int(y0 + (y1 - y0) * rng.uniform(0.1, 0.3))), (gap, int(y0 + (y1 - y0) * 0.8))]
        if rng.random() < 0.5:
            spots = [(gap, int((y0 + y1) / 2 + rng.integers(-5, 6)))]
    elif where == 1:
        y = int(min(y0 - r - 1, h * 0.12)) if y0 > 2 * r + 2 else int(h * rng.uniform(0.4, 0.6))
        spots = [(int(w * rng.uniform(0.15, 0.3)), y), (int(w * rng.uniform(0.7, 0.85)), y)]
    else:
        y = int(h * rng.uniform(0.4, 0.6))
        spots = [(int(w * rng.uniform(0.02, 0.1)), y), (int(w * rng.uniform(0.9, 0.98)), y)]
    kind = int(rng.integers(4))
    for x, y in spots:
        if kind == 0:
            cv2.circle(out, (x, y), r, (170, 170, 175), -1, lineType=cv2.LINE_AA)
            cv2.circle(out, (x - r // 3, y - r // 3), max(1, r // 3), (245, 245, 245), -1)
        elif kind == 1:
            cv2.circle(out, (x, y), r, (30, 30, 30), -1, lineType=cv2.LINE_AA)
        elif kind == 2:
            cv2.circle(out, (x, y), r, (150, 150, 150), -1, lineType=cv2.LINE_AA)
            cv2.line(out, (x - r + 1, y), (x + r - 1, y), (60, 60, 60), max(1, r // 3))
            cv2.line(out, (x, y - r + 1), (x, y + r - 1), (60, 60, 60), max(1, r // 3))
        else:
            colour = tuple(int(c) for c in out[min(h - 1, y), min(w - 1, x)])
            cv2.circle(out, (x, y), r, colour, -1, lineType=cv2.LINE_AA)
            cv2.circle(out, (x, y), r, (90, 90, 90), 1, lineType=cv2.LINE_AA)
    return RenderedPlate(out, plate.text_box, plate.gaps)
