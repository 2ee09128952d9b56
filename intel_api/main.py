"""The officers' API: `create_app(settings)` builds everything; nothing is created at import time."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache

from fastapi import FastAPI, Request, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from intel_api import messages
from intel_api.auth import PasswordHashing
from intel_api.boundary import RequestGuard, UnexpectedErrors
from intel_api.context import AppContext
from intel_api.db.session import make_engine, make_session_factory
from intel_api.error_map import DOMAIN_ERRORS, to_api_error
from intel_api.openapi_contract import install as install_contract
from intel_api.routers import associates as associates_router
from intel_api.routers import audit, auth, flags, health, ingest, letters, sightings, vehicles, watchlists
from intel_api.routers import ladder as ladder_router
from intel_api.routers import reports as reports_router
from intel_api.routers import representations as representations_router
from intel_api.services.keeper import FileKeeperLookup, HttpKeeperLookup, KeeperLookup, NoKeeperLookup
from intel_api.services.login_throttle import ThrottlePolicy
from intel_api.settings import ApiSettings
from intel_api.visits_lean import Connections, VisitsLean
from platewatch.config import SiteConfig, load_config

log = logging.getLogger(__name__)

TAGS = [
    {"name": "auth", "description": "Log in (OAuth2 password flow) and check who you are."},
    {"name": "sightings", "description": "Search vehicle passes and view evidence. Every search is audited."},
    {"name": "vehicles", "description": "A vehicle's visit history and pattern summary."},
    {"name": "flags", "description": "The review queue: confirm, dismiss or escalate what the rules raised."},
    {
        "name": "letters",
        "description": "Keeper letters: drafted by the system, approved only by a supervisor.",
    },
    {
        "name": "ladder",
        "description": "The escalation ladder per vehicle: drafted by the system, decided by people.",
    },
    {
        "name": "representations",
        "description": "Keepers' replies and complaints about letters, and decisions.",
    },
    {
        "name": "associates",
        "description": "Leads only: vehicles repeatedly seen with another (officers; audited).",
    },
    {"name": "reports", "description": "The partnership report: aggregate figures only."},
    {"name": "hotlist", "description": "Vehicles of interest (owner, reason and expiry required)."},
    {"name": "exclusions", "description": "Vehicles with a documented reason to be in the area."},
    {"name": "ingest", "description": "Remote camera workers post finished sightings here."},
    {"name": "audit", "description": "The append-only audit trail (admins, read-only)."},
    {"name": "health", "description": "Liveness check."},
]


def make_keeper_lookup(settings: ApiSettings) -> KeeperLookup:
    if settings.keeper_source == "file":
        assert settings.keeper_file is not None
        return FileKeeperLookup(settings.keeper_file)
    if settings.keeper_source == "http":
        assert settings.keeper_url is not None
        token = settings.keeper_token.get_secret_value() if settings.keeper_token else None
        return HttpKeeperLookup(settings.keeper_url, token, settings.keeper_timeout_s)
    return NoKeeperLookup()


def build_context(settings: ApiSettings, site: SiteConfig | None = None) -> AppContext:
    site = site or load_config(settings.config)
    engine = make_engine(settings.database_url or site.resolved_database_url())
    return AppContext(
        settings=settings,
        site=site,
        engine=engine,
        sessions=make_session_factory(engine),
        hashing=PasswordHashing(settings.password_time_cost, settings.password_memory_kib),
        keeper=make_keeper_lookup(settings),
        signing_key=settings.signing_key(),
        throttle=ThrottlePolicy(
            delay_after=settings.login_delay_after,
            max_failures=settings.login_max_failures,
            address_max_failures=settings.login_address_max_failures,
            lockout_minutes=settings.login_lockout_minutes,
            window_minutes=settings.login_lockout_minutes,
        ),
    )


def _field_name(loc: tuple[int | str, ...]) -> str:
    parts = [str(p) for p in loc]
    where = parts[0] if parts and parts[0] in {"body", "query", "path", "header", "cookie"} else ""
    name = ".".join(parts[1:] if where else parts) or where
    return f"{name} ({where})" if where else name


@lru_cache(maxsize=256)
def _path_regex(template: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)))


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": _field_name(tuple(e["loc"])), "message": str(e["msg"]), "type": str(e["type"])}
            for e in exc.errors()
        ]
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return JSONResponse(
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
            content={"detail": messages.VALIDATION_FAILED.format(fields=summary), "errors": errors},
        )

    async def _domain(_: Request, exc: Exception) -> JSONResponse:
        err = to_api_error(exc)
        assert err is not None
        content: dict[str, object] = {"detail": err.detail}
        if err.status == status.HTTP_422_UNPROCESSABLE_CONTENT:
            content["errors"] = err.errors or []
        return JSONResponse(status_code=err.status, content=content, headers=err.headers or None)

    for cls in DOMAIN_ERRORS:
        app.add_exception_handler(cls, _domain)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
            # Starlette names only the first route that matched the path; /hotlist has GET and POST.
            allowed = {
                method.upper()
                for template, ops in app.openapi()["paths"].items()
                if _path_regex(template).fullmatch(request.url.path)
                for method in ops
            }
            if allowed:
                exc = StarletteHTTPException(405, exc.detail, headers={"Allow": ", ".join(sorted(allowed))})
        return await http_exception_handler(request, exc)

    @app.exception_handler(sa_exc.OperationalError)
    @app.exception_handler(sa_exc.InterfaceError)
    async def _db_down(request: Request, exc: sa_exc.DBAPIError) -> JSONResponse:
        log.error("database unavailable on %s %s: %s", request.method, request.url.path, exc.orig)
        return JSONResponse(
            status_code=503, content={"detail": messages.DATABASE_UNAVAILABLE}, headers={"Retry-After": "5"}
        )

    @app.exception_handler(sa_exc.IntegrityError)
    async def _conflict(request: Request, exc: sa_exc.IntegrityError) -> JSONResponse:
        log.warning("integrity error on %s %s: %s", request.method, request.url.path, exc.orig)
        return JSONResponse(status_code=409, content={"detail": messages.DATABASE_CONFLICT})


def create_app(settings: ApiSettings, site: SiteConfig | None = None) -> FastAPI:
    """The API for one site; `site` defaults to the YAML named by `settings.config`."""
    context = build_context(settings, site)
    lean = (
        Connections.for_engine(context.engine)
        if settings.visits_lean and context.engine.dialect.name == "postgresql"
        else None
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if lean is not None:
            lean.close_idle()
        close = getattr(context.keeper, "close", None)
        if callable(close):
            close()
        context.engine.dispose()

    app = FastAPI(
        title="PlateWatch officers' API",
        version="1",
        summary="Sightings, reviews, keeper letters and audit for a community ANPR deployment.",
        openapi_tags=TAGS,
        lifespan=lifespan,
    )
    app.state.context = context
    _install_error_handlers(app)
    # Added innermost first: the guard runs before everything, the 500 catcher just outside the
    # routes and the visit history's lean path, which hands everything but its own case to the routes.
    if lean is not None:
        app.add_middleware(VisitsLean, context=context, connections=lean)
    app.add_middleware(UnexpectedErrors)
    app.add_middleware(RequestGuard, max_body_bytes=context.site.api.max_body_bytes)
    for router in (
        health.router,
        auth.router,
        sightings.router,
        vehicles.router,
        flags.router,
        letters.router,
        ladder_router.router,
        associates_router.router,
        reports_router.router,
        representations_router.router,
        watchlists.hotlist_router,
        watchlists.exclusions_router,
        ingest.router,
        audit.router,
    ):
        app.include_router(router)
    from intel_api.web.app import install as install_web

    install_web(app)
    install_contract(app)
    return app


def app_from_environment() -> FastAPI:
    """The app a uvicorn worker process builds for itself (`platewatch serve --workers N`).

    Everything comes from the `PLATEWATCH_*` environment the parent checked and set: each worker
    opens its own engine and pool, as forked connections must never be shared.
    """
    return create_app(ApiSettings())
