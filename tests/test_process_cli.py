"""`platewatch process` and `platewatch sightings` end to end: real clip, real models, both databases."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from intel_api.db import models as m
from platewatch.cli.main import app
from platewatch.cli.sightings_cmd import parse_since

pytestmark = [pytest.mark.video, pytest.mark.slow]

CLIP = "jamcam_2019-06-28_13-02-51.477310_00001.07355.mp4"


def write_config(tmp_path: Path, clip: Path) -> Path:
    cfg = {
        "site": {"name": "cli test"},
        "storage": {"data_dir": str(tmp_path / "var")},
        "detection": {"process_fps": 2.0},
        "cameras": [
            {
                "id": "pentonville",
                "source": str(clip),
                "start_time": "2019-06-28T13:02:51.477310Z",
                "zones": [
                    {
                        "name": "road",
                        "kind": "watch",
                        "polygon": [[95, 288], [352, 288], [352, 40], [120, 40]],
                    },
                    {
                        "name": "near",
                        "kind": "plate",
                        "polygon": [[100, 288], [352, 288], [352, 150], [110, 150]],
                    },
                ],
            }
        ],
    }
    path = tmp_path / "site.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def test_process_stores_sightings_once_and_lists_them(
    uk_dev_dir: Path, tmp_path: Path, db_url: str, engine: Engine
) -> None:
    config = write_config(tmp_path, uk_dev_dir / "videos" / CLIP)
    runner = CliRunner()
    first = runner.invoke(
        app, ["process", "--config", str(config), "--database-url", db_url, "--no-progress"]
    )
    assert first.exit_code == 0, first.output
    match = re.search(
        r"total: (\d+) frames, (\d+) vehicles, (\d+) sightings .*stored (\d+) new, (\d+) already",
        first.output,
    )
    assert match, first.output
    frames, vehicles, sightings, new, dup = map(int, match.groups())
    assert 18 <= frames <= 21 and sightings > 0 and new == sightings and dup == 0
    assert sightings <= vehicles and sightings < frames * 5
    with engine.connect() as c:
        rows = c.execute(sa.select(m.Sighting)).all()
        camera = c.execute(sa.select(m.Camera.id)).scalars().all()
    assert len(rows) == sightings and camera == ["pentonville"]
    evidence = list((tmp_path / "var" / "evidence" / "pentonville" / "2019-06-28").glob("*_vehicle.jpg"))
    assert len(evidence) == sightings

    # same source again, named by camera id: every sighting is already stored
    again = runner.invoke(
        app, ["process", "pentonville", "--config", str(config), "--database-url", db_url, "--no-progress"]
    )
    assert again.exit_code == 0, again.output
    assert f"stored 0 new, {sightings} already stored" in again.output

    listed = runner.invoke(
        app,
        [
            "sightings",
            "--config",
            str(config),
            "--database-url",
            db_url,
            "--since",
            "2019-06-28T13:00:00Z",
            "--reason",
            "test: list the clip",
        ],
    )
    assert listed.exit_code == 0, listed.output
    assert f"{sightings} sighting(s)" in listed.output and "pentonville" in listed.output
    none = runner.invoke(
        app,
        [
            "sightings",
            "--config",
            str(config),
            "--database-url",
            db_url,
            "--plate",
            "ab12 cde",
            "--reason",
            "test: unknown plate",
        ],
    )
    assert "0 sighting(s)" in none.output
    no_reason = runner.invoke(app, ["sightings", "--config", str(config), "--database-url", db_url])
    assert no_reason.exit_code == 2 and "--reason" in no_reason.output
    with engine.connect() as c:
        audit = c.execute(
            sa.select(m.AuditEvent).where(m.AuditEvent.action == "sightings.search").order_by(m.AuditEvent.id)
        ).all()
    assert [(a.action, a.target_id, a.reason, a.actor_kind) for a in audit] == [
        ("sightings.search", None, "test: list the clip", "cli"),
        ("sightings.search", "AB12CDE", "test: unknown plate", "cli"),
    ]


def test_process_reports_an_unreadable_source(tmp_path: Path, db_url: str) -> None:
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"not a video at all" * 100)
    config = write_config(tmp_path, bad)
    result = CliRunner().invoke(
        app, ["process", "--config", str(config), "--database-url", db_url, "--no-plates", "--no-progress"]
    )
    assert result.exit_code == 1
    assert "camera pentonville" in result.output and "broken.mp4" in result.output
    unknown = CliRunner().invoke(app, ["process", "x.mp4", "--camera", "nope", "--config", str(config)])
    assert unknown.exit_code == 2 and "no camera 'nope'" in unknown.output


def test_parse_since() -> None:
    from datetime import UTC, datetime

    now = datetime(2024, 5, 2, 12, 0, tzinfo=UTC)
    assert parse_since("12h", now) == datetime(2024, 5, 2, 0, 0, tzinfo=UTC)
    assert parse_since("2024-05-01T22:00", now) == datetime(2024, 5, 1, 22, 0, tzinfo=UTC)
