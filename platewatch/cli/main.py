"""The `platewatch` command. Each command group lives in its own module and registers itself here.

Command modules import heavy libraries (torch, ultralytics, easyocr) inside their functions so that
`platewatch --help` and `platewatch config check` answer instantly.
"""

from __future__ import annotations

import importlib
import logging

import typer

app = typer.Typer(
    name="platewatch",
    help="PlateWatch: CCTV number-plate recognition and vehicle intelligence.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
eval_app = typer.Typer(help="Measure accuracy on labelled data.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")

# Each module defines `register(app: typer.Typer, eval_app: typer.Typer) -> None`.
_COMMAND_MODULES = [
    "platewatch.cli.config_cmd",
    "platewatch.cli.db_cmd",
    "platewatch.cli.process_cmd",
    "platewatch.cli.sightings_cmd",
    "platewatch.cli.eval_tracks_cmd",
    "platewatch.cli.eval_plates",
    "platewatch.cli.rules_cmd",
    "platewatch.cli.ocr_cmd",
    "platewatch.cli.serve_cmd",
    "platewatch.cli.users_cmd",
    "platewatch.cli.retention_cmd",
    "platewatch.cli.demo_cmd",
]


@app.callback()
def _main(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Debug logging."),
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


for _name in _COMMAND_MODULES:
    importlib.import_module(_name).register(app, eval_app)
