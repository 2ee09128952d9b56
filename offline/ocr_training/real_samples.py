"""Real labelled plate crops mixed into training, where their licence allows it.

Only sets listed in `TRAINABLE_SETS` are ever loaded: the US and Indonesian crops of
shared/data/real_crops carry no licence to train on and serve evaluation and calibration only
(their PROVENANCE.md); a request for them is refused, not skipped. Only one half of a set
(`offline.real_crops.split`, by label hash) is used, so the other half measures the trained reader
on plates it never saw. Each draw is a pure function of (seed, index), like the synthetic plates.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from offline.real_crops import split
from offline.synth.formats import CHARSET

TRAINABLE_SETS = ("ar_cnn_ocr_lp",)  # GPL-3.0 (compatible with the project's AGPL)


class RealCropsError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class RealSamples:
    images: tuple[npt.NDArray[np.uint8], ...]
    labels: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.labels)

    def draw(self, seed: int, index: int) -> tuple[npt.NDArray[np.uint8], str]:
        """Crop `index` of stream `seed`: a random one of the set, lightly augmented (the box
        moved by a few percent, brightness, contrast, blur, resolution)."""
        rng = np.random.default_rng([seed, index, 13])
        k = int(rng.integers(len(self.labels)))
        img = self.images[k]
        h, w = img.shape[:2]
        # The detector's box varies: move each side in or out a little (characters stay inside).
        t, b = (int(round(float(rng.uniform(-0.06, 0.12)) * h)) for _ in range(2))
        lft, r = (int(round(float(rng.uniform(0.0, 0.08)) * w)) for _ in range(2))
        padded = cv2.copyMakeBorder(img, max(0, t), max(0, b), max(0, lft), max(0, r), cv2.BORDER_REPLICATE)
        y1, x1 = padded.shape[0] - max(0, -b), padded.shape[1] - max(0, -r)
        f: npt.NDArray[np.float32] = padded[max(0, -t) : y1, max(0, -lft) : x1].astype(np.float32)
        f = f * float(rng.uniform(0.6, 1.3)) + float(rng.uniform(-40, 40))
        if rng.random() < 0.3:
            f = np.asarray(cv2.GaussianBlur(f, (0, 0), float(rng.uniform(0.4, 1.5))), dtype=np.float32)
        if rng.random() < 0.3:
            scale = float(rng.uniform(0.35, 0.8))
            small = cv2.resize(f, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            f = np.asarray(
                cv2.resize(small, (f.shape[1], f.shape[0]), interpolation=cv2.INTER_LINEAR), dtype=np.float32
            )
        f = f + rng.normal(0.0, float(rng.uniform(0, 6)), f.shape).astype(np.float32)
        return np.clip(f, 0, 255).astype(np.uint8), self.labels[k]


def load_real_samples(folder: Path, half: str = "fit") -> RealSamples:
    """The `half` ("fit" or "report") of one trainable real-crop set (a folder with labels.csv)."""
    if folder.name not in TRAINABLE_SETS:
        raise RealCropsError(
            f"{folder}: not a set that may be trained on (allowed: {', '.join(TRAINABLE_SETS)}); "
            "see shared/data/real_crops/PROVENANCE.md"
        )
    if half not in ("fit", "report"):
        raise RealCropsError(f"half must be 'fit' or 'report', got {half!r}")
    labels_csv = folder / "labels.csv"
    if not labels_csv.is_file():
        raise RealCropsError(f"{labels_csv}: no such file")
    images: list[npt.NDArray[np.uint8]] = []
    labels: list[str] = []
    with labels_csv.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            label = row["plate"].strip().upper()
            if split(label) != half or not label or any(c not in CHARSET for c in label):
                continue
            image = cv2.imread(str(folder / row["file"]), cv2.IMREAD_GRAYSCALE)
            if image is None:
                raise RealCropsError(f"{folder / row['file']}: unreadable image")
            images.append(np.asarray(image, dtype=np.uint8))
            labels.append(label)
    if not labels:
        raise RealCropsError(f"{folder}: no usable crops in the {half!r} half")
    return RealSamples(tuple(images), tuple(labels))
