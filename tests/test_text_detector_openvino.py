"""EasyOCR's CRAFT text detector on OpenVINO: the same boxes as torch on real plates, the converted
network cached on disk and reused, and chosen wherever the detectors run on OpenVINO."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from real_crop_samples import real_crops

from detect.reading import text_detector_openvino as tdo
from detect.reading.readers import EasyOCRReader, TextBox
from detect.reading.recogniser import PlateRecogniser
from models import resolver
from platewatch.config import Detection, ModelPaths


@pytest.fixture(scope="module")
def model_dir() -> Path:
    return resolver.ocr_model_dir(ModelPaths().ocr_dir)


@pytest.fixture(scope="module")
def finders(model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, EasyOCRReader]:
    return {
        "torch": EasyOCRReader(model_dir, text_detector="torch"),
        "openvino": EasyOCRReader(model_dir, text_detector="openvino", threads=1),
    }


def _close(a: list[TextBox], b: list[TextBox], tolerance: int) -> bool:
    if len(a) != len(b):
        return False
    a, b = sorted(a, key=lambda t: (t.y1, t.x1)), sorted(b, key=lambda t: (t.y1, t.x1))
    return all(
        max(abs(p.x1 - q.x1), abs(p.x2 - q.x2), abs(p.y1 - q.y1), abs(p.y2 - q.y2)) <= tolerance
        for p, q in zip(a, b, strict=True)
    )


def test_openvino_finds_the_same_text_boxes_as_torch_on_real_plates(
    finders: dict[str, EasyOCRReader], shared_dir: Path
) -> None:
    crops = real_crops(shared_dir, "us_reported", 12) + real_crops(shared_dir, "id_satria", 8)
    torch_boxes = [finders["torch"].text_boxes.find(c) for c in crops]
    ov_boxes = [finders["openvino"].text_boxes.find(c) for c in crops]
    assert sum(len(b) for b in torch_boxes) >= len(crops), "the torch detector found too few boxes to compare"
    # The FP32 score maps agree to about 1e-3; a pixel on a threshold may flip, so boxes may move by a
    # pixel or two, and the bench (bench/text_detector.py) shows the reads do not change.
    same = sum(_close(t, o, tolerance=3) for t, o in zip(torch_boxes, ov_boxes, strict=True))
    assert same >= len(crops) - 1, (torch_boxes, ov_boxes)


def test_the_score_maps_match_torch(model_dir: Path) -> None:
    import torch
    from easyocr.craft import CRAFT
    from easyocr.detection import copyStateDict

    weights = model_dir / resolver.load_manifest()["ocr_detector"].file
    net = CRAFT()
    net.load_state_dict(copyStateDict(torch.load(str(weights), map_location="cpu", weights_only=False)))
    net.eval()
    x = torch.from_numpy(np.random.default_rng(3).normal(size=(1, 3, 96, 352)).astype(np.float32))
    with torch.no_grad():
        expected, _ = net(x)
    got, feature = tdo.OpenVINOTextDetector(weights, threads=1)(x)
    assert feature is None
    assert tuple(got.shape) == tuple(expected.shape) == (1, 48, 176, 2)
    assert float((got - expected).abs().max()) < 5e-3


def test_the_converted_network_is_cached_and_reused(
    model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    weights = model_dir / resolver.load_manifest()["ocr_detector"].file
    first = tdo._cached_model(weights, tmp_path)
    written = list(tmp_path.glob("craft-*/craft.xml"))
    assert len(written) == 1 and (written[0].parent / "craft.bin").stat().st_size > 50_000_000
    assert not list(tmp_path.glob(".craft-*")), "the staging folder was left behind"

    def no_conversion(_: Path) -> None:
        raise AssertionError("converted again although the cache holds the network")

    monkeypatch.setattr(tdo, "_convert", no_conversion)
    again = tdo._cached_model(weights, tmp_path)
    assert [p.get_partial_shape().to_string() for p in again.inputs] == [
        p.get_partial_shape().to_string() for p in first.inputs
    ]


def test_an_unwritable_cache_still_gives_a_working_detector(
    model_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    weights = model_dir / resolver.load_manifest()["ocr_detector"].file
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    model = tdo._cached_model(weights, blocker / "cache")
    assert model.inputs and "could not cache" in caplog.text


def test_the_recogniser_runs_text_boxes_on_the_detectors_backend() -> None:
    on_cpu = PlateRecogniser(Detection(backend="openvino"), ModelPaths(), readers=["rapidocr"], threads=1)
    assert isinstance(on_cpu.text_boxes._reader.detector, tdo.OpenVINOTextDetector)  # type: ignore[attr-defined]
    on_torch = PlateRecogniser(Detection(backend="torch"), ModelPaths(), readers=["rapidocr"], threads=1)
    assert not isinstance(on_torch.text_boxes._reader.detector, tdo.OpenVINOTextDetector)  # type: ignore[attr-defined]


def test_the_openvino_path_never_builds_the_torch_detector(
    model_dir: Path, shared_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """EasyOCR is asked for no detector of its own on OpenVINO (2.2 s of start-up saved), and the
    boxes still come: the same as the torch path finds on real plates."""
    import easyocr

    crops = real_crops(shared_dir, "us_reported", 6)
    torch_boxes = [EasyOCRReader(model_dir, text_detector="torch").text_boxes.find(c) for c in crops[:1]]

    def no_torch_detector(*_: object, **__: object) -> None:
        raise AssertionError("the torch CRAFT module was built on the OpenVINO path")

    monkeypatch.setattr(easyocr.Reader, "initDetector", no_torch_detector)
    monkeypatch.setattr(easyocr.Reader, "getDetectorPath", no_torch_detector)
    reader = EasyOCRReader(model_dir, text_detector="openvino", threads=1)
    ov_boxes = [reader.text_boxes.find(c) for c in crops]
    assert sum(len(b) for b in ov_boxes) >= len(crops)
    assert _close(torch_boxes[0], ov_boxes[0], tolerance=3)
