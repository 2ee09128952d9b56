"""Clean (undegraded) plate images drawn to scale, 1 pixel per millimetre.

UK geometry follows the Road Vehicles (Display of Registration Marks) Regulations 2001: characters
79 mm high and 50 mm wide (1 and I narrower), 14 mm stroke, 11 mm between characters, 33 mm between
groups, 11 mm margins, on a 520 x 111 mm plate; white front, yellow rear, optional UK or green band.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import cv2
import numpy as np

from offline.synth.emblems import coat_of_arms, side_band_logo, sticker_pair
from offline.synth.fonts import (
    Mask,
    glyph_mask,
    plate_fonts,
    slogan_fonts,
    small_text_fonts,
    text_mask,
    varied_plate_fonts,
)
from offline.synth.formats import PlateText
from offline.synth.render_base import BoxXYXY, Colour, ImageBGR, jitter, paint
from offline.synth.uk_glyphs import has_real_glyph, pick_glyph

UkGlyphs = Literal["real", "font"]


@dataclass(frozen=True, slots=True)
class PlacedGlyph:
    char: str
    box: BoxXYXY  # where the glyph was painted, in plate pixels
    source: Path | None  # the real crop it was drawn from; None for a font glyph


@dataclass(frozen=True, slots=True)
class RenderedPlate:
    image: ImageBGR  # clean plate, 1 px per mm
    text_box: BoxXYXY  # where the registration characters are, in plate pixels
    gaps: tuple[int, ...] = ()  # x centres of the spaces between character groups
    glyphs: tuple[PlacedGlyph, ...] = ()  # each registration character as painted (clean plates)


GB_CHAR_H, GB_CHAR_W, GB_STROKE, GB_SPACING, GB_GROUP_GAP, GB_MARGIN = 79, 50, 14, 11, 33, 11
GB_PLATE_W, GB_PLATE_H = 520, 111
_GB_WHITE: Colour = (245, 247, 248)
_GB_YELLOW: Colour = (20, 205, 250)
_EU_BLUE: Colour = (150, 50, 0)
_EV_GREEN: Colour = (60, 160, 20)
_BLACK: Colour = (25, 22, 22)


def _stroke_adjust(mask: Mask, px: int) -> Mask:
    """Thicken (px > 0) or thin (px < 0) strokes, to vary the drawn stroke around the target."""
    if px == 0:
        return mask
    kernel = np.ones((abs(px) * 2 + 1, abs(px) * 2 + 1), np.uint8)
    op = cv2.dilate if px > 0 else cv2.erode
    out: Mask = op(mask, kernel).astype(np.float32)
    return out


def _blank(w: int, h: int, colour: Colour) -> ImageBGR:
    canvas = np.empty((h, w, 3), np.uint8)
    canvas[:] = colour
    return canvas


def _pick_font(rng: np.random.Generator) -> Path:
    fonts = plate_fonts()
    # The best-matching font most of the time, the others for variety.
    return fonts[0] if rng.random() < 0.6 or len(fonts) == 1 else fonts[int(rng.integers(1, len(fonts)))]


def _font_mean_aspect(font: Path) -> float:
    """Mean width/height of the font's capitals and digits: the reference for width_gamma."""
    return float(np.mean([glyph_mask(font, c).shape[1] / glyph_mask(font, c).shape[0] for c in "0ABEHMNOS8"]))


