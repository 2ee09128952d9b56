"""Candidate choice: one plate text among every reader's candidates for one plate patch.

Every reader proposes strings for the rectified plate patch; each is passed through the region
grammar; strings are pooled by their corrected text. A text wins on its best confidence, how many
independent variants agree with it, and whether the grammar accepts it, so a valid read beats an
invalid one of similar confidence and one confident outlier does not beat a consensus.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from detect.reading.combiner import Combiner, default_combiner
from detect.reading.country import (
    BAND_COUNTRIES,
    FOREIGN_BAND_FORMAT,
    NY_TLC_FORMAT,
    band_country,
    country_of_format,
)
from detect.reading.grammar import GrammarResult, apply_grammar, short_of_layout
from detect.reading.plate_words import strip_plate_words
from detect.reading.readers import PlateGeometry, TextCandidate

# Country identifiers printed beside the registration (EU band, GB/UK sticker or band).
_COUNTRY_PREFIXES = (
    "GB",
    "UK",
    "NI",
    "GBM",
    "GBZ",
    "GBJ",
    "GBG",
    "D",
    "F",
    "NL",
    "B",
    "PL",
    "CZ",
    "HR",
    "IRL",
)
_VALID_BONUS = 0.25  # a grammar-valid text is preferred over an invalid one within this margin
# Region "any" calls a text valid whenever it looks like some plate; one that fits a known national
# format, even after a repair, is stronger evidence than a string that fits none (in region "gb"
# every valid text has a format, so there the bonus is a constant that changes no choice).
_FORMAT_BONUS = 0.25
_AMBIGUOUS_FACTOR = 0.85
_AGREEMENT_WEIGHT = 0.3
_PREFIX_PENALTY = 0.05  # stripping a country code is an edit: prefer a reading that needed none
# A text the grammar had to correct is weaker evidence than one read valid as it stands.
_CORRECTED_PENALTY = 0.15
# Stock EasyOCR gives high confidences to wrong plate reads (8-10 % exact on plates when measured
# alone), so its votes count for less when another reader is present.
READER_WEIGHTS = {"easyocr": 0.8}


@dataclass(frozen=True, slots=True)
class _Choice:
    raw: str
    text: str
    valid: bool
    format: str | None
    confidence: float
    score: float
    reader: str


@dataclass(frozen=True, slots=True)
class CandidateFeatures:
    """What is measured about one pooled text: the combiner's inputs (`detect.reading.combiner`)."""

    text: str
    raw: str
    reader: str
    format: str | None
    confidence: float  # best supporting read's confidence less its penalties (weakest character)
    agreement: float  # share of reader variants that read this text
    valid: bool
    known: bool  # fits a named format
    corrected: bool  # every supporting read needed a grammar repair (other than a TLC frame's)
    ambiguous: bool  # the grammar knows another text one repair away
    truncated: bool  # another valid candidate reads one more character at an end of this one
    foreign: bool  # read as a plate of another country
    legacy_score: float  # the hand-set ranking used before the fitted combiner
    # Share of the registration line's width (`PlateGeometry`) that the read's characters leave
    # uncovered, from the best-covering supporting read whose reader gives character positions
    # (0 when none does or the geometry is unknown).
    unexplained: float = 0.0
    # log(characters read / characters the line's width holds at the fitted pitch), split into its
    # short (a dropped character) and long (a glued word, a border read as I) sides; 0 when unknown.
    count_short: float = 0.0
    count_long: float = 0.0
    # Share of the whole patch's width outside the read (its span, else the registration line):
    # catches characters that the text-box finder missed too (AB2532 of AB2532QU).
    patch_uncovered: float = 0.0
    stripped_word: bool = False  # a state name glued to the read was taken off
    # Fits no layout we know, but would with one more character at an end (`grammar.short_of_layout`).
    short_of_layout: bool = False
    # Every supporting read needed a repair, and it was into New York's TLC frame (T + 6 digits + C,
    # `country.ny_tlc_repair`): weighed apart from the national and UK repairs, which it would
    # otherwise teach the fit to trust (on the real crops a TLC repair is right far more often).
    frame_repaired: bool = False

    def vector(self) -> list[float]:
        return [
            self.confidence,
            self.agreement,
            float(self.valid),
            float(self.known),
            float(self.corrected),
            float(self.ambiguous),
            float(self.foreign),
            self.unexplained,
            self.count_short,
            self.count_long,
            self.patch_uncovered,
            float(self.short_of_layout),
            float(self.frame_repaired),
        ]


