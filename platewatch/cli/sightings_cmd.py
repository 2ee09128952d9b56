"""`platewatch sightings`: list stored sightings as a table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import typer

from platewatch.cli.options import ConfigOption, load_or_exit


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """ISO time (naive = UTC) or a relative age like `30m`, `12h`, `7d`."""
    now = now or datetime.now(UTC)
    t = text.strip().lower()
    units = {"m": "minutes", "h": "hours", "d": "days"}
    if t and t[-1] in units and t[:-1].replace(".", "", 1).isdigit():
        return now - timedelta(**{units[t[-1]]: float(t[:-1])})
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(
            f"{text!r}: use an ISO time (2024-05-01T22:00Z) or an age (30m, 12h, 7d)"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def sightings(
    plate: str | None = typer.Option(None, "--plate", help="Plate text (spaces and case ignored)."),
    since: str | None = typer.Option(None, "--since", help="ISO time or age: 30m, 12h, 7d."),
    camera: str | None = typer.Option(None, "--camera", help="Camera id."),
    limit: int = typer.Option(50, "--limit", min=1, max=10000),
    reason: str = typer.Option(
        ..., "--reason", min=5, help="Why you are looking (recorded in the audit log with your OS user)."
    ),
    config: Path = ConfigOption,
    database_url: str | None = typer.Option(None, "--database-url", help="Overrides config and environment."),
) -> None:
    """List stored sightings, newest first. Every listing is audited, like the API's searches."""
    import getpass

    import sqlalchemy as sa

    from intel_api.db.models import AuditEvent
    from intel_api.db.session import make_engine, make_session_factory
    from intel_api.store import find_sightings

    since_t = parse_since(since) if since else None
    url = database_url or load_or_exit(config).resolved_database_url()
    plate_text = "".join(plate.split()).upper() if plate else None
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            rows = find_sightings(session, plate=plate_text, since=since_t, camera_id=camera, limit=limit)
            # Plates are personal data: a command-line look-up is logged just as an API search is.
            session.add(
                AuditEvent(
                    actor=f"cli:{getpass.getuser()}"[:64],
                    actor_kind="cli",
                    action="sightings.search",
                    target_type="sighting",
                    target_id=plate_text,
                    reason=reason,
                    details={
                        "since": since_t.isoformat() if since_t else None,
                        "camera": camera,
                        "results": len(rows),
                    },
                )
            )
            session.commit()
    except sa.exc.OperationalError as e:
        typer.echo(f"error: database not usable at this URL: {str(e).splitlines()[0]}", err=True)
        raise typer.Exit(code=2) from None
    finally:
        engine.dispose()
    header = (
        f"{'first seen (UTC)':<20} {'camera':<18} {'class':<10} {'plate':<9} {'conf':>5} "
        f"{'km/h':>6} {'dir':<14} {'stop s':>6} {'seen s':>6}  track key"
    )
    typer.echo(header)
    for r in rows:
        speed = "" if r.speed_kmh is None else f"{r.speed_kmh:.1f}"
        conf = "" if r.plate_confidence is None else f"{r.plate_confidence:.2f}"
        typer.echo(
            f"{r.first_seen.astimezone(UTC):%Y-%m-%d %H:%M:%S}  {r.camera_id[:18]:<18} {r.vehicle_class:<10} "
            f"{(r.plate_text or '-'):<9} {conf:>5} {speed:>6} {(r.direction or '-')[:14]:<14} "
            f"{r.stopped_seconds:>6.1f} {r.dwell_seconds:>6.1f}  {r.track_key}"
        )
    typer.echo(f"{len(rows)} sighting(s)")


def register(app: typer.Typer, eval_app: typer.Typer) -> None:  # noqa: ARG001
    app.command("sightings")(sightings)
