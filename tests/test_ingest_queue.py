"""Bounded hand-off between the reader thread and a consumer, on real clips and a real stream."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest import (
    Backoff,
    Frame,
    FrameQueue,
    FrameSource,
    StreamSource,
    ThreadedReader,
    VideoFileSource,
)

START = datetime(2024, 5, 1, 22, 0, 0, tzinfo=UTC)


def clip_frame_count(clip: Path) -> int:
    import cv2

    cap = cv2.VideoCapture(str(clip))
    n = 0
    while cap.grab():
        n += 1
    cap.release()
    return n


class FailingClipSource(FrameSource):
    """A real clip that fails with an I/O error after `fail_after` frames (a disk going away)."""

    def __init__(self, clip: Path, fail_after: int) -> None:
        super().__init__("cam_q")
        self.inner = VideoFileSource(clip, "cam_q", start_time=START)
        self.fail_after = fail_after

    def _frames(self) -> Iterator[Frame]:
        for frame in self.inner:
            if frame.index == self.fail_after:
                raise OSError(5, "Input/output error", "clip.mp4")
            yield frame


@pytest.mark.video
def test_slow_consumer_drops_oldest_and_counts(uk_videos: list[Path]) -> None:
    clip = uk_videos[0]
    total = clip_frame_count(clip)
    src = VideoFileSource(clip, "cam_q", start_time=START)
    received: list[Frame] = []
    with ThreadedReader(src, maxsize=4, drop_when_full=True) as reader:
        for frame in reader:
            received.append(frame)
            assert len(reader.queue) <= 4
            time.sleep(0.004)  # a detector far slower than decoding
    assert src.stats.frames_dropped > 0
    assert len(received) + src.stats.frames_dropped == src.stats.frames_yielded == total
    assert reader.queue.high_water == 4
    assert reader.queue.dropped == src.stats.frames_dropped
    indices = [f.index for f in received]
    assert indices == sorted(indices)
    # Oldest dropped: the newest frames survive, so the last frame of the clip is delivered.
    assert indices[-1] == total - 1
    assert indices[-4:] == list(range(total - 4, total))


@pytest.mark.video
def test_recorded_file_blocks_instead_of_dropping(uk_videos: list[Path]) -> None:
    clip = uk_videos[1]
    src = VideoFileSource(clip, "cam_q", start_time=START, process_fps=10)
    with ThreadedReader(src, maxsize=3) as reader:  # file: is_live False, so no drops
        got = []
        for frame in reader:
            got.append(frame.index)
            time.sleep(0.002)
    assert src.stats.frames_dropped == 0
    assert len(got) == src.stats.frames_yielded > 0
    assert reader.queue.high_water <= 3


@pytest.mark.video
def test_reader_exception_reaches_consumer_after_earlier_frames(uk_videos: list[Path]) -> None:
    src = FailingClipSource(uk_videos[0], fail_after=30)
    got = []
    with ThreadedReader(src, maxsize=100, drop_when_full=False) as reader:
        with pytest.raises(OSError, match="Input/output error"):
            for frame in reader:
                got.append(frame.index)
    assert got == list(range(30)), "frames read before the failure are all delivered first"


def test_close_stops_a_reader_that_is_retrying() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    src = StreamSource(f"http://127.0.0.1:{port}/x.mjpg", "cam_q", backoff=Backoff(0.05, 2, 10))
    reader = ThreadedReader(src, maxsize=2).start()
    time.sleep(0.3)
    started = time.monotonic()
    reader.close()
    assert time.monotonic() - started < 2.0
    assert not reader._thread.is_alive()
    assert list(reader) == []
    assert src.stats.open_failures >= 2


@pytest.mark.video
def test_close_wakes_a_reader_blocked_on_a_full_queue(uk_videos: list[Path]) -> None:
    src = VideoFileSource(uk_videos[2], "cam_q", start_time=START)
    reader = ThreadedReader(src, maxsize=2, drop_when_full=False).start()
    first = next(iter(reader))
    time.sleep(0.2)  # the reader fills the queue and blocks in put()
    assert reader.queue.high_water == 2
    reader.close()
    assert not reader._thread.is_alive()
    assert first.index == 0
    assert src.stats.frames_yielded <= 4


def test_frame_queue_bound_under_concurrent_producers(uk_videos: list[Path]) -> None:
    frames = list(VideoFileSource(uk_videos[3], "cam_q", start_time=START, process_fps=2))
    q = FrameQueue(maxsize=5)

    def produce() -> None:
        for f in frames * 20:
            q.put(f)

    producers = [threading.Thread(target=produce) for _ in range(3)]
    for t in producers:
        t.start()
    taken = 0
    while any(t.is_alive() for t in producers):
        try:
            q.get(timeout=0.01)
            taken += 1
        except TimeoutError:
            pass
        assert len(q) <= 5
    for t in producers:
        t.join()
    q.finish()
    while q.get() is not None:
        taken += 1
    assert taken + q.dropped == 3 * 20 * len(frames)
    assert q.high_water <= 5
    with pytest.raises(ValueError):
        FrameQueue(0)
