"""Things printed or stuck on a plate between character groups that are not characters.

Slovak and Croatian plates carry a coat of arms after the district code; Czech and German rear
plates carry round inspection and emission stickers there (two, stacked); Italian and French plates
a regional logo in a right-hand band. Readers that never saw them return them as an extra round
glyph (8, 9, 0, C, O), so the generator draws them and the label leaves them out.
"""

from __future__ import annotations

import string

import cv2
import numpy as np

from offline.synth.fonts import small_text_fonts, text_mask
from offline.synth.render_base import Colour, ImageBGR, jitter, paint

_STICKER_COLOURS: tuple[Colour, ...] = (
    (40, 170, 230),  # orange
    (60, 200, 240),  # yellow
    (60, 140, 40),  # green
    (160, 90, 30),  # blue
    (60, 60, 200),  # red
    (180, 110, 170),  # pink
    (200, 200, 200),  # silver
    (90, 90, 90),  # dark grey
)


def _rand_colour(rng: np.random.Generator) -> Colour:
    return jitter(rng, _STICKER_COLOURS[int(rng.integers(len(_STICKER_COLOURS)))], 30)


def round_sticker(canvas: ImageBGR, rng: np.random.Generator, cx: int, cy: int, r: int) -> None:
    """One inspection/emission sticker: a coloured disc, a ring, wedges or tiny print inside."""
    if r < 3:
        return
    cv2.circle(canvas, (cx, cy), r, _rand_colour(rng), -1, lineType=cv2.LINE_AA)
    style = int(rng.integers(4))
    if style == 0:
        # German HU sticker: a clock face of coloured wedges, the due month at the top.
        inner = _rand_colour(rng)
        start = float(rng.uniform(0, 360))
        cv2.ellipse(canvas, (cx, cy), (r - 1, r - 1), 0, start, start + 90, inner, -1, cv2.LINE_AA)
        cv2.circle(canvas, (cx, cy), max(1, r // 3), (30, 30, 30), -1, lineType=cv2.LINE_AA)
    elif style == 1:
        cv2.circle(canvas, (cx, cy), max(1, int(r * 0.7)), _rand_colour(rng), -1, lineType=cv2.LINE_AA)
    if style >= 1 and r >= 6:
        # Tiny print (year, station number): small enough that it is never a registration character.
        text = "".join(rng.choice(list(string.digits + "STKEU"), int(rng.integers(2, 5))))
        th = max(3, r // 2)
        m = text_mask(small_text_fonts()[0], text, th)
        tw = min(2 * r - 2, int(m.shape[1] * th / m.shape[0]))
        paint(canvas, m, cx - tw // 2, cy - th // 2, tw, th, jitter(rng, (30, 30, 30), 20))
    cv2.circle(canvas, (cx, cy), r, jitter(rng, (60, 60, 60), 40), 1, lineType=cv2.LINE_AA)


def sticker_pair(canvas: ImageBGR, rng: np.random.Generator, cx: int, y0: int, y1: int, gap: int) -> None:
    """Two stickers stacked in the gap between groups (Czech and German rear plates)."""
    h = y1 - y0
    r = int(min(gap * rng.uniform(0.35, 0.5), h * rng.uniform(0.2, 0.27)))
    if rng.random() < 0.3:
        # Only one sticker left (the other peeled or not yet issued), centred or high.
        round_sticker(canvas, rng, cx, int(y0 + h * rng.uniform(0.25, 0.5)), int(r * 1.2))
        return
    round_sticker(canvas, rng, cx, int(y0 + h * 0.27), r)
    round_sticker(canvas, rng, cx, int(y0 + h * 0.73), r)


def _shield_polygon(cx: int, top: int, w: int, h: int) -> np.ndarray:
    half = w // 2
    return np.array(
        [
            [cx - half, top],
            [cx + half, top],
            [cx + half, top + int(h * 0.6)],
            [cx, top + h],
            [cx - half, top + int(h * 0.6)],
        ],
        dtype=np.int32,
    )


def coat_of_arms(canvas: ImageBGR, rng: np.random.Generator, cx: int, y0: int, y1: int, gap: int) -> None:
    """A shield between groups: Slovak (red, white double cross, blue hills), Croatian
    (red-white chequer under a crown of small shields), or a plain coloured municipal one."""
    h = int((y1 - y0) * rng.uniform(0.45, 0.8))
    w = int(min(gap * rng.uniform(0.6, 0.9), h * rng.uniform(0.7, 0.9)))
    if w < 4 or h < 6:
        return
    top = y0 + (y1 - y0 - h) // 2 + int(rng.integers(-3, 4))
    poly = _shield_polygon(cx, top, w, h)
    style = int(rng.integers(3))
    if style == 0:
        cv2.fillPoly(canvas, [poly], jitter(rng, (40, 40, 210), 25), lineType=cv2.LINE_AA)
        white = jitter(rng, (240, 240, 240), 10)
        bar = max(1, w // 8)
        cv2.rectangle(canvas, (cx - bar // 2, top + h // 8), (cx + bar // 2, top + int(h * 0.7)), white, -1)
        for frac, span in ((0.3, 0.25), (0.45, 0.35)):
            yy = top + int(h * frac)
            cv2.rectangle(canvas, (cx - int(w * span), yy), (cx + int(w * span), yy + bar), white, -1)
        cv2.ellipse(canvas, (cx, top + int(h * 0.85)), (w // 3, h // 7), 0, 180, 360, (150, 60, 20), -1)
    elif style == 1:
        crown_h = max(2, h // 5)
        cv2.fillPoly(canvas, [poly], jitter(rng, (235, 235, 235), 10), lineType=cv2.LINE_AA)
        cell = max(1, w // 5)
        for i in range(5):
            for j in range(6):
                if (i + j) % 2 == 0:
                    x = cx - w // 2 + i * cell
                    y = top + crown_h + j * cell
                    cv2.rectangle(canvas, (x, y), (x + cell - 1, y + cell - 1), (40, 40, 200), -1)
        cv2.rectangle(canvas, (cx - w // 2, top), (cx + w // 2, top + crown_h), (160, 90, 30), -1)
        # Keep the chequer inside the shield outline.
        mask = np.zeros(canvas.shape[:2], np.uint8)
        cv2.fillPoly(mask, [poly], 255)
        outside = (mask == 0)[top : top + h + cell * 2, cx - w // 2 : cx + w // 2 + 1]
        region = canvas[top : top + h + cell * 2, cx - w // 2 : cx + w // 2 + 1]
        bg = canvas[max(0, top - 2), max(0, cx - w // 2 - 3)].copy()
        region[outside[: region.shape[0], : region.shape[1]]] = bg
    else:
        cv2.fillPoly(canvas, [poly], _rand_colour(rng), lineType=cv2.LINE_AA)
        inner = _shield_polygon(cx, top + h // 6, w // 2, h // 2)
        cv2.fillPoly(canvas, [inner], _rand_colour(rng), lineType=cv2.LINE_AA)
    cv2.polylines(canvas, [poly], True, jitter(rng, (40, 40, 40), 30), 1, lineType=cv2.LINE_AA)


def side_band_logo(canvas: ImageBGR, rng: np.random.Generator, x0: int, x1: int) -> None:
    """Right-hand blue band of Italian and French plates: a small logo and a region number."""
    h = canvas.shape[0]
    canvas[:, x0:x1] = jitter(rng, (150, 50, 0), 20)
    w = x1 - x0
    cv2.circle(canvas, (x0 + w // 2, int(h * 0.35)), max(2, w // 3), _rand_colour(rng), -1)
    digits = "".join(rng.choice(list(string.digits), 2))
    th = int(h * 0.25)
    m = text_mask(small_text_fonts()[0], digits, th)
    tw = min(w - 4, int(m.shape[1] * th / m.shape[0]))
    paint(canvas, m, x0 + (w - tw) // 2, int(h * 0.62), tw, th, (240, 240, 240))