FEATURE_NAMES = (
    "confidence",
    "agreement",
    "valid",
    "known",
    "corrected",
    "ambiguous",
    "foreign",
    "unexplained",
    "count_short",
    "count_long",
    "patch_uncovered",
    "short_of_layout",
    "frame_repaired",
)
# `truncated` is not an input: the whole-plate rule removes such candidates before the combiner.
# A read that covers the plate this much better than a shorter one is the whole plate (shares of
# the line's width; one character of seven is 0.14).
_WHOLE_PLATE_MARGIN = 0.07


# Every EU band's letters, tried only when the patch shows a blue band: a leading E, I or S is far
# more often a registration's first character than a band read in front.
_BAND_PREFIXES = tuple(sorted(set(BAND_COUNTRIES) - set(_COUNTRY_PREFIXES), key=len, reverse=True))


def _expansions(text: str, banded: bool = False) -> list[tuple[str, float, str]]:
    """The text itself, plus the text without a leading country identifier (with a small penalty),
    each with the identifier it lost: the band's letters, evidence of the plate's country; and the
    text without a glued state name (`TEXASCYZ5139` -> `CYZ5139`, band "")."""
    out = [(text, 0.0, "")]
    for prefix in _COUNTRY_PREFIXES + (_BAND_PREFIXES if banded else ()):
        # Three characters may follow a band (German B A 1); `_band_explains` must then hold.
        if text.startswith(prefix) and len(text) - len(prefix) >= MIN_PLATE_CHARS - 1:
            out.append((text[len(prefix) :], _PREFIX_PENALTY, prefix))
    rest, word = strip_plate_words(text)
    if word:
        out.append((rest, _PREFIX_PENALTY, ""))
    return out


def _unexplained(span: tuple[float, float] | None, geometry: PlateGeometry | None) -> float | None:
    """Share of the registration line not covered by a read's characters; None when unknown."""
    if span is None or geometry is None:
        return None
    left, right = span[0] * geometry.width, span[1] * geometry.width
    covered = max(0.0, min(right, geometry.x2) - max(left, geometry.x1))
    return max(0.0, 1.0 - covered / geometry.extent)


def _patch_uncovered(spans: Sequence[tuple[float, float] | None], geometry: PlateGeometry | None) -> float:
    """Share of the patch's width right of any band that the best-covering read leaves out (the
    registration line stands in for reads without character positions); 0 when unknown."""
    if geometry is None:
        return 0.0
    left = geometry.band_end / max(1, geometry.width)
    room = max(1e-6, 1.0 - left)
    covers = [max(0.0, s[1] - max(s[0], left)) for s in spans if s is not None]
    if not covers:
        covers = [geometry.extent / max(1, geometry.width)]
    return max(0.0, 1.0 - max(covers) / room)


def count_log_ratio(length: int, geometry: PlateGeometry | None, pitch: float) -> float:
    """log(characters read / characters the registration line holds at `pitch` character widths
    per character height); 0 when the geometry or the pitch is unknown."""
    if geometry is None or pitch <= 0 or geometry.char_height <= 0 or length <= 0:
        return 0.0
    expected = geometry.extent / (geometry.char_height * pitch)
    return math.log(length / max(expected, 1.0))


# Shorter strings are almost always fragments, badges or noise (a 60x19 px box on a 352x288 clip was
# "read" as the dateless plate R1). Real 2-3 character cherished plates are missed instead: a missed
# read costs a sighting's plate, a false one can cost an innocent keeper a letter.
MIN_PLATE_CHARS = 4


def _one_more(longer: str, shorter: str) -> bool:
    """`longer` is `shorter` with one more character anywhere."""
    return len(longer) == len(shorter) + 1 and any(
        longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer))
    )


def _reads_more(longer: str, shorter: str) -> bool:
    """`longer` is `shorter` with one more character at its start or end (not a country code)."""
    if len(longer) != len(shorter) + 1:
        return False
    return longer.endswith(shorter) or longer.startswith(shorter)


