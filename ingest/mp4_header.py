"""Reads the movie header (`moov/mvhd`) of MP4/MOV files: creation time and duration.

OpenCV does not expose container metadata, and this is the one field we need from it, so a few
dozen lines of box walking beat a new dependency. Only box headers are read, never the media data.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

_MP4_EPOCH = datetime(1904, 1, 1, tzinfo=UTC)
_MAX_BOXES = 10_000  # a corrupt file must not keep us walking forever


@dataclass(frozen=True, slots=True)
class Mp4Header:
    creation_time: datetime | None
    """UTC per the spec (some cameras write local time); None when the field is 0 (not set)."""
    duration_s: float | None
    """Movie duration; 0 means no media was ever written (a recorder stopped before the first frame)."""


def _boxes(f: BinaryIO, start: int, end: int) -> list[tuple[bytes, int, int]]:
    """(type, payload start, payload end) of the boxes between start and end."""
    out: list[tuple[bytes, int, int]] = []
    pos = start
    while pos + 8 <= end and len(out) < _MAX_BOXES:
        f.seek(pos)
        head = f.read(8)
        if len(head) < 8:
            break
        size, kind = struct.unpack(">I4s", head)
        header = 8
        if size == 1:
            large = f.read(8)
            if len(large) < 8:
                break
            size = struct.unpack(">Q", large)[0]
            header = 16
        elif size == 0:
            size = end - pos
        if size < header:
            break
        out.append((kind, pos + header, min(pos + size, end)))
        pos += size
    return out


def read_mp4_header(path: Path) -> Mp4Header | None:
    """The movie header of an MP4/MOV file, or None if the file has no readable one."""
    try:
        with path.open("rb") as f:
            f.seek(0, 2)
            size = f.tell()
            moov = next((b for b in _boxes(f, 0, size) if b[0] == b"moov"), None)
            if moov is None:
                return None
            mvhd = next((b for b in _boxes(f, moov[1], moov[2]) if b[0] == b"mvhd"), None)
            if mvhd is None:
                return None
            f.seek(mvhd[1])
            body = f.read(min(32, mvhd[2] - mvhd[1]))
    except OSError:
        return None
    if len(body) < 20:
        return None
    version = body[0]
    if version == 1:
        if len(body) < 32:
            return None
        created, _modified, timescale, duration = struct.unpack(">QQIQ", body[4:32])
    else:
        created, _modified, timescale, duration = struct.unpack(">IIII", body[4:20])
    creation = _MP4_EPOCH + timedelta(seconds=created) if created else None
    return Mp4Header(creation_time=creation, duration_s=duration / timescale if timescale else None)
