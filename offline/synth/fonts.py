"""Fonts for synthetic plates, found on disk, and cached glyph masks.

The mandatory UK typeface (Charles Wright 2001) is not freely licensed. We draw a bold sans
glyph and stretch it into the Charles Wright character box (79 mm high, 50 mm wide), which gives
the proportions and stroke weight a reader sees on a real plate. Debian font packages are used
when present; matplotlib's bundled DejaVu fonts are the fallback that always exists in the venv.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

Mask = npt.NDArray[np.float32]  # 0..1 ink coverage

_SYSTEM_DIRS = (Path("/usr/share/fonts/truetype"), Path("/usr/share/fonts/opentype"))
# File names of bold sans fonts close to plate typefaces, best first.
_PLATE_FONT_NAMES = (
    "DejaVuSansCondensed-Bold.ttf",
    "DejaVuSans-Bold.ttf",
    "LiberationSansNarrow-Bold.ttf",
    "LiberationSans-Bold.ttf",
    "FreeSansBold.ttf",
    "DejaVuSansMono-Bold.ttf",
)
_SMALL_TEXT_FONT_NAMES = (
    "DejaVuSans.ttf",
    "DejaVuSerif-Bold.ttf",
    "LiberationSerif-Bold.ttf",
    "FreeSerifBold.ttf",
)

# US plates are printed in many state typefaces (embossed Gothic, serif slogans, condensed and
# monospaced digits): every different-looking face available locally, for variety.
_VARIED_FONT_NAMES = (
    "DejaVuSans-Bold.ttf",
    "DejaVuSansCondensed-Bold.ttf",
    "DejaVuSansMono-Bold.ttf",
    "DejaVuSansCondensed.ttf",
    "DejaVuSansMono.ttf",
    "DejaVuSerif-Bold.ttf",
    "DejaVuSerifCondensed-Bold.ttf",
    "LiberationSansNarrow-Bold.ttf",
    "LiberationMono-Bold.ttf",
    "FreeSansBold.ttf",
    "FreeMonoBold.ttf",
)
_SCRIPT_FONT_NAMES = (
    "DejaVuSerif-Italic.ttf",
    "DejaVuSerif-BoldItalic.ttf",
    "DejaVuSans-Oblique.ttf",
    "DejaVuSerifCondensed-Italic.ttf",
    "DejaVuSans.ttf",
)


class FontNotFoundError(FileNotFoundError):
    pass


def _matplotlib_font_dir() -> Path | None:
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"


def _find(names: tuple[str, ...]) -> list[Path]:
    dirs = [d for d in _SYSTEM_DIRS if d.is_dir()]
    mpl = _matplotlib_font_dir()
    found: dict[str, Path] = {}
    for name in names:
        for d in dirs:
            hit = next(iter(sorted(d.rglob(name))), None)
            if hit is not None:
                found.setdefault(name, hit)
                break
        if name not in found and mpl is not None and (mpl / name).is_file():
            found[name] = mpl / name
    return [found[n] for n in names if n in found]


@lru_cache(maxsize=1)
def plate_fonts() -> tuple[Path, ...]:
    """Bold sans fonts available here, best first; always at least matplotlib's DejaVu Sans Bold."""
    fonts = _find(_PLATE_FONT_NAMES)
    if not fonts:
        raise FontNotFoundError(
            "no bold sans font found for synthetic plates: looked for "
            f"{', '.join(_PLATE_FONT_NAMES)} under {', '.join(map(str, _SYSTEM_DIRS))} and matplotlib's fonts"
        )
    return tuple(fonts)


@lru_cache(maxsize=1)
def small_text_fonts() -> tuple[Path, ...]:
    return tuple(_find(_SMALL_TEXT_FONT_NAMES)) or plate_fonts()


@lru_cache(maxsize=1)
def varied_plate_fonts() -> tuple[Path, ...]:
    """Differently shaped faces for US-style plates; at least the plate fonts."""
    return tuple(_find(_VARIED_FONT_NAMES)) or plate_fonts()


@lru_cache(maxsize=1)
def slogan_fonts() -> tuple[Path, ...]:
    """Italic and light faces for state names and slogans."""
    return tuple(_find(_SCRIPT_FONT_NAMES)) or small_text_fonts()


@lru_cache(maxsize=4096)
def glyph_mask(font: Path, char: str) -> Mask:
    """Ink mask of one character cropped to its ink box, rendered large once and cached."""
    size = 160
    pil_font = ImageFont.truetype(str(font), size)
    canvas = Image.new("L", (size * 2, size * 2), 0)
    ImageDraw.Draw(canvas).text((size // 2, size // 4), char, fill=255, font=pil_font)
    arr = np.asarray(canvas, dtype=np.float32) / 255.0
    ys, xs = np.nonzero(arr > 0.1)
    if ys.size == 0:
        raise ValueError(f"font {font.name} has no glyph for {char!r}")
    out: Mask = arr[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1].copy()
    return out


def text_mask(font: Path, text: str, height_px: int) -> Mask:
    """A short string (state name, dealer line) as one mask of the given height."""
    pil_font = ImageFont.truetype(str(font), max(8, height_px))
    left, top, right, bottom = (int(v) for v in pil_font.getbbox(text))
    canvas = Image.new("L", (max(1, right - left + 4), max(1, bottom - top + 4)), 0)
    ImageDraw.Draw(canvas).text((2 - left, 2 - top), text, fill=255, font=pil_font)
    out: Mask = np.asarray(canvas, dtype=np.float32) / 255.0
    return out
