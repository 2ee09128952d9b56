"""Templates, the way back to a page after a form, and the page-level refusals: a sign-in redirect
and an audited 'not allowed' page."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from intel_api.db.base import Base
from intel_api.rows import get_row

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
M = TypeVar("M", bound=Base)


def _local(value: datetime | None, tz: ZoneInfo, fmt: str = "%a %d %b %Y %H:%M") -> str:
    return value.astimezone(tz).strftime(fmt) if value else "—"


def _age(value: datetime | None) -> str:
    if value is None:
        return "—"
    seconds = (datetime.now(UTC) - value).total_seconds()
    if seconds < 3600:
        return f"{max(0, int(seconds // 60))} min"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h"
    return f"{int(seconds // 86400)} d"


templates.env.filters["age"] = _age


class SignInRequired(Exception):
    def __init__(self, next_path: str, note: str = "") -> None:
        self.next_path, self.note = next_path, note


class PageDenied(Exception):
    """Raised after the refusal is audited; rendered as a 403 page."""

    def __init__(self, message: str, status_code: int = 403) -> None:
        self.message, self.status_code = message, status_code
        super().__init__(message)


def row_or_404_page(session: Session, model: type[M], ident: int, what: str) -> M:
    """The row a page is about; a 404 page (not the API's JSON) when there is none."""
    row = get_row(session, model, ident)
    if row is None:
        raise PageDenied(f"{what} {ident} was not found.", status_code=404)
    return row


def page(request: Request, name: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    ctx = request.app.state.context
    tz = ctx.tz
    values.setdefault("user", getattr(request.state, "web_user", None))
    values.setdefault("csrf", getattr(request.state, "csrf", ""))
    values["local"] = lambda v, fmt="%a %d %b %Y %H:%M": _local(v, tz, fmt)
    values["site_name"] = ctx.site.site.name
    return templates.TemplateResponse(request, name, values, status_code=status_code)


def back_to(path: str, error: str = "", note: str = "") -> RedirectResponse:
    """Send the browser back to `path` after a form, with its error (or else its note) for the page."""
    query = f"error={quote(error, safe='')}" if error else f"note={quote(note, safe='')}"
    return RedirectResponse(f"{path}?{query}", status_code=303)
