"""The real Paris clip through `platewatch process` with region gb: French plates stay French."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from detect.reading.country import is_uk_format
from detect.reading.grammar_confusion import within_one_confusable_edit
from intel_api.db import models as m
from platewatch.cli.main import app

pytestmark = [pytest.mark.video, pytest.mark.slow]


def test_paris_clip_with_region_gb_stores_no_coerced_plate(
    shared_dir: Path, tmp_path: Path, db_url: str, engine: Engine
) -> None:
    clips = shared_dir / "data" / "plate_clips"
    with (clips / "labels.csv").open(newline="", encoding="utf-8") as fh:
        labels = {r["plate"] for r in csv.DictReader(fh) if r["clip"] == "paris_rain.mp4"}
    cfg = {
        "site": {"name": "foreign plates"},
        "storage": {"data_dir": str(tmp_path / "var")},
        "detection": {"process_fps": 5.0, "region": "gb"},
        "cameras": [
            {"id": "paris", "source": str(clips / "paris_rain.mp4"), "start_time": "2026-06-01T12:00:00Z"}
        ],
    }
    config = tmp_path / "site.yaml"
    config.write_text(yaml.safe_dump(cfg))
    result = CliRunner().invoke(
        app, ["process", "--config", str(config), "--database-url", db_url, "--no-progress"]
    )
    # The clip's header promises 420 frames and only 271 decode (its PROVENANCE.md says so): every
    # decodable frame is processed and stored, and the run says the file is cut off and exits 1.
    assert result.exit_code == 1 and "is cut off" in result.output, result.output
    with engine.connect() as c:
        rows = c.execute(sa.select(m.Sighting.plate_text, m.Sighting.plate_format)).all()
    stored = [(text, fmt) for text, fmt in rows if text]
    assert stored, "no plate read at all"
    for text, fmt in stored:
        # Before the fix: EJ728LY -> EJ72BLY and FL124XR -> FL12AXR, British plates of other cars.
        coerced = [lab for lab in labels if text != lab and within_one_confusable_edit(text, lab)]
        assert not (coerced and is_uk_format(fmt)), f"{coerced} stored as the UK plate {text} ({fmt})"
        if text in labels:
            assert not is_uk_format(fmt), f"{text} stored as British ({fmt})"
    assert {"EJ728LY", "FL124XR"} & {text for text, _ in stored}
