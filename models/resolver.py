"""Find every model weight on local disk, verify it, and say exactly where it looked when it cannot.

PlateWatch runs on police networks without internet: a hub download at run time is the last
resort, only when explicitly allowed, never the default.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

MANIFEST_PATH = Path(__file__).with_name("manifest.yaml")
MODELS_DIR = Path(__file__).parent


class ModelNotFoundError(FileNotFoundError):
    pass


class ModelChecksumError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class ModelSpec:
    role: str
    file: str
    sha256: str | None
    licence: str
    source: str
    package: str | None = None
    package_path: str | None = None
    download: str | None = None
    is_folder: bool = False
    """The model is a folder (an OpenVINO export) rather than one file."""
    files: tuple[tuple[str, str], ...] = ()
    """A folder model's files: (name inside the folder, sha256), every one checked."""


@lru_cache(maxsize=4)
def load_manifest(path: Path = MANIFEST_PATH) -> dict[str, ModelSpec]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    specs: dict[str, ModelSpec] = {}
    for role, entry in raw["models"].items():
        specs[role] = ModelSpec(
            role=role,
            file=entry["file"],
            sha256=entry.get("sha256"),
            licence=entry.get("licence", ""),
            source=str(entry.get("source", "")).strip(),
            package=entry.get("package"),
            package_path=entry.get("package_path"),
            download=entry.get("download"),
            is_folder="files" in entry,
            files=tuple(sorted((entry.get("files") or {}).items())),
        )
    return specs


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@lru_cache(maxsize=64)
def _verified(path: Path, expected: str, mtime_ns: int) -> str:  # noqa: ARG001 - mtime is the cache key
    return sha256_of(path)


def _package_dir(package: str, sub: str | None) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    base = Path(next(iter(spec.submodule_search_locations)))
    return base / sub if sub else base


def candidate_paths(spec: ModelSpec, explicit: Path | None = None) -> list[Path]:
    """Every place the resolver looks for `spec`, in order."""
    places: list[Path] = []
    if explicit is not None:
        if spec.is_folder:
            # a folder model is named by the folder itself, or by the folder that holds it
            inside = explicit / spec.file
            places.append(inside if inside.is_dir() else explicit)
        else:
            places.append(explicit / spec.file if explicit.is_dir() else explicit)
    env_dir = os.environ.get("PLATEWATCH_MODEL_DIR")
    if env_dir:
        places.append(Path(env_dir) / spec.file)
    places.append(MODELS_DIR / spec.file)
    if spec.package:
        pkg = _package_dir(spec.package, spec.package_path)
        if pkg is not None:
            places.append(pkg / spec.file)
    return places


def resolve(role: str, explicit: Path | None = None, manifest: Path = MANIFEST_PATH) -> Path:
    """Return the verified local path of the model for `role`.

    Every file found, an explicit path from the config included, must match the manifest's
    sha256: a truncated or tampered weight given explicitly would otherwise run unnoticed. To run a
    different model, pin its sha256 in the manifest.
    """
    specs = load_manifest(manifest)
    if role not in specs:
        raise KeyError(f"no model role {role!r} in {manifest} (have: {', '.join(specs)})")
    spec = specs[role]
    looked: list[str] = []
    for i, path in enumerate(candidate_paths(spec, explicit)):
        looked.append(str(path))
        is_explicit = explicit is not None and i == 0
        if spec.is_folder:
            if path.is_dir():
                _check_folder(spec, path, is_explicit)
                return path
            continue
        if not path.is_file():
            continue
        if spec.sha256:
            actual = _verified(path.resolve(), spec.sha256, path.stat().st_mtime_ns)
            if actual != spec.sha256:
                raise ModelChecksumError(
                    f"model {role}: {path} has sha256 {actual}, the manifest expects {spec.sha256}. "
                    + ("(set explicitly in the site config) " if is_explicit else "")
                    + "The file is corrupt or a different model: replace it, or pin the new model's "
                    "sha256 in models/manifest.yaml."
                )
        return path
    if spec.download and os.environ.get("PLATEWATCH_ALLOW_DOWNLOAD") == "1":
        # Ultralytics resolves bare release names (e.g. "yolo11n.pt") by downloading them.
        return Path(spec.download)
    pinned = (
        f"a folder of {len(spec.files)} files, each sha256 pinned"
        if spec.is_folder
        else f"sha256 {spec.sha256 or 'not pinned'}"
    )
    raise ModelNotFoundError(
        f"model {role}: cannot find {spec.file} ({pinned}). Looked in:\n"
        + "\n".join(f"  - {p}" for p in looked)
        + f"\nSource: {spec.source}\nCopy the file into one of those places, or set "
        "PLATEWATCH_MODEL_DIR to the folder that holds it."
    )


def _check_folder(spec: ModelSpec, folder: Path, is_explicit: bool) -> None:
    """Every file of a folder model must be there and match its pinned sha256."""
    where = "(set explicitly in the site config) " if is_explicit else ""
    for name, expected in spec.files:
        path = folder / name
        if not path.is_file():
            raise ModelNotFoundError(
                f"model {spec.role}: {folder} {where}lacks {name}; the folder is incomplete. "
                f"Source: {spec.source}"
            )
        actual = _verified(path.resolve(), expected, path.stat().st_mtime_ns)
        if actual != expected:
            raise ModelChecksumError(
                f"model {spec.role}: {path} has sha256 {actual}, the manifest expects {expected}. "
                + where
                + "The file is corrupt or a different model: replace it, or pin the new model's "
                "sha256 in models/manifest.yaml."
            )


def ocr_model_dir(explicit: Path | None = None) -> Path:
    """Folder holding EasyOCR's detector and recogniser weights (both must be in one folder)."""
    rec = resolve("ocr_recogniser", explicit)
    det = resolve("ocr_detector", explicit)
    if rec.parent != det.parent:
        raise ModelNotFoundError(
            f"EasyOCR needs {det.name} and {rec.name} in one folder; found them in "
            f"{det.parent} and {rec.parent}"
        )
    return rec.parent
