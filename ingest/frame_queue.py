"""A bounded hand-off between a reader thread and the consumer (detector).

Live video: when the consumer falls behind, the *oldest* buffered frame is dropped. The queue then
always holds the most recent frames, so the delay between a car passing and the detector seeing it
stays bounded by the queue length; dropping the newest instead would keep the detector working on
an ever-staler backlog while current traffic is thrown away. Files and folders instead block the
reader (the file waits for us, so nothing needs dropping). Either way memory is bounded.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from types import TracebackType
from typing import Self

from ingest.frames import Frame
from ingest.source import FrameSource
from ingest.stats import SourceStats


class FrameQueue:
    """At most `maxsize` frames; `put` drops the oldest when full (or blocks, `drop_oldest=False`).

    The end of the stream and a reader failure are kept apart from the frames, so neither can be
    dropped: `get` returns the remaining frames, then None at the end, or raises the failure.
    """

    def __init__(self, maxsize: int, drop_oldest: bool = True) -> None:
        if maxsize < 1:
            raise ValueError(f"maxsize must be >= 1, got {maxsize}")
        self.maxsize = maxsize
        self.drop_oldest = drop_oldest
        self.dropped = 0
        self.high_water = 0
        """Largest number of frames ever held at once (never above maxsize)."""
        self._frames: deque[Frame] = deque()
        self._cond = threading.Condition()
        self._finished = False
        self._error: BaseException | None = None
        self._closed = False

    def __len__(self) -> int:
        with self._cond:
            return len(self._frames)

    def put(self, frame: Frame) -> bool:
        """Add a frame; True if an old frame was dropped to make room. Never blocks when dropping.

        After `close()` frames are discarded (returns False): the consumer has gone away.
        """
        with self._cond:
            if not self.drop_oldest:
                while len(self._frames) >= self.maxsize and not self._closed:
                    self._cond.wait()
            if self._closed:
                return False
            dropped = False
            if len(self._frames) >= self.maxsize:
                self._frames.popleft()
                self.dropped += 1
                dropped = True
            self._frames.append(frame)
            self.high_water = max(self.high_water, len(self._frames))
            self._cond.notify_all()
            return dropped

    def finish(self, error: BaseException | None = None) -> None:
        """Producer side: no more frames; `error` (if any) is raised to the consumer after them."""
        with self._cond:
            self._finished = True
            self._error = error
            self._cond.notify_all()

    def close(self) -> None:
        """Consumer side: stop; wakes a blocked producer and drops what is buffered."""
        with self._cond:
            self._closed = True
            self._frames.clear()
            self._cond.notify_all()

    def get(self, timeout: float | None = None) -> Frame | None:
        """Next frame; None when the producer finished (or the queue was closed).

        Raises the producer's error once the frames before it are consumed, and TimeoutError when
        `timeout` passes with nothing to return.
        """
        with self._cond:
            if not self._cond.wait_for(lambda: self._frames or self._finished or self._closed, timeout):
                raise TimeoutError(f"no frame within {timeout} s")
            if self._frames:
                frame = self._frames.popleft()
                self._cond.notify_all()
                return frame
            if self._error is not None and not self._closed:
                error, self._error = self._error, None
                raise error
            return None


# Frames a file or folder is read ahead of the detector. The file waits for us, so a longer queue buys
# nothing, and it costs: on the 1080p paris_rain clip (bench/throughput.py, 2 cores) a decoder free
# to run 64 frames ahead took its CPU in bursts that the detector and OCR then waited for, 9-25 %
# fewer analysed frames/s than 4 frames ahead in three alternating pairs.
FILE_READ_AHEAD = 4


def queue_length(source: FrameSource, configured: int) -> int:
    """The hand-off's length for `source`: `configured` (`detection.queue_size`) for a live
    stream, whose queue absorbs the detector's slow moments without losing frames; at most
    `FILE_READ_AHEAD` for a file or folder."""
    return configured if source.is_live else min(configured, FILE_READ_AHEAD)


class ThreadedReader:
    """Reads a `FrameSource` on a daemon thread into a `FrameQueue`; iterate it to consume.

    `drop_when_full` defaults to `source.is_live`. Dropped frames are counted in
    `source.stats.frames_dropped`. An exception in the reader thread is re-raised from the
    consumer's iteration (after the frames read before it), never swallowed. `close()` stops the
    source and the thread; use it as a context manager.
    """

    def __init__(
        self,
        source: FrameSource,
        maxsize: int = 64,
        drop_when_full: bool | None = None,
        join_timeout_s: float = 15.0,
    ) -> None:
        self.source = source
        drop = source.is_live if drop_when_full is None else drop_when_full
        self.queue = FrameQueue(maxsize, drop_oldest=drop)
        self.join_timeout_s = join_timeout_s
        self._thread = threading.Thread(target=self._run, name=f"ingest-{source.camera_id}", daemon=True)
        self._started = False

    @property
    def stats(self) -> SourceStats:
        return self.source.stats

    def start(self) -> Self:
        if not self._started:
            self._started = True
            self._thread.start()
        return self

    def _run(self) -> None:
        try:
            for frame in self.source:
                if self.queue.put(frame):
                    self.source.stats.frames_dropped += 1
                    if self.source.stats.frames_dropped % 100 == 1:
                        self.source.log.warning(
                            "consumer too slow: dropped oldest queued frame (%d dropped so far)",
                            self.source.stats.frames_dropped,
                        )
                if self.source.closed:
                    break
        except BaseException as e:  # handed to the consumer thread, which re-raises it
            self.queue.finish(e)
        else:
            self.queue.finish()

    def __iter__(self) -> Iterator[Frame]:
        self.start()
        while True:
            frame = self.queue.get()
            if frame is None:
                return
            yield frame

    def close(self) -> None:
        self.source.close()
        self.queue.close()
        if self._started and self._thread is not threading.current_thread():
            self._thread.join(self.join_timeout_s)
            if self._thread.is_alive():
                self.source.log.error(
                    "reader thread did not stop within %.0f s; left running as daemon", self.join_timeout_s
                )

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
