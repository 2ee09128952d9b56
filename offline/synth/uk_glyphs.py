"""Real UK plate glyph shapes: binarised character crops cut from real UK plates (Charles Wright 2001).

The crops live in `shared/data/uk_glyphs/chars` (openalpr/train-ocr, AGPL-3.0; see its
PROVENANCE.md) and are read at synthesis time, never committed. Names are `<char>-<n>-CROPPED_...`;
the set has no I and no Q (neither appears on current UK registrations' real crops), so those two
characters fall back to the stretched font glyph in the renderer.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from offline.synth.fonts import Mask

_REPO = Path(__file__).resolve().parents[2]
# Binarised crops: black glyph (< this grey level) on white.
_INK_BELOW = 128


class GlyphsMissingError(FileNotFoundError):
    """The shared glyph folder is absent or holds no crops; names the folder looked in."""


def glyph_folder() -> Path:
    """Where the crops are: `$PLATEWATCH_UK_GLYPHS`, else `<shared>/data/uk_glyphs/chars` with
    `<shared>` = `$PLATEWATCH_SHARED_DIR` or the `shared/` folder beside the repository."""
    explicit = os.environ.get("PLATEWATCH_UK_GLYPHS")
    if explicit:
        return Path(explicit)
    shared = Path(os.environ.get("PLATEWATCH_SHARED_DIR", _REPO.parent / "shared"))
    return shared / "data" / "uk_glyphs" / "chars"


@lru_cache(maxsize=4)
def _index(folder: Path) -> dict[str, tuple[Path, ...]]:
    if not folder.is_dir():
        raise GlyphsMissingError(
            f"real UK glyph crops not found: {folder} is not a folder (expected shared/data/uk_glyphs/chars; "
            "set PLATEWATCH_SHARED_DIR or PLATEWATCH_UK_GLYPHS, or render UK plates with uk_glyphs='font')"
        )
    by_char: dict[str, list[Path]] = {}
    for path in sorted(folder.glob("*.jpg")):
        char = path.name.split("-", 1)[0].upper()
        if len(char) == 1 and char.isalnum():
            by_char.setdefault(char, []).append(path)
    if not by_char:
        raise GlyphsMissingError(f"real UK glyph crops not found: no <char>-*.jpg files in {folder}")
    return {c: tuple(p) for c, p in by_char.items()}


def glyph_index() -> dict[str, tuple[Path, ...]]:
    """Crop files per character; raises `GlyphsMissingError` naming the folder when absent."""
    return _index(glyph_folder())


def has_real_glyph(char: str) -> bool:
    return char in glyph_index()


@lru_cache(maxsize=8192)
def crop_mask(path: Path) -> Mask:
    """Ink mask (1 = ink) of one crop, cut to its ink box."""
    grey = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if grey is None:
        raise GlyphsMissingError(f"unreadable glyph crop {path}")
    ink = (grey < _INK_BELOW).astype(np.float32)
    ys, xs = np.nonzero(ink)
    if ys.size == 0:
        raise ValueError(f"glyph crop {path} holds no ink")
    out: Mask = ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1].copy()
    return out


def pick_glyph(char: str, rng: np.random.Generator) -> tuple[Mask, Path]:
    """A random real crop of `char` (its mask and file); KeyError when the set lacks `char`."""
    paths = glyph_index()[char]
    path = paths[int(rng.integers(len(paths)))]
    return crop_mask(path), path
