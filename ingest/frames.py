"""The record every frame source yields: pixels plus where and when they were captured."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]


@dataclass(frozen=True, slots=True)
class Frame:
    """One decoded frame.

    `timestamp` comes from the stream (file start time + PTS, or the moment a live frame was
    captured), never from when it is processed, so speeds and visit times survive a slow CPU.
    `stream_epoch` changes on every (re)connection so tracker ids from two connections never
    collide in a track key.
    """

    camera_id: str
    index: int
    timestamp: datetime
    stream_epoch: int
    image: Image

    def __post_init__(self) -> None:
        if self.timestamp.tzinfo is None:
            raise ValueError("Frame.timestamp must be timezone-aware (UTC)")
        if self.image.ndim != 3 or self.image.shape[2] != 3:
            raise ValueError(f"Frame.image must be HxWx3 BGR, got shape {self.image.shape}")
