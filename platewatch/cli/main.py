"""The `platewatch` command. Each command group lives in its own module and registers itself here.

Command modules import heavy libraries (torch, ultralytics, easyocr) inside their functions so that
`platewatch --help` and `platewatch config check` answer instantly.
"""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Any

import typer

from platewatch import redact

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_debug = False


def expected_failure(exc: BaseException) -> tuple[str, int] | None:
    """A one-line message and exit code for failures that are the operator's to fix, not bugs."""
    from sqlalchemy.exc import InterfaceError, OperationalError

    from models.resolver import ModelChecksumError, ModelNotFoundError

    if isinstance(exc, ModelNotFoundError | ModelChecksumError):
        return f"error: {exc}", 2
    if isinstance(exc, OperationalError | InterfaceError):
        first = str(exc.orig if exc.orig is not None else exc).strip().splitlines()
        return f"error: the database is unreachable: {first[0] if first else type(exc).__name__}", 1
    return None


class PlatewatchApp(typer.Typer):
    """The command group; an expected failure prints its message, the traceback only with --debug."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except Exception as exc:
            known = expected_failure(exc)
            if known is None or _debug:
                raise
            message, code = known
            print(redact.redact(message), file=sys.stderr)  # noqa: T201 - the CLI's last word
            sys.exit(code)


app = PlatewatchApp(
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
    "platewatch.cli.process_many_cmd",
    "platewatch.cli.sightings_cmd",
    "platewatch.cli.eval_tracks_cmd",
    "platewatch.cli.eval_plates",
    "platewatch.cli.rules_cmd",
    "platewatch.cli.ocr_cmd",
    "platewatch.cli.serve_cmd",
    "platewatch.cli.users_cmd",
    "platewatch.cli.retention_cmd",
    "platewatch.cli.demo_cmd",
    "platewatch.cli.models_cmd",
]


@app.callback()
def _main(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Debug logging."),
    debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks for expected failures too."),
) -> None:
    global _debug
    _debug = debug
    # every log line of every command goes through the redactor: no camera password in a log
    redact.install(logging.DEBUG if verbose or debug else logging.INFO, LOG_FORMAT)


for _name in _COMMAND_MODULES:
    importlib.import_module(_name).register(app, eval_app)
