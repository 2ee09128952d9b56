from __future__ import annotations

from pathlib import Path

import typer

from platewatch.cli.options import load_or_exit


def check(file: Path = typer.Argument(..., help="Site configuration YAML to validate.")) -> None:
    """Validate a site configuration; every mistake is listed with its path."""
    cfg = load_or_exit(file)
    zones = sum(len(c.zones) for c in cfg.cameras)
    calibrated = sum(1 for c in cfg.cameras if c.calibration)
    typer.echo(
        f"{file}: OK — site {cfg.site.name!r}, {len(cfg.cameras)} camera(s), {zones} zone(s), "
        f"{calibrated} calibrated"
    )


def register(app: typer.Typer, eval_app: typer.Typer) -> None:  # noqa: ARG001
    config_app = typer.Typer(help="Site configuration.", no_args_is_help=True)
    config_app.command("check")(check)
    app.add_typer(config_app, name="config")
