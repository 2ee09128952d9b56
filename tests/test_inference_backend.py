"""The detectors' runtimes: OpenVINO against torch on real shared frames, choice, config, weights."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import cv2
import pytest

from detect.inference_backend import choose_backend, cuda_available, export_imgsz
from detect.reading.localise import PlateDetector, box_iou
from detect.records import VehicleDetection
from detect.scene import SceneDetector
from detect.vehicles import VehicleDetector
from models.resolver import MODELS_DIR, ModelChecksumError, ModelNotFoundError, load_manifest, resolve
from platewatch.config import ConfigError, Detection, ModelPaths, parse_config


def frames_of(clip: Path, every: int) -> list[Any]:
    cap = cv2.VideoCapture(str(clip), cv2.CAP_FFMPEG)
    out: list[Any] = []
    i = 0
    while cap.grab():
        if i % every == 0:
            ok, image = cap.retrieve()
            assert ok
            out.append(image)
        i += 1
    cap.release()
    assert out, clip
    return out


def kept(ref: list[VehicleDetection], other: list[VehicleDetection], iou: float = 0.5) -> int:
    free = list(other)
    hits = 0
    for r in ref:
        best = max(free, key=lambda o: box_iou(r.box, o.box), default=None)
        if best is not None and box_iou(r.box, best.box) >= iou:
            free.remove(best)
            hits += 1
    return hits


# --------------------------------------------------------------------------- choice and config


def test_auto_is_openvino_on_a_cpu_and_torch_on_a_gpu() -> None:
    assert choose_backend("auto", has_cuda=False) == "openvino"
    assert choose_backend("auto", has_cuda=True) == "torch"
    assert choose_backend("torch", has_cuda=False) == "torch"
    assert choose_backend("openvino", has_cuda=True) == "openvino"
    # a site's own torch weights without an export of them are not swapped for the stock export
    own = Path("own.pt")
    assert choose_backend("auto", has_cuda=False, explicit_torch=own) == "torch"
    assert (
        choose_backend("auto", has_cuda=False, explicit_torch=own, explicit_openvino=Path("x")) == "openvino"
    )
    assert choose_backend("openvino", has_cuda=False, explicit_torch=own) == "openvino"
    # this machine, as the detectors see it by default
    assert choose_backend("auto") == ("torch" if cuda_available() else "openvino")


def test_backend_setting_is_validated_at_load() -> None:
    base = {"site": {"name": "t"}, "cameras": [{"id": "c", "source": "x.mp4"}]}
    assert parse_config(base, "t.yaml").detection.backend == "auto"
    ok = parse_config({**base, "detection": {"backend": "openvino"}}, "t.yaml")
    assert ok.detection.backend == "openvino"
    with pytest.raises(ConfigError) as info:
        parse_config({**base, "detection": {"backend": "tensorrt"}}, "t.yaml")
    [problem] = info.value.problems
    assert problem.startswith("detection.backend:") and "'auto'" in problem and "'openvino'" in problem


# --------------------------------------------------------------------------- folder weights


def test_openvino_folders_resolve_and_every_file_is_checked(
    shared_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = load_manifest()["vehicle_detector_openvino"].file
    copy = tmp_path / name
    shutil.copytree(shared_dir / "models" / name, copy)
    monkeypatch.setenv("PLATEWATCH_MODEL_DIR", str(tmp_path))
    assert resolve("vehicle_detector_openvino") == copy
    assert resolve("vehicle_detector_openvino", explicit=tmp_path) == copy  # the folder above it
    assert export_imgsz(copy) == 640
    with (copy / "metadata.yaml").open("a") as f:
        f.write("# edited\n")
    with pytest.raises(ModelChecksumError, match="metadata.yaml has sha256"):
        resolve("vehicle_detector_openvino")
    shutil.copy(shared_dir / "models" / name / "metadata.yaml", copy / "metadata.yaml")
    (copy / "yolo11n.bin").unlink()
    with pytest.raises(ModelNotFoundError, match="lacks yolo11n.bin"):
        resolve("vehicle_detector_openvino")
    shutil.rmtree(copy)
    monkeypatch.setenv("PLATEWATCH_MODEL_DIR", str(tmp_path / "empty"))
    with pytest.raises(ModelNotFoundError) as info:
        resolve("vehicle_detector_openvino")
    assert str(tmp_path / "empty" / name) in str(info.value)
    assert "each sha256 pinned" in str(info.value)


def test_plate_export_is_committed_and_pinned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLATEWATCH_MODEL_DIR", str(tmp_path))  # nothing there: the repository's copy
    folder = resolve("plate_detector_openvino")
    assert folder.parent == MODELS_DIR
    assert export_imgsz(folder) == 320
    assert {n for n, _ in load_manifest()["plate_detector_openvino"].files} == {
        p.name for p in folder.iterdir()
    }


# --------------------------------------------------------------------------- same detections


@pytest.fixture(scope="module")
def shared_frames(shared_dir: Path) -> list[Any]:
    data = shared_dir / "data"
    clips = [data / "plate_clips" / "paris_rain.mp4", data / "plate_clips" / "vn_toll.mp4"]
    clips += sorted((data / "uk_dev" / "videos").glob("*.mp4"))[:2]
    return [im for clip in clips for im in frames_of(clip, 45)]


@pytest.fixture(scope="module")
def vehicle_detectors() -> dict[str, VehicleDetector]:
    return {b: SceneDetector(Detection(), ModelPaths(), backend=b) for b in ("torch", "openvino")}  # type: ignore[misc]


@pytest.mark.slow
@pytest.mark.video
def test_openvino_finds_the_vehicles_torch_finds(
    shared_frames: list[Any], vehicle_detectors: dict[str, VehicleDetector]
) -> None:
    torch_found = [vehicle_detectors["torch"].detect(im) for im in shared_frames]
    ov_found = [vehicle_detectors["openvino"].detect(im) for im in shared_frames]
    ref = sum(len(v) for v in torch_found)
    got = sum(len(v) for v in ov_found)
    hits = sum(kept(t, o) for t, o in zip(torch_found, ov_found, strict=True))
    assert ref >= 30, "too few vehicles in the sample to compare"
    # INT8 against the dequantised torch copy of the same network: a few boxes near the threshold differ
    assert hits / ref >= 0.85, (hits, ref)
    assert hits / got >= 0.85, (hits, got)


@pytest.mark.slow
@pytest.mark.video
def test_detect_batch_is_detect_per_image(
    shared_frames: list[Any], vehicle_detectors: dict[str, VehicleDetector]
) -> None:
    sample = shared_frames[:3]  # one clip: frames of one size
    for det in vehicle_detectors.values():
        one_by_one = [det.detect(im) for im in sample]
        batched = det.detect_batch(sample)
        assert len(batched) == len(sample)
        for a, b in zip(one_by_one, batched, strict=True):
            assert [d.vehicle_class for d in a] == [d.vehicle_class for d in b]
            assert all(box_iou(x.box, y.box) > 0.99 for x, y in zip(a, b, strict=True))
    assert vehicle_detectors["openvino"].detect_batch([]) == []


@pytest.mark.slow
@pytest.mark.video
def test_openvino_plate_export_finds_the_plates_torch_finds(
    shared_frames: list[Any], vehicle_detectors: dict[str, VehicleDetector], uk_dev_dir: Path
) -> None:
    from detect.still import load_image

    images = list(shared_frames) + [load_image(p) for p in sorted((uk_dev_dir / "images").iterdir())]
    plates = {b: PlateDetector(Detection(), ModelPaths(), backend=b) for b in ("torch", "openvino")}  # type: ignore[misc]
    assert plates["openvino"].weights.name.endswith("_320_openvino_model")
    torch_plates = ov_plates = same = 0
    for im in images:
        for v in vehicle_detectors["torch"].detect(im):
            t = plates["torch"].detect(im, v.box)[:1]
            o = plates["openvino"].detect(im, v.box)[:1]
            torch_plates += len(t)
            ov_plates += len(o)
            same += int(bool(t and o and box_iou(t[0].box, o[0].box) >= 0.5))
    assert torch_plates >= 10, "too few plates in the sample to compare"
    assert same >= 0.9 * torch_plates, (same, torch_plates, ov_plates)
    assert ov_plates <= 1.2 * torch_plates, (ov_plates, torch_plates)


@pytest.mark.slow
def test_export_command_rebuilds_the_committed_plate_export(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    # its own process, as an operator runs it: TorchScript names the graph's nodes with counters
    # that other models traced earlier in the same process would shift
    command = [sys.executable, "-c", "from platewatch.cli.main import app; app()"]
    repo = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": repo + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run(
        [*command, "models", "export-openvino", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    pinned = dict(load_manifest()["plate_detector_openvino"].files)
    folder = tmp_path / load_manifest()["plate_detector_openvino"].file
    assert export_imgsz(folder) == 320
    # the network and its weights are byte-identical to the committed ones (metadata.yaml holds a date)
    for name in ("plate_yolov8n_fastanpr.xml", "plate_yolov8n_fastanpr.bin"):
        assert f"{name}: {pinned[name]}" in done.stdout
