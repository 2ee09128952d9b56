"""Options shared by several commands, and how a command loads the site config."""

from __future__ import annotations

from pathlib import Path

import typer

from platewatch.config import ConfigError, SiteConfig, load_config

DEFAULT_CONFIG = Path("configs/demo.yaml")

ConfigOption = typer.Option(
    DEFAULT_CONFIG, "--config", "-c", help="Site configuration YAML.", envvar="PLATEWATCH_CONFIG"
)


def load_or_exit(path: Path) -> SiteConfig:
    try:
        return load_config(path)
    except ConfigError as e:
        typer.echo(str(e), err=True)
        raise typer.Exit(code=2) from None
