"""Live-stream behaviour against a real MJPEG-over-HTTP server on 127.0.0.1 read by OpenCV/FFmpeg."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import pytest

from ingest import Backoff, Frame, StreamSource, StreamUnavailableError, ThreadedReader


class MjpegServer:
    """Serves `multipart/x-mixed-replace` JPEG frames (what IP cameras call MJPEG) over HTTP.

    `stop()` closes the listening socket and every open connection, as a camera reboot would;
    `start()` listens again on the same port.
    """

    def __init__(self, jpegs: list[bytes], fps: float = 50.0) -> None:
        self.jpegs = jpegs
        self.fps = fps
        self.port = 0
        self.connections = 0
        self.garbage_after: int | None = None  # send one non-JPEG part after this many frames
        self._listener: socket.socket | None = None
        self._clients: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._running = threading.Event()
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/video.mjpg"

    def start(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(8)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._running.set()
        t = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        t.start()
        self._threads.append(t)

    def stop(self) -> None:
        self._running.clear()
        if self._listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone does not on Linux.
            try:
                self._listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._listener.close()
            self._listener = None
        with self._lock:
            for c in self._clients:
                try:
                    c.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                c.close()
            self._clients.clear()
        for t in self._threads:
            t.join(5)
        self._threads.clear()

    def _accept(self, listener: socket.socket) -> None:
        while self._running.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with self._lock:
                self._clients.append(conn)
                self.connections += 1
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            t.start()
            self._threads.append(t)

    def _serve(self, conn: socket.socket) -> None:
        try:
            conn.recv(65536)
            conn.sendall(
                b"HTTP/1.0 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary=frame\r\n"
                b"Cache-Control: no-cache\r\n\r\n"
            )
            sent = 0
            while self._running.is_set():
                part = self.jpegs[sent % len(self.jpegs)]
                if self.garbage_after is not None and sent == self.garbage_after:
                    part = b"\xff\xd8" + bytes(range(256)) * 20 + b"\xff\xd9"
                conn.sendall(
                    b"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n" % len(part)
                    + part
                    + b"\r\n"
                )
                sent += 1
                time.sleep(1 / self.fps)
        except OSError:
            pass
        finally:
            conn.close()


@pytest.fixture(scope="module")
def jpegs(uk_videos: list[Path]) -> list[bytes]:
    cap = cv2.VideoCapture(str(uk_videos[0]))
    out: list[bytes] = []
    while len(out) < 50:
        ok, image = cap.read()
        if not ok:
            break
        out.append(cv2.imencode(".jpg", image)[1].tobytes())
    cap.release()
    assert len(out) == 50
    return out


@pytest.fixture
def server(jpegs: list[bytes]) -> Iterator[MjpegServer]:
    srv = MjpegServer(jpegs)
    srv.start()
    yield srv
    srv.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.video
def test_stream_reconnects_after_server_restart(server: MjpegServer) -> None:
    src = StreamSource(
        server.url,
        "cam_live",
        backoff=Backoff(initial_s=0.05, factor=2, cap_s=0.2),
        max_retries=50,
        read_timeout_s=2,
        open_timeout_s=2,
    )
    down_for = 0.6
    frames: list[Frame] = []
    restarted = threading.Event()

    def restart_later() -> None:
        time.sleep(down_for)
        server.start()
        restarted.set()

    deadline = time.monotonic() + 20
    for frame in src:
        frames.append(frame)
        if len(frames) == 20:
            server.stop()  # camera reboots: connection cut, port refuses
            stopped_at = time.monotonic()
            threading.Thread(target=restart_later, daemon=True).start()
        new = sum(f.stream_epoch != frames[0].stream_epoch for f in frames)
        if new == 1:
            first_new_at = time.monotonic()
        if new >= 20:
            src.close()
        assert time.monotonic() < deadline, f"no frames after reconnecting: {src.stats}"
    assert restarted.is_set()
    assert time.monotonic() - stopped_at >= down_for

    epochs = sorted({f.stream_epoch for f in frames})
    assert len(epochs) == 2 and epochs[0] < epochs[1]
    assert [f.stream_epoch for f in frames] == sorted(f.stream_epoch for f in frames)
    assert src.stats.epochs == 2 and src.stats.reconnects == 1
    assert server.connections == 2
    assert src.stats.open_failures >= 1, "the port refused while the server was down"
    # Outage runs from the drop being seen to the new connection: within the time the consumer
    # waited for new frames, and most of the time the port was closed (drop seen late under load).
    assert 0.2 <= src.stats.outage_seconds <= first_new_at - stopped_at
    # Backoff while down: capped exponential, starting over for every outage.
    expected = [min(0.2, 0.05 * 2**n) for n in range(len(src.retry_delays))]
    assert src.retry_delays == pytest.approx(expected)
    stamps = [f.timestamp for f in frames]
    assert stamps == sorted(stamps)
    indices = [f.index for f in frames]
    assert indices == sorted(set(indices))
    assert {f.image.shape for f in frames} == {(288, 352, 3)}


def test_stream_never_connects_gives_up_with_capped_backoff() -> None:
    url = f"http://user:hunter2@127.0.0.1:{free_port()}/video.mjpg"
    waited: list[float] = []

    def sleep(seconds: float) -> None:
        waited.append(seconds)
        time.sleep(seconds)

    src = StreamSource(
        url, "cam_dead", backoff=Backoff(initial_s=0.01, factor=2, cap_s=0.03), max_retries=5, sleep=sleep
    )
    started = time.monotonic()
    with pytest.raises(StreamUnavailableError) as info:
        list(src)
    assert waited == pytest.approx([0.01, 0.02, 0.03, 0.03, 0.03])
    assert info.value.attempts == 6
    assert src.stats.open_failures == 6 and src.stats.epochs == 0
    assert "127.0.0.1" in str(info.value) and "hunter2" not in str(info.value)
    assert src.stats.outage_seconds == pytest.approx(time.monotonic() - started, abs=0.1)


def test_stop_event_ends_endless_retries() -> None:
    stop = threading.Event()
    src = StreamSource(
        f"http://127.0.0.1:{free_port()}/x.mjpg", "cam_dead", backoff=Backoff(0.05, 2, 5), stop_event=stop
    )
    threading.Timer(0.5, stop.set).start()
    started = time.monotonic()
    assert list(src) == []
    # Stopped promptly even though the backoff had grown to 0.4 s and more.
    assert time.monotonic() - started < 2.0
    assert src.stats.open_failures >= 3


@pytest.mark.video
def test_stream_survives_a_garbage_part_and_throttles(server: MjpegServer) -> None:
    server.garbage_after = 10
    src = StreamSource(server.url, "cam_live", process_fps=10, max_retries=0, read_timeout_s=2)
    started = time.monotonic()
    frames = []
    for frame in src:
        frames.append(frame)
        if len(frames) == 12:
            src.close()
    elapsed = time.monotonic() - started
    assert len({f.stream_epoch for f in frames}) == 1, "a bad frame must not cost the connection"
    assert src.stats.frames_corrupt == 1 and src.stats.reconnects == 0
    # Server sends ~50 fps; process_fps 10 keeps about one in five, chosen by capture time.
    assert src.stats.frames_skipped >= 2 * len(frames)
    mean_gap = (frames[-1].timestamp - frames[0].timestamp).total_seconds() / (len(frames) - 1)
    assert mean_gap == pytest.approx(0.1, abs=0.03)
    assert elapsed >= 1.0


@pytest.mark.video
def test_threaded_reader_propagates_stream_failure(server: MjpegServer) -> None:
    src = StreamSource(
        server.url, "cam_live", backoff=Backoff(0.02, 2, 0.05), max_retries=3, read_timeout_s=2
    )
    got = 0
    with ThreadedReader(src, maxsize=8) as reader, pytest.raises(StreamUnavailableError, match="4 attempt"):
        for _ in reader:
            got += 1
            if got == 15:
                server.stop()  # for good this time
    assert got >= 15
    assert src.stats.epochs == 1 and src.stats.open_failures == 4
