"""Evenly spaced real plate crops from ../shared/data/real_crops, for tests that compare runtimes."""

from __future__ import annotations

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
