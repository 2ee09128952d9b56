"""EasyOCR's CRAFT text detector run by OpenVINO instead of torch, for CPUs.

CRAFT (a VGG16 U-Net) finding the text boxes inside each plate patch was two thirds of the OCR
time on a CPU (docs/benchmarks.md, "Text boxes on OpenVINO"); OpenVINO runs the same network about
three times faster (in bfloat16 where the CPU has it) with the same reads. The network is converted
from EasyOCR's own weights (`craft_mlt_25k.pth`), so no other file has to be shipped; the converted
model is kept in a cache folder so later processes skip the conversion (torch tracing, seconds).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from models.resolver import sha256_of

log = logging.getLogger(__name__)

CACHE_ENV = "PLATEWATCH_CACHE_DIR"


def cache_root() -> Path:
    """Where converted networks are kept: $PLATEWATCH_CACHE_DIR, else the user's cache folder."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "platewatch"


def _convert(weights: Path) -> Any:
    import openvino as ov
    import torch
    from easyocr.craft import CRAFT
    from easyocr.detection import copyStateDict

    net = CRAFT()
    net.load_state_dict(copyStateDict(torch.load(str(weights), map_location="cpu", weights_only=False)))
    net.eval()
    # Any batch, height and width: plate patches differ in width, and CRAFT is fully convolutional.
    return ov.convert_model(
        net, example_input=torch.zeros(1, 3, 96, 448), input=[ov.PartialShape([-1, 3, -1, -1])]
    )


def _cached_model(weights: Path, cache: Path) -> Any:
    """The converted network, read from `cache` when an earlier process converted these weights."""
    import openvino as ov

    folder = cache / f"craft-{sha256_of(weights)[:16]}-ov{ov.get_version().split('-')[0]}"
    xml = folder / "craft.xml"
    core = ov.Core()
    if xml.is_file() and (folder / "craft.bin").is_file():
        return core.read_model(str(xml))
    model = _convert(weights)
    try:
        cache.mkdir(parents=True, exist_ok=True)
        # Written beside and renamed into place, so a process reading the cache never sees half a model.
        staging = Path(tempfile.mkdtemp(prefix=".craft-", dir=cache))
        ov.save_model(model, str(staging / "craft.xml"), compress_to_fp16=False)
        try:
            staging.rename(folder)
        except OSError:  # another process won the race: its copy is the same network
            shutil.rmtree(staging, ignore_errors=True)
    except OSError as exc:
        log.warning(
            "could not cache the OpenVINO text detector in %s (%s): converting each start", cache, exc
        )
    return model


@lru_cache(maxsize=4)
def _compiled(weights: Path, threads: int, cache: Path) -> Any:
    import openvino as ov

    core = ov.Core()
    # bfloat16 where the CPU has it (OpenVINO's own default there, made explicit): twice the speed of
    # FP32 (73 against 146 ms for a 96 x 448 patch here), score maps within 1.2e-3 of FP32, and the
    # same reads (bench/text_detector.py). Elsewhere FP32.
    precision = "bf16" if "BF16" in core.get_property("CPU", "OPTIMIZATION_CAPABILITIES") else "f32"
    config: dict[str, Any] = {"PERFORMANCE_HINT": "LATENCY", "INFERENCE_PRECISION_HINT": precision}
    if threads > 0:
        config["INFERENCE_NUM_THREADS"] = threads
    return core.compile_model(_cached_model(weights, cache), "CPU", config)


class OpenVINOTextDetector:
    """Stands in for EasyOCR's torch CRAFT module (`Reader.detector`): called with the normalised
    NCHW batch EasyOCR builds, returns (score maps, None) as torch tensors, as the module does.
    EasyOCR only reads the score maps; the feature map the torch module also returns is unused."""

    def __init__(self, weights: Path, threads: int = 0, cache: Path | None = None) -> None:
        self._compiled = _compiled(weights.resolve(), threads, (cache or cache_root()).resolve())
        self._local = threading.local()

    def __call__(self, x: Any) -> tuple[Any, None]:
        import torch

        request = getattr(self._local, "request", None)
        if request is None:  # an infer request is not thread-safe: one per calling thread
            request = self._compiled.create_infer_request()
            self._local.request = request
        scores = request.infer(np.ascontiguousarray(x.numpy(), dtype=np.float32))[0]
        return torch.from_numpy(np.array(scores)), None

    def eval(self) -> OpenVINOTextDetector:  # EasyOCR may call module methods on its detector
        return self
