"""Real plate crops from ../shared/data/real_crops: evenly spaced ones for tests that compare runtimes,
and one named crop with its label."""

from __future__ import annotations

import csv
from pathlib import Path

import cv2
import numpy as np


def real_crops(shared_dir: Path, set_name: str, count: int) -> list[np.ndarray]:
    """`count` crops of `set_name`, every n-th of its labels file (the same ones on every run)."""
    folder = shared_dir / "data" / "real_crops" / set_name
    lines = (folder / "labels.csv").read_text(encoding="utf-8").splitlines()[1:]
    step = max(1, len(lines) // count)
    out = []
    for line in lines[::step][:count]:
        image = cv2.imread(str(folder / line.split(",")[0]))
        assert image is not None, line
        out.append(image)
    return out


def labelled_crop(shared_dir: Path, set_name: str, name: str) -> tuple[np.ndarray, str]:
    """The crop `images/<name>` of `set_name` and the plate its labels file gives it."""
    folder = shared_dir / "data" / "real_crops" / set_name
    with (folder / "labels.csv").open(encoding="utf-8") as fh:
        label = next(row["plate"] for row in csv.DictReader(fh) if row["file"] == f"images/{name}")
    image = cv2.imread(str(folder / "images" / name))
    assert image is not None, name
    return np.asarray(image, np.uint8), label
