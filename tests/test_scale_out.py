"""Item 5 of issue 13: three camera-worker processes (HTTP sink, one camera key each) into one
`platewatch serve` on PostgreSQL; one worker SIGKILLed and restarted mid-run, the server stopped
and started once; every sighting stored exactly once. Runs `bench/scale_out.py run` as a user would."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import _create_pg_database, _drop_pg_database

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_three_workers_a_kill_and_a_server_restart_store_each_sighting_once(tmp_path: Path) -> None:
    name, url = _create_pg_database()
    try:
        out = tmp_path / "scale_out.json"
        done = subprocess.run(
            [
                sys.executable,
                str(REPO / "bench/scale_out.py"),
                "run",
                "--database-url",
                url,
                "--workers",
                "3",
                "--sightings",
                "120",
                "--rate",
                "20",
                "--work-dir",
                str(tmp_path / "run"),
                "--out",
                str(out),
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        result = json.loads(out.read_text())
        assert result["exactly_once"] and result["stored"] == 360
        assert result["worker_reports"][0]["duplicates"] + result["worker_reports"][0]["inserted"] == 120
        # The restart happened mid-run: at least one worker met it (one that had already sent all its
        # sightings may not have, depending on how the two cores were shared).
        assert any(r["outages"] >= 1 for r in result["worker_reports"]), result["worker_reports"]
        engine = sa.create_engine(url)
        with engine.connect() as c:
            keys = c.execute(sa.text("SELECT track_key, extra FROM sighting")).all()
        engine.dispose()
        assert len(keys) == len({k for k, _ in keys}) == 360
        assert all(e == {"source": "scale_out"} for _, e in keys)  # the contract's extra arrived
    finally:
        _drop_pg_database(name)
