"""Turning plate crops into the recogniser's input tensors, exactly as EasyOCR does at read time.

EasyOCR converts the frame to grey, resizes each text box to imgH px high keeping its aspect, scales
to [-1, 1] and right-pads a batch by repeating the last column. Training on anything else would
teach the network an input it never sees in production. The plate reader
(`detect.custom_recogniser`) shrinks each crop with `to_grey_resized` before handing it to EasyOCR,
so the resampling is the same in training and at read time.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import numpy.typing as npt
import torch

from offline.ocr_training.network import IMG_H
from offline.ocr_training.real_samples import RealSamples
from offline.synth import StreetDegradation, SyntheticPlate, generate_plate
from offline.synth.formats import CHARSET

MAX_W = 512
_INDEX = {c: i + 1 for i, c in enumerate(CHARSET)}


def to_grey_resized(image: npt.NDArray[np.uint8], img_h: int = IMG_H) -> npt.NDArray[np.uint8]:
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    h, w = grey.shape[:2]
    if h == 0 or w == 0:
        raise ValueError(f"empty plate crop of shape {image.shape}")
    max_w = MAX_W * img_h // 64
    new_w = min(max_w, max(img_h // 2, math.ceil(img_h * w / h)))
    # Area averaging when shrinking: a 96 px rectified patch goes to 32 px, and plain linear
    # sampling at a third of the resolution aliases thin strokes. The reader shrinks the same way.
    interpolation = cv2.INTER_AREA if img_h < h else cv2.INTER_LINEAR
    return np.asarray(cv2.resize(grey, (new_w, img_h), interpolation=interpolation), dtype=np.uint8)


def batch_tensor(images: list[npt.NDArray[np.uint8]], img_h: int = IMG_H) -> torch.Tensor:
    """N x 1 x img_h x W float tensor in [-1, 1], right-padded with each image's last column."""
    resized = [to_grey_resized(im, img_h) for im in images]
    width = max(r.shape[1] for r in resized)
    out = torch.empty((len(resized), 1, img_h, width), dtype=torch.float32)
    for i, r in enumerate(resized):
        t = torch.from_numpy(r.astype(np.float32) / 127.5 - 1.0)
        out[i, 0, :, : t.shape[1]] = t
        out[i, 0, :, t.shape[1] :] = t[:, -1:]
    return out


def encode_labels(labels: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """Concatenated target indices and per-sample lengths, as torch's CTCLoss takes them."""
    bad = [lab for lab in labels if not lab or any(c not in _INDEX for c in lab)]
    if bad:
        raise ValueError(f"labels outside {CHARSET!r} or empty: {bad[:5]}")
    targets = torch.tensor([_INDEX[c] for lab in labels for c in lab], dtype=torch.long)
    lengths = torch.tensor([len(lab) for lab in labels], dtype=torch.long)
    return targets, lengths


def greedy_decode(logits: torch.Tensor) -> list[str]:
    """Best path decoding of N x T x C logits: collapse repeats, drop blanks."""
    best = logits.argmax(dim=2).cpu().numpy()
    out: list[str] = []
    for row in best:
        chars: list[str] = []
        prev = 0
        for idx in row:
            if idx != prev and idx != 0:
                chars.append(CHARSET[int(idx) - 1])
            prev = int(idx)
        out.append("".join(chars))
    return out


def _street_options(seed: int, index: int, street_fraction: float) -> StreetDegradation | None:
    # Its own stream, so the draw does not shift the plate's own random numbers.
    if street_fraction <= 0 or np.random.default_rng([seed, index, 7]).random() >= street_fraction:
        return None
    return StreetDegradation()


def _is_real(seed: int, index: int, real: RealSamples | None, real_fraction: float) -> bool:
    # Its own stream, like the street draw: adding real crops leaves the synthetic plates as they were.
    return (
        real is not None
        and real_fraction > 0
        and np.random.default_rng([seed, index, 11]).random() < real_fraction
    )


def synthetic_batch(
    seed: int,
    start: int,
    size: int,
    img_h: int = IMG_H,
    street_fraction: float = 0.0,
    real: RealSamples | None = None,
    real_fraction: float = 0.0,
) -> tuple[torch.Tensor, list[str]]:
    """Plates `start`..`start+size` of stream `seed`; `street_fraction` of them (a pure function of
    seed and index) degraded at street-camera strength (`offline.synth.street`), and
    `real_fraction` of them replaced by augmented real crops from `real` (also by seed and index)."""
    images: list[npt.NDArray[np.uint8]] = []
    labels: list[str] = []
    for i in range(start, start + size):
        if real is not None and _is_real(seed, i, real, real_fraction):
            image, label = real.draw(seed, i)
        else:
            plate: SyntheticPlate = generate_plate(seed, i, street=_street_options(seed, i, street_fraction))
            image, label = plate.image, plate.label
        images.append(image)
        labels.append(label)
    return batch_tensor(images, img_h), labels


class SyntheticBatches(torch.utils.data.Dataset[tuple[torch.Tensor, list[str]]]):
    """Training batch `step` of a run: a pure function of (seed, step), so worker processes
    (on a many-core machine) produce exactly the batches the main process would."""

    def __init__(
        self,
        seed: int,
        steps: int,
        batch_size: int,
        img_h: int = IMG_H,
        street_fraction: float = 0.0,
        real: RealSamples | None = None,
        real_fraction: float = 0.0,
    ) -> None:
        self.seed, self.steps, self.batch_size, self.img_h = seed, steps, batch_size, img_h
        self.street_fraction = street_fraction
        self.real, self.real_fraction = real, real_fraction

    def __len__(self) -> int:
        return self.steps

    def __getitem__(self, step: int) -> tuple[torch.Tensor, list[str]]:
        return synthetic_batch(
            self.seed,
            step * self.batch_size,
            self.batch_size,
            self.img_h,
            self.street_fraction,
            self.real,
            self.real_fraction,
        )


def batch_loader(
    batches: SyntheticBatches, workers: int
) -> torch.utils.data.DataLoader[tuple[torch.Tensor, list[str]]]:
    """`batches` in step order, generated in `workers` processes (0: in this one).

    The workers are started by a fork server, not forked from this process: a process that has
    already run OpenVINO's or torch's thread pools can crash when forked (a segmentation fault in
    the test suite, seen twice on a loaded 2-core machine).
    """
    return torch.utils.data.DataLoader(
        batches,
        batch_size=None,
        shuffle=False,
        num_workers=workers,
        prefetch_factor=4 if workers else None,
        multiprocessing_context="forkserver" if workers else None,
    )
