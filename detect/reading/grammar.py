"""Plate grammar by region: normalise a read, validate it and repair confusable characters.

Correction policy for region ``gb`` (formats and tiers in `detect.reading.grammar_gb`):

1. A raw text that is already a valid plate is **kept**, even when a confusion swap would turn it
   into a more common format. ``A812CDE`` is a real prefix plate (1983) and also what a reader
   returns for ``AB12CDE`` when it sees B as 8; the two are about equally likely on the road, and
   choosing here would wipe out the per-frame evidence that `detect.consensus` votes on. So the text
   stays, and the readings one swap away in *strictly better* tiers go into ``alternatives``
   (``ambiguous`` True).
2. A raw text that is not valid is corrected only if exactly one reading exists in the best tier
   reachable (current > prefix/suffix > Q > NI > dateless/diplomatic), with at most
   ``MAX_CORRECTIONS`` replaced characters, and never into ``gb_current_unissued``. The age
   identifier does disambiguate: with T read in a digit slot, ``ABT9CDE`` in 2026 becomes
   ``AB19CDE`` because ``AB79CDE`` cannot have been issued yet.
3. When the best tier holds several readings (``0Y09FEU`` → ``OY09FEU`` or ``DY09FEU``) nothing is
   corrected: ``text == raw``, ``valid`` False, and the readings are listed in ``alternatives``.

Before any correction in region ``gb`` the read's country is decided (`detect.reading.country`): a
read that fits a British format as it stands is British; otherwise a band naming a foreign country,
or a foreign national format that the read fits as it stands, makes it foreign, and a foreign read
is kept exactly as read, with that format (so its country) recorded, and never corrected into a
British plate (EJ728LY is a French plate, not a misread of EJ72BLY). Only a read that neither
explains is corrected by the rules above.

Region ``any`` knows a few national formats (`detect.reading.grammar_national`): a read that fits
one as written is kept, and so is, on a plate with light characters on a dark ground, a read that a
layout from outside Europe (`detect.reading.country`) explains as written; a read that fits none is
repaired (O<->0, I<->1, an emblem read as a character) only when exactly one text with the fewest
repairs results. A read that fits no known format is still valid when it has 4 to 10 characters with
at least one digit and at least one letter (its ``format`` is then None). All-digit strings are
usually timestamps or overlays and all-letter strings are badges or words (DOMAIN rule 5).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Literal

from detect.reading.country import (
    FOREIGN_BAND_FORMAT,
    NY_TLC_FORMAT,
    band_country,
    country_of_format,
    foreign_formats_of,
    is_foreign_format,
    ny_tlc_repair,
    outside_europe_formats_of,
)
from detect.reading.grammar_confusion import confusable_distance, confusable_with, is_confusable
from detect.reading.grammar_gb import MAX_ALTERNATIVE_SWAPS, MAX_CORRECTION_TIER, MAX_CORRECTIONS, gb_readings
from detect.reading.grammar_national import formats_of, national_readings

__all__ = [
    "PLATE_ALPHABET",
    "GrammarResult",
    "Region",
    "apply_grammar",
    "confusable_distance",
    "confusable_with",
    "format_of",
    "is_confusable",
    "normalise",
    "short_of_layout",
]

Region = Literal["gb", "any"]

ANY_MIN_LEN = 4
ANY_MAX_LEN = 10


@dataclass(frozen=True, slots=True)
class GrammarResult:
    raw: str  # input normalised: upper-case, A-Z0-9 only
    text: str  # corrected text; == raw when nothing was corrected or the correction is ambiguous
    valid: bool  # text matches a format of the region
    format: str | None  # e.g. "gb_current"; None when invalid or region "any"
    corrected: bool
    alternatives: tuple[str, ...]  # other valid readings reachable by confusion swaps
    warnings: tuple[str, ...] = ()  # e.g. unpublished memory tag, age identifier not yet issued
    country: str | None = None  # "GB", a foreign ISO code, or None when unknown

    @property
    def foreign(self) -> bool:
        """Read as a plate of another country (known or not): never a British registration."""
        return (self.country is not None and self.country != "GB") or is_foreign_format(self.format)

    @property
    def ambiguous(self) -> bool:
        return bool(self.alternatives)


def normalise(text: str) -> str:
    """Upper-case ASCII letters and digits only: spaces, punctuation and non-ASCII are dropped."""
    # Filter before upper(): "ß".upper() is "SS", which must not sneak in.
    return "".join(ch for ch in text if ch.isascii() and ch.isalnum()).upper()


def _today() -> date:
    return datetime.now(UTC).date()


def apply_grammar(
    text: str,
    region: Region,
    on_date: date | None = None,
    band: str | None = None,
    light_text: bool = False,
) -> GrammarResult:
    """Normalise `text` and validate/correct it under `region`'s grammar as seen on `on_date`
    (default: today, UTC). `band`: the country letters read beside the registration (EU band,
    GB/UK identifier), when a reader returned them. `light_text`: the plate's characters are
    lighter than the plate (`PlateGeometry.light_text`). See the module docstring for the policy."""
    raw = normalise(text)
    if region == "any":
        return _apply_any(raw, light_text)
    if region == "gb":
        return _apply_gb(raw, on_date or _today(), band or None)
    raise ValueError(f"unknown plate region {region!r}; expected 'gb' or 'any'")


def format_of(text: str, region: Region, on_date: date | None = None) -> str | None:
    """Format of `text` as written (no correction); None when it fits none. Region ``any`` names
    every known national format it fits, joined by "+" (``LL DDD LL`` fits "sk+fr+it" or less)."""
    if region == "any":
        return "+".join(formats_of(normalise(text))) or None
    if region != "gb":
        raise ValueError(f"unknown plate region {region!r}; expected 'gb' or 'any'")
    raw = normalise(text)
    own = gb_readings(raw, on_date or _today(), max_swaps=0)
    return own[0].format if own else None


# The characters a plate carries once normalised: what readers are allowed to return, and what one
# may add or drop at an end of a plate.
PLATE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@lru_cache(maxsize=8192)
def short_of_layout(text: str, region: Region, on_date: date | None = None) -> bool:
    """True when `text` (normalised) fits no plate layout we know, the region's own or any
    country's as read, but does with one more character at its start or end: the read of a plate
    whose first or last character was dropped (`737798C` for New York's `T737798C`). On the real
    crops such reads are right about one time in twenty, against three in four for the rest."""

    def fits(candidate: str) -> bool:
        return format_of(candidate, region, on_date) is not None or bool(foreign_formats_of(candidate))

    if fits(text):
        return False
    return any(fits(ch + text) or fits(text + ch) for ch in PLATE_ALPHABET)


def _generic_plate(raw: str) -> bool:
    return (
        ANY_MIN_LEN <= len(raw) <= ANY_MAX_LEN
        and any(c.isdigit() for c in raw)
        and any(c.isalpha() for c in raw)
    )


@lru_cache(maxsize=8192)
def _apply_any(raw: str, light_text: bool = False) -> GrammarResult:
    readings = national_readings(raw)
    own = next((r for r in readings if r.edits == 0), None)
    if own is not None:
        # Kept as read, but a repair that fits another country's format is a live doubt (BA3020Z is
        # Croatian as read and Slovak BA302OZ with one O<->0 swap): listed, so confidence can drop.
        others = tuple(r.text for r in readings if r.edits > 0)
        return GrammarResult(raw, raw, True, own.format, False, others, country=country_of_format(own.format))
    outside = outside_europe_formats_of(raw) if light_text and _generic_plate(raw) else ()
    if outside:
        # The table's formats, like every European layout, are dark characters on white or yellow.
        # White on black, a read that a layout from outside Europe explains as it stands is that
        # plate (Indonesian B1248PC, not the Croatian BI248PC one I<->1 swap away; B1797TJS a whole
        # plate where 1797TJS fits Spain's); repairs stay as doubts. Without that evidence a Slovak
        # SI819AK read S1819AK would be kept as Indonesian. European layouts outside the table
        # (Polish, Dutch) gain nothing from it, and a read needs letters and digits as everywhere in
        # region any: diplomatic plates are light on blue (Poland's W 053011, read 053011).
        fmt = "+".join(outside)
        others = tuple(r.text for r in readings)
        return GrammarResult(raw, raw, True, fmt, False, others, country=country_of_format(fmt))
    if not readings:
        # No European layout explains it, as read or repaired: perhaps a New York TLC plate with a
        # frame letter or a digit misread (a sixth of the US real crops are TLC plates; the figures
        # are in docs/benchmarks.md, "New York TLC plates repaired into their layout").
        tlc = ny_tlc_repair(raw)
        if tlc is not None:
            return GrammarResult(raw, tlc, True, NY_TLC_FORMAT, True, (), country="US")
        return GrammarResult(raw, raw, _generic_plate(raw), None, False, ())
    fewest = min(r.edits for r in readings)
    top = [r for r in readings if r.edits == fewest]
    if len(top) > 1:
        return GrammarResult(raw, raw, _generic_plate(raw), None, False, tuple(r.text for r in top))
    fmt = top[0].format
    return GrammarResult(raw, top[0].text, True, fmt, True, (), country=country_of_format(fmt))


def _foreign(raw: str, band: str | None) -> GrammarResult | None:
    """`raw` kept as read when a foreign band or a foreign format as read explains it; else None."""
    country = band_country(band)
    if country == "GB":
        return None  # a British identifier: the UK grammar may correct
    formats = foreign_formats_of(raw)
    if country is not None:
        of_band = tuple(f for f in formats if country_of_format(f) == country)
        fmt = "+".join(of_band or formats) or f"{FOREIGN_BAND_FORMAT}_{country.lower()}"
        return GrammarResult(
            raw, raw, bool(formats) or _generic_plate(raw), fmt, False, (), ("foreign band",), country
        )
    if formats:
        fmt = "+".join(formats)
        warning = "fits a foreign format as read; not corrected"
        return GrammarResult(raw, raw, True, fmt, False, (), (warning,), country_of_format(fmt))
    return None


@lru_cache(maxsize=8192)
def _apply_gb(raw: str, on: date, band: str | None = None) -> GrammarResult:
    country = band_country(band)
    if country is not None and country != "GB":
        # The band is the strongest evidence there is: a German K L 44 is not the British KL 44.
        foreign = _foreign(raw, band)
        if foreign is not None:
            return foreign
    readings = gb_readings(raw, on, MAX_CORRECTIONS)
    own = next((r for r in readings if r.text == raw), None)
    if own is not None:
        better = tuple(
            r.text
            for r in readings
            if r.tier < own.tier and r.tier <= MAX_CORRECTION_TIER and r.swaps <= MAX_ALTERNATIVE_SWAPS
        )
        return GrammarResult(raw, raw, True, own.format, False, better, own.warnings, "GB")
    foreign = _foreign(raw, band)
    if foreign is not None:
        return foreign
    targets = [r for r in readings if r.tier <= MAX_CORRECTION_TIER]
    if not targets:
        return GrammarResult(raw, raw, False, None, False, ())
    best_tier = min(r.tier for r in targets)
    top = [r for r in targets if r.tier == best_tier]
    if len(top) > 1:
        return GrammarResult(raw, raw, False, None, False, tuple(r.text for r in top))
    only = top[0]
    return GrammarResult(raw, only.text, True, only.format, True, (), only.warnings, "GB")
