"""Export the plate detector to OpenVINO (offline tooling; the runtime only loads the result).

The plate detector runs on vehicle crops, which are a few hundred pixels across: at 320 px the
OpenVINO export finds the same plates as torch at 640 in about a seventh of the time (see
docs/benchmarks.md, "CPU inference"). The export is committed under models/ so a clean clone runs
without this step; run it again only to rebuild or re-size the export, then pin the printed
sha256s in models/manifest.yaml.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from models import resolver

PLATE_EXPORT_IMGSZ = 320


@dataclass(frozen=True, slots=True)
class ExportResult:
    folder: Path
    sha256: dict[str, str]


def export_plate_detector(
    out_dir: Path,
    imgsz: int = PLATE_EXPORT_IMGSZ,
    weights: Path | None = None,
    half: bool = True,
) -> ExportResult:
    """Export the resolved plate detector to `out_dir/<manifest folder name>`; returns the files' sha256.

    `half` stores the weights as FP16 (half the size on disk); the CPU plugin still computes in FP32.
    An existing export folder is replaced only once the new export has succeeded.
    """
    from ultralytics import YOLO  # type: ignore[attr-defined]

    source = resolver.resolve("plate_detector", weights)
    name = resolver.load_manifest()["plate_detector_openvino"].file
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        # Ultralytics writes the export beside the weights, which may sit on a read-only share.
        local = Path(tmp) / source.name
        shutil.copyfile(source, local)
        exported = Path(YOLO(str(local), task="detect").export(format="openvino", imgsz=imgsz, half=half))
        target = out_dir / name
        if target.exists():
            shutil.rmtree(target)
        shutil.move(str(exported), target)
    digests = {p.name: resolver.sha256_of(p) for p in sorted(target.iterdir()) if p.is_file()}
    return ExportResult(target, digests)
