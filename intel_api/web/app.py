"""Wire the pages into the API's application: routers, static files, error pages, response headers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from intel_api.web.pages import admin, auth, dashboard, flags, letters, vehicles, watchlists
from intel_api.web.render import HERE, PageDenied, SignInRequired, page

PREFIX = "/ui"
# Inline scripts are not allowed; the few lines of JavaScript live in /ui/static/app.js.
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'self'; frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'"
)


def install(app: FastAPI) -> None:
    for module in (auth, dashboard, flags, letters, vehicles, watchlists, admin):
        app.include_router(module.router, prefix=PREFIX, include_in_schema=False)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=str(HERE / "static")), name="web-static")

    @app.exception_handler(SignInRequired)
    async def _sign_in(_: Request, exc: SignInRequired) -> Response:
        target = f"{PREFIX}/login?next={quote(exc.next_path, safe='')}"
        if exc.note:
            target += "&idle=1"
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(PageDenied)
    async def _denied(request: Request, exc: PageDenied) -> HTMLResponse:
        return page(request, "denied.html", status_code=exc.status_code, message=exc.message)

    @app.middleware("http")
    async def _headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        if request.url.path.startswith(PREFIX):
            # Nothing a page shows may be kept by the browser or a proxy: it is personal data.
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
            if response.headers.get("content-type", "").startswith("text/html"):
                response.headers.setdefault("Content-Security-Policy", CSP)
            response.headers["X-Content-Type-Options"] = "nosniff"
            response.headers["Referrer-Policy"] = "no-referrer"
            response.headers["X-Frame-Options"] = "SAMEORIGIN"
        return response

    @app.get("/", include_in_schema=False)
    def _root() -> RedirectResponse:
        return RedirectResponse(f"{PREFIX}/", status_code=303)
