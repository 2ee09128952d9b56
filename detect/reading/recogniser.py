"""From a vehicle (or a whole still image) to grammar-checked plate reads with their evidence crop:
plate localisation, rectification, the readers, then candidate choice (`detect.reading.choice`).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

import numpy as np

from detect.batch_inference import InferenceDevice
from detect.inference_backend import choose_backend
from detect.reading.choice import choose_text
from detect.reading.deblur import deblur_plate
from detect.reading.denoise import denoise_plate
from detect.reading.localise import PlateBox, PlateDetector, rectify_plate
from detect.reading.quality import plate_quality
from detect.reading.readers import (
    EasyOCRReader,
    PlateGeometry,
    PlateTextReader,
    RapidOCRReader,
    TextBox,
    TextBoxFinder,
    TextCandidate,
    blue_band_end,
    plate_geometry,
    single_line,
)
from detect.records import BoxXYXY, PlateRead
from detect.vehicles import VehicleDetector
from ingest.frames import Image
from models import resolver
from platewatch.config import Detection, ModelPaths

# The plate-trained recogniser (models/ocr, run by EasyOCR) and PaddleOCR's recogniser as the second
# opinion: in the full pipeline this pair reads more plates than stock EasyOCR + RapidOCR on both dev
# sets, in less time (docs/benchmarks.md, "Plate reading"). Stock english_g2 stays selectable.
DEFAULT_READERS = ("rapidocr", "platewatch_plates")
READER_CHOICES = ("easyocr", "rapidocr", "platewatch_plates")


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
    restore: float = 0.0  # measuring and undoing a smear or noise for a second read
    ocr: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, float]:
        out = {
            "vehicles": self.vehicles,
            "plates": self.plates,
            "rectify": self.rectify,
            "text_boxes": self.text_boxes,
            "restore": self.restore,
        }
        out.update({f"ocr_{k}": v for k, v in self.ocr.items()})
        return out


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
        combined in `choose_text`. `threads` caps ONNX Runtime's threads for RapidOCR and
        OpenVINO's for the text detector (0: their defaults); torch's are process-wide and left to
        the caller (`torch.set_num_threads`)."""
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
        # Text boxes and RapidOCR's lines run on whichever runtime the detectors do: OpenVINO on a
        # CPU (CRAFT 3x faster, the line recogniser 1.5x).
        text_detector = choose_backend(detection.backend)
        easy = EasyOCRReader(
            resolver.ocr_model_dir(models.ocr_dir), text_detector=text_detector, threads=threads
        )
        self._text_boxes = easy.text_boxes
        self.readers: list[PlateTextReader] = []
        for reader in readers:
            if reader == "easyocr":
                self.readers.append(easy)
            elif reader == "rapidocr":
                self.readers.append(
                    RapidOCRReader(
                        self._text_boxes,
                        threads=threads,
                        runtime="openvino" if text_detector == "openvino" else "onnxruntime",
                    )
                )
            elif reader == "platewatch_plates":
                from detect.reading.custom_recogniser import PlatewatchPlateReader

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

    @property
    def text_boxes(self) -> TextBoxFinder:
        """The text detector every reader's boxes come from."""
        return self._text_boxes

    def read_candidates(self, patch: Image) -> list[TextCandidate]:
        return self.read_patch(patch)[0]

    def read_patch(self, patch: Image) -> tuple[list[TextCandidate], PlateGeometry | None]:
        """Every reader's candidates for a plate patch, and the geometry of its text boxes."""
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
        return out, plate_geometry(patch.shape, boxes, blue_band_end(patch), patch)

    def read_plate(self, image: Image, plate_box: BoxXYXY, timestamp: datetime) -> PlateObservation | None:
        """Read a plate whose box in `image` is already known; None when nothing legible.

        A read below letter grade is tried once more with the plate's horizontal motion blur undone
        when it shows one (`detect.reading.deblur`), else, with `detection.denoise_second_read`, with
        noise and compression blocks smoothed (`detect.reading.denoise`, never letter grade on its
        own); the more confident of the two reads is kept.
        The evidence crop and the view's quality stay those of the plate as captured: a reviewer
        sees what the camera saw, and the consensus does not weight a smeared view like a sharp
        one (deconvolution sharpens noise as well as edges).
        """
        t0 = time.perf_counter()
        try:
            patch = rectify_plate(image, plate_box)
        except ValueError:
            return None
        finally:
            self.seconds.rectify += time.perf_counter() - t0
        quality = plate_quality(patch, plate_box)
        first = self._read_patch_as_plate(patch, plate_box, timestamp, quality)
        if not (self.detection.motion_deblur or self.detection.denoise_second_read) or (
            first is not None and first.read.confidence >= self.detection.letter_grade_confidence
        ):
            return first
        t0 = time.perf_counter()
        try:
            restored = self._restored_patch(image, plate_box)
        finally:
            self.seconds.restore += time.perf_counter() - t0
        if restored is None:
            return first
        sharp_patch, smoothed = restored
        second = self._read_patch_as_plate(sharp_patch, plate_box, timestamp, quality)
        if second is None:
            return first
        read = second.read
        if smoothed:
            # The combiner was calibrated on views as captured; on a smoothed one it gave two wrong
            # reads at 0.92-0.94 on the street bench (a dropped first character, a stray
            # one). A smoothed read is therefore never letter grade on its own.
            ceiling = float(np.nextafter(self.detection.letter_grade_confidence, 0.0))
            read = replace(read, confidence=min(read.confidence, ceiling))
        if first is not None and first.read.confidence >= read.confidence:
            return first
        return PlateObservation(read=read, crop=patch, candidates=second.candidates)

    def _restored_patch(self, image: Image, plate_box: BoxXYXY) -> tuple[Image, bool] | None:
        """The plate rectified again after undoing what the camera did to it, and whether it was
        smoothed: a measured horizontal smear undone when there is one, else (when enabled) noise
        and compression blocks smoothed."""
        region: tuple[Image, BoxXYXY] | None = None
        smoothed = False
        deblurred = deblur_plate(image, plate_box) if self.detection.motion_deblur else None
        if deblurred is not None:
            region = (deblurred.image, deblurred.box)
        elif self.detection.denoise_second_read:
            denoised = denoise_plate(image, plate_box)
            region = (denoised.image, denoised.box) if denoised is not None else None
            smoothed = True
        if region is None:
            return None
        try:
            return rectify_plate(*region), smoothed
        except ValueError:
            return None

    def _read_patch_as_plate(
        self, patch: Image, plate_box: BoxXYXY, timestamp: datetime, quality: float
    ) -> PlateObservation | None:
        candidates, geometry = self.read_patch(patch)
        choice = choose_text(candidates, self.detection.region, timestamp, geometry=geometry)
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
            quality=quality,
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
        return self.read_found_plates(image, self.find_plates(image, vehicle_box), timestamp)

    def find_plates_batch(
        self, requests: Sequence[tuple[Image, BoxXYXY]], device: InferenceDevice | None = None
    ) -> list[list[PlateBox]]:
        """`find_plates(image, vehicle_box)` for many vehicles (of one or many cameras) at once."""
        t0 = time.perf_counter()
        try:
            return self.plates.detect_batch(requests, device)
        finally:
            self.seconds.plates += time.perf_counter() - t0

    def read_found_plates(
        self, image: Image, plates: Sequence[PlateBox], timestamp: datetime
    ) -> PlateObservation | None:
        """The first legible of the two most confident plates found in a vehicle; None if neither."""
        for plate in plates[:2]:
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
