"""Errors a frame source raises; each names the file or (credential-free) URL it concerns."""

from __future__ import annotations


class IngestError(Exception):
    """Base class for frame-source failures."""


class SourceOpenError(IngestError):
    """A source that cannot be opened at all: missing file, not a video, unknown kind of source."""

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(f"cannot open {source}: {reason}")


class StreamUnavailableError(SourceOpenError):
    """A live stream that stayed unreachable for every allowed (re)connection attempt."""

    def __init__(self, source: str, attempts: int, last_reason: str) -> None:
        self.attempts = attempts
        super().__init__(source, f"no connection after {attempts} attempt(s); last: {last_reason}")
