"""Live rtsp/http(s) streams via OpenCV's FFmpeg backend, with reconnection and outage accounting."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import cv2

from ingest.backoff import Backoff
from ingest.errors import StreamUnavailableError
from ingest.frames import Frame
from ingest.rate import FrameRateGate
from ingest.source import FrameSource, checked_bgr, decode_params, epoch_from_time

STREAM_SCHEMES = frozenset({"rtsp", "rtsps", "rtmp", "http", "https"})


def redact_url(url: str) -> str:
    """The URL with any user:password replaced by `***`, safe for logs and error messages."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit(parts._replace(netloc=f"***@{host}"))


class StreamSource(FrameSource):
    """Frames of a live stream, stamped with the UTC moment they were captured.

    Timestamps are the wall clock at the connection plus the monotonic time since, so they never go
    backwards within a connection even if NTP steps the system clock. When the stream cannot be
    opened, or drops (`max_failed_reads` failed reads in a row, or `read_timeout_s` without a
    frame), the source reconnects after capped exponential backoff (`backoff`); every connection
    opens a new `stream_epoch` (its start in ms since 1970, strictly increasing). A single
    undecodable frame is skipped and counted in `frames_corrupt`; `max_retries` bounds consecutive failed
    attempts (None: retry until closed), after which `StreamUnavailableError` is raised.
    `close()` or `stop_event` end the iteration from any thread within about `read_timeout_s`.
    """

    is_live = True

    def __init__(
        self,
        url: str,
        camera_id: str,
        process_fps: float | None = None,
        *,
        backoff: Backoff | None = None,
        max_retries: int | None = None,
        stop_event: threading.Event | None = None,
        open_timeout_s: float = 10.0,
        read_timeout_s: float = 10.0,
        max_failed_reads: int = 5,
        sleep: Callable[[float], None] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        decode_threads: int = 0,
    ) -> None:
        super().__init__(camera_id)
        self.decode_threads = decode_threads
        if max_retries is not None and max_retries < 0:
            raise ValueError(f"max_retries must be >= 0 or None, got {max_retries}")
        self.url = url
        self.safe_url = redact_url(url)
        self.backoff = backoff or Backoff()
        self.max_retries = max_retries
        self.open_timeout_s = open_timeout_s
        self.read_timeout_s = read_timeout_s
        self.max_failed_reads = max_failed_reads
        self._gate = FrameRateGate(process_fps)
        self._stop = threading.Event()
        self._external_stop = stop_event
        self._sleep = sleep or self._wait
        self._monotonic = monotonic
        self._wall_clock = wall_clock
        self.retry_delays: list[float] = []
        """Every backoff delay waited so far, in order (for logs, status pages and tests)."""
        self.current_epoch: int | None = None
        self._index = -1  # frame number since the source started, continuing across connections
        self._anchor_wall = datetime.min.replace(tzinfo=UTC)
        self._anchor_mono = 0.0

    def _stopping(self) -> bool:
        return self._stop.is_set() or (self._external_stop is not None and self._external_stop.is_set())

    def _wait(self, seconds: float) -> None:
        """Sleep that ends early on close() or the external stop event."""
        deadline = self._monotonic() + seconds
        while not self._stopping():
            left = deadline - self._monotonic()
            if left <= 0:
                return
            self._stop.wait(min(left, 0.1))

    def close(self) -> None:
        # The reader releases the capture itself: releasing it from this thread while another one
        # blocks in grab() can crash FFmpeg. Setting the event ends that read loop instead.
        super().close()
        self._stop.set()

    def _connect(self) -> tuple[cv2.VideoCapture | None, str]:
        params = [
            cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
            int(self.open_timeout_s * 1000),
            cv2.CAP_PROP_READ_TIMEOUT_MSEC,
            int(self.read_timeout_s * 1000),
            *decode_params(self.decode_threads),
        ]
        try:
            cap = cv2.VideoCapture(self.url, cv2.CAP_FFMPEG, params)
        except cv2.error as e:
            return None, f"OpenCV error: {e}"
        if not cap.isOpened():
            cap.release()
            return None, "OpenCV/FFmpeg could not open the stream (unreachable, refused or not a video)"
        return cap, ""

    def _frames(self) -> Iterator[Frame]:
        retry = 0
        outage_start: float | None = None
        try:
            while not self._stopping():
                cap, reason = self._connect()
                if cap is None:
                    self.stats.open_failures += 1
                    if outage_start is None:
                        outage_start = self._monotonic()
                    if self.max_retries is not None and retry >= self.max_retries:
                        raise StreamUnavailableError(self.safe_url, retry + 1, reason)
                    delay = self.backoff.delay(retry)
                    retry += 1
                    self.retry_delays.append(delay)
                    self.log.warning(
                        "cannot connect to %s: %s; retry %d in %.2f s", self.safe_url, reason, retry, delay
                    )
                    self._sleep(delay)
                    continue
                self._on_connected(outage_start)
                outage_start = None
                retry = 0
                frames_before = self.stats.frames_read + self.stats.frames_corrupt
                try:
                    yield from self._read_connection(cap)
                finally:
                    cap.release()
                if self._stopping():
                    break
                outage_start = self._monotonic()
                self.log.warning(
                    "stream %s dropped (end, read error or no frame in %.1f s) after %d frames; reconnecting",
                    self.safe_url,
                    self.read_timeout_s,
                    self.stats.frames_read + self.stats.frames_corrupt - frames_before,
                )
        finally:
            if outage_start is not None:
                self.stats.outage_seconds += self._monotonic() - outage_start
            self.log.info("stream %s closed: %s", self.safe_url, self.stats.as_dict())

    def _on_connected(self, outage_start: float | None) -> None:
        now = self._wall_clock()
        epoch = epoch_from_time(now)
        if self.current_epoch is not None and epoch <= self.current_epoch:
            epoch = self.current_epoch + 1
        self.current_epoch = epoch
        self.stats.epochs += 1
        self._anchor_wall = now
        self._anchor_mono = self._monotonic()
        self._gate.reset()
        outage = 0.0 if outage_start is None else self._anchor_mono - outage_start
        self.stats.outage_seconds += outage
        if self.stats.epochs > 1:
            self.stats.reconnects += 1
            self.log.warning(
                "reconnected to %s after %.2f s outage; stream_epoch %d", self.safe_url, outage, epoch
            )
        else:
            self.log.info("connected to %s; stream_epoch %d", self.safe_url, epoch)

    def _read_connection(self, cap: cv2.VideoCapture) -> Iterator[Frame]:
        epoch = self.current_epoch
        if epoch is None:
            raise RuntimeError("_read_connection called before _on_connected")
        failed_reads = 0
        last_good = self._monotonic()
        while not self._stopping():
            if not cap.grab():
                # FFmpeg fails a grab on one undecodable frame and then carries on; a dead
                # connection keeps failing. Several failures in a row, or no frame for the read
                # timeout, mean the connection is gone.
                failed_reads += 1
                if failed_reads >= self.max_failed_reads or (
                    self._monotonic() - last_good >= self.read_timeout_s
                ):
                    return
                continue
            if failed_reads:
                self._count_corrupt(failed_reads, self._index + 1)
                failed_reads = 0
            last_good = self._monotonic()
            captured = self._anchor_wall + timedelta(seconds=self._monotonic() - self._anchor_mono)
            self._index += 1
            index = self._index
            if not self._gate.accept(captured):
                self.stats.frames_read += 1
                self.stats.frames_skipped += 1
                continue
            ok, raw = cap.retrieve()
            image = checked_bgr(raw) if ok else None
            if image is None:
                self._count_corrupt(1, index)
                continue
            self.stats.frames_read += 1
            self.stats.frames_yielded += 1
            yield Frame(self.camera_id, index, captured, epoch, image)

    def _count_corrupt(self, count: int, index: int) -> None:
        before = self.stats.frames_corrupt
        self.stats.frames_corrupt += count
        # A broken encoder can make every frame bad; log the first and then every 100th.
        if before // 100 != self.stats.frames_corrupt // 100 or before == 0:
            self.log.warning(
                "%d undecodable frame(s) before frame %d (%d so far); skipped",
                count,
                index,
                self.stats.frames_corrupt,
            )
