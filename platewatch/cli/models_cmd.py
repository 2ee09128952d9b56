"""`platewatch models export-openvino`: rebuild the OpenVINO plate-detector export."""

from __future__ import annotations

from pathlib import Path

import typer

from models.resolver import MODELS_DIR


def export_openvino(
    out: Path = typer.Option(MODELS_DIR, "--out", help="Folder to write the export folder into."),
    imgsz: int = typer.Option(320, "--imgsz", min=160, max=1920, help="Input size of the export."),
    weights: Path | None = typer.Option(None, "--weights", help="Plate detector .pt (default: resolved)."),
    fp32: bool = typer.Option(False, "--fp32", help="Store FP32 weights (default FP16, half the size)."),
) -> None:
    """Export the plate detector to OpenVINO and print the sha256 lines for models/manifest.yaml."""
    from offline.openvino_export import export_plate_detector

    result = export_plate_detector(out, imgsz=imgsz, weights=weights, half=not fp32)
    typer.echo(f"wrote {result.folder}")
    typer.echo("pin these under plate_detector_openvino.files in models/manifest.yaml:")
    for name, digest in result.sha256.items():
        typer.echo(f"      {name}: {digest}")


def register(app: typer.Typer, eval_app: typer.Typer) -> None:  # noqa: ARG001 - the shared signature
    models_app = typer.Typer(help="Model files: exports for other runtimes.", no_args_is_help=True)
    models_app.command("export-openvino")(export_openvino)
    app.add_typer(models_app, name="models")
