"""From a vehicle (or a whole still image) to grammar-checked plate reads with their evidence crop.

Candidate choice: every reader proposes strings for the rectified plate patch; each is passed
through the region grammar; strings are pooled by their corrected text. A text wins on its best
confidence, how many independent variants agree with it, and whether the grammar accepts it, so a
valid read beats an invalid one of similar confidence and one confident outlier does not beat a
consensus.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from detect.grammar import apply_grammar
from detect.plates import PlateBox, PlateDetector, rectify_plate
from detect.reading import (
    EasyOCRReader,
    PlateTextReader,
    RapidOCRReader,
    TextBox,
    TextCandidate,
    single_line,
)
from detect.records import BoxXYXY, PlateRead
from detect.vehicles import VehicleDetector
from ingest.frames import Image
from models import resolver
from platewatch.config import Detection, ModelPaths

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
# The plate-trained recogniser (models/ocr, run by EasyOCR) and PaddleOCR's recogniser as the second
# opinion: in the full pipeline this pair reads more plates than stock EasyOCR + RapidOCR on both dev
# sets, in less time (docs/benchmarks.md, "Plate reading"). Stock english_g2 stays selectable.
DEFAULT_READERS = ("rapidocr", "platewatch_plates")
READER_CHOICES = ("easyocr", "rapidocr", "platewatch_plates")
# Stock EasyOCR gives high confidences to wrong plate reads (8-10 % exact on plates when measured
# alone), so its votes count for less when another reader is present.
READER_WEIGHTS = {"easyocr": 0.8}


@dataclass(frozen=True)
class PlateObservation:
    """One read of one plate in one frame."""

    read: PlateRead
    crop: Image  # rectified plate patch, BGR (evidence)
    candidates: tuple[TextCandidate, ...]


@dataclass
class StageSeconds:
    """Wall time spent per stage since creation, for benchmarks and `eval plates`."""

    vehicles: float = 0.0
    plates: float = 0.0
    rectify: float = 0.0
    text_boxes: float = 0.0
    ocr: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, float]:
        out = {
            "vehicles": self.vehicles,
            "plates": self.plates,
            "rectify": self.rectify,
            "text_boxes": self.text_boxes,
        }
        out.update({f"ocr_{k}": v for k, v in self.ocr.items()})
        return out


@dataclass(frozen=True, slots=True)
class _Choice:
    raw: str
    text: str
    valid: bool
    format: str | None
    confidence: float
    score: float
    reader: str


def _expansions(text: str) -> list[tuple[str, float]]:
    """The text itself, plus the text without a leading country identifier (with a small penalty)."""
    out = [(text, 0.0)]
    for prefix in _COUNTRY_PREFIXES:
        if text.startswith(prefix) and len(text) - len(prefix) >= 4:
            out.append((text[len(prefix) :], _PREFIX_PENALTY))
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
        for text, prefix_penalty in _expansions(cand.text):
            result = apply_grammar(text, region, on_date=day)
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


class PlateRecogniser:
    """Plate localisation, rectification, reading and grammar for vehicles or still images."""

    def __init__(
        self,
        detection: Detection,
        models: ModelPaths,
        readers: Sequence[str | PlateTextReader] = DEFAULT_READERS,
        threads: int = 0,
    ) -> None:
        """`readers`: built-in reader names and/or reader objects (e.g. a plate-trained network),
        combined in `choose_text`. `threads` caps ONNX Runtime's threads for RapidOCR (0: its
        default); torch's are process-wide and left to the caller (`torch.set_num_threads`)."""
        names = {r for r in readers if isinstance(r, str)}
        unknown = sorted(names - set(READER_CHOICES))
        if unknown or not readers:
            raise ValueError(f"unknown plate readers {unknown}; choose from {', '.join(READER_CHOICES)}")
        self.detection = detection
        self.models = models
        self.plates = PlateDetector(detection, models)
        self._vehicles: VehicleDetector | None = None
        # The EasyOCR engine is always loaded: its CRAFT detector finds the text boxes every
        # reader recognises, so boxes are found once per plate and shared.
        easy = EasyOCRReader(resolver.ocr_model_dir(models.ocr_dir))
        self._text_boxes = easy.text_boxes
        self.readers: list[PlateTextReader] = []
        for reader in readers:
            if reader == "easyocr":
                self.readers.append(easy)
            elif reader == "rapidocr":
                self.readers.append(RapidOCRReader(self._text_boxes, threads=threads))
            elif reader == "platewatch_plates":
                from detect.custom_recogniser import PlatewatchPlateReader

                self.readers.append(PlatewatchPlateReader())
            elif not isinstance(reader, str):
                self.readers.append(reader)
        self.seconds = StageSeconds()

    def for_region(self, region: Literal["gb", "any"]) -> PlateRecogniser:
        """The same loaded models reading under another plate grammar (timings are shared)."""
        _ = self.vehicles  # load once here so both objects share it
        other = copy.copy(self)
        other.detection = self.detection.model_copy(update={"region": region})
        return other

    @property
    def vehicles(self) -> VehicleDetector:
        if self._vehicles is None:
            self._vehicles = VehicleDetector(self.detection, self.models)
        return self._vehicles

    def read_candidates(self, patch: Image) -> list[TextCandidate]:
        t0 = time.perf_counter()
        boxes: list[TextBox] = self._text_boxes.find(patch)
        self.seconds.text_boxes += time.perf_counter() - t0
        out: list[TextCandidate] = []
        one_line = single_line(boxes)
        for reader in self.readers:
            t0 = time.perf_counter()
            if isinstance(reader, EasyOCRReader | RapidOCRReader):
                out += reader.read(patch, boxes)
            elif one_line:
                # A whole-patch reader sees a two-row plate as one spliced line; the box readers
                # read it row by row instead.
                out += reader.read(patch)
            self.seconds.ocr[reader.name] = self.seconds.ocr.get(reader.name, 0.0) + time.perf_counter() - t0
        return out

    def read_plate(self, image: Image, plate_box: BoxXYXY, timestamp: datetime) -> PlateObservation | None:
        """Read a plate whose box in `image` is already known; None when nothing legible."""
        t0 = time.perf_counter()
        try:
            patch = rectify_plate(image, plate_box)
        except ValueError:
            return None
        finally:
            self.seconds.rectify += time.perf_counter() - t0
        candidates = self.read_candidates(patch)
        choice = choose_text(candidates, self.detection.region, timestamp)
        if choice is None:
            return None
        read = PlateRead(
            raw_text=choice.raw,
            text=choice.text,
            confidence=choice.confidence,
            timestamp=timestamp,
            box=plate_box,
            reader=choice.reader,
            grammar_valid=choice.valid,
            grammar_format=choice.format,
        )
        return PlateObservation(read=read, crop=patch, candidates=tuple(candidates))

    def find_plates(self, image: Image, within: BoxXYXY | None = None) -> list[PlateBox]:
        t0 = time.perf_counter()
        try:
            return self.plates.detect(image, within)
        finally:
            self.seconds.plates += time.perf_counter() - t0

    def read_vehicle(
        self, image: Image, vehicle_box: BoxXYXY, timestamp: datetime
    ) -> PlateObservation | None:
        """The plate of one vehicle: the most confident plate box inside it, read; None if none."""
        for plate in self.find_plates(image, vehicle_box)[:2]:
            observation = self.read_plate(image, plate.box, timestamp)
            if observation is not None:
                return observation
        return None

    def read_image(self, image: Image, timestamp: datetime) -> list[PlateObservation]:
        """Every plate in a still image: see `detect.still.plates_in_image`."""
        from detect.still import plates_in_image

        observations: list[PlateObservation] = []
        for plate in plates_in_image(self, image):
            observation = self.read_plate(image, plate.box, timestamp)
            if observation is not None:
                observations.append(observation)
        return observations
