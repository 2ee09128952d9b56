"""Plate text readers: plate crop in, candidate strings out.

Every reader satisfies `PlateTextReader`, so a plate-trained recogniser or another OCR engine can be
plugged in without touching plate localisation or candidate choice (`detect.reading.recogniser`).

Two things make stock OCR read plates badly, and both are handled here rather than per reader:
- the crop holds more than the registration: the plate border, the blue EU/GB side band with its
  country letters, dealer text, a coat of arms between letter groups. `TextBoxFinder` (EasyOCR's
  CRAFT text detector) finds the character runs, and runs much shorter than the tallest are dropped;
- a plate is one short line of large glyphs, so recognisers are fed single text lines at the height
  they were trained on, never the whole car.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

import cv2
import numpy as np

from detect.reading.grammar import PLATE_ALPHABET
from detect.reading.rapidocr_network import LineNetwork, LineRuntime
from ingest.frames import Image

_NOT_PLATE_CHAR = re.compile(r"[^A-Z0-9]")

# Text boxes shorter than this fraction of the tallest box on the plate are not registration
# characters (country code under the EU stars, dealer strip, screw heads).
_MIN_RELATIVE_TEXT_HEIGHT = 0.55
# CRAFT works on character-scale features: small plates are enlarged to about this height first.
_DETECT_HEIGHT_PX = 96
# CRAFT merges neighbouring character boxes closer than this fraction of their height into one
# text box (0.1 and 0.3 measured the same on openalpr_eu).
_CRAFT_WIDTH_THS = 0.3
TextDetectorBackend = Literal["torch", "openvino"]


@dataclass(frozen=True, slots=True)
class TextCandidate:
    """One string a reader proposes for one plate crop."""

    text: str  # A-Z0-9 only
    confidence: float  # 0..1, the weakest character's probability where the reader reports them
    reader: str  # reader name, e.g. "easyocr" or "rapidocr"
    variant: str = ""  # which preprocessing/decoding produced it, for audit and tuning
    # Where the read's characters lie across the patch, as fractions of its width (first
    # character's left edge, last one's right edge), when the reader reports character positions.
    span: tuple[float, float] | None = None


@dataclass(frozen=True, slots=True)
class LineRead:
    """One text line recognised: its characters, the weakest one's probability, and where the
    characters lie in the line (pixels from its left edge) when the recogniser knows."""

    text: str
    confidence: float
    span: tuple[float, float] | None = None


@dataclass(frozen=True, slots=True)
class PlateGeometry:
    """What the text boxes say about the plate's registration line: its horizontal extent and
    character height in patch pixels. A read whose character count or span does not fit it leaves
    part of the plate unexplained (`detect.reading.choice`)."""

    width: int
    height: int
    x1: int
    x2: int
    char_height: float
    # Column where a blue side band (EU stars, national letters) ends; 0 when the patch has none.
    band_end: int = 0
    # The registration's characters are lighter than the plate behind them (`light_characters`):
    # white on black, which no European or British plate of today is, and Indonesia's and older
    # Argentina's plates are.
    light_text: bool = False

    @property
    def extent(self) -> int:
        return max(1, self.x2 - self.x1)


def plate_geometry(
    patch_shape: tuple[int, ...], boxes: Sequence[TextBox], band_end: int = 0, patch: Image | None = None
) -> PlateGeometry | None:
    """The line holding the tallest text box (the registration's characters), or None;
    `band_end` from `blue_band_end` of the patch; `patch` (BGR), when given, for `light_text`."""
    if not boxes:
        return None
    # The band's letters are not the registration's: boxes inside the band do not count.
    outside = [b for b in boxes if b.x2 > band_end + (b.x2 - b.x1) // 2] or list(boxes)
    lines = group_lines(outside)
    main = max(lines, key=lambda line: max(b.text_height for b in line))
    return PlateGeometry(
        width=int(patch_shape[1]),
        height=int(patch_shape[0]),
        x1=max(band_end, min(b.x1 for b in main)),
        x2=max(b.x2 for b in main),
        char_height=float(np.median([b.text_height for b in main])),
        band_end=band_end,
        light_text=patch is not None and light_characters(patch, main),
    )


# Inside a row's text boxes the characters' strokes are the smaller part of the pixels. Below this
# share of pixels on the bright side of a box's Otsu split, the bright side is the characters.
# Measured on every 3rd-13th real crop: 206 of 263 Indonesian (white on black, most of them; the
# boldest glyphs sit at 0.39-0.40), 8 of 145 Argentinian (old white-on-black plates), 2 of 249 US;
# on openalpr_eu degraded as in bench/street.py, 19 of 479 day cells (14 of them one plate) and 33 of
# 99 night cells (a loose box holding the dark car body around a dark-on-grey plate). A false call
# costs little: the evidence only keeps as read what a layout from outside Europe explains.
_LIGHT_TEXT_SHARE = 0.42
_MIN_BOX_PIXELS = 20


def light_characters(patch: Image, line: Sequence[TextBox]) -> bool:
    """True when the characters of `line` (one row of text boxes) are lighter than the plate
    around them, judged inside the boxes, where the strokes are the minority of pixels."""
    gray = cv2.cvtColor(patch, cv2.COLOR_BGR2GRAY) if patch.ndim == 3 else patch
    bright = total = 0
    for box in line:
        cell = np.ascontiguousarray(gray[max(0, box.y1) : box.y2, max(0, box.x1) : box.x2])
        if cell.size < _MIN_BOX_PIXELS:
            continue
        _, mask = cv2.threshold(cell, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        bright += int(np.count_nonzero(mask))
        total += cell.size
    return total > 0 and bright < _LIGHT_TEXT_SHARE * total


@runtime_checkable
class PlateTextReader(Protocol):
    name: str

    def read(self, crop: Image) -> list[TextCandidate]:
        """Candidate strings for a plate crop (BGR); empty when nothing legible."""
        ...


Quad = tuple[tuple[float, float], tuple[float, float], tuple[float, float], tuple[float, float]]


@dataclass(frozen=True, slots=True)
class TextBox:
    """A run of characters inside a plate crop: its axis-aligned bounds in crop pixels, and its
    quadrilateral when CRAFT found it slanted."""

    x1: int
    y1: int
    x2: int
    y2: int
    # A slanted run's CRAFT quadrilateral in crop pixels, clockwise from its top left; None for an
    # upright box. A tilted plate's runs have bounds far taller than their characters (1.2-1.3x at
    # the 10-20 degrees of the tilted Indonesian crops), so their heights and rows are taken from
    # the quadrilateral (`text_height`, `rows_at`).
    quad: Quad | None = None

    @property
    def height(self) -> int:
        return self.y2 - self.y1

    @property
    def text_height(self) -> float:
        """The characters' height: a quadrilateral's mean left and right edge, else the box's."""
        if self.quad is None:
            return float(self.height)
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = self.quad
        return (math.hypot(x3 - x0, y3 - y0) + math.hypot(x2 - x1, y2 - y1)) / 2

    def rows_at(self, x: float) -> tuple[float, float]:
        """The run's top and bottom at column `x` (clamped to the run): a slanted run's edges there."""
        if self.quad is None:
            return float(self.y1), float(self.y2)
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = self.quad

        def along(ax: float, ay: float, bx: float, by: float) -> float:
            if bx - ax < 1e-6:
                return (ay + by) / 2
            t = min(1.0, max(0.0, (x - ax) / (bx - ax)))
            return ay + t * (by - ay)

        return along(x0, y0, x1, y1), along(x3, y3, x2, y2)


def plate_chars(text: str) -> str:
    """Keep only registration characters. Lower-case output is dropped, not upper-cased: plate fonts
    have no lower case, so a recogniser that emits one is describing an emblem or a separator."""
    return _NOT_PLATE_CHAR.sub("", text)


# A side band is the plate's edge: blue from top to bottom of the plate. A blue shape with white
# plate left of it (beyond a rim), above it and below it is a character: New York's blue-on-white
# NYPD and TLC plates lost their first digit to such a "band" (docs/benchmarks.md, "Blue
# characters are not a band").
_WHITE = 0.5  # share of a region that is white plate for it to count as plate background
_RIM = 0.05  # a plate's own rim left of its band is narrower than this share of the width


def _white(hsv: np.ndarray) -> bool:
    # Unsaturated and not dark: white plate, or grey in poor light.
    return hsv.size > 0 and bool(((hsv[..., 1] < 60) & (hsv[..., 2] > 100)).mean() > _WHITE)


def _enclosed_by_plate(hsv: np.ndarray, blue: np.ndarray, x1: int, x2: int) -> bool:
    """Whether the blue in columns x1..x2 has white plate left of it, above it and below it."""
    h, w = blue.shape
    if x1 <= _RIM * w or not _white(hsv[:, :x1]):
        return False
    rows = np.flatnonzero(blue[:, x1:x2].mean(axis=1) > 0.5)
    if rows.size == 0:
        return False
    top, bottom = int(rows[0]), int(rows[-1]) + 1
    margin = max(1, int(round(0.1 * h)))
    above = hsv[max(0, top - margin) : top, x1:x2]
    below = hsv[bottom : bottom + margin, x1:x2]
    return _white(above) and _white(below)


def blue_band_end(crop: Image) -> int:
    """Column where a blue EU/GB/UK side band on the left of the plate ends (0 when there is none)."""
    if crop.shape[1] < 8:
        return 0
    hsv = cv2.cvtColor(crop, cv2.COLOR_BGR2HSV)
    blue = (hsv[..., 0] > 95) & (hsv[..., 0] < 135) & (hsv[..., 1] > 90) & (hsv[..., 2] > 50)
    banded = np.flatnonzero(blue.mean(axis=0)[: int(crop.shape[1] * 0.25)] > 0.35)
    if banded.size == 0:
        return 0
    end = int(banded[-1]) + 1
    if _enclosed_by_plate(hsv, blue, int(banded[0]), end):
        return 0
    return end


# A national emblem left of the registration (the Slovak shield, a Union flag): red and blue both,
# each over this share of the plate's left fifth. Read whole, the shield came out as a leading M or P.
_EMBLEM_SHARE = 0.01


def emblem_end(crop: Image) -> int:
    """Column where a red-and-blue emblem in the left fifth of the plate ends (0 when there is none)."""
    limit = max(1, int(crop.shape[1] * 0.2))
    hsv = cv2.cvtColor(np.ascontiguousarray(crop[:, :limit]), cv2.COLOR_BGR2HSV)
    hue, sat, val = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    red = ((hue < 8) | (hue > 170)) & (sat > 100) & (val > 60)
    blue = (hue > 95) & (hue < 135) & (sat > 90) & (val > 50)
    if red.mean() < _EMBLEM_SHARE or blue.mean() < _EMBLEM_SHARE:
        return 0
    # The emblem is one cluster of coloured columns; stray blue or red pixels further right are the
    # edges of the first character (JPEG colour bleed), which must stay.
    coloured = np.asarray((red | blue).any(axis=0), dtype=bool)
    end = gap = 0
    for x in range(int(np.flatnonzero(coloured)[0]), limit):
        if coloured[x]:
            end, gap = x + 1, 0
        else:
            gap += 1
            if gap > 1:
                break
    return end


def inner_plate_left(crop: Image) -> tuple[Image, int]:
    """The crop without its blue side band or emblem and a thin outer frame (where borders read as
    I, L, E), and the column of the crop where it starts."""
    h, w = crop.shape[:2]
    dx, dy = int(round(w * 0.02)), int(round(h * 0.08))
    inner = crop[dy : max(dy + 1, h - dy), dx : max(dx + 1, w - dx)]
    band = blue_band_end(inner)
    if band == 0:
        band = emblem_end(inner)
    return np.ascontiguousarray(inner[:, band:]), dx + band


def inner_plate(crop: Image) -> Image:
    """`inner_plate_left` without the offset."""
    return inner_plate_left(crop)[0]


def _same_row(a: TextBox, b: TextBox) -> bool:
    """Either run's centre lies between the other's top and bottom edge at that column."""

    def holds(outer: TextBox, inner: TextBox) -> bool:
        cx, cy = (inner.x1 + inner.x2) / 2, (inner.y1 + inner.y2) / 2
        top, bottom = outer.rows_at(cx)
        return top <= cy <= bottom

    return holds(a, b) or holds(b, a)


def group_lines(boxes: Sequence[TextBox]) -> list[list[TextBox]]:
    """Registration text boxes as lines, top line first, each line left to right (two-line plates)."""
    lines: list[list[TextBox]] = []
    for box in sorted(boxes, key=lambda b: (b.y1 + b.y2) / 2):
        for line in lines:
            # Any box of the line, not only its first (a tilted plate's runs step down left to
            # right), and either way round: a short upright letter beside slanted digits does not
            # hold their centre, but their edges at its column hold its centre.
            if any(_same_row(ref, box) for ref in line):
                line.append(box)
                break
        else:
            lines.append([box])
    return [sorted(line, key=lambda b: b.x1) for line in lines]


class TextBoxFinder:
    """EasyOCR's CRAFT text detector, used only to locate character runs inside a plate crop."""

    def __init__(self, easyocr_reader: object) -> None:
        self._reader = easyocr_reader

    def find(self, crop: Image) -> list[TextBox]:
        h, w = crop.shape[:2]
        if h < 6 or w < 12:
            return []
        scale = max(1.0, _DETECT_HEIGHT_PX / h)
        big = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC) if scale > 1 else crop
        horizontal, free = self._reader.detect(  # type: ignore[attr-defined]
            big,
            min_size=10,
            text_threshold=0.6,
            low_text=0.3,
            add_margin=0.05,
            width_ths=_CRAFT_WIDTH_THS,
        )
        runs = [(b, None) for b in horizontal[0]] + [(_bounds(p), _quad(p, scale)) for p in free[0]]
        boxes = [
            TextBox(
                x1=max(0, int(b[0] / scale)),
                x2=min(w, int(np.ceil(b[1] / scale)) + 1),
                y1=max(0, int(b[2] / scale)),
                y2=min(h, int(np.ceil(b[3] / scale)) + 1),
                quad=quad,
            )
            for b, quad in runs
        ]
        boxes = [b for b in boxes if b.x2 - b.x1 > 2 and b.height > 2]
        if not boxes:
            return []
        tallest = max(b.text_height for b in boxes)
        return [b for b in boxes if b.text_height >= _MIN_RELATIVE_TEXT_HEIGHT * tallest]


