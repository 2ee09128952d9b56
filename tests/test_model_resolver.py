from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from models.resolver import (
    ModelChecksumError,
    ModelNotFoundError,
    load_manifest,
    ocr_model_dir,
    resolve,
    sha256_of,
)


def test_manifest_names_every_role_with_licence() -> None:
    specs = load_manifest()
    assert {"vehicle_detector", "plate_detector", "ocr_detector", "ocr_recogniser"} <= set(specs)
    for spec in specs.values():
        assert spec.licence and spec.source, spec.role


def test_found_in_model_dir_and_checksum_verified(shared_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLATEWATCH_MODEL_DIR", str(shared_dir / "models"))
    path = resolve("plate_detector")
    assert path == shared_dir / "models" / "plate_yolov8n_fastanpr.pt"
    assert sha256_of(path) == load_manifest()["plate_detector"].sha256


def test_missing_weight_names_file_sha_and_every_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLATEWATCH_MODEL_DIR", str(tmp_path))
    monkeypatch.delenv("PLATEWATCH_ALLOW_DOWNLOAD", raising=False)
    with pytest.raises(ModelNotFoundError) as info:
        resolve("vehicle_detector", explicit=tmp_path / "nowhere.pt")
    msg = str(info.value)
    assert "yolo11n_coco_from_int8.pt" in msg
    assert load_manifest()["vehicle_detector"].sha256 in msg  # type: ignore[operator]
    assert str(tmp_path / "nowhere.pt") in msg
    assert str(tmp_path / "yolo11n_coco_from_int8.pt") in msg
    assert str(Path("models").resolve() / "yolo11n_coco_from_int8.pt") in msg


def test_wrong_sha256_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "plate_yolov8n_fastanpr.pt").write_bytes(b"not the model")
    monkeypatch.setenv("PLATEWATCH_MODEL_DIR", str(tmp_path))
    with pytest.raises(ModelChecksumError, match="manifest expects 58f6ad86"):
        resolve("plate_detector")


def test_explicit_path_wins_and_is_checksummed(
    shared_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = tmp_path / "my_plates.pt"
    shutil.copy(shared_dir / "models" / "plate_yolov8n_fastanpr.pt", own)
    monkeypatch.setenv("PLATEWATCH_MODEL_DIR", str(shared_dir / "models"))
    assert resolve("plate_detector", explicit=own) == own
    # One appended byte: a file set explicitly in the config is held to the manifest too.
    with own.open("ab") as f:
        f.write(b"\0")
    with pytest.raises(ModelChecksumError, match="set explicitly in the site config"):
        resolve("plate_detector", explicit=own)


def test_easyocr_weights_come_from_the_offline_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLATEWATCH_MODEL_DIR", str(tmp_path))
    folder = ocr_model_dir()
    assert folder.parts[-2:] == ("easyocr_en_models", "models")
    assert (folder / "english_g2.pth").is_file() and (folder / "craft_mlt_25k.pth").is_file()


def test_unknown_role() -> None:
    with pytest.raises(KeyError, match="no model role 'bogus'"):
        resolve("bogus")
