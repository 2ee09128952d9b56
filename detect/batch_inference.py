"""Where batched detection runs (CPU, or a GPU in fp16) and how a batch is handed to Ultralytics.

Ultralytics letterboxes a batch of differently sized images to a full square, but a single image
(or a batch of one size) only to the nearest stride multiple: the same frame would then give
slightly different boxes in a batch than alone. `predict_grouped` therefore runs one batch per
image size, so a camera's detections do not depend on which other cameras share its batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ingest.frames import Image

# Upper bound on images per forward pass: plate crops from many cameras can be numerous, and one
# huge batch would only raise peak GPU memory without making the pass faster.
MAX_BATCH = 32


class DeviceUnavailableError(RuntimeError):
    """The configured inference device does not exist on this machine."""


@dataclass(frozen=True, slots=True)
class InferenceDevice:
    name: str  # "cpu" or "cuda:N", as Ultralytics and torch take it
    half: bool  # fp16 weights and activations (CUDA only)

    def predict_kwargs(self) -> dict[str, Any]:
        # Ultralytics 8.4 spells fp16 `quantize=16` (`half` is deprecated); None keeps fp32.
        return {"device": self.name, "quantize": 16 if self.half else None}


def resolve_device(setting: str) -> InferenceDevice:
    """`detection.device` to a concrete device: auto → the first GPU if any, else the CPU."""
    import torch

    if setting == "cpu":
        return InferenceDevice("cpu", half=False)
    available = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if setting == "auto":
        return InferenceDevice("cuda:0", half=True) if available else InferenceDevice("cpu", half=False)
    index = int(setting.split(":", 1)[1]) if ":" in setting else 0
    if index >= available:
        what = f"{available} CUDA device(s)" if available else "no CUDA device"
        raise DeviceUnavailableError(
            f"detection.device is {setting!r} but this machine has {what}; use auto or cpu"
        )
    return InferenceDevice(f"cuda:{index}", half=True)


def predict_grouped(
    model: Any, images: Sequence[Image], device: InferenceDevice | None, **predict_kwargs: Any
) -> list[Any]:
    """`model.predict` over `images`, one batch per image size; the Results in input order."""
    groups: dict[tuple[int, ...], list[int]] = {}
    for i, image in enumerate(images):
        groups.setdefault(tuple(image.shape), []).append(i)
    extra = device.predict_kwargs() if device is not None else {}
    results: list[Any] = [None] * len(images)
    for indices in groups.values():
        for start in range(0, len(indices), MAX_BATCH):
            chunk = indices[start : start + MAX_BATCH]
            batch = [images[i] for i in chunk]
            found = model.predict(batch, verbose=False, **predict_kwargs, **extra)
            for i, result in zip(chunk, found, strict=True):
                results[i] = result
    return results
