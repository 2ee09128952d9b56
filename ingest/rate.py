"""Frame-rate control: keep N frames per second of video, chosen by timestamp, not by frame count.

Choosing by timestamp means a 25 fps file at process_fps 5 keeps every 5th frame, a 30 fps or
variable-rate stream keeps frames as close to every 1/N s as its timestamps allow, and a gap in
the stream does not cause a burst of frames afterwards.
"""

from __future__ import annotations

from datetime import datetime, timedelta

# PTS values come back from containers as rounded milliseconds; without some slack a frame that is
# due at 200 ms but stamped 199.96 ms would be skipped and the next one (240 ms) taken instead.
_SLACK = timedelta(milliseconds=1)


class FrameRateGate:
    """Decides per timestamp whether a frame is processed; `process_fps=None` keeps every frame."""

    def __init__(self, process_fps: float | None) -> None:
        if process_fps is not None and process_fps <= 0:
            raise ValueError(f"process_fps must be > 0, got {process_fps}")
        self.process_fps = process_fps
        self._period = timedelta(seconds=1 / process_fps) if process_fps else None
        self._due: datetime | None = None

    def reset(self) -> None:
        """Forget the schedule, e.g. after a reconnection, so the first new frame is kept."""
        self._due = None

    def accept(self, timestamp: datetime) -> bool:
        if self._period is None:
            return True
        if self._due is None:
            self._due = timestamp + self._period
            return True
        if timestamp + _SLACK < self._due:
            return False
        # Advance by whole periods so the long-run rate is exactly process_fps, but never leave the
        # next due time in the past: after a gap the schedule restarts instead of catching up.
        self._due += self._period
        if self._due <= timestamp:
            self._due = timestamp + self._period
        return True
