"""PlateWatch's own plate recogniser, run by EasyOCR as a custom `recog_network`.

The network is english_g2's CRNN fine-tuned on synthetic plates with a plate-only alphabet
(A-Z, 0-9), trained by `platewatch ocr train` (offline/ocr_training). Its folder, models/ocr/,
holds the three files EasyOCR wants: `platewatch_plates.pth` (weights, sha256 pinned in
models/manifest.yaml as role `plate_recogniser`), `.yaml` (alphabet, input height) and `.py`
(network class). It was trained on whole plate crops, band and border included, so it reads the
crop in one pass: no CRAFT text detector, and no allowlist filtering.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from detect.reading.readers import TextCandidate, inner_plate, plate_chars
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


def network_img_h(folder: Path) -> int:
    """Input height the network was trained for (`imgH` in its yaml)."""
    config = yaml.safe_load((folder / f"{NETWORK_NAME}.yaml").read_text(encoding="utf-8"))
    return int(config["imgH"])


def load_plate_recogniser(folder: Path) -> object:
    """An `easyocr.Reader` running our network from `folder`; recogniser only, never downloads."""
    import easyocr  # imported here: torch start-up is slow
    import easyocr.easyocr as easyocr_module

    # EasyOCR stores a custom network's imgH in a module global that every Reader in the process
    # then uses: put back the stock value so english_g2 readers loaded beside ours keep 64 px.
    stock_img_h = easyocr_module.imgH
    try:
        return easyocr.Reader(
            ["en"],
            gpu=False,
            model_storage_directory=str(folder),
            user_network_directory=str(folder),
            recog_network=NETWORK_NAME,
            detector=False,
            download_enabled=False,
            verbose=False,
            # Float LSTMs: on this CPU EasyOCR's dynamically quantised ones were about 10 % slower
            # per plate (one crop at a time, short sequences), and they round the weights.
            quantize=False,
        )
    finally:
        easyocr_module.imgH = stock_img_h


class PlatewatchPlateReader:
    """`PlateTextReader` over the plate-trained network.

    One pass per plate. By default it reads the inner plate (`detect.reading.readers.inner_plate`: the
    blue side band and the outer frame cut away), because the pipeline's rectified patches carry
    a margin by construction (`rectify_plate` adds 10 % of the box height above and below) and
    that margin holds the plate holder, its dealer strip and the car body. `inner=False` reads the
    whole crop, for callers whose crops are already tight round the plate.
    """

    name = READER_NAME

    def __init__(
        self, folder: Path | None = None, *, inner: bool = True, reader: object | None = None
    ) -> None:
        folder = folder or plate_recogniser_dir()
        self._reader = reader if reader is not None else load_plate_recogniser(folder)
        self._img_h = network_img_h(folder)
        self._inner = inner

    @property
    def engine(self) -> object:
        return self._reader

    @property
    def img_h(self) -> int:
        """Input height of the network (EasyOCR's imgH for this reader only)."""
        return self._img_h

    def recognise(self, crop: Image, decoder: str = "greedy") -> tuple[str, float]:
        """One crop -> (A-Z0-9 text, EasyOCR's confidence)."""
        import torch
        from easyocr.recognition import get_text
        from easyocr.utils import get_image_list

        from offline.ocr_training.dataset import to_grey_resized

        # Grey and shrunk to the network's height exactly as in training (EasyOCR's own resize is
        # then a no-op): area averaging rather than EasyOCR's linear sampling, which aliases strokes.
        grey = np.ascontiguousarray(to_grey_resized(crop, self._img_h))
        h, w = grey.shape[:2]
        reader = self._reader
        # EasyOCR's own recognition steps (what `Reader.recognize` runs for one box), called with
        # our network's input height rather than the process-wide global, and without the
        # per-call input reformatting and result post-processing that a single box does not need.
        image_list, max_width = get_image_list([[0, w, 0, h]], [], grey, model_height=self._img_h)
        with torch.inference_mode():
            result = get_text(
                reader.character,  # type: ignore[attr-defined]
                self._img_h,
                int(max_width),
                reader.recognizer,  # type: ignore[attr-defined]
                reader.converter,  # type: ignore[attr-defined]
                image_list,
                "",  # ignore_char: the alphabet is the plate alphabet already
                decoder,
                5,  # beamWidth, EasyOCR's default
                1,  # batch_size
                0.1,  # contrast_ths: low-confidence reads get a second, contrast-stretched pass
                0.5,  # adjust_contrast
                0.003,  # filter_ths
                0,  # workers
                "cpu",
            )
        if not result:
            return "", 0.0
        _, text, conf = result[0]
        return plate_chars(str(text).upper()), float(np.clip(conf, 0.0, 1.0))

    def read(self, crop: Image) -> list[TextCandidate]:
        if crop.ndim < 2 or crop.shape[0] < 6 or crop.shape[1] < 12:
            return []
        region, method = crop, "full_greedy"
        if self._inner:
            inner = inner_plate(crop)
            if inner.shape[0] >= 6 and inner.shape[1] >= 12:
                region, method = inner, "inner_greedy"
        text, conf = self.recognise(region)
        return [TextCandidate(text, conf, self.name, method)] if text else []
