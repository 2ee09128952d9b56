from __future__ import annotations

from pathlib import Path

import typer

from platewatch.cli.options import ConfigOption, load_or_exit


def _url(config: Path, database_url: str | None) -> str:
    return database_url or load_or_exit(config).resolved_database_url()


DatabaseUrlOption = typer.Option(
    None, "--database-url", help="Overrides the config and PLATEWATCH_DATABASE_URL for this command."
)


def upgrade(
    revision: str = typer.Argument("head", help="Target revision."),
    config: Path = ConfigOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Create or migrate the database schema (SQLite by default, PostgreSQL via a URL)."""
    from intel_api.db.migrate import current_revision
    from intel_api.db.migrate import upgrade as do_upgrade

    url = _url(config, database_url)
    do_upgrade(url, revision)
    typer.echo(f"database at revision {current_revision(url)}")


def downgrade(
    revision: str = typer.Argument(..., help="Target revision, e.g. 'base' or '-1'."),
    config: Path = ConfigOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Roll the schema back (destroys data in dropped tables)."""
    from intel_api.db.migrate import current_revision
    from intel_api.db.migrate import downgrade as do_downgrade

    url = _url(config, database_url)
    do_downgrade(url, revision)
    typer.echo(f"database at revision {current_revision(url)}")


def current(config: Path = ConfigOption, database_url: str | None = DatabaseUrlOption) -> None:
    """Show the schema revision of the database and the newest one this code knows."""
    from intel_api.db.migrate import current_revision, head_revision

    typer.echo(f"current: {current_revision(_url(config, database_url))}  head: {head_revision()}")


def register(app: typer.Typer, eval_app: typer.Typer) -> None:  # noqa: ARG001
    db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
    db_app.command("upgrade")(upgrade)
    db_app.command("downgrade")(downgrade)
    db_app.command("current")(current)
    app.add_typer(db_app, name="db")
