"""Video-file and image-folder sources on the real shared clips and photos."""

from __future__ import annotations

import logging
import math
import os
import shutil
import struct
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import pytest

from ingest import (
    Backoff,
    FrameRateGate,
    ImageFolderSource,
    SourceOpenError,
    StreamSource,
    VideoFileSource,
    open_source,
)
from platewatch.config import Camera

START = datetime(2024, 5, 1, 22, 0, 0, tzinfo=UTC)
FRAME_40MS = timedelta(milliseconds=40)


def cvat_frame_count(clip: Path) -> int:
    """Frame count the annotators' tool (CVAT) recorded for the clip: independent of OpenCV."""
    size = ET.parse(clip.with_name(clip.name.removesuffix(".mp4") + ".cvat.xml")).find("meta/task/size")
    assert size is not None and size.text
    return int(size.text)


@pytest.fixture(scope="module")
def clips(uk_videos: list[Path]) -> list[Path]:
    assert len(uk_videos) == 4, f"expected the 4 JamCam clips, found {uk_videos}"
    return uk_videos


# --------------------------------------------------------------------------- video files


@pytest.mark.video
@pytest.mark.parametrize("clip_no", range(4))
def test_video_every_frame_with_pts_timestamps(clips: list[Path], clip_no: int) -> None:
    clip = clips[clip_no]
    expected = cvat_frame_count(clip)
    with VideoFileSource(clip, "cam_a", start_time=START) as src:
        frames = list(src)
    assert len(frames) == expected
    assert [f.index for f in frames] == list(range(expected))
    assert frames[0].timestamp == START
    gaps = {b.timestamp - a.timestamp for a, b in zip(frames, frames[1:], strict=False)}
    assert gaps == {FRAME_40MS}, "25 fps clip must be stamped every 40 ms from its PTS"
    assert all(f.timestamp.tzinfo is not None and f.camera_id == "cam_a" for f in frames)
    assert {f.image.shape for f in frames} == {(288, 352, 3)}
    assert len({f.stream_epoch for f in frames}) == 1
    assert src.stats.frames_read == src.stats.frames_yielded == expected
    assert src.stats.frames_corrupt == src.stats.frames_skipped == src.stats.frames_dropped == 0


@pytest.mark.video
@pytest.mark.parametrize("clip_no", range(4))
def test_video_process_fps_5_keeps_every_fifth_frame(clips: list[Path], clip_no: int) -> None:
    clip = clips[clip_no]
    expected_total = cvat_frame_count(clip)
    src = VideoFileSource(clip, "cam_a", start_time=START, process_fps=5)
    frames = list(src)
    assert len(frames) == math.ceil(expected_total / 5)
    assert [f.index for f in frames] == list(range(0, expected_total, 5))
    assert [f.timestamp for f in frames] == [START + i * 5 * FRAME_40MS for i in range(len(frames))]
    assert src.stats.frames_read == expected_total
    assert src.stats.frames_skipped == expected_total - len(frames)


@pytest.mark.video
def test_video_non_integer_ratio_is_chosen_by_timestamp(clips: list[Path]) -> None:
    clip = clips[0]
    total = cvat_frame_count(clip)
    frames = list(VideoFileSource(clip, "cam_a", start_time=START, process_fps=7))
    duration = (total - 1) * 0.040
    # 7/s over the clip: one at t=0 and then one per 1/7 s.
    assert abs(len(frames) - (math.floor(duration * 7) + 1)) <= 1
    period = timedelta(seconds=1 / 7)
    for a, b in zip(frames, frames[1:], strict=False):
        assert period - FRAME_40MS < b.timestamp - a.timestamp < period + FRAME_40MS


@pytest.mark.video
def test_video_start_time_falls_back_to_file_mtime(clips: list[Path]) -> None:
    clip = clips[1]  # the JamCam MP4s carry creation_time 0 (unset)
    src = VideoFileSource(clip, "cam_a")
    first = next(iter(src))
    src.close()
    assert src.start_origin == "file mtime"
    assert first.timestamp == datetime.fromtimestamp(clip.stat().st_mtime, tz=UTC)


@pytest.mark.video
def test_video_start_time_from_container_creation_time(clips: list[Path], tmp_path: Path) -> None:
    data = bytearray(clips[2].read_bytes())
    at = data.find(b"mvhd")
    assert at > 0 and data[at + 4] == 0, "expected a version-0 mvhd box"
    recorded = datetime(2023, 11, 5, 21, 30, 15, tzinfo=UTC)
    seconds = int((recorded - datetime(1904, 1, 1, tzinfo=UTC)).total_seconds())
    data[at + 8 : at + 12] = struct.pack(">I", seconds)
    clip = tmp_path / "stamped.mp4"
    clip.write_bytes(bytes(data))
    src = VideoFileSource(clip, "cam_a")
    frames = list(src)
    assert src.start_origin == "container creation_time"
    assert frames[0].timestamp == recorded
    assert len(frames) == cvat_frame_count(clips[2])
    # Config start_time still wins over the container.
    assert VideoFileSource(clip, "cam_a", start_time=START).start_origin == "config start_time"


