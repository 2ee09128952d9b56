"""`platewatch users add` and `platewatch apikeys add`: accounts for officers and services."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from platewatch.cli.options import ConfigOption, load_or_exit

DatabaseUrlOption = typer.Option(
    None, "--database-url", help="Overrides the config and PLATEWATCH_DATABASE_URL."
)
MIN_PASSWORD = 12


def _url(config: Path, database_url: str | None) -> str:
    return database_url or load_or_exit(config).resolved_database_url()


def add_user(
    username: str = typer.Argument(..., help="Login name, e.g. a collar number."),
    role: str = typer.Option(..., "--role", help="officer | supervisor | admin"),
    full_name: str = typer.Option("", "--full-name"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input."
    ),
    config: Path = ConfigOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Create an officer account (the password is prompted for, never given on the command line)."""
    import sqlalchemy as sa

    from intel_api.auth import PasswordHashing, create_user
    from intel_api.db.models import Role, User
    from intel_api.db.session import make_engine, make_session_factory, session_scope
    from intel_api.settings import ApiSettings

    try:
        role_value = Role(role)
    except ValueError:
        typer.echo(f"--role must be one of: {', '.join(r.value for r in Role)}", err=True)
        raise typer.Exit(code=2) from None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD:
        typer.echo(f"password must be at least {MIN_PASSWORD} characters", err=True)
        raise typer.Exit(code=2)
    fields = ApiSettings.model_fields
    hashing = PasswordHashing(fields["password_time_cost"].default, fields["password_memory_kib"].default)
    engine = make_engine(_url(config, database_url))
    try:
        with session_scope(make_session_factory(engine)) as s:
            if s.scalar(sa.select(User.id).where(User.username == username)) is not None:
                typer.echo(f"user {username!r} already exists", err=True)
                raise typer.Exit(code=1)
            create_user(s, hashing, username, password, role_value, full_name)
    finally:
        engine.dispose()
    typer.echo(f"created user {username} ({role_value.value})")


def add_api_key(
    name: str = typer.Argument(..., help="Name of the service, e.g. cam1-worker."),
    scope: str = typer.Option(..., "--scope", help="camera | letters"),
    config: Path = ConfigOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Create a service API key; the secret is printed once and only its SHA-256 is stored."""
    import sqlalchemy as sa

    from intel_api.auth import create_api_key
    from intel_api.db.models import ApiKey, ApiKeyScope
    from intel_api.db.session import make_engine, make_session_factory, session_scope

    try:
        scope_value = ApiKeyScope(scope)
    except ValueError:
        typer.echo(f"--scope must be one of: {', '.join(s.value for s in ApiKeyScope)}", err=True)
        raise typer.Exit(code=2) from None
    engine = make_engine(_url(config, database_url))
    try:
        with session_scope(make_session_factory(engine)) as s:
            if s.scalar(sa.select(ApiKey.id).where(ApiKey.name == name)) is not None:
                typer.echo(f"API key {name!r} already exists", err=True)
                raise typer.Exit(code=1)
            _, secret = create_api_key(s, name, scope_value)
    finally:
        engine.dispose()
    typer.echo(
        f"created API key {name} (scope {scope_value.value}); store this secret now, it is not shown again:",
        err=True,
    )
    typer.echo(secret)


def register(app: typer.Typer, eval_app: typer.Typer) -> None:  # noqa: ARG001
    users_app = typer.Typer(help="Officer accounts.", no_args_is_help=True)
    users_app.command("add")(add_user)
    app.add_typer(users_app, name="users")
    keys_app = typer.Typer(help="Service API keys.", no_args_is_help=True)
    keys_app.command("add")(add_api_key)
    app.add_typer(keys_app, name="apikeys")