def _quad(poly: Sequence[Sequence[float]], scale: float) -> Quad:
    """A CRAFT quadrilateral (clockwise from top left) in crop pixels."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = ((float(p[0]) / scale, float(p[1]) / scale) for p in poly)
    return ((x0, y0), (x1, y1), (x2, y2), (x3, y3))


def _bounds(poly: Sequence[Sequence[float]]) -> tuple[float, float, float, float]:
    """A slanted CRAFT quadrilateral as (x_min, x_max, y_min, y_max), like its horizontal boxes."""
    xs = [float(p[0]) for p in poly]
    ys = [float(p[1]) for p in poly]
    return (min(xs), max(xs), min(ys), max(ys))


def load_easyocr(model_dir: Path, text_detector: TextDetectorBackend = "torch", threads: int = 0) -> object:
    """EasyOCR English reader from local weights only (never downloads), CPU.

    `text_detector="openvino"` runs its CRAFT text detector on OpenVINO (same network and weights,
    about three times faster on a CPU: `detect.reading.text_detector_openvino`); `threads` caps
    OpenVINO's threads for it (0: OpenVINO's default)."""
    import easyocr  # imported here: torch start-up is slow and only readers need it

    on_openvino = text_detector == "openvino"
    reader = easyocr.Reader(
        ["en"],
        gpu=False,
        model_storage_directory=str(model_dir),
        download_enabled=False,
        # On OpenVINO the torch CRAFT module would be built only to be replaced: 2.2 s of every
        # start-up (weights hashed, loaded and quantised) for nothing.
        detector=not on_openvino,
        verbose=False,
    )
    if on_openvino:
        from easyocr.detection import get_detector, get_textbox

        from detect.reading.text_detector_openvino import OpenVINOTextDetector
        from models.resolver import load_manifest

        weights = model_dir / load_manifest()["ocr_detector"].file
        # What `Reader.getDetectorPath("craft")` sets up besides the module itself.
        reader.detect_network = "craft"
        reader.get_textbox, reader.get_detector = get_textbox, get_detector
        reader.detector = OpenVINOTextDetector(weights, threads=threads)
    return reader


def single_line(boxes: Sequence[TextBox]) -> bool:
    """False for a two-line plate: reading it as one line would interleave the two rows."""
    return len(group_lines(boxes)) <= 1


def _box_crop(crop: Image, box: TextBox) -> Image:
    return np.ascontiguousarray(crop[box.y1 : box.y2, box.x1 : box.x2])


def _span_fraction(width: int, left: int, line: LineRead, line_width: int) -> tuple[float, float] | None:
    if line.span is None or width <= 0:
        return None
    return ((left + line.span[0]) / width, min(left + line.span[1], left + line_width) / width)


def _line_candidates(
    crop: Image,
    boxes: Sequence[TextBox],
    recognise: _LineRecogniser,
    reader: str,
) -> list[TextCandidate]:
    """Recognise each text box, join boxes left to right and lines top to bottom.

    A box that reads as a state name or slogan (`detect.reading.plate_words`) is dropped rather
    than glued to the registration. When more than one line remains, the line of the tallest box
    is also proposed alone ("main_line"): US plates print county names and slogans in rows of
    their own, which the choice can then leave out.
    """
    from detect.reading.plate_words import is_plate_word

    width = int(crop.shape[1])
    kept: list[list[tuple[TextBox, LineRead]]] = []
    for line in group_lines(boxes):
        reads = [(box, recognise(_box_crop(crop, box))) for box in line]
        reads = [(b, r) for b, r in reads if r.text and not is_plate_word(r.text)]
        if reads:
            kept.append(reads)
    if not kept:
        return []

    def joined(rows: list[list[tuple[TextBox, LineRead]]], variant: str) -> TextCandidate:
        flat = [pair for row in rows for pair in row]
        span: tuple[float, float] | None = None
        if len(rows) == 1:
            first, last = flat[0], flat[-1]
            start = _span_fraction(width, first[0].x1, first[1], first[0].x2 - first[0].x1)
            end = _span_fraction(width, last[0].x1, last[1], last[0].x2 - last[0].x1)
            if start is not None and end is not None:
                span = (start[0], end[1])
        return TextCandidate(
            "".join(r.text for _, r in flat), float(min(r.confidence for _, r in flat)), reader, variant, span
        )

    out = [joined(kept, "text_boxes")]
    if len(kept) > 1:
        main = max(kept, key=lambda row: max(b.text_height for b, _ in row))
        out.append(joined([main], "main_line"))
    return out


class _LineRecogniser(Protocol):
    def __call__(self, line: Image) -> LineRead: ...


class EasyOCRReader:
    """Stock EasyOCR (english_g2 recogniser) restricted to plate characters.

    Candidates: each CRAFT text box recognised and joined; the whole inner plate (blue band and
    frame removed) recognised as one line, with greedy and beam-search decoding.
    """

    name = "easyocr"

    def __init__(
        self,
        model_dir: Path,
        easyocr_reader: object | None = None,
        text_detector: TextDetectorBackend = "torch",
        threads: int = 0,
    ) -> None:
        self._reader = (
            easyocr_reader if easyocr_reader is not None else load_easyocr(model_dir, text_detector, threads)
        )
        self.text_boxes = TextBoxFinder(self._reader)

    @property
    def engine(self) -> object:
        return self._reader

    def _recognise(self, line: Image, decoder: str = "greedy") -> tuple[str, float]:
        grey = cv2.cvtColor(line, cv2.COLOR_BGR2GRAY)
        scale = 64 / grey.shape[0]
        grey = cv2.resize(grey, (max(8, int(grey.shape[1] * scale)), 64), interpolation=cv2.INTER_CUBIC)
        result = self._reader.recognize(  # type: ignore[attr-defined]
            grey, allowlist=PLATE_ALPHABET, decoder=decoder, detail=1
        )
        if not result:
            return "", 0.0
        _, text, conf = result[0]
        return plate_chars(str(text).upper()), float(conf)

    def _recognise_line(self, line: Image) -> LineRead:
        text, conf = self._recognise(line)
        return LineRead(text, conf)

    def read(self, crop: Image, boxes: Sequence[TextBox] | None = None) -> list[TextCandidate]:
        if crop.shape[0] < 6 or crop.shape[1] < 12:
            return []
        found = self.text_boxes.find(crop) if boxes is None else boxes
        out = _line_candidates(crop, found, self._recognise_line, self.name)
        inner = inner_plate(crop)
        if single_line(found) and inner.shape[0] >= 6 and inner.shape[1] >= 12:
            for decoder in ("greedy", "beamsearch"):
                text, conf = self._recognise(inner, decoder)
                if text:
                    out.append(TextCandidate(text, conf, self.name, f"inner_{decoder}"))
        return out


class RapidOCRReader:
    """The PP-OCRv4 recognition network shipped inside the `rapidocr-onnxruntime` wheel.

    Only the recogniser is used (no downloads, no RapidOCR detector); text boxes come from the
    shared `TextBoxFinder`. Decoding is greedy CTC over the network's full vocabulary, then
    non-plate symbols are dropped, so an emblem read as "·" or "粤" separates groups instead of
    being forced into a letter.
    """

    name = "rapidocr"

    def __init__(
        self, text_boxes: TextBoxFinder | None, threads: int = 0, runtime: LineRuntime = "onnxruntime"
    ) -> None:
        """`runtime`: where the network runs (`detect.reading.rapidocr_network`); both give the
        same probabilities, OpenVINO faster on a CPU."""
        self._network = LineNetwork(runtime, threads)
        self._chars = self._network.characters
        self._plate_char = np.array([bool(re.fullmatch("[A-Z0-9]", c)) for c in self._chars])
        self.text_boxes = text_boxes

    @property
    def runtime(self) -> LineRuntime:
        return self._network.runtime

    def recognise(self, line: Image) -> tuple[str, float]:
        """One text line -> (plate characters, weakest kept character's probability)."""
        read = self.recognise_line(line)
        return read.text, read.confidence

    def recognise_line(self, line: Image) -> LineRead:
        """One text line read, with where its first and last plate characters lie: CTC emits each
        character at a time step, and the steps tile the resized line left to right."""
        h, w = line.shape[:2]
        if h < 2 or w < 2:
            return LineRead("", 0.0)
        width = int(np.ceil(48 * w / h))
        resized = cv2.resize(line, (width, 48), interpolation=cv2.INTER_LINEAR).astype(np.float32)
        padded = max(320, width)
        batch = np.zeros((1, 3, 48, padded), np.float32)
        batch[0, :, :, :width] = (resized.transpose(2, 0, 1) / 255.0 - 0.5) / 0.5
        probs = self._network(batch)
        best = probs.argmax(axis=1)
        step = padded / len(best) * w / width  # line pixels per time step
        text: list[str] = []
        kept: list[float] = []
        steps: list[int] = []
        previous = -1
        for t, (index, p) in enumerate(zip(best.tolist(), probs.max(axis=1).tolist(), strict=True)):
            if index != previous and index != 0 and self._plate_char[index]:
                text.append(self._chars[index])
                kept.append(float(p))
                steps.append(t)
            previous = index
        if not text:
            return LineRead("", 0.0)
        # A character's step marks its middle: pad the first and last by half a character pitch.
        pitch = (steps[-1] - steps[0]) / (len(steps) - 1) if len(steps) > 1 else 2.0
        span = (
            max(0.0, (steps[0] + 0.5 - pitch / 2) * step),
            min(float(w), (steps[-1] + 0.5 + pitch / 2) * step),
        )
        return LineRead("".join(text), min(kept), span)

    def read(self, crop: Image, boxes: Sequence[TextBox] | None = None) -> list[TextCandidate]:
        if crop.shape[0] < 6 or crop.shape[1] < 12:
            return []
        out: list[TextCandidate] = []
        if boxes is None and self.text_boxes is not None:
            boxes = self.text_boxes.find(crop)
        if boxes:
            out += _line_candidates(crop, boxes, self.recognise_line, self.name)
        inner, left = inner_plate_left(crop)
        if single_line(boxes or []) and inner.shape[0] >= 6 and inner.shape[1] >= 12:
            read = self.recognise_line(inner)
            if read.text:
                span = _span_fraction(int(crop.shape[1]), left, read, int(inner.shape[1]))
                out.append(TextCandidate(read.text, read.confidence, self.name, "inner", span))
        return out
