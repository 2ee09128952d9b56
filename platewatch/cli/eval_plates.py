"""`platewatch eval plates DIR`: plate-reading accuracy of the still-image pipeline."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from platewatch.cli.options import load_or_exit


def plates(
    folder: Path = typer.Argument(..., help="Labelled folder: images + OpenALPR .txt, or labels.csv."),
    region: str = typer.Option("gb", "--region", help="Plate grammar: gb or any."),
    json_out: Path | None = typer.Option(None, "--json", help="Write the full report here."),
    config: Path | None = typer.Option(None, "--config", "-c", help="Site YAML (default: built-in)."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Only the first N images."),
    readers: str = typer.Option(
        "rapidocr,platewatch_plates",
        "--readers",
        help="Comma-separated plate readers to combine: easyocr, rapidocr, platewatch_plates.",
    ),
    threads: int = typer.Option(
        0, "--threads", min=0, help="CPU threads for torch and ONNX Runtime (0: library default)."
    ),
    verbose: bool = typer.Option(False, "--verbose", help="One line per image."),
) -> None:
    """Run vehicle -> plate -> read -> grammar on every image and score against the labels."""
    from detect.reading.recogniser import PlateRecogniser
    from models.resolver import ModelChecksumError, ModelNotFoundError
    from offline.eval_plates import LabelError, evaluate, load_labels, summary_line
    from platewatch.config import Detection, ModelPaths

    if region not in ("gb", "any"):
        typer.echo(f"--region must be gb or any, got {region!r}", err=True)
        raise typer.Exit(code=2)
    if config is not None:
        site = load_or_exit(config)
        detection, models = site.detection, site.models
    else:
        detection, models = Detection(), ModelPaths()
    detection = detection.model_copy(update={"region": region})
    try:
        load_labels(folder)  # fail on a bad folder before spending seconds loading models
    except LabelError as e:
        typer.echo(str(e), err=True)
        raise typer.Exit(code=2) from None
    if threads > 0:
        import torch

        # Process-wide, which is right for a one-shot command: the box may be shared with a
        # running pipeline, and the operator asked for this many cores.
        torch.set_num_threads(threads)
    chosen = [r.strip() for r in readers.split(",") if r.strip()]
    try:
        recogniser = PlateRecogniser(detection, models, readers=chosen, threads=threads)
    except (ModelNotFoundError, ModelChecksumError, ValueError) as e:
        typer.echo(str(e), err=True)
        raise typer.Exit(code=2) from None
    try:
        report = evaluate(recogniser, folder, limit=limit, progress=typer.echo if verbose else None)
    except LabelError as e:
        typer.echo(str(e), err=True)
        raise typer.Exit(code=2) from None
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    typer.echo(summary_line(report))


def register(app: typer.Typer, eval_app: typer.Typer) -> None:  # noqa: ARG001
    eval_app.command("plates")(plates)
