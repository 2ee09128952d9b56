"""Which runtime runs the YOLO detectors, and loading a detector's weights for it.

On a CPU, OpenVINO runs the same networks three to seven times faster than torch (measured in
docs/benchmarks.md, "CPU inference"); on a CUDA GPU torch is the fast path. Ultralytics drives
both, so the detectors' predict calls and results are the same whichever is chosen.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Literal

import yaml
from ultralytics import YOLO  # type: ignore[attr-defined]

from models import resolver

log = logging.getLogger(__name__)

Backend = Literal["torch", "openvino"]
BackendSetting = Literal["auto", "torch", "openvino"]


class BackendUnavailableError(RuntimeError):
    pass


def cuda_available() -> bool:
    import torch

    return bool(torch.cuda.is_available())


def choose_backend(
    setting: BackendSetting,
    has_cuda: bool | None = None,
    explicit_torch: Path | None = None,
    explicit_openvino: Path | None = None,
) -> Backend:
    """`auto` -> torch when a CUDA GPU is present, else OpenVINO; an explicit choice is kept.

    Under `auto`, a site that names its own torch weights (models.vehicle_detector, ...) without an
    OpenVINO export of them gets torch: the stock export would silently replace their model.
    """
    if setting == "auto":
        gpu = cuda_available() if has_cuda is None else has_cuda
        own_weights = explicit_torch is not None and explicit_openvino is None
        if own_weights and not gpu:
            log.info(
                "%s is set in the config without an OpenVINO export of it: running it on torch",
                explicit_torch,
            )
        chosen: Backend = "torch" if gpu or own_weights else "openvino"
    else:
        chosen = setting
    if chosen == "openvino" and find_spec("openvino") is None:
        raise BackendUnavailableError(
            "detection.backend is openvino (or auto on a machine without CUDA) but the openvino "
            "package is not installed: pip install openvino, or set detection.backend: torch"
        )
    return chosen


@dataclass(slots=True)
class LoadedDetector:
    model: Any  # ultralytics.YOLO; predict() is typed as a union, we know it returns Results
    backend: Backend
    weights: Path
    imgsz: int


def export_imgsz(folder: Path) -> int:
    """The square input size an OpenVINO export was made for (its metadata.yaml)."""
    meta = yaml.safe_load((folder / "metadata.yaml").read_text(encoding="utf-8"))
    size = meta.get("imgsz")
    return int(size[0] if isinstance(size, list) else size)


def load_detector(
    role: str,
    backend: Backend,
    imgsz: int,
    explicit_torch: Path | None = None,
    explicit_openvino: Path | None = None,
) -> LoadedDetector:
    """Load `role`'s weights (`role` for torch, `role_openvino` for OpenVINO), resolved offline.

    A static OpenVINO export only takes the size it was exported at, so that size replaces `imgsz`.
    """
    if backend == "torch":
        weights = resolver.resolve(role, explicit_torch)
        return LoadedDetector(YOLO(str(weights), task="detect"), backend, weights, imgsz)
    folder = resolver.resolve(f"{role}_openvino", explicit_openvino)
    size = export_imgsz(folder)
    if size != imgsz:
        log.info("%s: the OpenVINO export runs at %d px (configured %d: torch only)", role, size, imgsz)
    return LoadedDetector(YOLO(str(folder), task="detect"), backend, folder, size)
