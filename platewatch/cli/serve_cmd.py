"""`platewatch serve`: run the officers' API."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import typer

from platewatch.cli.options import ConfigOption, load_or_exit


def serve(
    config: Path = ConfigOption,
    host: str = typer.Option(
        "127.0.0.1", help="Interface to bind; put a TLS proxy in front for anything else."
    ),
    port: int = typer.Option(8000, min=1, max=65535),
    database_url: str | None = typer.Option(None, "--database-url", help="Overrides config and environment."),
    workers: int = typer.Option(
        1, min=1, max=64, help="uvicorn worker processes (each its own database pool); about one per core."
    ),
) -> None:
    """Serve the API; the JWT key comes from PLATEWATCH_SECRET_KEY (PLATEWATCH_DEV_MODE=1: a throwaway)."""
    import uvicorn
    from pydantic import ValidationError

    from intel_api.access_log import uvicorn_log_config
    from intel_api.main import create_app
    from intel_api.settings import ApiSettings
    from platewatch.config import format_validation_error

    site = load_or_exit(config)
    try:
        settings = ApiSettings(config=config, database_url=database_url or None)
    except ValidationError as e:
        for problem in format_validation_error(e):
            typer.echo(f"settings: {problem}", err=True)
        raise typer.Exit(code=2) from None
    if settings.dev_mode:
        typer.echo(
            "WARNING: dev mode: tokens are signed with a throwaway key unless a strong one is set", err=True
        )
    if workers == 1:
        uvicorn.run(
            create_app(settings, site),
            host=host,
            port=port,
            log_level="info",
            log_config=uvicorn_log_config(),
        )
        return
    # Each worker process builds its own app from the environment (intel_api.main.app_from_environment);
    # they must agree on the signing key, so a dev-mode throwaway is made once here and handed down.
    os.environ["PLATEWATCH_CONFIG"] = str(config.resolve())
    os.environ["PLATEWATCH_SECRET_KEY"] = settings.signing_key()
    if database_url:
        os.environ["PLATEWATCH_DATABASE_URL"] = database_url
    uv_config = uvicorn.Config(
        "intel_api.main:app_from_environment",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="info",
        log_config=uvicorn_log_config(),
    )
    from uvicorn.supervisors import Multiprocess

    Multiprocess(uv_config, sockets=[_tcp_listener(host, port)]).run()


def _tcp_listener(host: str, port: int) -> socket.socket:
    """The socket the workers share, made with proto=IPPROTO_TCP.

    uvicorn's own `bind_socket` leaves proto at 0; accepted connections inherit it and asyncio then
    skips TCP_NODELAY, so with `--workers N` every keep-alive response waited ~40 ms for the client's
    delayed ACK (uvicorn issue #3149; measured here: 44 ms against 1 ms for one worker).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        typer.echo(f"serve: cannot listen on {host}:{port}: {e.strerror}", err=True)
        raise typer.Exit(code=1) from None
    sock.set_inheritable(True)
    return sock


def register(app: typer.Typer, eval_app: typer.Typer) -> None:  # noqa: ARG001
    app.command("serve")(serve)
