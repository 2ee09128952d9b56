"""`platewatch rules run`: apply the intelligence rules to stored sightings as a batch.

The batch and the incremental runs (pipeline writer, API ingest) share `intel_api.rules.engine`, and
flags are deduplicated by key, so re-running over a period never raises a flag twice.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import typer

from platewatch.cli.options import ConfigOption, load_or_exit

BATCH_SIZE = 1000  # sightings per transaction: a failure loses at most one batch's flags, never sightings


def parse_since(text: str, timezone: str) -> datetime:
    """An ISO date or date-time; without an offset it is read as site local time."""
    try:
        ts = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"expected an ISO date or date-time such as 2026-05-01T19:00, got {text!r}"
        ) from None
    return ts if ts.tzinfo is not None else ts.replace(tzinfo=ZoneInfo(timezone))


def run(
    since: str = typer.Option(
        ..., "--since", help="Sightings first seen at or after this (ISO; local time if no offset)."
    ),
    until: str | None = typer.Option(None, "--until", help="...and before this (default: now)."),
    config: Path = ConfigOption,
    database_url: str | None = typer.Option(
        None, "--database-url", help="Overrides the config for this command."
    ),
) -> None:
    """Apply the slow, circling, frequent and hotlist rules to stored sightings; prints the flags created."""
    import sqlalchemy as sa

    from intel_api.db import models as m
    from intel_api.db.session import make_engine, make_session_factory, session_scope
    from intel_api.rules.engine import run_rules

    cfg = load_or_exit(config)
    start = parse_since(since, cfg.site.timezone)
    end = parse_since(until, cfg.site.timezone) if until else None
    engine = make_engine(database_url or cfg.resolved_database_url())
    factory = make_session_factory(engine)
    created = updated = unread = suppressed = seen = 0
    try:
        with session_scope(factory) as s:
            query = sa.select(m.Sighting.id).where(m.Sighting.first_seen >= start)
            if end is not None:
                query = query.where(m.Sighting.first_seen < end)
            ids = list(s.scalars(query.order_by(m.Sighting.first_seen, m.Sighting.id)))
        for i in range(0, len(ids), BATCH_SIZE):
            with session_scope(factory) as s:
                result = run_rules(s, ids[i : i + BATCH_SIZE], cfg)
                for flag in result.created:
                    typer.echo(
                        f"flag {flag.id} {flag.kind} {flag.plate_text} [{flag.dedupe_key}]: "
                        f"{flag.explanation}"
                    )
                created += len(result.created)
                updated += len(result.updated)
                unread += result.unread_slow
                suppressed += result.suppressed
                seen += result.sightings
    except sa.exc.OperationalError as e:
        typer.echo(f"database error: {e.orig}", err=True)
        raise typer.Exit(code=1) from None
    finally:
        engine.dispose()
    typer.echo(
        f"{seen} sightings checked: {created} flag(s) created, {updated} updated with new sightings, "
        f"{unread} slow pass(es) without a usable plate (not flagged), {suppressed} suppressed by exclusions"
    )


def register(app: typer.Typer, eval_app: typer.Typer) -> None:  # noqa: ARG001
    rules_app = typer.Typer(
        help="Intelligence rules (slow, circling, frequent, hotlist).", no_args_is_help=True
    )
    rules_app.command("run")(run)
    app.add_typer(rules_app, name="rules")