def candidate_features(
    candidates: Sequence[TextCandidate],
    region: Literal["gb", "any"],
    on_date: datetime | None = None,
    geometry: PlateGeometry | None = None,
    pitch: float = 0.0,
) -> list[CandidateFeatures]:
    """Every pooled text with its measured features (module docstring for the pooling).

    `geometry`: the patch's registration line, for the whole-plate features; `pitch`: character
    width per character height, fitted with the combiner (`Combiner.char_pitch`).
    """
    pooled: dict[str, list[tuple[TextCandidate, str, bool, str | None, float, bool, bool, bool]]] = {}
    stripped: set[str] = set()
    band_foreign: set[str] = set()  # foreign reads left when band letters were taken off
    readers = {c.reader for c in candidates}
    day = on_date.date() if on_date else None
    light = geometry is not None and geometry.light_text
    for cand in candidates:
        if len(cand.text) < MIN_PLATE_CHARS:
            continue
        weight = READER_WEIGHTS.get(cand.reader, 1.0) if len(readers) > 1 else 1.0
        whole_valid = apply_grammar(cand.text, region, on_date=day, light_text=light).valid
        banded = geometry is not None and geometry.band_end > 0
        for text, prefix_penalty, band in _expansions(cand.text, banded):
            result = apply_grammar(text, region, on_date=day, band=band, light_text=light)
            if prefix_penalty and not result.valid:
                continue
            explained = _band_explains(band, result, geometry)
            if (len(text) < MIN_PLATE_CHARS or band in _BAND_PREFIXES) and not explained:
                continue
            if prefix_penalty and whole_valid and not explained:
                # Strip a country code only when the whole string is not a plate and the rest is:
                # "BB751BH" must not lose its first letter to Belgium's "B". Unless the patch
                # shows a blue band and the band's own country has a format that the rest fits
                # as read: DKL44 on a banded plate is German K L 44.
                continue
            if prefix_penalty and not band:
                stripped.add(result.text)
            if band and result.foreign:
                band_foreign.add(result.text)
            penalty = prefix_penalty + (1.0 - weight) * cand.confidence
            if result.corrected:
                penalty += _CORRECTED_PENALTY
            pooled.setdefault(result.text, []).append(
                (
                    cand,
                    text,
                    result.valid,
                    result.format,
                    penalty,
                    result.ambiguous,
                    result.corrected,
                    result.foreign,
                )
            )
    # Every variant that read anything: one that read two characters where this text has seven
    # disagrees with it (a lone read among failed ones scored full agreement before).
    variants = {(c.reader, c.variant) for c in candidates if c.text}
    out: list[CandidateFeatures] = []
    for text, support in pooled.items():
        top = max(support, key=lambda s: s[0].confidence - s[4])
        agreeing = {(s[0].reader, s[0].variant) for s in support}
        agreement = len(agreeing) / max(1, len(variants))
        valid = any(s[2] for s in support)
        confidence = top[0].confidence - top[4]
        known = any(s[3] is not None for s in support)
        frame_repaired = all(s[6] for s in support) and any(s[3] == NY_TLC_FORMAT for s in support)
        gaps = [g for s in support if (g := _unexplained(s[0].span, geometry)) is not None]
        patch_uncovered = _patch_uncovered([s[0].span for s in support], geometry)
        count = count_log_ratio(len(text), geometry, pitch)
        legacy = (
            confidence
            + _AGREEMENT_WEIGHT * agreement
            + (_VALID_BONUS if valid else 0.0)
            + (_FORMAT_BONUS if known else 0.0)
        )
        out.append(
            CandidateFeatures(
                text=text,
                raw=top[1],
                reader=top[0].reader,
                format=top[3],
                confidence=confidence,
                agreement=agreement,
                valid=valid,
                known=known,
                corrected=all(s[6] for s in support) and not frame_repaired,
                ambiguous=any(s[5] for s in support),
                truncated=False,
                foreign=any(s[7] for s in support),
                legacy_score=legacy,
                unexplained=min(gaps) if gaps else 0.0,
                count_short=max(0.0, -count),
                count_long=max(0.0, count),
                patch_uncovered=patch_uncovered,
                stripped_word=text in stripped,
                short_of_layout=short_of_layout(text, region, day),
                frame_repaired=frame_repaired,
            )
        )
    return _whole_plate(out, band_foreign)


def _band_explains(band: str, result: GrammarResult, geometry: PlateGeometry | None) -> bool:
    """The patch has a blue side band, and the band letters read in front name a foreign country
    whose own national format the rest fits as read: the letters are the band's, not the first
    character of a British registration. Without the band seen, a letter read in front stays a
    character (US DLC512 is not German LC512)."""
    country = band_country(band)
    return (
        geometry is not None
        and geometry.band_end > 0
        and country is not None
        and country != "GB"
        and result.foreign
        and not result.corrected
        and not (result.format or "").startswith(FOREIGN_BAND_FORMAT)
        and country_of_format(result.format) == country
    )


def extends_at_an_end(longer: str, shorter: str) -> bool:
    """`longer` is `shorter` with one more character at its start or end, and that character may
    count as the plate's (`_measured_extension`): the read of the whole plate against one that
    dropped a character at an end."""
    return (
        len(longer) == len(shorter) + 1
        and (longer[1:] == shorter or longer[:-1] == shorter)
        and _measured_extension(longer, shorter)
    )


