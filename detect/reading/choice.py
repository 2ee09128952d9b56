"""Candidate choice: one plate text among every reader's candidates for one plate patch.

Every reader proposes strings for the rectified plate patch; each is passed through the region
grammar; strings are pooled by their corrected text. A text wins on its best confidence, how many
independent variants agree with it, and whether the grammar accepts it, so a valid read beats an
invalid one of similar confidence and one confident outlier does not beat a consensus.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from detect.reading.grammar import apply_grammar
from detect.reading.readers import TextCandidate

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


def _expansions(text: str) -> list[tuple[str, float, str]]:
    """The text itself, plus the text without a leading country identifier (with a small penalty),
    each with the identifier it lost: the band's letters, evidence of the plate's country."""
    out = [(text, 0.0, "")]
    for prefix in _COUNTRY_PREFIXES:
        if text.startswith(prefix) and len(text) - len(prefix) >= 4:
            out.append((text[len(prefix) :], _PREFIX_PENALTY, prefix))
    return out


# Shorter strings are almost always fragments, badges or noise (a 60x19 px box on a 352x288 clip was
# "read" as the dateless plate R1). Real 2-3 character cherished plates are missed instead: a missed
# read costs a sighting's plate, a false one can cost an innocent keeper a letter.
MIN_PLATE_CHARS = 4


def choose_text(
    candidates: Sequence[TextCandidate], region: Literal["gb", "any"], on_date: datetime | None = None
) -> _Choice | None:
    """Pick one plate text among reader candidates using confidence, agreement and grammar."""
    pooled: dict[str, list[tuple[TextCandidate, str, bool, str | None, float, bool]]] = {}
    readers = {c.reader for c in candidates}
    for cand in candidates:
        if len(cand.text) < MIN_PLATE_CHARS:
            continue
        weight = READER_WEIGHTS.get(cand.reader, 1.0) if len(readers) > 1 else 1.0
        day = on_date.date() if on_date else None
        whole_valid = apply_grammar(cand.text, region, on_date=day).valid
        for text, prefix_penalty, band in _expansions(cand.text):
            result = apply_grammar(text, region, on_date=day, band=band)
            if prefix_penalty and (whole_valid or not result.valid):
                # Strip a country code only when the whole string is not a plate and the rest is:
                # "BB751BH" must not lose its first letter to Belgium's "B".
                continue
            penalty = prefix_penalty + (1.0 - weight) * cand.confidence
            if result.corrected:
                penalty += _CORRECTED_PENALTY
            pooled.setdefault(result.text, []).append(
                (cand, text, result.valid, result.format, penalty, result.ambiguous)
            )
    if not pooled:
        return None
    variants = {(c.reader, c.variant) for c in candidates if len(c.text) >= MIN_PLATE_CHARS}
    best: _Choice | None = None
    for text, support in pooled.items():
        top = max(support, key=lambda s: s[0].confidence - s[4])
        agreeing = {(s[0].reader, s[0].variant) for s in support}
        agreement = len(agreeing) / max(1, len(variants))
        valid = any(s[2] for s in support)
        confidence = top[0].confidence - top[4]
        known = any(s[3] is not None for s in support)
        score = (
            confidence
            + _AGREEMENT_WEIGHT * agreement
            + (_VALID_BONUS if valid else 0.0)
            + (_FORMAT_BONUS if known else 0.0)
        )
        # Reported confidence: the best single read, discounted when the readers disagree, so a
        # letter-grade threshold needs both a confident and a consistent read.
        reported = confidence * (0.6 + 0.4 * agreement)
        if any(s[5] for s in support):
            # The grammar knows another plausible text one repair away: not letter-grade on its own.
            reported *= _AMBIGUOUS_FACTOR
        reported = max(0.0, min(1.0, reported))
        choice = _Choice(top[1], text, valid, top[3], reported, score, top[0].reader)
        if best is None or choice.score > best.score:
            best = choice
    return best
