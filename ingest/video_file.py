"""Recorded video files (anything OpenCV's FFmpeg backend decodes), timed by their own PTS."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

import cv2

from ingest.errors import SourceOpenError
from ingest.frames import Frame
from ingest.mp4_header import read_mp4_header
from ingest.rate import FrameRateGate
from ingest.source import FrameSource, checked_bgr, decode_params, epoch_from_time

StartOrigin = Literal["config start_time", "container creation_time", "file mtime"]

_MP4_LIKE = {".mp4", ".m4v", ".mov", ".3gp"}


# Containers round their frame count; a file that stops well short of it was cut off mid-stream.
TRUNCATED_FRACTION = 0.95


def file_start_time(path: Path, start_time: datetime | None) -> tuple[datetime, StartOrigin]:
    """When the first frame was recorded: config, else MP4/MOV creation_time, else file mtime."""
    if start_time is not None:
        if start_time.tzinfo is None:
            raise ValueError("start_time must be timezone-aware")
        return start_time.astimezone(UTC), "config start_time"
    if path.suffix.lower() in _MP4_LIKE:
        header = read_mp4_header(path)
        if header is not None and header.creation_time is not None:
            return header.creation_time, "container creation_time"
    # mtime is when the recorder finished writing; it is the last resort and logged as such.
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC), "file mtime"


class VideoFileSource(FrameSource):
    """Frames of a video file; `timestamp = start_time + PTS`, `index` = frame number in the file.

    The file is opened in the constructor, so a missing or undecodable file fails at once with
    `SourceOpenError`. A file holding no frames (zero bytes, or an MP4 whose recorder stopped
    before the first frame) yields nothing and logs a warning.
    """

    is_live = False

    def __init__(
        self,
        path: Path | str,
        camera_id: str,
        start_time: datetime | None = None,
        process_fps: float | None = None,
        decode_threads: int = 0,
    ) -> None:
        """`decode_threads`: FFmpeg's decoding threads (0: its choice, one per core)."""
        super().__init__(camera_id)
        self.path = Path(path)
        self.decode_threads = decode_threads
        self.declared_frames = 0
        self.truncated = False
        self._gate = FrameRateGate(process_fps)
        self._cap: cv2.VideoCapture | None = None
        if not self.path.is_file():
            reason = "is a directory, not a video file" if self.path.is_dir() else "file not found"
            raise SourceOpenError(str(self.path), reason)
        self.start_time, self.start_origin = file_start_time(self.path, start_time)
        self.stream_epoch = epoch_from_time(self.start_time)
        if self._is_empty():
            self.log.warning("%s holds no video frames; nothing to read", self.path)
            self.fps = 0.0
            return
        cap = cv2.VideoCapture(str(self.path), cv2.CAP_FFMPEG, decode_params(self.decode_threads))
        if not cap.isOpened():
            cap.release()
            raise SourceOpenError(str(self.path), "not a video OpenCV/FFmpeg can decode")
        self._cap = cap
        self.stats.epochs = 1
        self.fps = float(cap.get(cv2.CAP_PROP_FPS)) or 0.0
        # What the container promises; far fewer frames decoded means the file is cut off.
        self.declared_frames = max(0, int(cap.get(cv2.CAP_PROP_FRAME_COUNT)))
        self.log.info(
            "opened %s (%.3g fps); first frame at %s from %s",
            self.path,
            self.fps,
            self.start_time.isoformat(),
            self.start_origin,
        )

    def _is_empty(self) -> bool:
        if self.path.stat().st_size == 0:
            return True
        if self.path.suffix.lower() in _MP4_LIKE:
            header = read_mp4_header(self.path)
            return header is not None and header.duration_s == 0
        return False

    def _pts(self, cap: cv2.VideoCapture, index: int) -> timedelta:
        msec = float(cap.get(cv2.CAP_PROP_POS_MSEC))
        if math.isfinite(msec) and msec >= 0:
            return timedelta(milliseconds=msec)
        # Streams without usable PTS: fall back to the nominal frame rate.
        return timedelta(seconds=index / self.fps) if self.fps > 0 else timedelta(0)

    def _frames(self) -> Iterator[Frame]:
        cap = self._cap
        if cap is None:
            return
        index = -1
        last_pts: timedelta | None = None
        try:
            while not self._closed:
                # grab() decodes; retrieve() (colour conversion, copy) only runs for frames we keep.
                if not cap.grab():
                    break
                index += 1
                pts = self._pts(cap, index)
                if last_pts is not None and pts <= last_pts:
                    self.log.warning("frame %d: PTS %s not after %s; using frame rate", index, pts, last_pts)
                    pts = last_pts + timedelta(seconds=1 / (self.fps or 25.0))
                last_pts = pts
                timestamp = self.start_time + pts
                if not self._gate.accept(timestamp):
                    self.stats.frames_read += 1
                    self.stats.frames_skipped += 1
                    continue
                ok, raw = cap.retrieve()
                image = checked_bgr(raw) if ok else None
                if image is None:
                    self.stats.frames_corrupt += 1
                    self.log.warning("frame %d of %s could not be decoded; skipped", index, self.path)
                    continue
                self.stats.frames_read += 1
                self.stats.frames_yielded += 1
                yield Frame(self.camera_id, index, timestamp, self.stream_epoch, image)
        finally:
            self._release()
        seen = index + 1
        if not self._closed and self.declared_frames and seen < TRUNCATED_FRACTION * self.declared_frames:
            self.truncated = True
            self.log.warning(
                "%s ended after %d of the %d frames its header declares: the file is cut off",
                self.path,
                seen,
                self.declared_frames,
            )
        self.log.info(
            "finished %s: %d frames read, %d yielded, %d corrupt",
            self.path,
            self.stats.frames_read,
            self.stats.frames_yielded,
            self.stats.frames_corrupt,
        )

    def _release(self) -> None:
        cap, self._cap = self._cap, None
        if cap is not None:
            cap.release()

    def close(self) -> None:
        super().close()
        if not self._started:
            self._release()