def _measured_extension(longer: str, shorter: str) -> bool:
    """The extra character may count on the plate's measured width: not a band's letter read in
    front (the P of a band before RK248AH widens the read, not the registration)."""
    return not (longer.endswith(shorter) and longer[0] in _BAND_LETTERS)


_BAND_LETTERS = frozenset(code[0] for code in (*BAND_COUNTRIES, *_COUNTRY_PREFIXES))


def _layout_evidence(longer: CandidateFeatures, shorter: CandidateFeatures) -> bool:
    """`longer` fits a named format that `shorter` does not: the layout counts its characters."""
    if longer.format is None:
        return False
    theirs = set(shorter.format.split("+")) if shorter.format else set()
    return any(name not in theirs for name in longer.format.split("+"))


def _whole_plate(features: list[CandidateFeatures], band_foreign: set[str]) -> list[CandidateFeatures]:
    """Mark the candidates that the whole-plate rule puts out (`truncated`).

    - a text that another valid candidate extends by one character, when that one fits a named
      format that the shorter one does not fit (anywhere: KEN251 beside New York's KEN2651;
      Germany's loose layout fits both KGJ7815 and SKGJ7815, its frame read as S: no evidence),
      or, at an end, covers measurably more of the plate (span or character count) while the
      shorter one fits no format that it lacks (an emblem read as a character widens the read);
    - a reading of a whole read whose band letters name a foreign country that explains the rest
      (`_band_explains`): the letters are the band's, and a foreign plate is never a British one
      (the keeper look-up is British).
    """
    by_text = {f.text: f for f in features}

    def gap(f: CandidateFeatures) -> float:
        return f.unexplained + f.count_short

    superseded = {
        f.text
        for f in features
        if f.text not in band_foreign and any(f.text.endswith(t) for t in band_foreign)
    }
    out: list[CandidateFeatures] = []
    for f in features:
        # A superseded British reading explains no more of the plate: its extra letter is the band's.
        longer = [
            by_text[t]
            for t in by_text
            if t not in superseded
            and by_text[t].valid
            and (
                (_one_more(t, f.text) and _layout_evidence(by_text[t], f))
                or (
                    _reads_more(t, f.text)
                    and _measured_extension(t, f.text)
                    and gap(by_text[t]) + _WHOLE_PLATE_MARGIN < gap(f)
                    and not _layout_evidence(f, by_text[t])
                )
            )
        ]
        out.append(dataclasses.replace(f, truncated=bool(longer) or f.text in superseded))
    return out


def _legacy_confidence(f: CandidateFeatures) -> float:
    reported = f.confidence * (0.6 + 0.4 * f.agreement)
    if f.ambiguous:
        reported *= _AMBIGUOUS_FACTOR
    return max(0.0, min(1.0, reported))


def choose_text(
    candidates: Sequence[TextCandidate],
    region: Literal["gb", "any"],
    on_date: datetime | None = None,
    combiner: Combiner | None | Literal["default"] = "default",
    geometry: PlateGeometry | None = None,
) -> _Choice | None:
    """Pick one plate text among reader candidates.

    Whole-plate rule first: a text that another valid candidate extends by one character (a
    dropped character, C71HVY beside LC71HVY) is out while that candidate is in, when the longer
    one's layout or measured width says so (`_whole_plate`). Then the fitted combiner
    (`detect.reading.combiner`, weights fitted on real crops by `offline/fit_combiner.py`) ranks
    the rest by its calibrated probability of being right, which is also the reported confidence.
    `combiner=None`: the hand-set ranking used before.
    """
    model = default_combiner() if combiner == "default" else combiner
    features = candidate_features(
        candidates, region, on_date, geometry, model.char_pitch if model is not None else 0.0
    )
    if not features:
        return None
    whole = [f for f in features if not f.truncated] or features
    if model is None:
        best = max(whole, key=lambda f: f.legacy_score)
        score, reported = best.legacy_score, _legacy_confidence(best)
    else:
        scored = [(model.probability(f.vector()), f) for f in whole]
        score, best = max(scored, key=lambda pf: (pf[0], pf[1].legacy_score))
        # Policy, not fit: when the grammar knows another valid text one repair away (BA3020Z /
        # BA302OZ) the patch cannot say which, so the read alone is not letter grade. The real
        # crops hold too few such reads for the fit to learn it (its weight sits at its bound 0).
        reported = score * _AMBIGUOUS_FACTOR if best.ambiguous else score
    return _Choice(best.raw, best.text, best.valid, best.format, reported, score, best.reader)
