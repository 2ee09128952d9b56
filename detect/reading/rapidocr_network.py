"""The PP-OCRv4 text-line recogniser that ships inside the `rapidocr-onnxruntime` wheel, on either
runtime: ONNX Runtime (as shipped) or OpenVINO (the same ONNX file, read by OpenVINO's ONNX front end).

OpenVINO runs it in FP32, never bfloat16: on this CPU FP32 OpenVINO is about 1.5x ONNX Runtime at
the usual 48 x 320 input with the same probabilities (largest difference 3e-5, the same best
character at every step on real plates), while bfloat16 moved them by up to 0.05. Those
probabilities are inputs of the fitted combiner (`detect.reading.combiner`), so a runtime that
changed them would need a refit; this one does not.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Literal

import numpy as np

LineRuntime = Literal["onnxruntime", "openvino"]


def model_path() -> Path:
    """The recogniser's ONNX file inside the installed wheel, or a clear error naming it."""
    import rapidocr_onnxruntime

    model = Path(rapidocr_onnxruntime.__file__).parent / "models" / "ch_PP-OCRv4_rec_infer.onnx"
    if not model.is_file():
        raise FileNotFoundError(f"RapidOCR recogniser not found at {model}; reinstall rapidocr-onnxruntime")
    return model


def _characters(model: Path, listed: str | None) -> list[str]:
    """Index -> character of the network's output: CTC blank first, space last (the layout
    PaddleOCR trained with), from the character list in the ONNX file's metadata."""
    if not listed:
        raise ValueError(f"{model} carries no character list in its metadata")
    return ["", *listed.splitlines(), " "]


class LineNetwork:
    """(1, 3, 48, W) normalised batch -> (T, classes) character probabilities, on one runtime.

    Safe to call from several threads: ONNX Runtime sessions are; OpenVINO infer requests are not,
    so each calling thread gets its own."""

    def __init__(self, runtime: LineRuntime = "onnxruntime", threads: int = 0) -> None:
        self.runtime = runtime
        model = model_path()
        self._local = threading.local()
        if runtime == "onnxruntime":
            import onnxruntime as ort  # type: ignore[import-untyped]

            options = ort.SessionOptions()
            if threads > 0:
                options.intra_op_num_threads = threads
            self._session: Any = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
            self._input = self._session.get_inputs()[0].name
            listed = self._session.get_modelmeta().custom_metadata_map.get("character")
        elif runtime == "openvino":
            import openvino as ov

            config: dict[str, Any] = {"PERFORMANCE_HINT": "LATENCY", "INFERENCE_PRECISION_HINT": "f32"}
            if threads > 0:
                config["INFERENCE_NUM_THREADS"] = threads
            core = ov.Core()
            network = core.read_model(str(model))
            # OpenVINO's ONNX front end keeps the file's metadata under "framework".
            key = ["framework", "character"]
            listed = network.get_rt_info(key).astype(str) if network.has_rt_info(key) else None
            self._compiled: Any = core.compile_model(network, "CPU", config)
        else:
            raise ValueError(f"unknown runtime {runtime!r}: onnxruntime or openvino")
        self.characters = _characters(model, listed)

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        if self.runtime == "onnxruntime":
            return np.asarray(self._session.run(None, {self._input: batch})[0][0])
        request = getattr(self._local, "request", None)
        if request is None:
            request = self._compiled.create_infer_request()
            self._local.request = request
        return np.array(request.infer({0: batch})[0][0])
