"""Counters every frame source keeps, so an operator can see what was lost and why."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(slots=True)
class SourceStats:
    """Running counters of one source.

    Written only by the thread that iterates the source (the reader thread when a
    `ThreadedReader` is used); other threads may read them at any time.
    """

    frames_read: int = 0
    """Good frames decoded from the source, including those the frame-rate control skipped."""
    frames_yielded: int = 0
    """Frames handed on as `Frame` records."""
    frames_skipped: int = 0
    """Good frames left out on purpose by the frame-rate control (process_fps)."""
    frames_corrupt: int = 0
    """Frames or image files that could not be decoded; skipped."""
    frames_dropped: int = 0
    """Frames thrown away because the consumer fell behind and the bounded queue was full."""
    reconnects: int = 0
    """Successful connections after an outage (live streams)."""
    open_failures: int = 0
    """Connection attempts that failed (live streams)."""
    outage_seconds: float = 0.0
    """Time spent without a working connection (live streams), including the initial one."""
    epochs: int = 0
    """Connections made so far; each one is a `stream_epoch`."""

    def as_dict(self) -> dict[str, float]:
        return asdict(self)
