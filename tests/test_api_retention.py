"""Retention: old sightings, reads and evidence files go; live casework stays; a dry run changes nothing."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from api_fixtures import add_flag, add_letter, add_sighting, night
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from intel_api.db import models as m
from intel_api.services import retention


def seed(s: Session, evidence: Path) -> dict[str, int]:
    old_free = add_sighting(s, evidence, "cam1:1:1", "AB12CDE", night(400))
    old_free.reads.append(
        m.PlateReadRow(
            timestamp=night(400), raw_text="AB12CDE", text="AB12CDE", confidence=0.9, reader="easyocr"
        )
    )
    old_dismissed = add_sighting(s, evidence, "cam1:1:2", "AB12CDE", night(380))
    old_open = add_sighting(s, evidence, "cam1:1:3", "CD34EFG", night(390))
    old_lettered = add_sighting(s, evidence, "cam1:1:4", "GH56IJK", night(370))
    old_done = add_sighting(s, evidence, "cam1:1:5", "LM55NOP", night(375))
    recent = add_sighting(s, evidence, "cam1:1:6", "AB12CDE", night(10))
    dismissed = add_flag(s, "AB12CDE", [old_dismissed])
    dismissed.status = m.FlagStatus.DISMISSED
    add_flag(s, "CD34EFG", [old_open])
    lettered = add_flag(s, "GH56IJK", [old_lettered])
    lettered.status = m.FlagStatus.DISMISSED  # the flag alone would not keep it; the sent letter does
    add_letter(s, "GH56IJK", m.LetterStatus.SENT, flag=lettered)
    done = add_flag(s, "LM55NOP", [old_done])
    done.status = m.FlagStatus.DISMISSED
    add_letter(s, "LM55NOP", m.LetterStatus.RESPONDED, flag=done)
    s.commit()
    return {
        "old_free": old_free.id,
        "old_dismissed": old_dismissed.id,
        "old_open": old_open.id,
        "old_lettered": old_lettered.id,
        "old_done": old_done.id,
        "recent": recent.id,
    }


def evidence_files(evidence: Path) -> set[str]:
    return {p.name for p in evidence.iterdir()}


def test_retention_removes_old_rows_and_files(session_factory: sessionmaker[Session], tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    with session_factory() as s:
        ids = seed(s, evidence)
    orphan = evidence / "stray.jpg"
    orphan.write_bytes(b"x")
    not_evidence = evidence / "notes.txt"
    not_evidence.write_text("never swept: only images are evidence")
    for path in (orphan, not_evidence):
        os.utime(path, (night(500).timestamp(), night(500).timestamp()))
    with session_factory() as s:
        s.add(
            m.AuditEvent(
                at=night(3000),
                actor="pc1",
                actor_kind="user",
                action="sightings.search",
                target_type="sighting",
                details={},
            )
        )
        s.commit()
    before = evidence_files(evidence)
    with session_factory() as s:
        report = retention.run(s, 365, evidence, dry_run=True, audit_days=2190)
        s.commit()
    assert (report.sightings, report.plate_reads, report.files, report.orphan_files) == (3, 1, 6, 1)
    assert report.audit_events == 1
    assert report.kept_for_casework == 2
    assert evidence_files(evidence) == before, "dry run deleted files"
    with session_factory() as s:
        assert s.scalar(sa.select(sa.func.count(m.Sighting.id))) == 6
        assert s.scalar(sa.select(sa.func.count(m.AuditEvent.id))) == 1
        report = retention.run(s, 365, evidence, dry_run=False, audit_days=2190)
        assert evidence_files(evidence) == before, "files went before the commit"
        s.commit()
    retention.delete_files(report)
    assert report.sightings == 3 and report.files == 6
    with session_factory() as s:
        left = set(s.scalars(sa.select(m.Sighting.id)))
        assert left == {ids["old_open"], ids["old_lettered"], ids["recent"]}
        assert s.scalar(sa.select(sa.func.count(m.PlateReadRow.id))) == 0
        assert s.scalar(sa.select(sa.func.count(m.AuditEvent.id)).where(m.AuditEvent.at < night(2000))) == 0
        ev = s.scalars(sa.select(m.AuditEvent).where(m.AuditEvent.action == "retention.run")).one()
        assert ev.details["sightings"] == 3 and ev.actor_kind == "system"
        assert "AB12CDE" not in json.dumps(ev.details) + (ev.reason or ""), (
            "the audit row must not keep plates"
        )
    remaining = evidence_files(evidence)
    assert "stray.jpg" not in remaining and "notes.txt" in remaining
    assert {"cam1_1_6_plate.jpg", "cam1_1_3_plate.jpg", "cam1_1_4_vehicle.jpg"} <= remaining
    assert "cam1_1_1_plate.jpg" not in remaining and "cam1_1_5_vehicle.jpg" not in remaining


def test_retention_cli(db_url: str, session_factory: sessionmaker[Session], tmp_path: Path) -> None:
    from platewatch.cli.main import app

    evidence = tmp_path / "evidence"
    with session_factory() as s:
        seed(s, evidence)
    cfg = tmp_path / "site.yaml"
    cfg.write_text(
        yaml.safe_dump(
            {
                "site": {"name": "Test"},
                "database_url": db_url,
                "storage": {"data_dir": str(tmp_path / "var"), "evidence_dir": str(evidence)},
                "cameras": [{"id": "cam1", "source": "x.mp4"}],
            }
        )
    )
    runner = CliRunner()
    dry = runner.invoke(
        app, ["retention", "run", "--dry-run", "--config", str(cfg)], env={"PLATEWATCH_DATABASE_URL": ""}
    )
    assert dry.exit_code == 0, dry.output
    assert "would remove 3 sightings" in dry.output
    with session_factory() as s:
        assert s.scalar(sa.select(sa.func.count(m.Sighting.id))) == 6
    real = runner.invoke(app, ["retention", "run", "--config", str(cfg)], env={"PLATEWATCH_DATABASE_URL": ""})
    assert real.exit_code == 0 and "removed 3 sightings, 1 plate reads, 6 evidence files" in real.output
    with session_factory() as s:
        assert s.scalar(sa.select(sa.func.count(m.Sighting.id))) == 3


@pytest.mark.parametrize("role", ["officer", "supervisor"])
def test_users_and_apikeys_cli(
    db_url: str, session_factory: sessionmaker[Session], tmp_path: Path, role: str
) -> None:
    from intel_api.auth import hash_api_key
    from platewatch.cli.main import app

    runner = CliRunner()
    base = ["--database-url", db_url]
    r = runner.invoke(
        app,
        ["users", "add", "pc101", "--role", role, "--password-stdin", *base],
        input="a long enough password\n",
    )
    assert r.exit_code == 0, r.output
    again = runner.invoke(
        app,
        ["users", "add", "pc101", "--role", role, "--password-stdin", *base],
        input="a long enough password\n",
    )
    assert again.exit_code == 1
    short = runner.invoke(
        app, ["users", "add", "pc102", "--role", role, "--password-stdin", *base], input="short\n"
    )
    assert short.exit_code == 2
    # Camera keys are bound to a camera of the site config (configs/demo.yaml by default).
    k = runner.invoke(
        app, ["apikeys", "add", "cam1-worker", "--scope", "camera", "--camera", "jamcam_03601_0628", *base]
    )
    assert k.exit_code == 0, k.output
    secret = k.stdout.strip().splitlines()[-1]
    with session_factory() as s:
        user = s.scalars(sa.select(m.User).where(m.User.username == "pc101")).one()
        assert user.role == m.Role(role) and user.password_hash.startswith("$argon2id$")
        key = s.scalars(sa.select(m.ApiKey)).one()
        assert key.key_hash == hash_api_key(secret) and secret not in key.key_hash


def test_failed_commit_keeps_rows_and_their_files(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    evidence = tmp_path / "evidence"
    with session_factory() as s:
        seed(s, evidence)
    before = evidence_files(evidence)
    with session_factory() as s:
        report = retention.run(s, 365, evidence, dry_run=False)
        assert report.sightings == 3
        s.rollback()  # the commit did not happen (database lost mid-run, constraint, crash)
    assert evidence_files(evidence) == before, "evidence deleted for rows that are still stored"
    with session_factory() as s:
        assert s.scalar(sa.select(sa.func.count(m.Sighting.id))) == 6


def test_batched_retention_deletes_exactly_the_expired_rows(
    session_factory: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Several batches (of 4 here): every expired row with its reads and links goes, nothing else."""
    monkeypatch.setattr(retention, "_BATCH", 4)
    evidence = tmp_path / "evidence"
    expired: set[int] = set()
    kept: set[int] = set()
    with session_factory() as s:
        rows = []
        for i in range(30):
            # Days 380 down to 351: around the 365-day cutoff, with hours so no two share a time.
            row = add_sighting(s, evidence, f"cam1:b:{i}", f"BT{i:02d}XYZ", night(380 - i, hour=i % 24))
            row.reads.append(
                m.PlateReadRow(
                    timestamp=row.first_seen,
                    raw_text=row.plate_text or "",
                    text=row.plate_text or "",
                    confidence=0.9,
                    reader="easyocr",
                )
            )
            rows.append(row)
        s.flush()
        cutoff = night(0, hour=0) - timedelta(days=365)
        for row in rows:
            (expired if row.first_seen < cutoff else kept).add(row.id)
        # A dismissed flag spanning the cutoff: its expired link goes, the live one stays.
        span = add_flag(s, "BT00XYZ", [rows[0], rows[29]], dedupe="span")
        span.status = m.FlagStatus.DISMISSED
        open_flag = add_flag(s, "BT01XYZ", [rows[1]], dedupe="open")  # live casework keeps row 1
        expired.discard(rows[1].id)
        kept.add(rows[1].id)
        s.commit()
        span_id, open_id = span.id, open_flag.id
    # An old-dated image that a kept sighting still references is not an orphan.
    live_file = evidence / "cam1_b_29_plate.jpg"
    os.utime(live_file, (night(500).timestamp(), night(500).timestamp()))
    assert len(expired) > 2 * 4 and kept
    with session_factory() as s:
        report = retention.run(s, 365, evidence, dry_run=False, now=night(0, hour=0))
        s.commit()
    retention.delete_files(report)
    assert report.sightings == len(expired) and report.plate_reads == len(expired)
    assert report.orphan_files == 0 and report.kept_for_casework == 1
    with session_factory() as s:
        assert set(s.scalars(sa.select(m.Sighting.id).where(m.Sighting.plate_text.like("BT%")))) == kept
        read_owners = set(s.scalars(sa.select(m.PlateReadRow.sighting_id)))
        assert read_owners & expired == set() and kept <= read_owners
        links = {
            tuple(r) for r in s.execute(sa.select(m.flag_sighting.c.flag_id, m.flag_sighting.c.sighting_id))
        }
        assert links == {(span_id, rows[29].id), (open_id, rows[1].id)}
    names = evidence_files(evidence)
    for row in rows:
        stem = row.track_key.replace(":", "_")
        assert (f"{stem}_plate.jpg" in names) == (row.id in kept), row.track_key
