"""National plate formats that region ``any`` knows, and how a read is fitted to them.

Region ``any`` serves cameras that see plates from many countries, so it cannot apply one grammar
the way region ``gb`` does. What it can do is what layout-aware ALPR systems do (OpenALPR's
post-processing templates; Laroca et al., 2021, layout-specific heuristics): where a read is *not*
a plate of any known format as written, but becomes one, and only one, by the repairs that plate
readers are known to need, repair it.

Repairs, each counted as one edit, at most `MAX_EDITS` in all:

- O<->0 and I<->1 only. In most European plate typefaces (FE-Schrift, the Slovak and Czech
  typefaces, French SIV) these pairs differ by a few pixels of width, and readers trained on
  general text swap them freely; the other confusions of `detect.reading.grammar_confusion` (B/8, S/5, ...)
  would turn too many unknown foreign plates into known formats.
- One emblem dropped: where a country prints a coat of arms or round inspection stickers
  *between* two character groups (Slovak shield, Czech STK/emission stickers), readers return it as
  an extra round glyph, e.g. ``2T480211`` for ``2T4 0211``. The glyph is dropped only at that
  country's emblem position and only when it is one of `EMBLEM_GLYPHS`.

Kept as written: a read that already fits a known format, however unusual, and a read that fits
none and cannot be repaired into exactly one text (then the candidates become ``alternatives``).

The table is deliberately small: only formats whose character classes are fixed. Formats that
collide under O<->0 with a more widespread one are left out rather than made ambiguous: Croatia's
LL DDDD L(L) turns ``BA302OZ`` (the LL DDD LL of France, Italy and Slovakia, tens of millions of
plates) into ``BA3020Z`` with one swap. A Croatian LL DDDD L plate ending in 0 or 1 may
therefore be "repaired" into LL DDD LL; such a read is marked ``corrected`` and ranks below reads
needing no repair. Polish, German and Dutch plates have too many layouts for a repair to be safe;
they stay generic (valid when 4-10 characters with a letter and a digit).
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations

__all__ = [
    "EMBLEM_GLYPHS",
    "MAX_EDITS",
    "NATIONAL_FORMATS",
    "NationalFormat",
    "NationalReading",
    "formats_of",
    "national_readings",
]

MAX_EDITS = 1
# What readers return for a shield or a pair of round stickers between character groups.
EMBLEM_GLYPHS = frozenset("80O9CBDQ6G")
_SWAPS = {"O": "0", "0": "O", "I": "1", "1": "I"}


@dataclass(frozen=True, slots=True)
class NationalFormat:
    """One national layout. `pattern` is a regular expression over three classes: L a letter the
    country issues (A-Z less `excluded_letters`), D a digit, X either; e.g. ``L{2}D{3,4}L{1,2}``."""

    name: str
    pattern: str
    excluded_letters: str = ""  # letters the country never issues
    emblem_after: int | None = None  # characters before a shield/stickers that split the groups
    # False: a read that fits is kept as written, but no read is repaired *into* this format, because
    # it is so loose (Germany's) that foreign plates would fall into it after one swap.
    repair_target: bool = True
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        letters = "".join(c for c in string.ascii_uppercase if c not in self.excluded_letters)
        classes = {"L": f"[{letters}]", "D": "[0-9]", "X": f"[{letters}0-9]"}
        regex = "".join(classes.get(ch, ch) for ch in self.pattern)
        object.__setattr__(self, "_regex", re.compile(regex))

    def fits(self, text: str) -> bool:
        return self._regex.fullmatch(text) is not None


NATIONAL_FORMATS: tuple[NationalFormat, ...] = (
    # Great Britain: current (2001-; I and Q never issued), prefix (1983-2001), suffix (1963-83).
    NationalFormat("gb_current", "L{2}D{2}L{3}", "IQ"),
    NationalFormat("gb_prefix", "L[1-9]D{0,2}L{3}", "IQ"),
    NationalFormat("gb_suffix", "L{3}[1-9]D{0,2}L", "IQ"),
    # Slovakia 1997-2022: district, 3 digits, 2 letters; the shield sits after the district code.
    NationalFormat("sk", "L{2}D{3}L{2}", emblem_after=2),
    # France SIV since 2009: I, O and U are never issued.
    NationalFormat("fr", "L{2}D{3}L{2}", "IOU"),
    # Italy since 1994: I, O, Q and U are never issued.
    NationalFormat("it", "L{2}D{3}L{2}", "IOQU"),
    # Croatia and Serbia: city code, shield, 3-4 digits, 1-2 letters. The one-letter form is kept as
    # read but never repaired into: LL DDDD L is one 0->O swap from every Polish or Norwegian
    # LL DDDDD plate that ends in 0.
    NationalFormat("hr_rs", "L{2}D{3,4}L{2}", emblem_after=2),
    NationalFormat("hr_rs_short", "L{2}D{3,4}L", repair_target=False),
    # Poland and Norway, the commonest of their layouts (LL DDDDD); too close to others to repair into.
    NationalFormat("pl_no", "L{2}D{5}", repair_target=False),
    # Germany: district (1-3 letters), seal and inspection sticker, 1-2 letters, 1-4 digits without a
    # leading zero, E (electric) or H (historic) suffix.
    NationalFormat("de", "L{1,3}L{1,2}[1-9]D{0,3}[EH]?", repair_target=False),
    # Czechia since 2001: region digit, region letter, then a letter or digit, then 4 digits; G, O, Q
    # and W are never issued; the inspection and emission stickers sit between the two groups.
    NationalFormat("cz", "DLXD{4}", "GOQW", emblem_after=3),
    # Spain since 2000: 4 digits, 3 consonants (no vowels, no Q).
    NationalFormat("es", "D{4}L{3}", "AEIOUQ"),
    # Brazil: the grey pre-2018 plate and the Mercosul plate.
    NationalFormat("br", "L{3}D{4}"),
    NationalFormat("br_mercosul", "L{3}DLD{2}"),
)


@dataclass(frozen=True, slots=True)
class NationalReading:
    text: str
    formats: tuple[str, ...]  # every known format the text fits, in table order
    edits: int  # 0 = as read

    @property
    def format(self) -> str:
        return "+".join(self.formats)


def formats_of(text: str) -> tuple[str, ...]:
    """Names of the known formats `text` fits as written (normalised text), in table order."""
    return tuple(f.name for f in NATIONAL_FORMATS if f.fits(text))


def _swapped(text: str, budget: int) -> set[tuple[str, int]]:
    """`text` with up to `budget` O<->0 / I<->1 swaps, each with the number of swaps used."""
    positions = [i for i, ch in enumerate(text) if ch in _SWAPS]
    out = {(text, 0)}
    for n in range(1, min(budget, len(positions)) + 1):
        for chosen in combinations(positions, n):
            chars = list(text)
            for i in chosen:
                chars[i] = _SWAPS[chars[i]]
            out.add(("".join(chars), n))
    return out


@lru_cache(maxsize=8192)
def national_readings(raw: str) -> tuple[NationalReading, ...]:
    """Every text that `raw` (normalised) becomes under at most `MAX_EDITS` repairs and that fits a
    known format, fewest edits first; `raw` itself (0 edits) when it already fits one."""
    tried: dict[str, tuple[int, tuple[str, ...]]] = {}

    def keep(text: str, edits: int, names: tuple[str, ...]) -> None:
        if names and (text not in tried or edits < tried[text][0]):
            tried[text] = (edits, names)

    for text, n in _swapped(raw, MAX_EDITS):
        if n == 0:
            keep(text, 0, formats_of(text))
        else:
            keep(text, n, tuple(f.name for f in NATIONAL_FORMATS if f.repair_target and f.fits(text)))
    emblem_positions = {f.emblem_after for f in NATIONAL_FORMATS if f.emblem_after is not None}
    for at in sorted(emblem_positions):
        if at < len(raw) and raw[at] in EMBLEM_GLYPHS:
            shorter = raw[:at] + raw[at + 1 :]
            for text, n in _swapped(shorter, MAX_EDITS - 1):
                # The emblem must sit where *that* country prints it.
                names = tuple(
                    f.name
                    for f in NATIONAL_FORMATS
                    if f.emblem_after == at and f.repair_target and f.fits(text)
                )
                keep(text, n + 1, names)
    readings = [NationalReading(text, names, edits) for text, (edits, names) in tried.items()]
    return tuple(sorted(readings, key=lambda r: (r.edits, r.text)))
