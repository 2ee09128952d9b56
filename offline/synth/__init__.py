"""Synthetic number plates for training and testing the plate recogniser.

`generate_plate(seed, index)` is a pure function of its arguments: the same (seed, index) gives
the same image and text on any machine with the same fonts, whatever order samples are drawn in.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from offline.synth.degrade import degrade
from offline.synth.formats import ALL_GENERATORS, CHARSET, FAMILY_WEIGHTS, PlateText
from offline.synth.render import UkGlyphs, render_clean
from offline.synth.render_base import ImageBGR
from offline.synth.street import StreetDegradation, street_degrade

__all__ = [
    "CHARSET",
    "PlateText",
    "StreetDegradation",
    "SyntheticPlate",
    "generate_plate",
    "iter_plates",
    "LAYOUTS",
]

LAYOUTS: tuple[str, ...] = tuple(ALL_GENERATORS)


@dataclass(frozen=True, slots=True)
class SyntheticPlate:
    image: ImageBGR  # H x W x 3 uint8, BGR like every frame in the pipeline
    text: PlateText

    @property
    def label(self) -> str:
        return self.text.label


def _rng(seed: int, index: int) -> np.random.Generator:
    return np.random.default_rng([seed, index])


def generate_plate(
    seed: int,
    index: int,
    *,
    layouts: Sequence[str] | None = None,
    clean: bool = False,
    uk_glyphs: UkGlyphs = "real",
    street: StreetDegradation | None = None,
) -> SyntheticPlate:
    """One synthetic plate; `layouts` restricts the draw, `clean` skips degradation. UK plates are
    drawn with real glyph crops (`uk_glyphs="real"`, needs shared/data/uk_glyphs) or the stretched
    font ("font"). `street` replaces the default degradation with street-camera strength
    (`offline.synth.street`)."""
    rng = _rng(seed, index)
    names = list(layouts) if layouts else list(FAMILY_WEIGHTS)
    unknown = [n for n in names if n not in ALL_GENERATORS]
    if unknown:
        raise ValueError(f"unknown plate layout(s) {unknown}; known: {', '.join(ALL_GENERATORS)}")
    weights = np.asarray([FAMILY_WEIGHTS[n] for n in names], dtype=np.float64)
    name = names[int(rng.choice(len(names), p=weights / weights.sum()))]
    text = ALL_GENERATORS[name](rng)
    rendered = render_clean(text, rng, uk_glyphs)
    if clean:
        image = rendered.image
    elif street is not None:
        image = street_degrade(rendered, rng, street)
    else:
        image = degrade(rendered, rng)
    return SyntheticPlate(image=image, text=text)


def iter_plates(
    seed: int, count: int, *, start: int = 0, layouts: Sequence[str] | None = None
) -> Iterator[SyntheticPlate]:
    for i in range(start, start + count):
        yield generate_plate(seed, i, layouts=layouts)
