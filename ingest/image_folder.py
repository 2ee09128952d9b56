"""A folder of still images (snapshot dumps, test sets), read in natural filename order."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import numpy as np

from ingest.errors import SourceOpenError
from ingest.frames import Frame
from ingest.source import FrameSource, checked_bgr, epoch_from_time

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".bmp"})
_DIGITS = re.compile(r"(\d+)")


def natural_key(name: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that orders `img2` before `img10`, as camera snapshot numbering intends."""
    return tuple((1, int(p)) if p.isdigit() else (0, p.lower()) for p in _DIGITS.split(name) if p)


def _jpeg_truncated(data: bytes) -> bool:
    # libjpeg decodes a truncated JPEG into a grey-padded image with only a warning; the missing
    # end-of-image marker is the reliable sign. Some writers pad after it, so look near the end.
    return data[:2] == b"\xff\xd8" and b"\xff\xd9" not in data[-64:]


class ImageFolderSource(FrameSource):
    """Every readable image in `folder` (jpg/jpeg/png/webp/bmp, not recursive), one `Frame` each.

    Timestamps: with `start_time`, image i is stamped `start_time + i / fps` (i counts every image
    file, so a corrupt one leaves a gap rather than shifting later ones); without it, each file's
    mtime, which for snapshot dumps is the moment the camera wrote it. No frame-rate control is
    applied: each still is a deliberate capture. Unreadable or truncated images are skipped,
    counted in `stats.frames_corrupt` and logged; they never stop the source.
    """

    is_live = False

    def __init__(
        self,
        folder: Path | str,
        camera_id: str,
        start_time: datetime | None = None,
        fps: float = 1.0,
    ) -> None:
        super().__init__(camera_id)
        self.folder = Path(folder)
        if not self.folder.is_dir():
            reason = "is a file, not a folder" if self.folder.exists() else "folder not found"
            raise SourceOpenError(str(self.folder), reason)
        if start_time is not None and start_time.tzinfo is None:
            raise ValueError("start_time must be timezone-aware")
        if fps <= 0:
            raise ValueError(f"fps must be > 0, got {fps}")
        self.start_time = start_time.astimezone(UTC) if start_time else None
        self.fps = fps
        self.files = sorted(
            (p for p in self.folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()),
            key=lambda p: natural_key(p.name),
        )
        # Stable across re-runs of the same folder, so re-processing it gives the same track keys.
        first = self.start_time or (
            datetime.fromtimestamp(self.files[0].stat().st_mtime, tz=UTC) if self.files else datetime.now(UTC)
        )
        self.stream_epoch = epoch_from_time(first)
        self.stats.epochs = 1
        self.log.info(
            "opened %s: %d image files, timestamps from %s",
            self.folder,
            len(self.files),
            f"start_time {self.start_time.isoformat()} + index/{fps:g} fps"
            if self.start_time
            else "file mtime",
        )

    def _read(self, path: Path) -> tuple[np.ndarray | None, str]:
        try:
            data = path.read_bytes()
        except OSError as e:
            return None, f"cannot read: {e.strerror}"
        if not data:
            return None, "empty file"
        if _jpeg_truncated(data):
            return None, "truncated JPEG (no end-of-image marker)"
        image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
        if image is None:
            return None, "not a decodable image"
        return image, ""

    def _frames(self) -> Iterator[Frame]:
        for index, path in enumerate(self.files):
            if self._closed:
                return
            raw, reason = self._read(path)
            image = checked_bgr(raw)
            if image is None:
                self.stats.frames_corrupt += 1
                self.log.warning("skipped %s: %s", path.name, reason or "not an 8-bit colour image")
                continue
            if self.start_time is not None:
                timestamp = self.start_time + timedelta(seconds=index / self.fps)
            else:
                try:
                    timestamp = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
                except OSError as e:
                    self.stats.frames_corrupt += 1
                    self.log.warning("skipped %s: cannot stat: %s", path.name, e.strerror)
                    continue
            self.stats.frames_read += 1
            self.stats.frames_yielded += 1
            yield Frame(self.camera_id, index, timestamp, self.stream_epoch, image)
