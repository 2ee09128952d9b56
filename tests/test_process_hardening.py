"""`platewatch` on a bad day (issue 14): stopped by systemd, given a stray file, a broken clip, a dead
database or a damaged weight. Real clip, real models, real subprocesses and signals."""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import pytest
import sqlalchemy as sa
import yaml

from detect.runtime import camera_for_source
from intel_api.db import models as m
from platewatch.config import parse_config
from platewatch.redact import RedactingFormatter, redact

CLIP = "jamcam_2019-06-28_13-02-51.477310_00001.07355.mp4"
REPO = Path(__file__).resolve().parents[1]


def platewatch(*args: str, env: dict[str, str] | None = None) -> list[str]:
    # Through the real entry point (`app()`), which is what maps expected failures to messages.
    return [sys.executable, "-c", "from platewatch.cli.main import app; app()", *args]


def run_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra or {})
    return env


def config_file(tmp_path: Path, cameras: list[dict[str, object]], **extra: object) -> Path:
    data = {
        "site": {"name": "bad day"},
        "storage": {"data_dir": str(tmp_path / "var")},
        "detection": {"process_fps": 2.0},
        "cameras": cameras,
        **extra,
    }
    path = tmp_path / "site.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def count_rows(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as c:
            return c.scalar(sa.select(sa.func.count(m.Sighting.id))) or 0
    except sa.exc.OperationalError:
        return 0
    finally:
        engine.dispose()


# -- 3: no credential in any message ----------------------------------------------------------------
def test_credentials_are_redacted_in_messages_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    cfg = parse_config({"site": {"name": "x"}, "cameras": [{"id": "cam1", "source": "clip.mp4"}]})
    with caplog.at_level(logging.WARNING):
        (cam,) = camera_for_source(cfg, "rtsp://user:s3cret@host/x", None)
    assert "s3cret" not in caplog.text and "rtsp://***@host/x" in caplog.text
    assert cam.source == "rtsp://user:s3cret@host/x"  # the source itself still connects
    record = logging.LogRecord(
        "x", logging.ERROR, __file__, 1, "db %s", ("postgresql://pw:hunter22@db/x",), None
    )
    assert RedactingFormatter("%(message)s").format(record) == "db postgresql://***@db/x"


def test_environment_secrets_are_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAM_TOKEN_FOR_TEST", "tok-9f8e7d")
    parse_config(
        {"site": {"name": "x"}, "cameras": [{"id": "c", "source": "http://h/x?token=${CAM_TOKEN_FOR_TEST}"}]}
    )
    assert redact("GET http://h/x?token=tok-9f8e7d failed") == "GET http://h/x?token=*** failed"


# -- 7: an ad-hoc file is a whole-frame camera of its own ------------------------------------------
def test_adhoc_file_gets_a_whole_frame_camera(caplog: pytest.LogCaptureFixture) -> None:
    cfg = parse_config(
        {
            "site": {"name": "x"},
            "cameras": [
                {
                    "id": "cam1",
                    "source": "rtsp://h/1",
                    "start_time": "2024-01-01T00:00:00Z",
                    "zones": [{"name": "tiny", "polygon": [[0, 0], [10, 0], [10, 10]]}],
                    "calibration": {
                        "image_points": [[0, 0], [1, 0], [1, 1], [0, 1]],
                        "world_points": [[0, 0], [1, 0], [1, 1], [0, 1]],
                    },
                }
            ],
        }
    )
    with caplog.at_level(logging.WARNING):
        (cam,) = camera_for_source(cfg, "/videos/My Clip.mp4", None)
    assert cam.id == "my_clip" and cam.zones == [] and cam.calibration is None and cam.start_time is None
    assert "ad-hoc camera 'my_clip' over the whole frame" in caplog.text
    (borrowed,) = camera_for_source(cfg, "/videos/My Clip.mp4", "cam1")
    assert borrowed.id == "cam1" and borrowed.zones and borrowed.source == "/videos/My Clip.mp4"


@pytest.mark.slow
@pytest.mark.video
def test_adhoc_clip_is_not_cut_to_another_cameras_zones(uk_dev_dir: Path, tmp_path: Path) -> None:
    # The configured camera watches a corner where no vehicle passes: borrowing it stored nothing.
    corner = {"id": "corner", "source": "rtsp://h/1", "start_time": "2024-01-01T00:00:00Z"}
    corner["zones"] = [{"name": "corner", "polygon": [[0, 0], [20, 0], [20, 20]]}]
    config = config_file(tmp_path, [corner])
    url = f"sqlite:///{tmp_path / 'adhoc.db'}"
    clip = uk_dev_dir / "videos" / CLIP
    args = [
        "process",
        str(clip),
        "--config",
        str(config),
        "--database-url",
        url,
        "--no-plates",
        "--no-progress",
    ]
    done = subprocess.run(platewatch(*args), env=run_env(), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "ad-hoc camera" in done.stderr
    engine = sa.create_engine(url)
    with engine.connect() as c:
        rows = c.execute(sa.select(m.Sighting.camera_id, m.Sighting.first_seen)).all()
    engine.dispose()
    assert rows and {r.camera_id for r in rows} == {"jamcam_2019_06_28_13_02_51_477310_00001_07355"}
    assert all(r.first_seen.year != 2024 for r in rows), "times come from the file, not another camera"


# -- 2: SIGTERM finishes the open tracks, stores everything and exits 0 -----------------------------
def _played_three_times(clip: Path, out: Path) -> Path:
    """The clip three times over in one file. Its queued vehicles stay in view to the end, so the
    clip played once stores its first sightings only as the run ends: a signal sent then raced the
    exit (CI saw -15, the handlers already restored). The jump at each join ends those tracks."""
    capture = cv2.VideoCapture(str(clip))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    capture.release()
    assert frames, clip
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter.fourcc(*"mp4v"), 25, (width, height))
    for _ in range(3):
        for frame in frames:
            writer.write(frame)
    writer.release()
    return out


