"""`platewatch retention run`: delete sightings and evidence past the retention period."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from platewatch.cli.options import ConfigOption, load_or_exit


def run(
    dry_run: bool = typer.Option(False, "--dry-run", help="Report what would go; change nothing."),
    config: Path = ConfigOption,
    database_url: str | None = typer.Option(None, "--database-url", help="Overrides the config."),
) -> None:
    """Remove sightings, their plate reads and evidence files older than retention.sightings_days."""
    from intel_api.db.session import make_engine, make_session_factory, session_scope
    from intel_api.services import retention

    site = load_or_exit(config)
    engine = make_engine(database_url or site.resolved_database_url())
    try:
        with session_scope(make_session_factory(engine)) as s:
            report = retention.run(
                s,
                site.retention.sightings_days,
                site.storage.evidence_path(),
                dry_run,
                audit_days=site.retention.audit_days,
                letters_days=site.retention.letters_days,
            )
            if dry_run:
                s.rollback()
        # Only now that the deletions are committed do their files go.
        retention.delete_files(report)
    finally:
        engine.dispose()
    verb = "would remove" if dry_run else "removed"
    days = site.retention.sightings_days
    typer.echo(
        f"retention ({days} days, cutoff {report.cutoff:%Y-%m-%d %H:%M} UTC): {verb} "
        f"{report.sightings} sightings, {report.plate_reads} plate reads, {report.files} evidence files, "
        f"{report.orphan_files} orphaned files, {report.audit_events} audit events past "
        f"{site.retention.audit_days} days; kept {report.kept_for_casework} for open casework"
    )
    typer.echo(json.dumps(report.as_dict()))
    for err in report.file_errors:
        typer.echo(f"could not delete {err}", err=True)
    if report.file_errors:
        raise typer.Exit(code=1)


def register(app: typer.Typer, eval_app: typer.Typer) -> None:  # noqa: ARG001
    retention_app = typer.Typer(help="Data retention.", no_args_is_help=True)
    retention_app.command("run")(run)
    app.add_typer(retention_app, name="retention")
