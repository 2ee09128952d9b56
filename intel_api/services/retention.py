"""Retention: sightings and their evidence go after `retention.sightings_days` (NASPLE: 12 months).

Kept past that only while tied to live casework: a flag that is open, confirmed or escalated, or
a letter that is not finished (cancelled or responded). The audit row records counts, never plates,
so the log does not itself retain what was erased.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from intel_api.db.models import (
    AuditEvent,
    Flag,
    FlagStatus,
    Letter,
    LetterStatus,
    PlateReadRow,
    Sighting,
    flag_sighting,
)
from intel_api.db.partitions import Month, ensure_months, months_before
from intel_api.services import audit
from intel_api.services.evidence import resolve_evidence

log = logging.getLogger(__name__)

LIVE_FLAG = (FlagStatus.OPEN, FlagStatus.CONFIRMED, FlagStatus.ESCALATED)
LIVE_LETTER = (LetterStatus.AWAITING_APPROVAL, LetterStatus.APPROVED, LetterStatus.SENT)
# The orphan sweep only ever touches images, even if the evidence dir is misconfigured to a wider folder.
EVIDENCE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}
# Rows per DELETE: large enough that a month (~830k rows at 10M a year) is a few hundred statements,
# small enough for SQLite's bound-parameter limit (32,766).
_BATCH = 5000


@dataclass(slots=True)
class RetentionReport:
    cutoff: datetime
    dry_run: bool
    sightings: int = 0
    plate_reads: int = 0
    files: int = 0
    orphan_files: int = 0
    kept_for_casework: int = 0
    months_dropped: int = 0
    audit_events: int = 0
    letters: int = 0
    representations: int = 0
    file_errors: list[str] = field(default_factory=list)
    # Deleted by `delete_files` only after the caller committed: a failed commit keeps rows and files.
    doomed_files: list[Path] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        out = asdict(self)
        out.pop("doomed_files")
        out["cutoff"] = self.cutoff.isoformat()
        return out


def _protected_ids() -> sa.Select[tuple[int]]:
    by_flag = (
        sa.select(flag_sighting.c.sighting_id)
        .join(Flag, Flag.id == flag_sighting.c.flag_id)
        .where(Flag.status.in_(LIVE_FLAG))
    )
    by_letter = (
        sa.select(flag_sighting.c.sighting_id)
        .join(Letter, Letter.flag_id == flag_sighting.c.flag_id)
        .where(Letter.status.in_(LIVE_LETTER))
    )
    return sa.select(sa.union(by_flag, by_letter).subquery().c.sighting_id)


def run(
    session: Session,  # the caller commits, then calls `delete_files(report)`
    days: int,
    evidence_dir: Path,
    dry_run: bool,
    audit_days: int | None = None,
    now: datetime | None = None,
    letters_days: int | None = None,
) -> RetentionReport:
    now = now or datetime.now(UTC)
    report = RetentionReport(cutoff=now - timedelta(days=days), dry_run=dry_run)
    old: sa.ColumnElement[bool] = Sighting.first_seen < report.cutoff
    protected = Sighting.id.in_(_protected_ids())
    report.kept_for_casework = (
        session.scalar(sa.select(sa.func.count(Sighting.id)).where(old, protected)) or 0
    )
    # Whole expired months go as partitions (PostgreSQL); what is left of the month the cutoff
    # falls in goes row by row below.
    whole_months = months_before(session.connection(), report.cutoff)
    dropped_files = [path for month in whole_months for path in _drop_month(session, month, report)]
    if whole_months:  # a dry run leaves those months in place: not counted twice below
        old = sa.and_(old, Sighting.first_seen >= whole_months[-1].end)
    # One range scan of the first_seen index finds the expired rows; ids then go in batches, each
    # with its plate reads and flag links (indexed by sighting_id), so no statement walks the table.
    doomed = list(
        session.execute(
            sa.select(Sighting.id, Sighting.plate_image_path, Sighting.vehicle_image_path)
            .where(old, ~protected)
            .order_by(Sighting.first_seen, Sighting.id)
        )
    )
    ids = [row[0] for row in doomed]
    report.sightings += len(ids)
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start : start + _BATCH]
        if dry_run:
            report.plate_reads += (
                session.scalar(
                    sa.select(sa.func.count(PlateReadRow.id)).where(PlateReadRow.sighting_id.in_(chunk))
                )
                or 0
            )
            continue
        gone = session.execute(sa.delete(PlateReadRow).where(PlateReadRow.sighting_id.in_(chunk)))
        report.plate_reads += gone.rowcount  # type: ignore[attr-defined]  # a CursorResult for DML
        session.execute(sa.delete(flag_sighting).where(flag_sighting.c.sighting_id.in_(chunk)))
        session.execute(sa.delete(Sighting).where(Sighting.id.in_(chunk)))
    files = dropped_files + [p for row in doomed for p in (row[1], row[2]) if p]
    for stored in files:
        path = resolve_evidence(evidence_dir, stored)
        if path is None or not path.is_file():
            continue
        report.files += 1
        if not dry_run:
            report.doomed_files.append(path)
    _sweep_orphans(session, evidence_dir, report, set(files))
    if audit_days is not None:
        # The audit log is append-only; it ends only by age, after its own (longer) retention period.
        audit_old = AuditEvent.at < now - timedelta(days=audit_days)
        report.audit_events = session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(audit_old)) or 0
        if not dry_run:
            session.execute(sa.delete(AuditEvent).where(audit_old))
    if letters_days is not None:
        from intel_api.services.representations import purge_finished  # issue 12: letter records

        purged = purge_finished(session, letters_days, now, dry_run)
        report.letters, report.representations = purged["letters"], purged["representations"]
    if not dry_run:
        audit.record(
            session,
            None,
            "retention.run",
            "sighting",
            None,
            reason=f"retention: sightings older than {days} days",
            details={k: v for k, v in report.as_dict().items() if k != "file_errors"}
            | {"file_errors": len(report.file_errors)},
        )
    return report


def _drop_month(session: Session, month: Month, report: RetentionReport) -> list[str]:
    """Drop one expired month's partitions, keeping its rows tied to live casework; its evidence paths.

    The kept rows (with their plate reads and flag links) are copied aside, every link into the
    month is removed (a partition cannot be detached while rows elsewhere reference it), both
    partitions dropped, and the month made again holding only the kept rows. A month that holds
    nothing but kept rows is left alone; an empty one is dropped.
    """
    sighting, reads = month.partition("sighting"), month.partition("plate_read")
    kept = [
        int(i)
        for i in session.scalars(
            sa.select(Sighting.id).where(
                Sighting.first_seen >= month.start,
                Sighting.first_seen < month.end,
                Sighting.id.in_(_protected_ids()),
            )
        )
    ]
    total = session.execute(sa.text(f'SELECT count(*) FROM "{sighting}"')).scalar_one()
    # A month emptied row by row by earlier daily runs is dropped too: left, every expired month
    # would stay an empty partition that each visit-history query still probes.
    if kept and total == len(kept):
        return []
    total_reads = session.execute(sa.text(f'SELECT count(*) FROM "{reads}"')).scalar_one()
    kept_reads = session.execute(
        sa.text(f'SELECT count(*) FROM "{reads}" WHERE sighting_id = ANY(:ids)'), {"ids": kept}
    ).scalar_one()
    paths = session.execute(
        sa.text(
            f'SELECT plate_image_path, vehicle_image_path FROM "{sighting}" WHERE NOT (id = ANY(:ids)) '
            "AND (plate_image_path IS NOT NULL OR vehicle_image_path IS NOT NULL)"
        ),
        {"ids": kept},
    ).all()
    report.sightings += total - len(kept)
    report.plate_reads += total_reads - kept_reads
    report.months_dropped += 1
    files = [p for row in paths for p in row if p]
    if report.dry_run:
        return files
    ids: dict[str, object] = {"ids": kept}
    window: dict[str, object] = {"lo": month.start, "hi": month.end}
    steps: list[tuple[str, dict[str, object]]] = [
        (f'CREATE TEMPORARY TABLE kept_sighting (LIKE "{sighting}")', {}),
        (f'CREATE TEMPORARY TABLE kept_read (LIKE "{reads}")', {}),
        ("CREATE TEMPORARY TABLE kept_link (LIKE flag_sighting)", {}),
        (f'INSERT INTO kept_sighting SELECT * FROM "{sighting}" WHERE id = ANY(:ids)', ids),
        (f'INSERT INTO kept_read SELECT * FROM "{reads}" WHERE sighting_id = ANY(:ids)', ids),
        (
            "INSERT INTO kept_link SELECT * FROM flag_sighting WHERE sighting_id = ANY(:ids) "
            "AND sighting_first_seen >= :lo AND sighting_first_seen < :hi",
            ids | window,
        ),
        ("DELETE FROM flag_sighting WHERE sighting_first_seen >= :lo AND sighting_first_seen < :hi", window),
        (f'DROP TABLE "{reads}"', {}),
        (f'ALTER TABLE sighting DETACH PARTITION "{sighting}"', {}),
        (f'DROP TABLE "{sighting}"', {}),
    ]
    for statement, params in steps:
        session.execute(sa.text(statement), params)
    if kept:
        ensure_months(session.connection(), [month])
        session.execute(sa.text("INSERT INTO sighting SELECT * FROM kept_sighting"))
        session.execute(sa.text("INSERT INTO plate_read SELECT * FROM kept_read"))
        session.execute(sa.text("INSERT INTO flag_sighting SELECT * FROM kept_link"))
    session.execute(sa.text("DROP TABLE kept_sighting, kept_read, kept_link"))
    return files


def delete_files(report: RetentionReport) -> None:
    """Delete the evidence files of a committed `run`; never call it before the commit succeeded."""
    for path in report.doomed_files:
        try:
            path.unlink(missing_ok=True)
        except OSError as e:
            report.file_errors.append(f"{path}: {e.strerror}")
    report.doomed_files = []


def _sweep_orphans(session: Session, evidence_dir: Path, report: RetentionReport, doomed: set[str]) -> None:
    """Old evidence files that no sighting references (e.g. a crash between writing and storing).

    The folder is walked first: only when it holds old images that this run is not already deleting
    are the stored paths read, so a database of millions of rows is not scanned for nothing.
    """
    if not evidence_dir.is_dir():
        return
    cutoff_ts = report.cutoff.timestamp()
    doomed_paths = {resolve_evidence(evidence_dir, d) for d in doomed}
    candidates: dict[Path, Path] = {}
    for path in evidence_dir.rglob("*"):
        if (
            path.suffix.lower() not in EVIDENCE_SUFFIXES
            or not path.is_file()
            or path.stat().st_mtime >= cutoff_ts
        ):
            continue
        resolved = path.resolve()
        if resolved not in doomed_paths:
            candidates[resolved] = path
    if not candidates:
        return
    stored_paths = sa.select(Sighting.plate_image_path, Sighting.vehicle_image_path).where(
        sa.or_(Sighting.plate_image_path.is_not(None), Sighting.vehicle_image_path.is_not(None))
    )
    for plate_path, vehicle_path in session.execute(stored_paths):
        for stored in (plate_path, vehicle_path):
            if stored and stored not in doomed:
                referenced = resolve_evidence(evidence_dir, stored)
                if referenced is not None:
                    candidates.pop(referenced, None)
    report.orphan_files += len(candidates)
    if not report.dry_run:
        report.doomed_files.extend(candidates.values())
