"""Wire the pages into the API's application: routers, static files, error pages, response headers."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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

    app.add_middleware(PageHeaders)

    @app.get("/", include_in_schema=False)
    def _root() -> RedirectResponse:
        return RedirectResponse(f"{PREFIX}/", status_code=303)


class PageHeaders:
    """The response headers of the pages under /ui (nothing a page shows may be kept).

    A plain ASGI middleware: an API request passes straight through, where a `@app.middleware("http")`
    function wrapped every request in a task and streams (BaseHTTPMiddleware) for headers it never sets.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PREFIX):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                # Nothing a page shows may be kept by the browser or a proxy: it is personal data.
                headers["Cache-Control"] = "no-store"
                headers["Pragma"] = "no-cache"
                if headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("Content-Security-Policy", CSP)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                headers["X-Frame-Options"] = "SAMEORIGIN"
            await send(message)

        await self.app(scope, receive, with_headers)
