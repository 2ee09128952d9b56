"""Scores for the street-camera benchmark (`bench/street.py`).

Stills: exact accuracy and accuracy at letter grade (right and confidence >= the configured
threshold) per plate width and condition, and the wrong reads that reached letter grade (the reads
that could send a letter to a stranger). Clips: per clip, which labelled plates were stored as a
sighting plate, and every other stored plate (a false read: the labels list every legible plate).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

# A stored false plate at or above this confidence is the "false plate stored" figure.
FALSE_READ_CONFIDENCE = 0.5


@dataclass(frozen=True, slots=True)
class StreetRead:
    file: str
    truth: str
    width: int
    condition: str
    read: str  # "" when nothing was read
    confidence: float

    @property
    def correct(self) -> bool:
        return self.read == self.truth


@dataclass(slots=True)
class CellScore:
    """Reads of one (width, condition) cell, or of a margin over several cells."""

    plates: int = 0
    exact: int = 0
    letter_grade_right: int = 0
    letter_grade_wrong: int = 0
    wrong_reads: list[str] = field(default_factory=list)  # "TRUTH->READ@conf" at letter grade

    def add(self, r: StreetRead, threshold: float) -> None:
        self.plates += 1
        self.exact += int(r.correct)
        if r.read and r.confidence >= threshold:
            if r.correct:
                self.letter_grade_right += 1
            else:
                self.letter_grade_wrong += 1
                self.wrong_reads.append(f"{r.truth}->{r.read}@{r.confidence:.3f} ({r.file})")

    @property
    def exact_rate(self) -> float:
        return self.exact / self.plates if self.plates else 0.0

    @property
    def letter_grade_rate(self) -> float:
        return self.letter_grade_right / self.plates if self.plates else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "plates": self.plates,
            "exact": self.exact,
            "exact_rate": round(self.exact_rate, 4),
            "letter_grade_right": self.letter_grade_right,
            "letter_grade_rate": round(self.letter_grade_rate, 4),
            "letter_grade_wrong": self.letter_grade_wrong,
            "wrong_at_letter_grade": self.wrong_reads,
        }


@dataclass(slots=True)
class StreetScores:
    cells: dict[tuple[int, str], CellScore]
    by_width: dict[int, CellScore]
    by_condition: dict[str, CellScore]
    total: CellScore
    threshold: float


def score_reads(reads: Iterable[StreetRead], threshold: float) -> StreetScores:
    """Aggregate reads per cell, per width (all conditions), per condition (all widths) and overall."""
    cells: dict[tuple[int, str], CellScore] = {}
    by_width: dict[int, CellScore] = {}
    by_condition: dict[str, CellScore] = {}
    total = CellScore()
    for r in reads:
        cells.setdefault((r.width, r.condition), CellScore()).add(r, threshold)
        by_width.setdefault(r.width, CellScore()).add(r, threshold)
        by_condition.setdefault(r.condition, CellScore()).add(r, threshold)
        total.add(r, threshold)
    return StreetScores(cells, by_width, by_condition, total, threshold)


@dataclass(frozen=True, slots=True)
class StoredPlate:
    text: str
    confidence: float


@dataclass(frozen=True, slots=True)
class ClipScore:
    clip: str
    labelled: tuple[str, ...]
    found: tuple[str, ...]
    missed: tuple[str, ...]
    false_reads: tuple[StoredPlate, ...]  # every stored plate that is not a labelled one

    @property
    def confident_false_reads(self) -> int:
        return sum(1 for p in self.false_reads if p.confidence >= FALSE_READ_CONFIDENCE)

    def as_dict(self) -> dict[str, Any]:
        return {
            "clip": self.clip,
            "labelled": list(self.labelled),
            "found": list(self.found),
            "missed": list(self.missed),
            "false_reads": [
                {"plate": p.text, "confidence": round(p.confidence, 4)} for p in self.false_reads
            ],
            "false_reads_at_or_above_0_5": self.confident_false_reads,
        }


def score_clip(clip: str, labelled: Sequence[str], stored: Sequence[StoredPlate]) -> ClipScore:
    """A labelled plate is found when some stored sighting carries exactly its text; each stored
    plate whose text is not labelled for this clip is a false read (counted per sighting)."""
    truth = tuple(dict.fromkeys(p.strip().upper() for p in labelled))
    texts = {p.text for p in stored}
    found = tuple(p for p in truth if p in texts)
    missed = tuple(p for p in truth if p not in texts)
    false = tuple(p for p in stored if p.text not in truth)
    return ClipScore(clip, truth, found, missed, false)
