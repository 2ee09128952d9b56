"""The partnership report: aggregate figures only (no plates, no addresses), as JSON or PDF."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Response
from sqlalchemy.orm import Session

from intel_api.auth import Principal
from intel_api.deps import ContextDep, Officer, SessionDep
from intel_api.errors import invalid
from intel_api.services import audit
from intel_api.services import report as svc

router = APIRouter(prefix="/reports", tags=["reports"])
MAX_DAYS = 62  # a fortnight or a month, with room for a long month and a late meeting


def _check(start: date, end: date) -> None:
    if end < start:
        raise invalid(("end (query)", "must not be before 'start'"))
    if (end - start).days + 1 > MAX_DAYS:
        raise invalid(("end (query)", f"the report covers at most {MAX_DAYS} days"))


def _audit(session: Session, principal: Principal, start: date, end: date, fmt: str) -> None:
    details = {"start": start.isoformat(), "end": end.isoformat(), "format": fmt}
    audit.record(session, principal, "report.partnership", "report", None, details=details)


@router.get("/partnership", summary="Partnership report figures for a period (aggregate only)")
def partnership(
    start: date, end: date, session: SessionDep, ctx: ContextDep, principal: Officer
) -> dict[str, Any]:
    _check(start, end)
    report = svc.compute(session, start, end, ctx.tz)
    _audit(session, principal, start, end, "json")
    return report.as_dict()


@router.get(
    "/partnership.pdf",
    summary="The partnership report as a PDF with its plots",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def partnership_pdf(
    start: date, end: date, session: SessionDep, ctx: ContextDep, principal: Officer
) -> Response:
    _check(start, end)
    report = svc.compute(session, start, end, ctx.tz)
    data = svc.pdf(report, ctx.site.site.name, svc.plots(report))
    _audit(session, principal, start, end, "pdf")
    return Response(data, media_type="application/pdf", headers={"Cache-Control": "no-store"})