def test_missing_video_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "clip.mp4"
    with pytest.raises(SourceOpenError, match="file not found") as info:
        VideoFileSource(missing, "cam_a")
    assert str(missing) in str(info.value)


def test_not_a_video_and_truncated_recording_raise(tmp_path: Path, clips: list[Path]) -> None:
    text = tmp_path / "notes.mp4"
    text.write_text("not a video at all\n" * 50)
    with pytest.raises(SourceOpenError, match="notes.mp4"):
        VideoFileSource(text, "cam_a")
    # A recorder that died mid-write: the MP4 index (moov, at the end here) is missing.
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(clips[0].read_bytes()[:50_000])
    with pytest.raises(SourceOpenError, match="cut.mp4"):
        VideoFileSource(cut, "cam_a")
    with pytest.raises(SourceOpenError, match="directory"):
        VideoFileSource(tmp_path, "cam_a")


def test_empty_videos_yield_nothing(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    zero = tmp_path / "zero.mp4"
    zero.touch()
    # What a recorder leaves when stopped before its first frame: header, no samples.
    no_frames = tmp_path / "no_frames.mp4"
    writer = cv2.VideoWriter(str(no_frames), cv2.VideoWriter.fourcc(*"mp4v"), 25, (352, 288))
    writer.release()
    assert no_frames.stat().st_size > 0
    with caplog.at_level(logging.WARNING, logger="platewatch.ingest"):
        for path in (zero, no_frames):
            with VideoFileSource(path, "cam_e") as src:
                assert list(src) == []
            assert src.stats.frames_read == 0
    assert (
        sum("[cam_e]" in r.getMessage() and "no video frames" in r.getMessage() for r in caplog.records) == 2
    )


@pytest.mark.video
def test_source_is_single_pass(clips: list[Path]) -> None:
    src = VideoFileSource(clips[0], "cam_a", start_time=START, process_fps=1)
    assert len(list(src)) == 10
    with pytest.raises(RuntimeError, match="once"):
        iter(src)


@pytest.mark.video
def test_close_mid_iteration_stops_reading(clips: list[Path]) -> None:
    src = VideoFileSource(clips[0], "cam_a", start_time=START)
    got = []
    for frame in src:
        got.append(frame)
        if len(got) == 10:
            src.close()
    assert len(got) == 10
    assert src.stats.frames_read == 10


# --------------------------------------------------------------------------- frame-rate control


def test_rate_gate_on_variable_frame_rate() -> None:
    # 30 fps for 2 s, then 8 fps for 2 s, then a 3 s gap, then 25 fps for 1 s.
    stamps = [START + timedelta(seconds=i / 30) for i in range(60)]
    stamps += [START + timedelta(seconds=2 + i / 8) for i in range(16)]
    stamps += [START + timedelta(seconds=7 + i / 25) for i in range(25)]
    gate = FrameRateGate(5)
    kept = [t for t in stamps if gate.accept(t)]

    def kept_between(a: float, b: float) -> list[float]:
        return [(t - START).total_seconds() for t in kept if a <= (t - START).total_seconds() < b]

    # 5 per second of video whatever the source rate; at 30 fps the spacing is exactly 0.2 s.
    assert kept_between(0, 2) == pytest.approx([i * 0.2 for i in range(10)])
    # At 8 fps no frame sits every 0.2 s: the schedule takes the first frame at or after each due
    # time, so the rate stays 5/s with 0.125/0.25 s spacing instead of falling to 4/s.
    eight = kept_between(2, 4)
    assert len(eight) == 10
    assert all(round(g, 3) in (0.125, 0.25) for g in [b - a for a, b in zip(eight, eight[1:], strict=False)])
    assert kept_between(7, 8) == pytest.approx([7, 7.2, 7.4, 7.6, 7.8]), "no burst after the gap"
    assert FrameRateGate(None).accept(START) and FrameRateGate(None).accept(START)
    with pytest.raises(ValueError):
        FrameRateGate(0)


def test_backoff_is_capped_exponential() -> None:
    b = Backoff(initial_s=0.5, factor=3, cap_s=10)
    assert [b.delay(n) for n in range(6)] == [0.5, 1.5, 4.5, 10, 10, 10]
    assert b.delay(10_000) == 10
    with pytest.raises(ValueError):
        Backoff(factor=0.5)


# --------------------------------------------------------------------------- image folders


def test_image_folder_openalpr(openalpr_dir: Path) -> None:
    expected = sorted(p.name for p in openalpr_dir.iterdir() if p.suffix == ".jpg")
    src = ImageFolderSource(openalpr_dir, "cam_s", start_time=START, fps=2)
    frames = list(src)
    assert len(frames) == len(expected) == 108
    assert [f.timestamp for f in frames] == [START + timedelta(seconds=i / 2) for i in range(108)]
    names = [src.files[f.index].name for f in frames]
    assert sorted(names) == expected
    assert names[:3] == ["eu1.jpg", "eu2.jpg", "eu3.jpg"], "natural order: eu2 before eu10"
    assert src.stats.frames_corrupt == 0
    assert all(f.image.ndim == 3 and f.image.shape[2] == 3 for f in frames)


def test_image_folder_skips_corrupt_files(
    uk_dev_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    real = sorted((uk_dev_dir / "images").iterdir())
    assert {p.suffix for p in real} >= {".jpg", ".png", ".webp"}
    for i, p in enumerate(real):
        shutil.copy(p, tmp_path / f"shot{i + 1}{p.suffix}")
    jpg = next(p for p in real if p.suffix == ".jpg").read_bytes()
    (tmp_path / "shot20.jpg").write_bytes(jpg[: len(jpg) // 2])  # truncated mid-transfer
    (tmp_path / "shot21.png").write_bytes(b"")
    (tmp_path / "shot22.webp").write_text("an error page saved as an image")
    (tmp_path / "shot23.txt").write_text("not an image suffix: ignored, not counted")
    times = [datetime(2024, 6, 1, 23, 0, i, tzinfo=UTC) for i in range(len(real))]
    for i, t in enumerate(times):
        os.utime(tmp_path / f"shot{i + 1}{real[i].suffix}", (t.timestamp(), t.timestamp()))

    with caplog.at_level(logging.WARNING, logger="platewatch.ingest"):
        src = ImageFolderSource(tmp_path, "cam_f")
        frames = list(src)
    assert len(frames) == len(real) == 8
    assert [f.timestamp for f in frames] == times, "without start_time each file's mtime is used"
    assert src.stats.frames_corrupt == 3
    warned = " ".join(r.getMessage() for r in caplog.records)
    for name in ("shot20.jpg", "shot21.png", "shot22.webp"):
        assert name in warned
    assert "truncated JPEG" in warned and "[cam_f]" in warned
    for f in frames:
        reference = cv2.imread(str(src.files[f.index]))
        assert reference is not None and f.image.shape == reference.shape


def test_image_folder_missing(tmp_path: Path) -> None:
    with pytest.raises(SourceOpenError, match="folder not found"):
        ImageFolderSource(tmp_path / "absent", "cam_f")


# --------------------------------------------------------------------------- factory


def test_open_source_picks_by_source_string(
    clips: list[Path], openalpr_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    video = open_source(Camera(id="cam_v", source=str(clips[0]), start_time=START), default_fps=5)
    assert isinstance(video, VideoFileSource)
    assert len(list(video)) == math.ceil(cvat_frame_count(clips[0]) / 5)
    override = open_source(Camera(id="cam_v", source=str(clips[0]), process_fps=1), default_fps=5)
    assert len(list(override)) == 10

    folder = open_source(Camera(id="cam_i", source=str(openalpr_dir)), default_fps=5)
    assert isinstance(folder, ImageFolderSource)

    monkeypatch.setenv("CAM_PASS", "s3cret")
    stream = open_source(Camera(id="cam_r", source="rtsp://admin:${CAM_PASS}@10.0.0.5/live"), default_fps=5)
    assert isinstance(stream, StreamSource)
    assert stream.url == "rtsp://admin:s3cret@10.0.0.5/live"
    assert "s3cret" not in stream.safe_url
    assert isinstance(open_source(Camera(id="cam_h", source="https://cam.local/mjpg"), 5), StreamSource)

    with pytest.raises(SourceOpenError, match="unsupported URL scheme 'ftp'"):
        open_source(Camera(id="cam_x", source="ftp://host/clip.mp4"), 5)
    with pytest.raises(SourceOpenError, match="NOT_SET_ANYWHERE"):
        open_source(Camera(id="cam_x", source="rtsp://${NOT_SET_ANYWHERE}/live"), 5)
    with pytest.raises(SourceOpenError, match="file not found"):
        open_source(Camera(id="cam_x", source=str(tmp_path / "gone.mp4")), 5)
