"""Hotlist and exclusions: every entry with its justification, owner and expiry; supervisors change them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from intel_api.db.models import Exclusion, ExclusionCategory, HotlistEntry, Role
from intel_api.deps import ContextDep, SessionDep
from intel_api.services import audit
from intel_api.services import watchlists as svc
from intel_api.web.deps import CsrfChecked, OfficerPage, require_role
from intel_api.web.forms import FormError, clean_plate, clean_reason, no_control
from intel_api.web.render import PageDenied, back_to, page

router = APIRouter()


def _expiry(text: str, ctx: ContextDep) -> datetime:
    try:
        day = datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise FormError("Give the expiry as a date (YYYY-MM-DD).") from None
    when = datetime.combine(day, time(23, 59), ctx.tz).astimezone(UTC)
    if when <= datetime.now(UTC):
        raise FormError("The expiry must be in the future.")
    return when


def _owner(text: str) -> str:
    value = " ".join(no_control(text).split())
    if not 2 <= len(value) <= 100:
        raise FormError("Name the owner (2-100 characters): who answers for this entry.")
    return value


@router.get("/watchlists", response_class=HTMLResponse)
def watchlists_page(
    request: Request,
    session: SessionDep,
    principal: OfficerPage,
    inactive: bool = False,
    error: str = "",
    note: str = "",
) -> HTMLResponse:
    hot = svc.list_hotlist(session, inactive)
    exc = svc.list_exclusions(session, inactive)
    audit.record(
        session,
        principal,
        "hotlist.list",
        "hotlist_entry",
        None,
        details={"returned": len(hot), "via": "web"},
    )
    audit.record(
        session, principal, "exclusions.list", "exclusion", None, details={"returned": len(exc), "via": "web"}
    )
    session.commit()
    return page(
        request,
        "watchlists.html",
        hotlist=hot,
        exclusions=exc,
        inactive=inactive,
        categories=[c.value for c in ExclusionCategory],
        supervisor=principal.has_role(Role.SUPERVISOR),
        now=datetime.now(UTC),
        error=error,
        note=note,
    )


def _back(error: str = "", note: str = "") -> Response:
    return back_to("/ui/watchlists", error, note)


@dataclass(frozen=True, slots=True)
class EntryTerms:
    """What every hotlist entry and exclusion must state: why, who answers for it, and until when."""

    justification: str
    owner: str
    expires_at: datetime


def _terms(reason: str, owner: str, expires: str, ctx: ContextDep) -> EntryTerms:
    return EntryTerms(clean_reason(reason, "justification"), _owner(owner), _expiry(expires, ctx))


@router.post("/watchlists/hotlist")
def add_hotlist(
    request: Request,
    session: SessionDep,
    ctx: ContextDep,
    principal: CsrfChecked,
    plate: Annotated[str, Form(max_length=64)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    owner: Annotated[str, Form(max_length=200)] = "",
    expires: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    require_role(session, request, principal, Role.SUPERVISOR)
    try:
        plate_text = clean_plate(plate)
        terms = _terms(reason, owner, expires, ctx)
    except FormError as e:
        return _back(error=str(e))
    entry = svc.add_hotlist(
        session, principal, plate_text, terms.justification, terms.owner, terms.expires_at
    )
    session.commit()
    return _back(note=f"Hotlist entry {entry.id} added for {entry.plate_text}.")


@router.post("/watchlists/exclusions")
def add_exclusion(
    request: Request,
    session: SessionDep,
    ctx: ContextDep,
    principal: CsrfChecked,
    plate: Annotated[str, Form(max_length=64)] = "",
    category: Annotated[str, Form(max_length=24)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    owner: Annotated[str, Form(max_length=200)] = "",
    expires: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    require_role(session, request, principal, Role.SUPERVISOR)
    try:
        try:
            cat = ExclusionCategory(category)
        except ValueError:
            raise FormError("Choose a category.") from None
        plate_text = clean_plate(plate)
        terms = _terms(reason, owner, expires, ctx)
    except FormError as e:
        return _back(error=str(e))
    entry = svc.add_exclusion(
        session, principal, plate_text, cat, terms.justification, terms.owner, terms.expires_at
    )
    session.commit()
    return _back(note=f"Exclusion {entry.id} added for {entry.plate_text}.")


def _entry(kind: str, entry_id: int, session: SessionDep) -> HotlistEntry | Exclusion:
    entry: HotlistEntry | Exclusion | None = None
    if 0 < entry_id < 2**31 and kind == "hotlist":
        entry = session.get(HotlistEntry, entry_id)
    elif 0 < entry_id < 2**31 and kind == "exclusions":
        entry = session.get(Exclusion, entry_id)
    if entry is None:
        raise PageDenied("No such entry.", status_code=404)
    return entry


@router.post("/watchlists/{kind}/{entry_id}/edit")
def edit(
    kind: str,
    entry_id: int,
    request: Request,
    session: SessionDep,
    ctx: ContextDep,
    principal: CsrfChecked,
    reason: Annotated[str, Form(max_length=2000)] = "",
    owner: Annotated[str, Form(max_length=200)] = "",
    expires: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    require_role(session, request, principal, Role.SUPERVISOR)
    entry = _entry(kind, entry_id, session)
    try:
        terms = _terms(reason, owner, expires, ctx)
    except FormError as e:
        return _back(error=str(e))
    svc.edit_entry(session, principal, entry, terms.justification, terms.owner, terms.expires_at)
    session.commit()
    return _back(note=f"Entry {entry_id} for {entry.plate_text} updated.")


@router.post("/watchlists/{kind}/{entry_id}/expire")
def expire(
    kind: str,
    entry_id: int,
    request: Request,
    session: SessionDep,
    principal: CsrfChecked,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    require_role(session, request, principal, Role.SUPERVISOR)
    entry = _entry(kind, entry_id, session)
    try:
        why = clean_reason(reason)
    except FormError as e:
        return _back(error=str(e))
    if isinstance(entry, HotlistEntry):
        svc.deactivate_hotlist(session, principal, entry, why)
    else:
        svc.deactivate_exclusion(session, principal, entry, why)
    session.commit()
    return _back(note=f"Entry {entry_id} for {entry.plate_text} expired.")
