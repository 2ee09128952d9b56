"""The committed plate recogniser loads through a real, offline `easyocr.Reader` and reads plates."""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
import yaml

from detect.reading.custom_recogniser import (
    NETWORK_NAME,
    PlatewatchPlateReader,
    network_img_h,
    plate_recogniser_dir,
)
from detect.reading.readers import PlateTextReader
from models import resolver
from offline.ocr_training.network import network_params
from offline.synth import generate_plate
from offline.synth.uk_glyphs import glyph_folder


@pytest.fixture(scope="module")
def plate_reader() -> PlatewatchPlateReader:
    return PlatewatchPlateReader(plate_recogniser_dir())


def test_weights_are_committed_and_match_the_manifest_checksum() -> None:
    weights = resolver.resolve("plate_recogniser")
    spec = resolver.load_manifest()["plate_recogniser"]
    assert weights.is_file() and spec.sha256
    assert resolver.sha256_of(weights) == spec.sha256
    assert weights.stat().st_size < 10_000_000, "the committed recogniser must stay a few MB"


@pytest.mark.slow
def test_loads_through_easyocr_as_a_custom_network(plate_reader: PlatewatchPlateReader) -> None:
    import easyocr

    assert isinstance(plate_reader.engine, easyocr.Reader)
    assert isinstance(plate_reader, PlateTextReader)
    assert "".join(plate_reader.engine.character) == "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    # EasyOCR built the network from the yaml's sizes with our class, and kept the NHWC layout
    # through its load_state_dict (the point of the class).
    recogniser = plate_reader.engine.recognizer
    assert type(recogniser).__module__ == NETWORK_NAME
    config = yaml.safe_load((plate_recogniser_dir() / f"{NETWORK_NAME}.yaml").read_text(encoding="utf-8"))
    assert network_params(recogniser) == config["network_params"]
    conv = recogniser.get_submodule("FeatureExtraction.ConvNet.3")
    assert conv.weight.is_contiguous(memory_format=torch.channels_last)


def test_committed_network_definition_is_the_package_module() -> None:
    """models/ocr/platewatch_plates.py is written by the export; it must not drift from the source."""
    from offline.ocr_training.export import network_source

    committed = plate_recogniser_dir() / f"{NETWORK_NAME}.py"
    assert committed.read_text(encoding="utf-8") == network_source()


@pytest.mark.slow
@pytest.mark.skipif(not glyph_folder().is_dir(), reason=f"no real UK glyphs at {glyph_folder()}")
@pytest.mark.parametrize("index", [0, 1, 2])
def test_reads_a_rendered_uk_plate(plate_reader: PlatewatchPlateReader, index: int) -> None:
    # UK plates drawn with the real Charles Wright glyph shapes (shared/data/uk_glyphs), which the
    # committed weights were trained on; the weights before them read 21 of 40 such plates
    # (BE18HXV as BEI8HXV), these 38 (docs/benchmarks.md).
    plate = generate_plate(2024, index, layouts=["gb_current"], clean=True, uk_glyphs="real")
    # A typical CCTV plate size.
    small = np.asarray(cv2.resize(plate.image, (260, 56), interpolation=cv2.INTER_AREA), dtype=np.uint8)
    candidates = plate_reader.read(small)
    assert candidates, "no reading"
    assert candidates[0].text == plate.label
    assert 0.0 <= candidates[0].confidence <= 1.0
    assert candidates[0].reader == "platewatch_plates"


@pytest.mark.slow
def test_our_input_height_does_not_leak_into_stock_easyocr_readers(
    plate_reader: PlatewatchPlateReader,
) -> None:
    """EasyOCR keeps a custom network's imgH in a module global; loading ours must not shrink the
    input of the stock english_g2 readers that run beside it in the pipeline."""
    import easyocr.easyocr

    assert plate_reader.img_h == network_img_h(plate_recogniser_dir()) == 48
    assert easyocr.easyocr.imgH == 64


@pytest.mark.slow
def test_tiny_or_empty_crops_give_no_candidates(plate_reader: PlatewatchPlateReader) -> None:
    assert plate_reader.read(np.zeros((4, 40, 3), np.uint8)) == []
    assert plate_reader.read(np.zeros((20, 5, 3), np.uint8)) == []


def test_folder_without_network_definition_is_a_clear_error(tmp_path: Path) -> None:
    weights = resolver.resolve("plate_recogniser")
    shutil.copyfile(weights, tmp_path / weights.name)
    with pytest.raises(resolver.ModelNotFoundError, match=f"{NETWORK_NAME}.yaml"):
        plate_recogniser_dir(tmp_path / weights.name)


def test_plate_recogniser_selects_the_plate_trained_reader_by_name(shared_dir: Path) -> None:
    from detect.reading.custom_recogniser import PlatewatchPlateReader
    from detect.reading.recogniser import PlateRecogniser
    from platewatch.config import Detection, ModelPaths

    recogniser = PlateRecogniser(Detection(), ModelPaths(), readers=["platewatch_plates"])
    assert [type(r) for r in recogniser.readers] == [PlatewatchPlateReader]
    with pytest.raises(ValueError, match="unknown plate readers \\['tesseract'\\]"):
        PlateRecogniser(Detection(), ModelPaths(), readers=["tesseract"])