def _draw_groups(
    canvas: ImageBGR,
    rng: np.random.Generator,
    groups: tuple[str, ...],
    *,
    x_range: tuple[int, int],
    y: int,
    char_h: int,
    char_w: float | None,
    spacing: int,
    group_gap: int | list[int],
    colour: Colour,
    stroke_px: int,
    width_gamma: float = 0.0,
    real_glyphs: bool = False,
    placed: list[PlacedGlyph] | None = None,
    font: Path | None = None,
) -> tuple[list[int], BoxXYXY]:
    """Lay out groups centred in x_range; return the gap centres between groups and the text box.

    char_w None means each glyph keeps its own aspect. Otherwise glyphs get char_w scaled by
    (own aspect / the font's mean aspect) ** width_gamma: 0 is a monospaced box (the UK typeface),
    about 0.5 the proportional European typefaces, where O is a little wider than 0.
    `group_gap` may differ per gap (an emblem needs more room). Text that would overflow x_range
    is condensed to fit. `real_glyphs`: draw each character from a real UK plate crop
    (`offline.synth.uk_glyphs`) where the set has it; `placed` collects what was painted where.
    """
    font = font or _pick_font(rng)
    masks: list[list[tuple[Mask, Path | None]]] = []
    for g in groups:
        row: list[tuple[Mask, Path | None]] = []
        for c in g:
            if c == "-":
                row.append((np.zeros((1, 1), np.float32), None))
            elif real_glyphs and has_real_glyph(c):
                row.append(pick_glyph(c, rng))
            else:
                row.append((_stroke_adjust(glyph_mask(font, c), stroke_px), None))
        masks.append(row)
    mean_aspect = _font_mean_aspect(font)
    gaps_px = list(group_gap) if isinstance(group_gap, list) else [group_gap] * (len(groups) - 1)
    widths: list[list[int]] = []
    for g, row in zip(groups, masks, strict=True):
        ws = []
        for c, (m, _) in zip(g, row, strict=True):
            natural = m.shape[1] * char_h / m.shape[0]
            if c == "-":
                ws.append(int(char_h * 0.35))
            elif char_w is None:
                ws.append(int(round(natural)))
            elif natural < 0.6 * char_w:
                # Narrow glyphs (1, I) keep their own width.
                ws.append(int(round(natural)))
            else:
                aspect = m.shape[1] / m.shape[0]
                ws.append(int(round(char_w * (aspect / mean_aspect) ** width_gamma)))
        widths.append(ws)
    total = sum(sum(ws) + spacing * (len(ws) - 1) for ws in widths) + sum(gaps_px)
    room = x_range[1] - x_range[0]
    if total > room:
        squeeze = room / total
        widths = [[max(2, int(w * squeeze)) for w in ws] for ws in widths]
        spacing = int(spacing * squeeze)
        gaps_px = [int(gp * squeeze) for gp in gaps_px]
        total = sum(sum(ws) + spacing * (len(ws) - 1) for ws in widths) + sum(gaps_px)
    x = x_range[0] + max(0, (room - total) // 2)
    x_start = x
    gaps: list[int] = []
    for gi, (g, ws, row) in enumerate(zip(groups, widths, masks, strict=True)):
        for c, w, (mask, source) in zip(g, ws, row, strict=True):
            if c == "-":
                bar_h = max(2, char_h // 9)
                cv2.rectangle(
                    canvas,
                    (x + 2, y + char_h // 2 - bar_h // 2),
                    (x + w - 2, y + char_h // 2 + bar_h // 2),
                    colour,
                    -1,
                )
            else:
                paint(canvas, mask, x, y, w, char_h, colour)
                if placed is not None:
                    placed.append(PlacedGlyph(c, (x, y, x + w, y + char_h), source))
            x += w + spacing
        gap = gaps_px[gi] if gi < len(gaps_px) else 0
        x += gap - spacing
        gaps.append(x - gap // 2)
    return gaps[:-1], (x_start, y, x, y + char_h)


def _eu_band(canvas: ImageBGR, rng: np.random.Generator, code: str, width: int, colour: Colour) -> None:
    h = canvas.shape[0]
    cx, cy, r = width // 2, int(h * 0.3), int(width * 0.32)
    code_ink: Colour = (245, 245, 245)
    if code in ("SK", "HR", "SRB") and rng.random() < 0.3:
        # National band of pre-EU plates: the coat of arms over the country code, on the plate colour.
        coat_of_arms(canvas, rng, cx, 4, int(h * 0.55), width)
        code_ink = (30, 30, 30)
    else:
        canvas[:, :width] = colour
        for k in range(12):
            a = 2 * np.pi * k / 12
            centre = (int(cx + r * np.cos(a)), int(cy + r * np.sin(a)))
            cv2.circle(canvas, centre, max(1, width // 18), (0, 204, 255), -1)
    if code:
        font = small_text_fonts()[0] if rng.random() < 0.5 else plate_fonts()[0]
        m = text_mask(font, code, int(h * 0.3))
        tw = min(width - 4, int(m.shape[1] * h * 0.3 / m.shape[0]))
        paint(canvas, m, (width - tw) // 2, int(h * 0.58), tw, int(h * 0.3), code_ink)


def render_gb(text: PlateText, rng: np.random.Generator, uk_glyphs: UkGlyphs = "real") -> RenderedPlate:
    """`uk_glyphs` "real": characters from real UK plate crops (the shared folder must be there);
    "font": the stretched bold sans font."""
    rear = rng.random() < 0.5
    canvas = _blank(GB_PLATE_W, GB_PLATE_H, jitter(rng, _GB_YELLOW if rear else _GB_WHITE))
    band = rng.choice(["none", "uk", "gb", "ev"], p=[0.45, 0.3, 0.1, 0.15])
    left = GB_MARGIN
    if band in ("uk", "gb"):
        _eu_band(canvas, rng, "UK" if band == "uk" else "GB", 46, jitter(rng, _EU_BLUE, 20))
        left = 46 + 6
    elif band == "ev":
        canvas[:, :40] = jitter(rng, _EV_GREEN, 20)
        left = 40 + 6
    label_len = sum(len(g) for g in text.groups)
    text_w = (
        label_len * GB_CHAR_W
        + (label_len - len(text.groups)) * GB_SPACING
        + GB_GROUP_GAP * (len(text.groups) - 1)
    )
    right = GB_PLATE_W - GB_MARGIN
    if text_w + left + GB_MARGIN < GB_PLATE_W * 0.75 and rng.random() < 0.4:
        # Short cherished marks are often on a shorter plate.
        right = left + text_w + GB_MARGIN
        canvas = canvas[:, : right + GB_MARGIN].copy()
    y = (GB_PLATE_H - GB_CHAR_H) // 2 + int(rng.integers(-2, 3))
    stroke = int(rng.integers(-2, 3))
    placed: list[PlacedGlyph] = []
    gaps, box = _draw_groups(
        canvas,
        rng,
        text.groups,
        x_range=(left, right),
        y=y,
        char_h=GB_CHAR_H,
        char_w=GB_CHAR_W,
        spacing=GB_SPACING,
        group_gap=GB_GROUP_GAP,
        colour=jitter(rng, _BLACK, 10),
        stroke_px=stroke,
        real_glyphs=uk_glyphs == "real",
        placed=placed,
    )
    if rng.random() < 0.35:
        # Supplier line under the characters, as BS AU 145e requires; a reader must ignore it.
        m = text_mask(small_text_fonts()[0], "BS AU 145e  PLATES LTD", 7)
        paint(canvas, m, canvas.shape[1] // 2 - 60, GB_PLATE_H - 9, 120, 7, (60, 60, 60))
    if rng.random() < 0.3:
        cv2.rectangle(canvas, (2, 2), (canvas.shape[1] - 3, GB_PLATE_H - 3), _BLACK, 2)
    return RenderedPlate(canvas, box, tuple(gaps), tuple(placed))


# Where each European layout prints an emblem between its first two groups, and how often.
_SHIELD_LAYOUTS = {"eu_sk": 0.5, "eu_hr": 0.95, "eu_srb": 0.95}
_STICKER_LAYOUTS = {"eu_cz": 0.6, "eu_de": 0.7, "eu_sk": 0.7}
_RIGHT_BAND_LAYOUTS = {"eu_fr": 0.9, "eu_it": 0.7}


def render_eu(text: PlateText, rng: np.random.Generator) -> RenderedPlate:
    bg = (10, 200, 250) if text.layout == "eu_nl" else (240, 242, 242)
    plate_h = int(rng.integers(104, 118))
    canvas = _blank(520, plate_h, jitter(rng, bg))
    band_w = int(rng.integers(34, 48))
    _eu_band(canvas, rng, text.country, band_w, jitter(rng, _EU_BLUE, 20))
    right = 514
    if rng.random() < _RIGHT_BAND_LAYOUTS.get(text.layout, 0.0):
        right = 520 - band_w
        side_band_logo(canvas, rng, right, 520)
        right -= 6
    emblem = ""
    if "-" in text.groups[1:2]:
        pass  # a printed hyphen holds the emblem's place
    elif rng.random() < _SHIELD_LAYOUTS.get(text.layout, 0.0):
        emblem = "shield"
    elif rng.random() < _STICKER_LAYOUTS.get(text.layout, 0.0):
        emblem = "stickers"
    char_h = int(plate_h * rng.uniform(0.62, 0.72))
    char_w = char_h * float(rng.uniform(0.5, 0.62) if text.layout != "eu_de" else rng.uniform(0.45, 0.55))
    border = int(rng.integers(0, 4))
    if border:
        cv2.rectangle(canvas, (1, 1), (canvas.shape[1] - 2, plate_h - 2), _BLACK, border)
    n_gaps = len(text.groups) - 1
    gap_px = [int(rng.integers(18, 34)) for _ in range(n_gaps)]
    if emblem and n_gaps:
        gap_px[0] = int(char_w * rng.uniform(1.0, 1.5))
    y = (plate_h - char_h) // 2 + int(rng.integers(-3, 4))
    gaps, box = _draw_groups(
        canvas,
        rng,
        text.groups,
        x_range=(band_w + 6, right),
        y=y,
        char_h=char_h,
        char_w=char_w,
        spacing=int(rng.integers(3, 9)),
        group_gap=gap_px,
        colour=jitter(rng, _BLACK, 10),
        stroke_px=int(rng.integers(-1, 2)),
        width_gamma=float(rng.uniform(0.2, 0.8)),
    )
    if emblem and gaps:
        room = max(6, int(gap_px[0] * 0.8))
        if emblem == "shield":
            coat_of_arms(canvas, rng, gaps[0], y, y + char_h, room)
        else:
            sticker_pair(canvas, rng, gaps[0], y, y + char_h, room)
    return RenderedPlate(canvas, box, tuple(gaps))


_US_STATES = (
    "CALIFORNIA",
    "TEXAS",
    "NEW YORK",
    "FLORIDA",
    "OHIO",
    "ILLINOIS",
    "ARIZONA",
    "GEORGIA",
    "NEW JERSEY",
    "PENNSYLVANIA",
    "CONNECTICUT",
    "MASSACHUSETTS",
    "VIRGINIA",
    "MARYLAND",
    "MICHIGAN",
    "NY",
    "N.Y.C. T&LC",
)
_US_SLOGANS = (
    "EMPIRE STATE",
    "Garden State",
    "Sunshine State",
    "visitPA.com",
    "THE LONE STAR STATE",
    "Constitution State",
    "Excelsior",
    "Great Lakes",
    "dmv.ca.gov",
    "THE SPIRIT OF AMERICA",
    "Live Free or Die",
    "Grand Canyon State",
    "LAND OF LINCOLN",
    "Virginia is for Lovers",
    "YELLOW CAB",
    "DEALER",
)


def _text_row(
    canvas: ImageBGR, rng: np.random.Generator, text: str, y: int, height: int, colour: Colour
) -> None:
    """A line of small print (state name, slogan, city strip) centred at y, in a random face."""
    fonts = slogan_fonts() + small_text_fonts() + varied_plate_fonts()
    m = text_mask(fonts[int(rng.integers(len(fonts)))], text, height)
    width = canvas.shape[1]
    tw = min(int(width * 0.9), int(m.shape[1] * height / m.shape[0] * rng.uniform(0.8, 1.2)))
    paint(canvas, m, (width - tw) // 2 + int(rng.integers(-6, 7)), y, tw, height, colour)


def render_us(text: PlateText, rng: np.random.Generator) -> RenderedPlate:
    """US state plate (6 x 12 in): state name above and slogan below the characters, each state
    in its own typeface and colours; a reader must read neither row."""
    light_bg = rng.random() < 0.85
    bg = jitter(rng, (240, 240, 240) if light_bg else (40, 40, 40), 25)
    canvas = _blank(305, 152, bg)
    grad = np.linspace(0, float(rng.uniform(0, 70)), 152, dtype=np.float32)[:, None, None]
    tint = np.asarray([[0.2, 0.5, 1.0], [1.0, 0.5, 0.2], [0.6, 0.2, 0.6]][int(rng.integers(3))], np.float32)
    canvas = np.clip(canvas.astype(np.float32) - grad * tint, 0, 255).astype(np.uint8)
    if light_bg:
        ink = jitter(rng, [(90, 30, 20), (40, 20, 120), (25, 25, 25), (20, 90, 20)][int(rng.integers(4))], 15)
    else:
        ink = jitter(rng, (235, 235, 235), 15)
    row_colours: list[Colour] = [(40, 40, 180), (120, 40, 20), (30, 30, 30), (20, 120, 200)]
    row_ink = jitter(rng, row_colours[int(rng.integers(4))], 40)
    state = _US_STATES[int(rng.integers(len(_US_STATES)))]
    top_h = int(rng.integers(16, 30))
    _text_row(canvas, rng, state, int(rng.integers(4, 12)), top_h, row_ink)
    if rng.random() < 0.8:
        slogan = _US_SLOGANS[int(rng.integers(len(_US_SLOGANS)))]
        bottom_h = int(rng.integers(12, 22))
        _text_row(canvas, rng, slogan, 152 - bottom_h - int(rng.integers(3, 10)), bottom_h, row_ink)
    char_h = int(rng.integers(60, 76))
    fonts = varied_plate_fonts()
    placed: list[PlacedGlyph] = []
    _, box = _draw_groups(
        canvas,
        rng,
        text.groups,
        x_range=(12, 293),
        y=76 - char_h // 2 + int(rng.integers(-3, 4)),
        char_h=char_h,
        char_w=char_h * float(rng.uniform(0.38, 0.52)),
        spacing=int(rng.integers(2, 7)),
        group_gap=int(rng.integers(8, 26)),
        colour=ink,
        stroke_px=int(rng.integers(-1, 3)),
        placed=placed,
        font=fonts[int(rng.integers(len(fonts)))],
    )
    if rng.random() < 0.5:
        cv2.rectangle(canvas, (1, 1), (303, 150), ink, int(rng.integers(1, 4)))
    return RenderedPlate(canvas, box, glyphs=tuple(placed))


_BR_CITIES = (
    "SP - SAO PAULO",
    "SP - CAMPINAS",
    "RJ - RIO DE JANEIRO",
    "MG - BELO HORIZONTE",
    "PR - CURITIBA",
    "RS - PORTO ALEGRE",
    "BA - SALVADOR",
    "SC - JOINVILLE",
    "GO - GOIANIA",
    "PE - RECIFE",
)


def render_br_old(text: PlateText, rng: np.random.Generator) -> RenderedPlate:
    """Brazil before Mercosul: grey plate, black LLL-DDDD under a strip with state and city."""
    canvas = _blank(400, 130, jitter(rng, (195, 198, 200), 20))
    _text_row(canvas, rng, _BR_CITIES[int(rng.integers(len(_BR_CITIES)))], 6, 20, jitter(rng, _BLACK, 10))
    cv2.rectangle(canvas, (1, 1), (398, 128), _BLACK, int(rng.integers(1, 4)))
    char_h = int(rng.integers(76, 88))
    placed: list[PlacedGlyph] = []
    _, box = _draw_groups(
        canvas,
        rng,
        text.groups,
        x_range=(12, 388),
        y=34 + int(rng.integers(-2, 3)),
        char_h=char_h,
        char_w=char_h * float(rng.uniform(0.5, 0.6)),
        spacing=int(rng.integers(3, 8)),
        group_gap=6,
        colour=jitter(rng, _BLACK, 10),
        stroke_px=int(rng.integers(-1, 2)),
        placed=placed,
    )
    return RenderedPlate(canvas, box, glyphs=tuple(placed))


def render_ar_old(text: PlateText, rng: np.random.Generator) -> RenderedPlate:
    """Argentina 1995-2016: white LLL DDD on black, "REPUBLICA ARGENTINA" in small print above."""
    canvas = _blank(294, 129, jitter(rng, (30, 30, 30), 15))
    white = jitter(rng, (235, 235, 235), 15)
    _text_row(canvas, rng, "REPUBLICA ARGENTINA", 6, 14, white)
    cv2.rectangle(canvas, (3, 3), (290, 125), white, int(rng.integers(1, 3)))
    char_h = int(rng.integers(70, 82))
    placed: list[PlacedGlyph] = []
    _, box = _draw_groups(
        canvas,
        rng,
        text.groups,
        x_range=(10, 284),
        y=28 + int(rng.integers(-2, 3)),
        char_h=char_h,
        char_w=char_h * float(rng.uniform(0.5, 0.6)),
        spacing=int(rng.integers(3, 8)),
        group_gap=int(rng.integers(14, 26)),
        colour=white,
        stroke_px=int(rng.integers(-1, 2)),
        placed=placed,
    )
    return RenderedPlate(canvas, box, glyphs=tuple(placed))


def render_ar_mercosur(text: PlateText, rng: np.random.Generator) -> RenderedPlate:
    """Argentina since 2016: black LL DDD LL on white under a blue strip."""
    canvas = _blank(400, 130, jitter(rng, (245, 245, 245)))
    canvas[:26] = jitter(rng, (160, 60, 0), 20)
    _text_row(canvas, rng, "REPUBLICA ARGENTINA", 5, 16, (245, 245, 245))
    cv2.rectangle(canvas, (1, 1), (398, 128), _BLACK, 2)
    char_h = int(rng.integers(76, 88))
    placed: list[PlacedGlyph] = []
    _, box = _draw_groups(
        canvas,
        rng,
        text.groups,
        x_range=(14, 386),
        y=34,
        char_h=char_h,
        char_w=char_h * float(rng.uniform(0.52, 0.62)),
        spacing=int(rng.integers(4, 9)),
        group_gap=int(rng.integers(10, 22)),
        colour=jitter(rng, _BLACK, 10),
        stroke_px=int(rng.integers(-1, 2)),
        placed=placed,
    )
    return RenderedPlate(canvas, box, glyphs=tuple(placed))


def render_id(text: PlateText, rng: np.random.Generator) -> RenderedPlate:
    """Indonesia: white characters on black (sometimes the newer black on white), the expiry
    month.year in a small row below."""
    dark = rng.random() < 0.8
    bg, ink = ((25, 25, 25), (235, 235, 235)) if dark else ((240, 240, 240), (25, 25, 25))
    canvas = _blank(395, 135, jitter(rng, bg, 15))
    ink = jitter(rng, ink, 15)
    cv2.rectangle(canvas, (3, 3), (391, 131), ink, int(rng.integers(1, 4)))
    char_h = int(rng.integers(66, 80))
    placed: list[PlacedGlyph] = []
    _, box = _draw_groups(
        canvas,
        rng,
        text.groups,
        x_range=(12, 383),
        y=14 + int(rng.integers(-2, 4)),
        char_h=char_h,
        char_w=char_h * float(rng.uniform(0.5, 0.62)),
        spacing=int(rng.integers(3, 8)),
        group_gap=int(rng.integers(18, 34)),
        colour=ink,
        stroke_px=int(rng.integers(-1, 2)),
        placed=placed,
    )
    date = f"{int(rng.integers(1, 13)):02d}.{int(rng.integers(18, 31)):02d}"
    _text_row(canvas, rng, date, box[3] + 8, int(rng.integers(20, 30)), ink)
    return RenderedPlate(canvas, box, glyphs=tuple(placed))


def render_br(text: PlateText, rng: np.random.Generator) -> RenderedPlate:
    canvas = _blank(400, 130, jitter(rng, (245, 245, 245)))
    canvas[:26] = jitter(rng, (160, 60, 0), 20)
    m = text_mask(plate_fonts()[0], "BRASIL", 16)
    bw = int(m.shape[1] * 16 / m.shape[0])
    paint(canvas, m, (400 - bw) // 2, 5, bw, 16, (245, 245, 245))
    cv2.rectangle(canvas, (1, 1), (398, 128), _BLACK, 2)
    char_h = int(rng.integers(80, 88))
    placed: list[PlacedGlyph] = []
    _, box = _draw_groups(
        canvas,
        rng,
        text.groups,
        x_range=(14, 386),
        y=34,
        char_h=char_h,
        char_w=char_h * float(rng.uniform(0.55, 0.62)),
        spacing=int(rng.integers(4, 9)),
        group_gap=20,
        colour=jitter(rng, _BLACK, 10),
        stroke_px=int(rng.integers(-1, 2)),
        placed=placed,
    )
    return RenderedPlate(canvas, box, glyphs=tuple(placed))


def render_clean(text: PlateText, rng: np.random.Generator, uk_glyphs: UkGlyphs = "real") -> RenderedPlate:
    if text.layout.startswith("gb_"):
        return render_gb(text, rng, uk_glyphs)
    if text.layout.startswith("eu_"):
        return render_eu(text, rng)
    if text.layout == "us":
        return render_us(text, rng)
    if text.layout == "br_mercosul":
        return render_br(text, rng)
    if text.layout == "br_old":
        return render_br_old(text, rng)
    if text.layout == "ar_old":
        return render_ar_old(text, rng)
    if text.layout == "ar_mercosur":
        return render_ar_mercosur(text, rng)
    if text.layout == "id_plate":
        return render_id(text, rng)
    raise ValueError(f"no renderer for plate layout {text.layout!r}")
