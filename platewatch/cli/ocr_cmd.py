"""`platewatch ocr`: synthetic plates and the plate recogniser's training."""

from __future__ import annotations

import csv
from pathlib import Path

import typer


def synth(
    out: Path = typer.Argument(..., help="Folder for the PNG images and labels.csv."),
    count: int = typer.Option(100, "--count", "-n", min=1, help="How many plates."),
    seed: int = typer.Option(0, "--seed", help="Same seed, same plates."),
    layout: list[str] = typer.Option(
        [], "--layout", help="Restrict to these layouts (repeatable), e.g. gb_current, eu_hr, us."
    ),
) -> None:
    """Render synthetic degraded plate crops with their labels (file,label,layout)."""
    import cv2

    from offline.synth import LAYOUTS, generate_plate

    unknown = [name for name in layout if name not in LAYOUTS]
    if unknown:
        typer.echo(f"unknown layout(s) {unknown}; choose from {', '.join(LAYOUTS)}", err=True)
        raise typer.Exit(code=2)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "labels.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["file", "label", "layout"])
        for i in range(count):
            plate = generate_plate(seed, i, layouts=layout or None)
            name = f"plate_{seed}_{i:06d}.png"
            if not cv2.imwrite(str(out / name), plate.image):
                typer.echo(f"could not write {out / name}", err=True)
                raise typer.Exit(code=1)
            writer.writerow([name, plate.label, plate.text.layout])
    typer.echo(f"wrote {count} plates and labels.csv to {out}")


def train(
    out: Path = typer.Option(..., "--out", help="Run folder: best.pth, last.pth, report.json."),
    seed: int = typer.Option(0, "--seed"),
    steps: int = typer.Option(550, "--steps", min=1, help="Optimiser steps (sets the LR schedule)."),
    minutes: float = typer.Option(55.0, "--minutes", help="Stop early after this many minutes."),
    stop_after: int | None = typer.Option(
        None,
        "--stop-after",
        min=1,
        help="Stop after N steps, keeping the LR schedule of --steps (replays a time-limited run).",
    ),
    batch_size: int = typer.Option(32, "--batch-size", min=2),
    lr: float = typer.Option(5e-4, "--lr"),
    frozen_layers: int = typer.Option(10, "--frozen-layers", help="Leading VGG modules left untrained."),
    init: str = typer.Option(
        "english_g2", "--init", help="'english_g2' (EasyOCR's weights via the model resolver) or a .pth path."
    ),
    threads: int = typer.Option(2, "--threads", min=1),
    val_size: int = typer.Option(256, "--val-size", min=1, help="Held-out synthetic plates for selection."),
    val_every: int = typer.Option(50, "--val-every", min=1, help="Validate (and maybe save) every N steps."),
    img_h: int = typer.Option(48, "--img-h", min=16, help="Network input height (EasyOCR's imgH)."),
    output_channel: int = typer.Option(
        192, "--output-channel", min=8, help="VGG output channels (english_g2: 256); a larger init is pruned."
    ),
    hidden_size: int = typer.Option(192, "--hidden-size", min=8, help="LSTM units (english_g2: 256)."),
    workers: int = typer.Option(
        0, "--workers", min=0, help="Processes generating plates ahead (many-core machines; 0 on 2 cores)."
    ),
    device: str = typer.Option("cpu", "--device", help="'cpu', or 'cuda' to train faster on a GPU."),
    street_fraction: float = typer.Option(
        0.0, "--street-fraction", min=0.0, max=1.0, help="Share of plates degraded at street-camera strength."
    ),
    real_crops: Path | None = typer.Option(
        None,
        "--real-crops",
        help="A real-crop set that may be trained on (only ar_cnn_ocr_lp); its 'fit' half is mixed in.",
    ),
    real_fraction: float = typer.Option(
        0.0, "--real-fraction", min=0.0, max=1.0, help="Share of training plates drawn from --real-crops."
    ),
    export: Path | None = typer.Option(
        None, "--export", help="Also write the best checkpoint as an EasyOCR folder here (e.g. models/ocr)."
    ),
) -> None:
    """Fine-tune the plate recogniser from english_g2 (or a checkpoint) on synthetic plates (CTC, CPU).

    An init larger than --output-channel/--hidden-size is first pruned to that size."""
    from models.resolver import ModelNotFoundError, ocr_model_dir
    from offline.ocr_training.export import export_folder
    from offline.ocr_training.real_samples import RealCropsError, load_real_samples
    from offline.ocr_training.train import TrainConfig
    from offline.ocr_training.train import train as run_training

    if init == "english_g2":
        try:
            init_path = ocr_model_dir() / "english_g2.pth"
        except ModelNotFoundError as e:
            typer.echo(str(e), err=True)
            raise typer.Exit(code=2) from None
    else:
        init_path = Path(init)
        if not init_path.is_file():
            typer.echo(f"--init {init}: no such file", err=True)
            raise typer.Exit(code=2)
    if real_crops is not None:
        try:
            load_real_samples(real_crops, "fit")  # refuse a set we may not train on before any work
        except RealCropsError as e:
            typer.echo(str(e), err=True)
            raise typer.Exit(code=2) from None
    cfg = TrainConfig(
        out_dir=out,
        seed=seed,
        steps=steps,
        minutes=minutes,
        stop_after=stop_after,
        batch_size=batch_size,
        lr=lr,
        frozen_layers=frozen_layers,
        init=init_path,
        threads=threads,
        val_size=val_size,
        val_every=val_every,
        img_h=img_h,
        output_channel=output_channel,
        hidden_size=hidden_size,
        workers=workers,
        device=device,
        street_fraction=street_fraction,
        real_crops=real_crops,
        real_fraction=real_fraction,
    )
    report = run_training(cfg, progress=typer.echo)
    typer.echo(
        f"{report.steps_run} steps in {report.seconds / 60:.1f} min; held-out synthetic accuracy "
        f"{report.initial_val_accuracy:.3f} -> {report.best_val_accuracy:.3f} "
        f"(best at step {report.best_step})"
    )
    if export is not None:
        for path in export_folder(out / "best.pth", export, img_h=img_h):
            typer.echo(f"wrote {path}")


def register(app: typer.Typer, eval_app: typer.Typer) -> None:  # noqa: ARG001
    ocr_app = typer.Typer(help="Synthetic plates and the plate recogniser.", no_args_is_help=True)
    ocr_app.command("synth")(synth)
    ocr_app.command("train")(train)
    app.add_typer(ocr_app, name="ocr")
