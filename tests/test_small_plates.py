"""Small plates are read and scored, not discarded: the real toll clip's 55 px truck plate through
`platewatch process` with the default settings."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from detect.reading.country import is_uk_format
from intel_api.db import models as m
from platewatch.cli.main import app
from platewatch.config import Detection

pytestmark = [pytest.mark.video, pytest.mark.slow]


def test_the_default_minimum_plate_width_admits_a_55_px_plate() -> None:
    assert Detection().min_plate_width_px <= 50


def test_the_toll_clips_small_truck_plate_is_stored(
    shared_dir: Path, tmp_path: Path, db_url: str, engine: Engine
) -> None:
    clips = shared_dir / "data" / "plate_clips"
    with (clips / "labels.csv").open(newline="", encoding="utf-8") as fh:
        labelled = {r["plate"]: r["plate_px"] for r in csv.DictReader(fh) if r["clip"] == "vn_toll.mp4"}
    assert labelled.get("89C20339") == "about 55", labelled  # the plate this test is about
    cfg = {
        "site": {"name": "small plates"},
        "storage": {"data_dir": str(tmp_path / "var")},
        "detection": {"region": "gb"},
        "cameras": [
            {"id": "toll", "source": str(clips / "vn_toll.mp4"), "start_time": "2026-06-01T12:00:00Z"}
        ],
    }
    config = tmp_path / "site.yaml"
    config.write_text(yaml.safe_dump(cfg))
    result = CliRunner().invoke(
        app, ["process", "--config", str(config), "--database-url", db_url, "--no-progress"]
    )
    assert result.exit_code == 0, result.output
    with engine.connect() as c:
        rows = c.execute(
            sa.select(m.Sighting.plate_text, m.Sighting.plate_confidence, m.Sighting.plate_format)
        ).all()
    stored = {text: (conf, fmt) for text, conf, fmt in rows if text}
    assert set(labelled) <= set(stored), stored
    # Read as it stands, never made British (a British format is what a keeper look-up needs).
    assert not is_uk_format(stored["89C20339"][1]), stored
    # Nothing else was stored as a confident plate.
    assert not [t for t, (conf, _) in stored.items() if t not in labelled and (conf or 0) >= 0.5], stored
