"""The dashboard: what is waiting, and whether every camera is still sending."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from intel_api.db.models import Flag, FlagKind, FlagStatus, Letter, LetterStatus, Sighting
from intel_api.deps import ContextDep, SessionDep
from intel_api.web.deps import OfficerPage
from intel_api.web.render import page

router = APIRouter()
AGE_BUCKETS = (("under 24 h", timedelta(hours=24)), ("1–7 days", timedelta(days=7)), ("over 7 days", None))
# A camera with no sighting for this long during the last day is shown as a possible outage.
QUIET_HOURS = 6


@dataclass(frozen=True, slots=True)
class CameraRow:
    id: str
    name: str
    last_seen: datetime | None
    passes_24h: int
    per_hour_24h: float
    longest_gap_h: float
    stale: bool


def _cameras(session: SessionDep, ctx: ContextDep, now: datetime) -> list[CameraRow]:
    since = now - timedelta(hours=24)
    rows = []
    for cam in ctx.site.cameras:
        last = session.scalar(sa.select(sa.func.max(Sighting.last_seen)).where(Sighting.camera_id == cam.id))
        times = list(
            session.scalars(
                sa.select(Sighting.first_seen)
                .where(Sighting.camera_id == cam.id, Sighting.first_seen >= since)
                .order_by(Sighting.first_seen)
            )
        )
        edges = [since, *times, now]
        gap = max((b - a).total_seconds() for a, b in zip(edges, edges[1:], strict=False)) / 3600
        rows.append(
            CameraRow(
                id=cam.id,
                name=cam.name or cam.id,
                last_seen=last,
                passes_24h=len(times),
                per_hour_24h=len(times) / 24,
                longest_gap_h=gap,
                stale=last is None or now - last > timedelta(hours=QUIET_HOURS),
            )
        )
    return rows


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, session: SessionDep, ctx: ContextDep, _: OfficerPage) -> HTMLResponse:
    now = datetime.now(UTC)
    waiting = list(
        session.execute(
            sa.select(Flag.kind, Flag.created_at).where(
                Flag.status.in_([FlagStatus.OPEN, FlagStatus.ESCALATED])
            )
        )
    )
    table: dict[FlagKind, list[int]] = {k: [0] * len(AGE_BUCKETS) for k in FlagKind}
    for kind, created in waiting:
        age = now - created
        for i, (_label, limit) in enumerate(AGE_BUCKETS):
            if limit is None or age < limit:
                table[kind][i] += 1
                break
    awaiting = (
        session.scalar(
            sa.select(sa.func.count(Letter.id)).where(Letter.status == LetterStatus.AWAITING_APPROVAL)
        )
        or 0
    )
    return page(
        request,
        "dashboard.html",
        flags_by_kind=table,
        buckets=[label for label, _limit in AGE_BUCKETS],
        flags_total=len(waiting),
        letters_awaiting=awaiting,
        cameras=_cameras(session, ctx, now),
        quiet_hours=QUIET_HOURS,
    )
