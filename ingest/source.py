"""The one interface every frame source implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from datetime import datetime
from types import TracebackType
from typing import Self

import cv2
import numpy as np

from ingest.camera_log import CameraLogger
from ingest.frames import Frame, Image
from ingest.stats import SourceStats


class FrameSource(ABC):
    """Iterate to get `Frame`s in capture order; single pass; `close()` (or `with`) releases it.

    `is_live` tells a consumer whether the source waits for it (files, folders: no frame is lost by
    reading slowly) or not (cameras: frames keep coming, so a slow consumer must drop some).
    """

    is_live: bool = False

    def __init__(self, camera_id: str) -> None:
        self.camera_id = camera_id
        self.stats = SourceStats()
        self.log = CameraLogger(camera_id)
        self._started = False
        self._closed = False

    def __iter__(self) -> Iterator[Frame]:
        if self._started:
            raise RuntimeError(f"{type(self).__name__} for camera {self.camera_id!r} can be iterated once")
        self._started = True
        return self._frames()

    @abstractmethod
    def _frames(self) -> Iterator[Frame]:
        """Yield frames until the source ends, is closed, or fails."""

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Release the source; safe to call twice and from another thread than the reader's."""
        self._closed = True

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def decode_params(threads: int) -> list[int]:
    """`cv2.VideoCapture` open parameters asking FFmpeg for `threads` decoding threads (0: its own
    choice, one per core)."""
    return [cv2.CAP_PROP_N_THREADS, threads] if threads > 0 else []


def checked_bgr(image: object) -> Image | None:
    """The image if it is a non-empty 8-bit HxWx3 array (what `Frame` needs), else None."""
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8:
        return None
    if image.ndim != 3 or image.shape[2] != 3 or image.shape[0] == 0 or image.shape[1] == 0:
        return None
    return image


def epoch_from_time(moment: datetime) -> int:
    """A `stream_epoch` derived from a moment: milliseconds since 1970 UTC.

    Time-based rather than 1, 2, 3... so track keys stay unique across process restarts, and so a
    recorded file processed twice gets the same epoch (its start time) and thus the same keys.
    """
    return int(moment.timestamp() * 1000)
