"""`platewatch demo sightings`: a small, real-image data set to try the API with (see docs/api.md).

It writes evidence images cut from a labelled photo in the shared data (plate patch + overview) and a
JSON batch of sightings of that vehicle on several nights, ready to POST to /ingest/sightings, plus a
keeper CSV with an invented keeper for the file keeper lookup. Nothing is written to the database.
"""

from __future__ import annotations

import csv
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import typer

from platewatch.cli.options import ConfigOption, load_or_exit

REPO = Path(__file__).resolve().parents[2]
DEFAULT_SHARED = Path(os.environ.get("PLATEWATCH_SHARED_DIR", REPO.parent / "shared"))


def sightings(
    out: Path = typer.Option(..., "--out", help="Where to write the JSON batch for /ingest/sightings."),
    keepers: Path = typer.Option(..., "--keepers", help="Where to write the keeper CSV (invented keeper)."),
    nights: int = typer.Option(3, min=1, max=30, help="Nights the vehicle is seen on (one pass each)."),
    label_row: int = typer.Option(0, min=0, help="Row of shared/data/uk_dev/labels.csv to use."),
    shared_dir: Path = typer.Option(DEFAULT_SHARED, help="The shared data folder."),
    config: Path = ConfigOption,
) -> None:
    """Write demo evidence images, a sightings batch and a keeper file."""
    import cv2

    from detect.records import PlateRead, Sighting, VehicleClass
    from intel_api.store import sighting_to_dict

    site = load_or_exit(config)
    labels = shared_dir / "data" / "uk_dev" / "labels.csv"
    if not labels.is_file():
        typer.echo(f"labelled images not found at {labels} (set --shared-dir)", err=True)
        raise typer.Exit(code=2)
    rows = list(csv.DictReader(labels.read_text(encoding="utf-8").splitlines()))
    if label_row >= len(rows):
        typer.echo(f"--label-row must be below {len(rows)}", err=True)
        raise typer.Exit(code=2)
    row = rows[label_row]
    image = cv2.imread(str(labels.parent / row["file"]))
    if image is None:
        typer.echo(f"cannot read {row['file']}", err=True)
        raise typer.Exit(code=2)
    x, y, w, h = (int(row[k]) for k in ("x", "y", "w", "h"))
    plate = row["plate"]
    evidence = site.storage.evidence_path() / "demo"
    evidence.mkdir(parents=True, exist_ok=True)
    camera = site.cameras[0].id
    tz = ZoneInfo(site.site.timezone)
    today = datetime.now(tz).replace(hour=23, minute=5, second=0, microsecond=0)
    batch = []
    for i in range(nights):
        start = (today - timedelta(days=nights - i, minutes=-7 * i)).astimezone(UTC)
        stem = f"{plate}_{start:%Y%m%dT%H%M}"
        cv2.imwrite(str(evidence / f"{stem}_plate.jpg"), image[y : y + h, x : x + w])
        cv2.imwrite(str(evidence / f"{stem}_vehicle.jpg"), image)
        read = PlateRead(
            plate,
            plate,
            0.94,
            start + timedelta(seconds=5),
            (x, y, x + w, y + h),
            grammar_valid=True,
            grammar_format="gb_current",
        )
        batch.append(
            sighting_to_dict(
                Sighting(
                    camera_id=camera,
                    track_key=f"{camera}:demo{start:%Y%m%d}:{i + 1}",
                    vehicle_class=VehicleClass.CAR,
                    first_seen=start,
                    last_seen=start + timedelta(seconds=16),
                    plate=read,
                    candidates=(read,),
                    speed_kmh=9.0,
                    min_speed_kmh=1.5,
                    stopped=True,
                    stopped_seconds=6.0,
                    plate_image_path=f"demo/{stem}_plate.jpg",
                    vehicle_image_path=f"demo/{stem}_vehicle.jpg",
                    frames_seen=80,
                )
            )
        )
    out.write_text(json.dumps({"sightings": batch}, indent=1), encoding="utf-8")
    with keepers.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["plate", "name", "address"])
        writer.writerow([plate, "Alex Example", "10 Sample Road\nExampletown\nEX1 2MP"])
    typer.echo(f"{len(batch)} sightings of {plate} on camera {camera} -> {out}; evidence in {evidence}")


def register(app: typer.Typer, eval_app: typer.Typer) -> None:  # noqa: ARG001
    demo_app = typer.Typer(help="Demo data for trying the API.", no_args_is_help=True)
    demo_app.command("sightings")(sightings)
    app.add_typer(demo_app, name="demo")
