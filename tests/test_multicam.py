"""Many cameras in one process (issue 13 item 3): batched detectors, the same sightings as one process
per camera, a dead camera among live ones, a stop that drains every camera. Real clips, real models,
real databases; short clips at 2 fps so CI's two cores get through it."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from detect.batch_inference import InferenceDevice, resolve_device
from detect.multicam import MultiCameraRun, run_cameras
from detect.records import Sighting
from detect.runtime import Models, load_models, run_camera
from ingest.backoff import Backoff
from ingest.video_file import VideoFileSource
from intel_api.db import models as m
from platewatch.cli.main import app
from platewatch.config import SiteConfig

pytestmark = [pytest.mark.video, pytest.mark.slow]

JAM_A = "jamcam_2019-06-28_13-02-51.477310_00001.07355.mp4"
JAM_B = "jamcam_2019-06-28_13-02-35.503167_00001.03601.mp4"
CPU = InferenceDevice("cpu", half=False)


def _cfg(tmp_path: Path, cameras: list[dict[str, object]], fps: float = 2.0) -> SiteConfig:
    return SiteConfig.model_validate(
        {
            "site": {"name": "multicam test"},
            "storage": {"data_dir": str(tmp_path / "var")},
            "detection": {"process_fps": fps, "device": "cpu"},
            "cameras": cameras,
        }
    )


@pytest.fixture(scope="module")
def plate_clip(shared_dir: Path) -> Path:
    return shared_dir / "data" / "plate_clips" / "uk_roundabout.mp4"  # one legible plate: LS15EBC


@pytest.fixture(scope="module")
def two_cameras(plate_clip: Path, uk_dev_dir: Path) -> list[dict[str, object]]:
    # different frame sizes (1280x720 and 352x288): the batch must not change either camera's boxes
    return [
        {"id": "roundabout", "source": str(plate_clip), "start_time": "2024-03-01T08:00:00Z"},
        {"id": "jamcam", "source": str(uk_dev_dir / "videos" / JAM_A), "start_time": "2019-06-28T13:02:51Z"},
    ]


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory, two_cameras: list[dict[str, object]]) -> Models:
    return load_models(_cfg(tmp_path_factory.mktemp("m"), two_cameras))


def _summary(s: Sighting) -> tuple[object, ...]:
    return (
        s.track_key,
        s.vehicle_class,
        s.first_seen,
        s.last_seen,
        s.frames_seen,
        s.plate.text if s.plate else None,
        tuple(c.text for c in s.candidates),
    )


def test_auto_device_is_the_cpu_without_a_gpu_and_cuda_is_refused() -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    assert resolve_device("auto") == CPU
    from detect.batch_inference import DeviceUnavailableError

    with pytest.raises(DeviceUnavailableError, match="no CUDA device"):
        resolve_device("cuda:0")


def test_batched_detections_equal_per_image_detections(
    models: Models, plate_clip: Path, uk_dev_dir: Path
) -> None:
    frames = [f.image for f in VideoFileSource(plate_clip, "a", process_fps=2.0)][:4]
    frames += [f.image for f in VideoFileSource(uk_dev_dir / "videos" / JAM_A, "b", process_fps=2.0)][:2]
    detector = models.detector
    alone = [detector.detect_scene(f) for f in frames]
    batched = detector.detect_scene_batch(frames, CPU)
    plain = detector.detect_batch(frames, CPU)
    assert sum(len(s.vehicles) for s in alone) >= 10
    for one, many in zip(alone, batched, strict=True):
        assert [v.vehicle_class for v in one.vehicles] == [v.vehicle_class for v in many.vehicles]
        for a, b in zip(one.vehicles, many.vehicles, strict=True):
            assert max(abs(x - y) for x, y in zip(a.box, b.box, strict=True)) < 0.01
            assert abs(a.confidence - b.confidence) < 1e-4
        assert len(one.people) == len(many.people)
    for frame, vehicles in zip(frames, plain, strict=True):
        single = detector.detect(frame)
        assert [v.vehicle_class for v in single] == [v.vehicle_class for v in vehicles]
        for a, b in zip(single, vehicles, strict=True):
            assert max(abs(x - y) for x, y in zip(a.box, b.box, strict=True)) < 0.01

    reader = models.plate_reader
    assert reader is not None
    plates = reader.plates  # type: ignore[attr-defined]
    requests = [(f, v.box) for f, s in zip(frames, alone, strict=True) for v in s.vehicles]
    one_by_one = [plates.detect(image, box) for image, box in requests]
    together = plates.detect_batch(requests, CPU)
    assert sum(len(p) for p in one_by_one) >= 3, "the roundabout car's plate is found in several frames"
    for a_list, b_list in zip(one_by_one, together, strict=True):
        assert len(a_list) == len(b_list)
        for a, b in zip(a_list, b_list, strict=True):
            assert max(abs(x - y) for x, y in zip(a.box, b.box, strict=True)) < 0.01
            assert abs(a.confidence - b.confidence) < 1e-4


def test_two_cameras_in_one_process_give_the_sightings_of_two_runs(
    models: Models, tmp_path: Path, two_cameras: list[dict[str, object]]
) -> None:
    cfg = _cfg(tmp_path, two_cameras)
    single: list[Sighting] = []
    for camera in cfg.cameras:
        run_camera(cfg, camera, models, single.append)
    together: list[Sighting] = []
    result = run_cameras(cfg, cfg.cameras, models, together.append, CPU)

    assert sorted(map(_summary, together)) == sorted(map(_summary, single))
    plates = {s.plate.text for s in together if s.plate}
    assert "LS15EBC" in plates
    assert {s.camera_id for s in together} == {"roundabout", "jamcam"}
    assert [r.camera_id for r in result.runs] == ["roundabout", "jamcam"]
    assert all(r.error is None and not r.stopped for r in result.runs)
    # both cameras' frames went through shared batches, not one camera after the other
    assert result.steps < result.frames
    assert result.batch_seconds["detect"] > 0 and result.batch_seconds["plate_locate"] > 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_dead_camera_does_not_stop_the_others(models: Models, tmp_path: Path, uk_dev_dir: Path) -> None:
    cameras: list[dict[str, object]] = [
        {"id": "missing", "source": str(tmp_path / "no_such_clip.mp4")},
        # refuses every connection: gives up mid-run (in its reader thread) after two retries
        {"id": "dead_stream", "source": f"http://127.0.0.1:{_free_port()}/video.mjpg"},
        {"id": "jamcam", "source": str(uk_dev_dir / "videos" / JAM_A), "start_time": "2019-06-28T13:02:51Z"},
    ]
    cfg = _cfg(tmp_path, cameras)
    made: list[Sighting] = []
    result = run_cameras(
        cfg, cfg.cameras, models, made.append, CPU, backoff=Backoff(0.01, 2, 0.05), max_retries=2
    )
    runs = {r.camera_id: r for r in result.runs}
    assert runs["missing"].error is not None and "file not found" in runs["missing"].error
    assert (
        runs["dead_stream"].error is not None
        and "no connection after 3 attempt(s)" in runs["dead_stream"].error
    )
    assert runs["jamcam"].error is None and 18 <= runs["jamcam"].stats.frames <= 21
    alone: list[Sighting] = []
    run_camera(cfg, cfg.camera("jamcam"), models, alone.append)
    assert sorted(map(_summary, made)) == sorted(map(_summary, alone)) and alone


def test_stop_finishes_every_cameras_tracks_and_the_writer_stores_them(
    models: Models, tmp_path: Path, uk_dev_dir: Path, db_url: str, engine: Engine
) -> None:
    from detect.writer import SightingWriter

    cameras: list[dict[str, object]] = [
        {"id": "jam_a", "source": str(uk_dev_dir / "videos" / JAM_A), "start_time": "2019-06-28T13:02:51Z"},
        {"id": "jam_b", "source": str(uk_dev_dir / "videos" / JAM_B), "start_time": "2019-06-28T13:02:35Z"},
    ]
    cfg = _cfg(tmp_path, cameras, fps=5.0)
    stop = threading.Event()
    writer = SightingWriter(db_url, tmp_path / "spool", batch_seconds=0.2)
    writer.start()

    def stop_after_some(run: MultiCameraRun) -> None:
        if run.steps >= 8:
            stop.set()  # what SIGTERM/SIGINT do through `stop_on_signals`

    made: list[Sighting] = []

    def submit(s: Sighting) -> None:
        made.append(s)
        writer.submit(s)

    result = run_cameras(cfg, cfg.cameras, models, submit, CPU, stop=stop, on_step=stop_after_some)
    stats = writer.close()
    assert result.stopped and all(r.stopped for r in result.runs)
    # the clips are 10 s long: 50 frames each at 5 fps, far more than 8 steps' worth
    assert all(0 < r.stats.frames <= 8 for r in result.runs)
    # every track open at the stop was finished, on both cameras, and stored
    assert {s.camera_id for s in made} == {"jam_a", "jam_b"}
    assert (
        sum(len(r.sightings) for r in result.runs) == len(made) == sum(r.stats.sightings for r in result.runs)
    )
    with engine.connect() as c:
        keys = set(c.execute(sa.select(m.Sighting.track_key)).scalars())
    assert stats.inserted == len(made) and keys == {s.track_key for s in made}


# -- the command ---------------------------------------------------------------------------------------
def _config_file(tmp_path: Path, cameras: list[dict[str, object]]) -> Path:
    path = tmp_path / "site.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "site": {"name": "multicam cli"},
                "storage": {"data_dir": str(tmp_path / "var")},
                "detection": {"process_fps": 2.0},
                "cameras": cameras,
            }
        )
    )
    return path


def test_process_many_stores_what_single_runs_would(
    uk_dev_dir: Path, tmp_path: Path, db_url: str, engine: Engine
) -> None:
    cameras: list[dict[str, object]] = [
        {"id": "jam_a", "source": str(uk_dev_dir / "videos" / JAM_A), "start_time": "2019-06-28T13:02:51Z"},
        {"id": "jam_b", "source": str(uk_dev_dir / "videos" / JAM_B), "start_time": "2019-06-28T13:02:35Z"},
    ]
    config = _config_file(tmp_path, cameras)
    runner = CliRunner()
    common = ["--config", str(config), "--database-url", db_url, "--no-plates"]
    many = runner.invoke(app, ["process-many", "jam_a", "jam_b", *common, "--device", "cpu"])
    assert many.exit_code == 0, many.output
    assert "2 cameras, detectors batched on cpu (fp32)" in many.output
    match = re.search(r"total: (\d+) frames, \d+ vehicles, (\d+) sightings .*stored (\d+) new", many.output)
    assert match, many.output
    frames, sightings, new = map(int, match.groups())
    assert 36 <= frames <= 42 and sightings > 0 and new == sightings
    with engine.connect() as c:
        per_camera = dict(
            c.execute(sa.select(m.Sighting.camera_id, sa.func.count()).group_by(m.Sighting.camera_id)).all()
        )
    assert set(per_camera) == {"jam_a", "jam_b"} and sum(per_camera.values()) == sightings
    # one `platewatch process` per camera makes the very same sightings: all already stored
    for camera_id in ("jam_a", "jam_b"):
        one = runner.invoke(app, ["process", camera_id, *common, "--no-progress"])
        assert one.exit_code == 0, one.output
        assert f"stored 0 new, {per_camera[camera_id]} already stored" in one.output, one.output


def test_process_many_refuses_bad_input_before_loading_models(uk_dev_dir: Path, tmp_path: Path) -> None:
    clip = str(uk_dev_dir / "videos" / JAM_A)
    config = _config_file(tmp_path, [{"id": "jam_a", "source": clip}])
    runner = CliRunner()
    twice = runner.invoke(app, ["process-many", "jam_a", clip, "--config", str(config)])
    assert twice.exit_code == 2 and "are both camera 'jam_a'" in twice.output
    two = runner.invoke(
        app,
        ["process-many", "jam_a", str(tmp_path / "b.mp4"), "--config", str(config), "--api-url", "http://x"],
    )
    assert two.exit_code == 2 and "one camera key, which is bound to one camera" in two.output
    bad = runner.invoke(app, ["process-many", "jam_a", "--config", str(config), "--device", "gpu"])
    assert bad.exit_code == 2 and "--device must be auto, cpu, cuda or cuda:N" in bad.output
    import torch

    if not torch.cuda.is_available():
        none = runner.invoke(app, ["process-many", "jam_a", "--config", str(config), "--device", "cuda"])
        assert none.exit_code == 2 and "no CUDA device" in none.output


def test_process_many_reports_a_dead_camera_and_stores_the_others(uk_dev_dir: Path, tmp_path: Path) -> None:
    cameras: list[dict[str, object]] = [
        {"id": "jam_a", "source": str(uk_dev_dir / "videos" / JAM_A), "start_time": "2019-06-28T13:02:51Z"},
        {"id": "gone", "source": str(tmp_path / "gone.mp4")},
    ]
    config = _config_file(tmp_path, cameras)
    url = f"sqlite:///{tmp_path / 'dead.db'}"
    result = CliRunner().invoke(
        app,
        ["process-many", "--config", str(config), "--database-url", url, "--no-plates", "--device", "cpu"],
    )
    assert result.exit_code == 1, result.output
    assert "error: camera gone: cannot open" in result.output and "file not found" in result.output
    match = re.search(r"jam_a: (\d+) frames, \d+ vehicles tracked, (\d+) sightings", result.output)
    assert match and int(match.group(1)) >= 18 and int(match.group(2)) > 0, result.output
    assert re.search(rf"stored {match.group(2)} new", result.output), result.output


def test_sigterm_stops_every_camera_and_stores_all_their_sightings(uk_dev_dir: Path, tmp_path: Path) -> None:
    from test_process_hardening import count_rows, platewatch, run_env

    cameras: list[dict[str, object]] = [
        {"id": "jam_a", "source": str(uk_dev_dir / "videos" / JAM_A), "start_time": "2019-06-28T13:02:51Z"},
        {"id": "jam_b", "source": str(uk_dev_dir / "videos" / JAM_B), "start_time": "2019-06-28T13:02:35Z"},
    ]
    config = _config_file(tmp_path, cameras)
    url = f"sqlite:///{tmp_path / 'stop.db'}"
    subprocess.run(
        platewatch("db", "upgrade", "--config", str(config), "--database-url", url), env=run_env(), check=True
    )
    # every frame of both clips (25 fps): long enough to be stopped in the middle
    args = ["process-many", "--config", str(config), "--database-url", url, "--fps", "25", "--no-plates"]
    proc = subprocess.Popen(
        platewatch(*args), env=run_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 400
    while count_rows(url) == 0:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no sighting stored in time"
        time.sleep(0.3)
    assert proc.poll() is None, "the clips finished before the signal; the test needs a longer run"
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert "stopping; finishing open tracks" in err and "stopped on request" in out
    for camera_id in ("jam_a", "jam_b"):
        frames = re.search(rf"{camera_id}: (\d+) frames", out)
        assert frames and 0 < int(frames.group(1)) < 240, out  # stopped before the clip's end
    match = re.search(r"(\d+) sightings .*stored (\d+) new, 0 already stored, 0 waiting in spool", out)
    assert match, out
    made, stored = int(match.group(1)), int(match.group(2))
    assert made == stored == count_rows(url) and stored >= 2
    engine = sa.create_engine(url)
    with engine.connect() as c:
        assert set(c.execute(sa.select(m.Sighting.camera_id)).scalars()) == {"jam_a", "jam_b"}
    engine.dispose()
