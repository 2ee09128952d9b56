"""A vehicle's page: asks why first (audited like the API), then its visits as a table and as plots,
with its flags, reviews, letters and exclusions. Officers see the last 90 days (tiered access)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from intel_api.context import AppContext
from intel_api.db.models import (
    Exclusion,
    Flag,
    HotlistEntry,
    LadderCase,
    LadderStatus,
    Letter,
    Review,
    Sighting,
)
from intel_api.deps import ContextDep, SessionDep
from intel_api.routers.views import may_see_keeper
from intel_api.rules.nights import parse_hhmm
from intel_api.services import audit, ladder
from intel_api.services import sightings as svc
from intel_api.services.letters import local_night
from intel_api.tiers import officer_floor
from intel_api.web.deps import OfficerPage, deny
from intel_api.web.forms import FormError, clean_plate, clean_reason
from intel_api.web.plots import Bar, bar_chart
from intel_api.web.render import page

router = APIRouter()
# Time of night runs noon to noon, so a night's passes sit together in the middle of the chart.
HOUR_ORDER = [*range(12, 24), *range(0, 12)]


@router.get("/vehicles", response_class=HTMLResponse)
def vehicle_search(
    request: Request, _: OfficerPage, plate: str = "", reason: str = "", since: str = ""
) -> Response:
    if plate or reason:
        try:
            value = clean_plate(plate)
            clean_reason(reason)
        except FormError as e:
            return page(request, "vehicle_reason.html", plate=plate, reason=reason, since=since, error=str(e))
        query = f"reason={_q(reason)}" + (f"&since={_q(since)}" if since else "")
        return RedirectResponse(f"/ui/vehicles/{value}?{query}", status_code=303)
    return page(request, "vehicle_reason.html", plate="", reason="", since="", error="")


def _q(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


@router.get("/vehicles/{plate}", response_class=HTMLResponse)
def vehicle_page(
    plate: Annotated[str, Path(max_length=32)],
    request: Request,
    session: SessionDep,
    ctx: ContextDep,
    principal: OfficerPage,
    reason: Annotated[str, Query(max_length=2000)] = "",
    since: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    try:
        plate = clean_plate(plate)
    except FormError as e:
        return page(request, "vehicle_reason.html", plate=plate, reason=reason, since=since, error=str(e))
    if not reason:
        return page(request, "vehicle_reason.html", plate=plate, reason="", since=since, error="")
    try:
        why = clean_reason(reason)
        since_date = date.fromisoformat(since) if since else None
    except (FormError, ValueError) as e:
        message = str(e) if isinstance(e, FormError) else "'From' must be a date (YYYY-MM-DD)."
        return page(request, "vehicle_reason.html", plate=plate, reason=reason, since=since, error=message)
    floor = officer_floor(ctx, principal)
    start = datetime.combine(since_date, datetime.min.time(), ctx.tz).astimezone(UTC) if since_date else None
    days = ctx.site.api.officer_history_days
    if floor is not None and start is not None and start < floor:
        raise deny(
            session,
            principal,
            request,
            f"Looking further back than {days} days needs a supervisor (tiered access). "
            "Ask a supervisor or choose a later 'from' date.",
        )
    if start is None:
        start = floor
    rows = svc.for_plate(session, plate, start, None)
    turns_at = parse_hhmm(ctx.site.rules.frequent.night_end)
    summary = svc.summarise(rows, ctx.tz, turns_at)
    flagged = svc.flagged_ids(session, [s.id for s in rows])
    audit.record(
        session,
        principal,
        "vehicle.visits",
        "vehicle",
        plate,
        reason=why,
        details={"since": start.isoformat() if start else None, "passes": summary.passes, "via": "web"},
    )
    session.commit()
    flags = list(
        session.scalars(sa.select(Flag).where(Flag.plate_text == plate).order_by(Flag.created_at.desc()))
    )
    reviews = (
        list(
            session.scalars(
                sa.select(Review).where(Review.flag_id.in_([f.id for f in flags])).order_by(Review.created_at)
            )
        )
        if flags
        else []
    )
    letters = list(
        session.scalars(
            sa.select(Letter).where(Letter.plate_text == plate).order_by(Letter.created_at.desc())
        )
    )
    exclusions = list(session.scalars(sa.select(Exclusion).where(Exclusion.plate_text == plate)))
    enforcement = ctx.site.enforcement
    case = ladder.current_case(session, plate)
    if case is not None and ladder.expire_if_quiet(session, case, enforcement, datetime.now(UTC)):
        session.commit()
    live = case is not None and case.status == LadderStatus.ACTIVE
    cases = session.scalars(
        sa.select(LadderCase).where(LadderCase.plate_text == plate).order_by(LadderCase.id)
    )
    steps = [(st, ladder.step_status(session, st)) for c in cases for st in c.steps]
    hotlist = list(session.scalars(sa.select(HotlistEntry).where(HotlistEntry.plate_text == plate)))
    return page(
        request,
        "vehicle.html",
        plate=plate,
        reason=why,
        since=since,
        start=start,
        limited_days=days if floor is not None and not since else None,
        summary=summary,
        visits=list(reversed(rows)),
        flagged=flagged,
        flags=flags,
        reviews=reviews,
        letters=letters,
        exclusions=exclusions,
        hotlist=hotlist,
        ladder_stage=(
            f"stage {case.current_stage} ({enforcement.stages[case.current_stage - 1].name})"
            if live and case is not None and case.current_stage
            else "not on the ladder"
        ),
        ladder_next=ladder.next_step(session, case, enforcement),
        ladder_steps=steps,
        show_keeper=may_see_keeper(principal),
        charts=_charts(rows, ctx, start, turns_at),
    )


def _charts(
    rows: list[Sighting], ctx: AppContext, start: datetime | None, turns_at: time
) -> dict[str, Markup | None]:
    if not rows:
        return {}
    tz = ctx.tz
    nights = Counter(local_night(s.first_seen, tz, turns_at) for s in rows)
    first = min(nights) if start is None else max(min(nights), start.astimezone(tz).date())
    last = max(max(nights), datetime.now(UTC).astimezone(tz).date() - timedelta(days=1))
    span = [first + timedelta(days=i) for i in range((last - first).days + 1)][-180:]
    per_night = [
        Bar(
            d.strftime("%d %b") if d.day in (1, 15) or len(span) < 15 else "",
            nights.get(d, 0),
            f"night of {d:%a %d %b %Y}: {nights.get(d, 0)} passes",
        )
        for d in span
    ]
    hours = Counter(s.first_seen.astimezone(tz).hour for s in rows)
    per_hour = [
        Bar(f"{h:02d}", hours.get(h, 0), f"{h:02d}:00–{h:02d}:59: {hours.get(h, 0)} passes")
        for h in HOUR_ORDER
    ]
    speeds = [s for s in rows if s.speed_kmh is not None]
    per_pass = [
        Bar(
            s.first_seen.astimezone(tz).strftime("%d %b") if len(speeds) < 15 else "",
            float(s.speed_kmh or 0),
            f"{s.first_seen.astimezone(tz):%d %b %H:%M}, {s.camera_id}: {s.speed_kmh:.0f} km/h",
        )
        for s in speeds[-60:]
    ]
    cams = Counter(s.camera_id for s in rows)
    per_camera = [Bar(c, n, f"{c}: {n} passes") for c, n in sorted(cams.items())]
    limit = ctx.site.rules.slow.max_speed_kmh
    return {
        "nights": bar_chart(per_night, "Passes per night", "passes"),
        "hours": bar_chart(per_hour, "Passes by hour of the night (local time)", "passes"),
        "speed": bar_chart(per_pass, "Speed of each pass", "km/h", limit, f"slow-rule limit {limit:.0f} km/h")
        if per_pass
        else None,
        "cameras": bar_chart(per_camera, "Passes per camera", "passes"),
    }
