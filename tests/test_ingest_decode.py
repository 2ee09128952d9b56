"""Decoding only the analysed frames, on the reader thread, on the real shared clips."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
import pytest

from ingest import FrameRateGate, ThreadedReader, VideoFileSource

START = datetime(2024, 5, 1, 22, 0, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def paris(shared_dir: Path) -> Path:
    return shared_dir / "data" / "plate_clips" / "paris_rain.mp4"


@pytest.mark.video
@pytest.mark.parametrize("fps", [10.0, 4.0])
def test_skipped_frames_are_not_converted_yet_analysed_frames_equal_full_decode(
    paris: Path, fps: float
) -> None:
    with VideoFileSource(paris, "cam_d", start_time=START) as every:
        full = list(every)
    gate = FrameRateGate(fps)
    wanted = [f for f in full if gate.accept(f.timestamp)]
    with VideoFileSource(paris, "cam_d", start_time=START, process_fps=fps) as src:
        analysed = list(src)
    assert [f.index for f in analysed] == [f.index for f in wanted]
    assert [f.timestamp for f in analysed] == [f.timestamp for f in wanted]
    for a, w in zip(analysed, wanted, strict=True):
        assert np.array_equal(a.image, w.image), a.index
    # only the analysed frames were retrieved (converted to BGR); the others were grabbed and skipped
    assert src.stats.frames_yielded == len(analysed) < len(full) == src.stats.frames_read
    assert src.stats.frames_skipped == len(full) - len(analysed)
    # and they are the frames OpenCV's own full decode gives at those positions
    cap = cv2.VideoCapture(str(paris), cv2.CAP_FFMPEG)
    by_index = {}
    i = 0
    keep = {f.index for f in analysed[:5]}
    while len(by_index) < len(keep) and cap.grab():
        if i in keep:
            ok, image = cap.retrieve()
            assert ok
            by_index[i] = image
        i += 1
    cap.release()
    for f in analysed[:5]:
        assert np.array_equal(f.image, by_index[f.index])


@pytest.mark.video
def test_decode_thread_stops_on_close_mid_file_and_keeps_the_frames_before(paris: Path) -> None:
    src = VideoFileSource(paris, "cam_d", start_time=START, process_fps=10)
    reader = ThreadedReader(src, maxsize=4).start()
    assert reader._thread.name == "ingest-cam_d" and reader._thread is not threading.current_thread()
    got = []
    for frame in reader:
        got.append(frame.index)
        if len(got) == 5:
            break
    reader.close()
    assert not reader._thread.is_alive(), "the decode thread must end when the consumer stops"
    assert src._cap is None, "the capture is released"
    assert not src.truncated, "a stop is not a cut-off file"
    assert got == sorted(got) and len(got) == 5
    assert src.stats.frames_yielded <= 5 + 4 + 1  # what was consumed, the queue, one in hand
    assert list(reader) == []


@pytest.mark.video
def test_decode_thread_reports_a_cut_off_file_at_its_end(paris: Path) -> None:
    # paris_rain.mp4's header declares 420 frames but about 271 decode: a cut-off recording
    src = VideoFileSource(paris, "cam_d", start_time=START, process_fps=10)
    with ThreadedReader(src, maxsize=4) as reader:
        frames = list(reader)
    assert frames and not reader._thread.is_alive()
    assert src.truncated and src.declared_frames > src.stats.frames_read


@pytest.mark.video
def test_one_decoding_thread_gives_the_same_frames(paris: Path) -> None:
    """`camera.decode_threads` (default 1) only changes who decodes, never what: the frames equal
    FFmpeg's own multi-threaded decode, and the capture was opened with the threads asked for."""
    with VideoFileSource(paris, "cam_d", start_time=START, process_fps=5, decode_threads=0) as src:
        own_choice = [f.image for _, f in zip(range(12), src, strict=False)]
    threads_seen: list[float] = []
    with VideoFileSource(paris, "cam_d", start_time=START, process_fps=5, decode_threads=1) as src:
        one = []
        for _, f in zip(range(12), src, strict=False):
            one.append(f.image)
            threads_seen.append(src._cap.get(cv2.CAP_PROP_N_THREADS))  # type: ignore[union-attr]
    assert len(one) == len(own_choice) == 12
    assert all(np.array_equal(a, b) for a, b in zip(one, own_choice, strict=True))
    assert set(threads_seen) == {1.0}


def test_cameras_decode_on_one_thread_unless_configured(paris: Path) -> None:
    from ingest.factory import open_source
    from ingest.stream import StreamSource
    from platewatch.config import Camera

    assert Camera(id="c", source=str(paris)).decode_threads == 1
    assert open_source(Camera(id="c", source=str(paris)), 5).decode_threads == 1  # type: ignore[attr-defined]
    stream = open_source(Camera(id="c", source="rtsp://10.0.0.5/live", decode_threads=0), 5)
    assert isinstance(stream, StreamSource) and stream.decode_threads == 0
    with pytest.raises(ValueError, match="decode_threads"):
        Camera(id="c", source=str(paris), decode_threads=-1)


def test_a_file_is_read_only_a_few_frames_ahead_and_a_stream_keeps_its_queue(paris: Path) -> None:
    from ingest.frame_queue import FILE_READ_AHEAD, queue_length
    from ingest.stream import StreamSource

    assert queue_length(VideoFileSource(paris, "cam_d"), 64) == FILE_READ_AHEAD
    assert queue_length(VideoFileSource(paris, "cam_d"), 2) == 2
    assert queue_length(StreamSource("rtsp://10.0.0.5/live", "cam_r", 5), 64) == 64
