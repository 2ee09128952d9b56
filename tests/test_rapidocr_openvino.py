"""RapidOCR's line recogniser on OpenVINO: the same candidates and confidences as ONNX Runtime on
real plates (its probabilities feed the fitted combiner, so they must not move), safe from
several threads, and chosen wherever the detectors run on OpenVINO."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from real_crop_samples import real_crops

from detect.reading.rapidocr_network import LineNetwork
from detect.reading.readers import EasyOCRReader, RapidOCRReader
from detect.reading.recogniser import PlateRecogniser
from models import resolver
from platewatch.config import Detection, ModelPaths


@pytest.fixture(scope="module")
def easy() -> EasyOCRReader:
    return EasyOCRReader(resolver.ocr_model_dir(ModelPaths().ocr_dir), text_detector="openvino", threads=1)


def test_openvino_reads_what_onnxruntime_reads_on_real_plates(easy: EasyOCRReader, shared_dir: Path) -> None:
    ort_reader = RapidOCRReader(easy.text_boxes, threads=1, runtime="onnxruntime")
    ov_reader = RapidOCRReader(easy.text_boxes, threads=1, runtime="openvino")
    crops = (
        real_crops(shared_dir, "us_reported", 14)
        + real_crops(shared_dir, "id_satria", 10)
        + real_crops(shared_dir, "ar_cnn_ocr_lp", 6)
    )
    compared = 0
    for crop in crops:
        boxes = easy.text_boxes.find(crop)
        a, b = ort_reader.read(crop, boxes), ov_reader.read(crop, boxes)
        assert [(c.text, c.variant, c.span) for c in a] == [(c.text, c.variant, c.span) for c in b]
        for x, y in zip(a, b, strict=True):
            assert abs(x.confidence - y.confidence) < 1e-3, (x, y)
        compared += len(a)
    assert compared >= len(crops), "too few candidates to compare: the readers read almost nothing"


def test_one_network_serves_several_threads() -> None:
    network = LineNetwork("openvino", threads=1)
    rng = np.random.default_rng(7)
    batches = [rng.uniform(-1, 1, (1, 3, 48, w)).astype(np.float32) for w in (320, 320, 400, 320)]
    alone = [network(b) for b in batches]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(network, batches * 3))
    for got, want in zip(together, alone * 3, strict=True):
        assert got.shape == want.shape and np.allclose(got, want, atol=1e-6)
        assert np.allclose(got.sum(axis=1), 1.0, atol=1e-3), "rows are character probabilities"


def test_an_unknown_runtime_is_refused() -> None:
    with pytest.raises(ValueError, match="onnxruntime or openvino"):
        LineNetwork("tensorrt", threads=1)  # type: ignore[arg-type]


def test_the_recogniser_runs_rapidocr_on_the_detectors_backend() -> None:
    def runtime(backend: str) -> str:
        detection = Detection(backend=backend)  # type: ignore[arg-type]
        recogniser = PlateRecogniser(detection, ModelPaths(), readers=["rapidocr"], threads=1)
        (reader,) = recogniser.readers
        assert isinstance(reader, RapidOCRReader)
        return reader.runtime

    assert runtime("openvino") == "openvino"
    assert runtime("torch") == "onnxruntime"