@pytest.mark.slow
@pytest.mark.video
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stop_signal_keeps_every_sighting(uk_dev_dir: Path, tmp_path: Path, sig: signal.Signals) -> None:
    cam = {
        "id": "pentonville",
        "source": str(_played_three_times(uk_dev_dir / "videos" / CLIP, tmp_path / "thrice.mp4")),
        "start_time": "2019-06-28T13:02:51Z",
    }
    config = config_file(tmp_path, [cam])
    url = f"sqlite:///{tmp_path / 'stop.db'}"
    subprocess.run(
        platewatch("db", "upgrade", "--config", str(config), "--database-url", url), env=run_env(), check=True
    )
    args = ["process", "--config", str(config), "--database-url", url, "--fps", "25", "--no-progress"]
    proc = subprocess.Popen(
        platewatch(*args), env=run_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 400
    while count_rows(url) == 0:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no sighting stored in time"
        time.sleep(0.3)
    time.sleep(2.0)
    assert proc.poll() is None, "the clip finished before the signal; the test needs a longer run"
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert "stopping; finishing open tracks" in err and "stopped on request" in out
    match = re.search(r"(\d+) sightings .*stored (\d+) new, 0 already stored, 0 waiting in spool", out)
    assert match, out
    made, stored = int(match.group(1)), int(match.group(2))
    assert made == stored == count_rows(url) and stored >= 2


# -- 13: non-zero exit when the work did not happen ---------------------------------------------------
@pytest.mark.slow
@pytest.mark.video
def test_empty_unreadable_and_cut_off_sources_exit_non_zero(uk_dev_dir: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    junk = tmp_path / "junk"
    junk.mkdir()
    for i in range(3):
        (junk / f"{i}.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    full = tmp_path / "full.avi"
    cap = cv2.VideoCapture(str(uk_dev_dir / "videos" / CLIP))
    writer = cv2.VideoWriter(str(full), cv2.VideoWriter_fourcc(*"MJPG"), 25, (352, 288))
    for _ in range(60):
        ok, frame = cap.read()
        assert ok
        writer.write(frame)
    writer.release()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    cams = [
        {"id": "empty", "source": str(empty)},
        {"id": "junk", "source": str(junk)},
        {"id": "cut", "source": str(cut), "start_time": "2019-06-28T13:02:51Z"},
    ]
    config = config_file(tmp_path, cams)
    url = f"sqlite:///{tmp_path / 'bad.db'}"
    args = ["process", "--config", str(config), "--database-url", url, "--no-plates", "--no-progress"]
    done = subprocess.run(platewatch(*args), env=run_env(), capture_output=True, text=True, timeout=600)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"camera empty: no frames in {empty}" in done.stderr
    assert "camera junk: unreadable frames" in done.stderr and "3 could not be decoded" in done.stderr
    assert f"camera cut: {cut} is cut off" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow
@pytest.mark.video
def test_sightings_left_in_the_spool_exit_non_zero(uk_dev_dir: Path, tmp_path: Path) -> None:
    cam = {
        "id": "pentonville",
        "source": str(uk_dev_dir / "videos" / CLIP),
        "start_time": "2019-06-28T13:02:51Z",
    }
    config = config_file(tmp_path, [cam])
    args = ["process", "--config", str(config), "--database-url", "postgresql://postgres@127.0.0.1:1/down"]
    done = subprocess.run(
        platewatch(*args, "--no-plates", "--no-progress"),
        env=run_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(r"error: \d+ sighting\(s\) are still in the spool", done.stderr), done.stderr
    assert "Traceback" not in done.stderr


# -- 12: expected failures are messages; --debug shows the trace ------------------------------------
def test_database_down_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    config = config_file(tmp_path, [{"id": "c", "source": "x.mp4"}])
    args = [
        "db",
        "upgrade",
        "--config",
        str(config),
        "--database-url",
        "postgresql://u:pw9x@127.0.0.1:1/none",
    ]
    done = subprocess.run(platewatch(*args), env=run_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "the database is unreachable" in done.stderr
    assert "Traceback" not in done.stderr and "pw9x" not in done.stderr
    debug = subprocess.run(
        platewatch("--debug", *args), env=run_env(), capture_output=True, text=True, timeout=120
    )
    assert debug.returncode != 0 and "Traceback" in debug.stderr


@pytest.mark.slow
def test_missing_and_damaged_weights_are_messages(shared_dir: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "vehicles.pt"
    damaged.write_bytes((shared_dir / "models" / "yolo11n_coco_from_int8.pt").read_bytes() + b"\0")
    for weight, expected in [
        (tmp_path / "missing.pt", "cannot find"),
        (damaged, "set explicitly in the site config"),
    ]:
        config = config_file(
            tmp_path,
            [{"id": "c", "source": str(tmp_path / "x.mp4")}],
            models={"vehicle_detector": str(weight)},
        )
        args = [
            "process",
            "--config",
            str(config),
            "--database-url",
            f"sqlite:///{tmp_path / 'w.db'}",
            "--no-plates",
        ]
        done = subprocess.run(
            platewatch(*args),
            env=run_env({"PLATEWATCH_MODEL_DIR": str(tmp_path / "no-models")}),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 2, done.stderr
        assert expected in done.stderr and "Traceback" not in done.stderr
