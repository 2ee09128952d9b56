"""PlateWatch's own plate recogniser, run by EasyOCR as a custom `recog_network`.

The network is english_g2's CRNN fine-tuned on synthetic plates with a plate-only alphabet
(A-Z, 0-9), trained by `platewatch ocr train` (detect/ocr_training). Its folder, models/ocr/,
holds the three files EasyOCR wants: `platewatch_plates.pth` (weights, sha256 pinned in
models/manifest.yaml as role `plate_recogniser`), `.yaml` (alphabet, input height) and `.py`
(network class). It was trained on whole plate crops, band and border included, so it reads the
crop in one pass: no CRAFT text detector, and no allowlist filtering.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from detect.reading import TextCandidate, inner_plate, plate_chars
from ingest.frames import Image
from models import resolver

NETWORK_NAME = "platewatch_plates"
READER_NAME = "platewatch_plates"


def plate_recogniser_dir(explicit: Path | None = None) -> Path:
    """Folder with the verified weights and their network definition, or a clear error."""
    weights = resolver.resolve("plate_recogniser", explicit)
    folder = weights.parent
    missing = [
        f"{NETWORK_NAME}{ext}" for ext in (".yaml", ".py") if not (folder / f"{NETWORK_NAME}{ext}").is_file()
    ]
    if missing:
        raise resolver.ModelNotFoundError(
            f"plate recogniser: {weights} found but {', '.join(missing)} missing beside it; "
            "EasyOCR needs the network definition and config in the same folder"
        )
    return folder


def load_plate_recogniser(folder: Path) -> object:
    """An `easyocr.Reader` running our network from `folder`; recogniser only, never downloads."""
    import easyocr  # imported here: torch start-up is slow

    return easyocr.Reader(
        ["en"],
        gpu=False,
        model_storage_directory=str(folder),
        user_network_directory=str(folder),
        recog_network=NETWORK_NAME,
        detector=False,
        download_enabled=False,
        verbose=False,
    )


class PlatewatchPlateReader:
    """`PlateTextReader` over the plate-trained network.

    Candidates: the whole crop (what the network was trained on); optionally also the inner plate
    without band and frame (`inner=True`), which costs a second pass.
    """

    name = READER_NAME

    def __init__(
        self, folder: Path | None = None, *, inner: bool = False, reader: object | None = None
    ) -> None:
        self._reader = (
            reader if reader is not None else load_plate_recogniser(folder or plate_recogniser_dir())
        )
        self._inner = inner

    @property
    def engine(self) -> object:
        return self._reader

    def recognise(self, crop: Image, decoder: str = "greedy") -> tuple[str, float]:
        """One crop -> (A-Z0-9 text, EasyOCR's confidence)."""
        grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop
        h, w = grey.shape[:2]
        result = self._reader.recognize(  # type: ignore[attr-defined]
            np.ascontiguousarray(grey),
            horizontal_list=[[0, w, 0, h]],
            free_list=[],
            decoder=decoder,
            detail=1,
        )
        if not result:
            return "", 0.0
        _, text, conf = result[0]
        return plate_chars(str(text).upper()), float(np.clip(conf, 0.0, 1.0))

    def read(self, crop: Image) -> list[TextCandidate]:
        if crop.ndim < 2 or crop.shape[0] < 6 or crop.shape[1] < 12:
            return []
        out: list[TextCandidate] = []
        text, conf = self.recognise(crop)
        if text:
            out.append(TextCandidate(text, conf, self.name, "full_greedy"))
        if self._inner:
            inner = inner_plate(crop)
            if inner.shape[0] >= 6 and inner.shape[1] >= 12:
                text, conf = self.recognise(inner)
                if text:
                    out.append(TextCandidate(text, conf, self.name, "inner_greedy"))
        return out
