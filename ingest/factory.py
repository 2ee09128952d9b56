"""Picks the frame source for a configured camera from its `source` string."""

from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import urlsplit

from ingest.backoff import Backoff
from ingest.errors import SourceOpenError
from ingest.image_folder import ImageFolderSource
from ingest.source import FrameSource
from ingest.stream import STREAM_SCHEMES, StreamSource, redact_url
from ingest.video_file import VideoFileSource
from platewatch.config import Camera


def open_source(
    camera: Camera,
    default_fps: float,
    *,
    backoff: Backoff | None = None,
    max_retries: int | None = None,
    stop_event: threading.Event | None = None,
) -> FrameSource:
    """The source for `camera`: rtsp/rtmp/http(s) URL → stream, folder → images, else a video file.

    `camera.process_fps` overrides `default_fps` (normally `detection.process_fps`); the image
    folder ignores both (each still is processed). Stream options apply to streams only. A
    missing `${ENV}` reference, path or unknown URL scheme raises `SourceOpenError`.
    """
    try:
        source = camera.resolved_source()
    except KeyError as e:
        raise SourceOpenError(f"camera {camera.id} source", str(e.args[0])) from None
    fps = camera.process_fps or default_fps
    scheme = urlsplit(source).scheme.lower()
    if scheme in STREAM_SCHEMES:
        return StreamSource(
            source,
            camera.id,
            fps,
            backoff=backoff,
            max_retries=max_retries,
            stop_event=stop_event,
            decode_threads=camera.decode_threads,
        )
    # One-letter "schemes" are Windows drive letters, not URLs.
    if len(scheme) > 1 and "://" in source:
        raise SourceOpenError(
            redact_url(source),
            f"unsupported URL scheme {scheme!r} (use one of {', '.join(sorted(STREAM_SCHEMES))})",
        )
    path = Path(source).expanduser()
    if path.is_dir():
        return ImageFolderSource(path, camera.id, start_time=camera.start_time)
    return VideoFileSource(
        path, camera.id, start_time=camera.start_time, process_fps=fps, decode_threads=camera.decode_threads
    )
