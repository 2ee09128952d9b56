"""Great Britain / Northern Ireland plate formats and the confusion-aware readings of a string.

Every format is a list of fixed-length *templates*; a template is one allowed-character set per
position. A string fits a template when each character is in its slot's set; a reading of a string is
what you get by replacing each character that does *not* fit its slot by a confusable character that
does (see `grammar_confusion`). Characters that fit are never changed: a correction only repairs
characters that are impossible where they stand.

Deliberate departures from the regex set in shared/DOMAIN.md section 3, each forced by evidence:
* Memory tags: DOMAIN says the first letter is never Z and the second never Z. Four of the nine real
  plates in shared/data/uk_dev (ZE24LCV, ZE24CAZ, DZ17YXR, CZ17KOD, checked by eye on the photos)
  break that. Rejecting them is harmful, not just strict: DZ17YXR would then be "corrected" to the
  valid prefix plate D217YXR, i.e. another vehicle. So Z is accepted in both places, with a warning.
  I, J, Q, U stay excluded as first letter and I, Q as second letter (no counter-example seen).
* Age identifier: a current-layout plate whose age identifier was not yet issued on the date seen
  (LR33TEE in the dev set, a show plate or an edited photo) is reported as format
  ``gb_current_unissued`` and stays valid (the camera really saw it), but nothing is ever *corrected*
  into that format.
* Dateless: three-letter marks ran to 999 and four-digit numbers only went with one or two letters
  (``ABC 123``, ``AB 1234``, ``1234 AB``, ``123 ABC``); the DOMAIN regex also allows ``ABC 1234``,
  which GB never issued (that shape is Northern Irish, ``L XX NNNN``). Capping dateless at six
  characters keeps this very permissive format out of the seven-character space of current plates.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import product

from detect.reading.grammar_confusion import confusable_with

Slots = tuple[frozenset[str], ...]

_LETTERS = frozenset(string.ascii_uppercase)
_DIGITS = frozenset(string.digits)
_NONZERO = _DIGITS - {"0"}


def _letters_except(excluded: str) -> frozenset[str]:
    return _LETTERS - frozenset(excluded)


# DVLA region letters as published (DOMAIN): never I, J, Q, U, Z.
DVLA_REGION_LETTERS = _letters_except("IJQUZ")
# What we accept in position 1 / 2 of a current plate (see module docstring for Z).
_CURRENT_FIRST = _letters_except("IJQU")
_CURRENT_SECOND = _letters_except("IQ")
_CURRENT_RANDOM = _letters_except("IQ")
_SERIES = _letters_except("IQZ")  # prefix/suffix/Q-plate letter groups
_YEAR = _letters_except("IOQUZ")  # prefix/suffix year letter
_Q = frozenset("Q")
_DIPLOMATIC = frozenset("DX")

# Lower tier = more common / more specific. Corrections go to the lowest tier reachable, and only to
# tiers <= MAX_CORRECTION_TIER. Q plates sit below prefix/suffix because they are far rarer on the road.
TIERS: dict[str, int] = {
    "gb_current": 0,
    "gb_prefix": 1,
    "gb_suffix": 1,
    "gb_q": 2,
    "gb_ni": 3,
    "gb_dateless": 4,
    "gb_diplomatic": 4,
    "gb_current_unissued": 5,
}
MAX_CORRECTION_TIER = 4
# More than this many impossible characters means a bad read, not a confusion: leave it alone.
MAX_CORRECTIONS = 2
# A text that is already valid only lists readings in better tiers that are one swap away: two
# swaps on a valid plate is a different plate, not a misread.
MAX_ALTERNATIVE_SWAPS = 1


@dataclass(frozen=True, slots=True)
class _Template:
    format: str
    slots: Slots
    ni_code_at: int | None = None  # index of the two-letter NI county code, which must hold I or Z


@dataclass(frozen=True, slots=True)
class GbReading:
    """One valid way to read a string: the text, its format, and how many characters were replaced."""

    text: str
    format: str
    tier: int
    swaps: int
    warnings: tuple[str, ...] = ()


def _digits(n: int) -> Slots:
    """A number of `n` digits without a leading zero."""
    return (_NONZERO, *([_DIGITS] * (n - 1)))


def _build_templates() -> dict[int, tuple[_Template, ...]]:
    out: list[_Template] = [
        _Template("gb_current", (_CURRENT_FIRST, _CURRENT_SECOND, _DIGITS, _DIGITS, *[_CURRENT_RANDOM] * 3)),
        _Template("gb_diplomatic", (_DIGITS,) * 3 + (_DIPLOMATIC,) + (_DIGITS,) * 3),
    ]
    for n in range(1, 4):
        out.append(_Template("gb_prefix", (_YEAR, *_digits(n), *[_SERIES] * 3)))
        out.append(_Template("gb_suffix", (*[_SERIES] * 3, *_digits(n), _YEAR)))
        out.append(_Template("gb_q", (_Q, *_digits(n), *[_SERIES] * 3)))
    for n in range(1, 5):
        out.append(_Template("gb_ni", (_LETTERS, _LETTERS, _LETTERS, *_digits(n)), ni_code_at=1))
        out.append(_Template("gb_ni", (_LETTERS, _LETTERS, *_digits(n)), ni_code_at=0))
        out.append(_Template("gb_ni", (*_digits(n), _LETTERS, _LETTERS), ni_code_at=n))
    for k in range(1, 4):
        for n in range(1, 5 if k <= 2 else 4):
            out.append(_Template("gb_dateless", (*[_LETTERS] * k, *_digits(n))))
            out.append(_Template("gb_dateless", (*_digits(n), *[_LETTERS] * k)))
    by_len: dict[int, list[_Template]] = {}
    for t in out:
        by_len.setdefault(len(t.slots), []).append(t)
    return {n: tuple(ts) for n, ts in by_len.items()}


_TEMPLATES = _build_templates()


@lru_cache(maxsize=64)
def issued_age_identifiers(on: date) -> frozenset[str]:
    """Age identifiers the DVLA had issued by `on`: 51 from 1 Sep 2001, then YY each 1 March and
    YY+50 each 1 September (DOMAIN: {02..yy} U {51..yy+50 if on/after 1 Sep}). 2050 brings 50 and 00;
    the scheme runs out after that, so later dates add nothing."""
    issued: set[str] = set()
    if on >= date(2001, 9, 1):
        issued.add("51")
    for year in range(2002, min(on.year, 2050) + 1):
        if on >= date(year, 3, 1):
            issued.add(f"{year % 100:02d}")
        if on >= date(year, 9, 1):
            issued.add(f"{(year % 100 + 50) % 100:02d}")
    return frozenset(issued)


def _finish(template: _Template, text: str, swaps: int, on: date) -> GbReading | None:
    """Apply the checks a per-position slot cannot express; None when the text fails them."""
    fmt = template.format
    warnings: list[str] = []
    if template.ni_code_at is not None:
        code = text[template.ni_code_at : template.ni_code_at + 2]
        if "I" not in code and "Z" not in code:
            return None
    if fmt == "gb_current":
        if text[0] not in DVLA_REGION_LETTERS:
            warnings.append(f"memory tag first letter {text[0]} is not a published DVLA region letter")
        if text[1] == "Z":
            warnings.append("memory tag second letter Z is not in the published DVLA list")
        if text[2:4] not in issued_age_identifiers(on):
            fmt = "gb_current_unissued"
            warnings.append(f"age identifier {text[2:4]} was not issued by {on.isoformat()}")
    return GbReading(text, fmt, TIERS[fmt], swaps, tuple(warnings))


def _template_readings(template: _Template, text: str, on: date, max_swaps: int) -> list[GbReading]:
    options: list[tuple[str, ...]] = []
    swaps = 0
    for ch, allowed in zip(text, template.slots, strict=True):
        if ch in allowed:
            options.append((ch,))
            continue
        swaps += 1
        if swaps > max_swaps:
            return []
        repl = tuple(sorted(confusable_with(ch) & allowed))
        if not repl:
            return []
        options.append(repl)
    found = (_finish(template, "".join(chars), swaps, on) for chars in product(*options))
    return [r for r in found if r is not None]


def gb_readings(text: str, on: date, max_swaps: int = MAX_CORRECTIONS) -> list[GbReading]:
    """Every valid GB reading of the normalised `text` within `max_swaps` replacements.

    The text itself appears (with ``swaps == 0``) when it is already valid. A text reachable in
    several formats keeps only its best (lowest-tier) one. Sorted by tier, then text.
    """
    best: dict[str, GbReading] = {}
    for template in _TEMPLATES.get(len(text), ()):
        for reading in _template_readings(template, text, on, max_swaps):
            held = best.get(reading.text)
            if held is None or (reading.tier, reading.format) < (held.tier, held.format):
                best[reading.text] = reading
    return sorted(best.values(), key=lambda r: (r.tier, r.text))
