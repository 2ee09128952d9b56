"""The visit history's lean path on PostgreSQL: one SQL statement per look-up.

`GET /vehicles/{plate}/visits` is the most frequent look-up of personal data. Through FastAPI's
dependency solving, the ORM session and six database round trips (pool ping, BEGIN, the caller,
the history, the audit INSERT, COMMIT) it cost more server CPU than 8 officers' clients leave on a
2-core box (docs/benchmarks.md, "The database at scale"). This ASGI middleware answers the ordinary
case, a well-formed request with an officer's bearer token, with **one** statement in autocommit:
it reads the caller's role and active flag, the history with each pass's flag, and writes the audit
row (an INSERT in a data-modifying CTE). PostgreSQL commits the statement before it reports
success, so the audit row is stored before a byte of the response exists, as on the full route.

Everything else goes, untouched, to the full route, which answers it as it always has: no or an
invalid token, an API key, an unknown, inactive or refused caller (401/403, refusals audited), a
malformed or reversed query (422), a connection that cannot be had or a statement that fails
(the route's own 5xx). Nothing is written on the way: the audit row exists only when the whole
statement, history included, succeeded. The bytes are the route's (`routers.views.visits_json`);
tests/test_visits_lean.py compares the two paths request by request.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import namedtuple
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, cast
from urllib.parse import parse_qsl

import psycopg
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.engine import Engine
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from intel_api.auth import ROLE_RANK, token_subject
from intel_api.context import AppContext
from intel_api.db.models import AuditEvent, Role, Sighting, User, flag_sighting
from intel_api.routers.vehicles import PLATE_IN_PATH, VISITS_ACTION
from intel_api.routers.views import VisitRow, visits_audit_details, visits_json
from intel_api.schemas.common import ReasonText, Since
from intel_api.services.sightings import VISIT_COLUMNS

log = logging.getLogger(__name__)

# The route's path and its plate pattern; a path that does not match goes to the route.
_PATH = re.compile(rf"/vehicles/({PLATE_IN_PATH})/visits")

# Roles the route admits (at least an officer) and those held to the officer's history window.
_ADMITTED = [r.value for r in Role if ROLE_RANK[r] >= ROLE_RANK[Role.OFFICER]]
_FLOORED = [r.value for r in Role if ROLE_RANK[r] < ROLE_RANK[Role.SUPERVISOR]]

_VISIT_NAMES = [c.name for c in VISIT_COLUMNS]
Visit = namedtuple("Visit", [*_VISIT_NAMES, "flagged"])  # type: ignore[misc]  # names from the table
_S = Sighting.__tablename__
_COLS = ", ".join(f"s.{n}" for n in _VISIT_NAMES)
_HCOLS = ", ".join(f"h.{n}" for n in _VISIT_NAMES)

# One statement: the caller (admitted only when active, of an admitted role, and, when held to the
# window, not asking further back than it), the passes in range, the audit row of the look-up.
# No caller row -> no history and no audit row; the full route then answers (and audits) the refusal.
# `since` for a windowed role is the window's start when not given, as `tiers.history_floor` has it.
STATEMENT = f"""
WITH caller AS (
    SELECT u.username, u.role,
           CASE WHEN u.role = ANY(%(floored)s) THEN coalesce(%(since)s::timestamptz, %(floor)s::timestamptz)
                ELSE %(since)s::timestamptz END AS since
    FROM {User.__tablename__} u
    WHERE u.username = %(username)s AND u.active AND u.role = ANY(%(admitted)s)
      AND NOT (u.role = ANY(%(floored)s)
               AND coalesce(%(since)s::timestamptz < %(floor)s::timestamptz, false))
),
hist AS (
    SELECT {_COLS},
           EXISTS (SELECT 1 FROM {flag_sighting.name} f WHERE f.sighting_id = s.id) AS flagged
    FROM {_S} s, caller c
    WHERE s.plate_text = %(plate)s
      AND (c.since IS NULL OR s.first_seen >= c.since)
      AND (%(until)s::timestamptz IS NULL OR s.first_seen < %(until)s::timestamptz)
),
logged AS (
    INSERT INTO {AuditEvent.__tablename__}
        (at, actor, actor_kind, action, target_type, target_id, reason, details)
    SELECT %(at)s, c.username, 'user', '{VISITS_ACTION}', 'vehicle', %(plate)s, %(reason)s,
           json_build_object(
               'since', CASE WHEN c.role = ANY(%(floored)s) THEN %(floored_since_iso)s::text
                             ELSE %(since_iso)s::text END,
               'passes', (SELECT count(*) FROM hist))
    FROM caller c
    RETURNING id
)
SELECT (SELECT id FROM logged) AS audit_id, c.role, {_HCOLS}, h.flagged
FROM caller c LEFT JOIN hist h ON true
ORDER BY h.first_seen, h.id
"""


class VisitQuery(BaseModel):
    """The route's query parameters, with the route's rules (anything else it ignores too)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    reason: ReasonText
    since: Since = None
    until: Since = None
    limit: Annotated[int, Field(ge=1, le=1000)] = 100


@dataclass(frozen=True, slots=True)
class Lookup:
    username: str
    plate: str
    query: VisitQuery


def parse(scope: Scope, signing_key: str) -> Lookup | None:
    """The look-up a request asks for, when it is the ordinary case; None sends it to the route."""
    if scope["type"] != "http" or scope["method"] != "GET":
        return None
    match = _PATH.fullmatch(scope["path"])
    if match is None:
        return None
    token = _bearer(scope)
    if not token:
        return None
    username = token_subject(token, signing_key)
    if username is None:
        return None
    pairs = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
    if len({name for name, _ in pairs}) != len(pairs):
        return None  # a repeated parameter: the route decides which one counts
    try:
        query = VisitQuery.model_validate(dict(pairs))
    except ValidationError:
        return None
    if query.since is not None and query.until is not None and query.until <= query.since:
        return None
    return Lookup(username=username, plate="".join(match.group(1).split()).upper(), query=query)


def _bearer(scope: Scope) -> str | None:
    # As OAuth2PasswordBearer reads it: the first Authorization header, scheme "Bearer" in any case.
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, param = value.decode("latin-1").partition(" ")
            return param if scheme.lower() == "bearer" else None
    return None


def statement_params(lookup: Lookup, window_days: int, now: datetime) -> dict[str, Any]:
    q = lookup.query
    floor = now - timedelta(days=window_days)
    return {
        "username": lookup.username,
        "plate": lookup.plate,
        "since": q.since,
        "until": q.until,
        "floor": floor,
        "admitted": _ADMITTED,
        "floored": _FLOORED,
        "at": now,
        "reason": q.reason,
        "since_iso": visits_audit_details(q.since, 0)["since"],
        "floored_since_iso": visits_audit_details(q.since or floor, 0)["since"],
    }


class Unavailable(Exception):
    """No connection could be had now; the route answers instead."""


class Connections:
    """This worker's idle autocommit connections, for the event loop that opened them.

    At most `max_open` at once: a request that finds none free goes to the full route (and its own
    pool) rather than opening more. After a failed connect none is tried for `retry_s`, so an
    outage costs the route's answer (503), not a connect timeout per request first.
    """

    def __init__(self, conninfo: str, max_open: int = 8, retry_s: float = 1.0) -> None:
        self._conninfo = conninfo
        self._max_open = max_open
        self._retry_s = retry_s
        self._idle: list[psycopg.AsyncConnection[Any]] = []
        self._open = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._retry_at = 0.0

    @classmethod
    def for_engine(cls, engine: Engine) -> Connections:
        url = engine.url.set(drivername="postgresql")
        return cls(url.render_as_string(hide_password=False))

    async def get(self) -> psycopg.AsyncConnection[Any]:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            # Connections wait on the loop that opened them; a new loop (a test client's) starts afresh.
            self.close_idle()
            self._open, self._loop = 0, loop
        if self._idle:
            return self._idle.pop()
        if self._open >= self._max_open or time.monotonic() < self._retry_at:
            raise Unavailable
        self._open += 1
        conn: psycopg.AsyncConnection[Any] | None = None
        try:
            conn = await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True, connect_timeout=5)
            # Times come back in UTC, as UTCDateTime gives them to the route.
            await conn.execute("SET TIME ZONE 'UTC'")
        except psycopg.Error as exc:
            if conn is not None:
                conn.pgconn.finish()
            self._open -= 1
            self._retry_at = time.monotonic() + self._retry_s
            log.warning("visit history lean path: no database connection (%s); the route answers", exc)
            raise Unavailable from exc
        return conn

    def put(self, conn: psycopg.AsyncConnection[Any]) -> None:
        if conn.closed or conn.broken or conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            self.discard(conn)
        else:
            self._idle.append(conn)

    def discard(self, conn: psycopg.AsyncConnection[Any]) -> None:
        self._open = max(0, self._open - 1)  # one of an earlier loop's may come back after a reset
        conn.pgconn.finish()

    def close_idle(self) -> None:
        while self._idle:
            self.discard(self._idle.pop())


class VisitsLean:
    """ASGI middleware: the ordinary visit history in one statement, anything else to `app`."""

    def __init__(self, app: ASGIApp, context: AppContext, connections: Connections) -> None:
        self.app = app
        self.context = context
        self.connections = connections

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        lookup = parse(scope, self.context.signing_key)
        body = None if lookup is None else await self._answer(lookup)
        if body is None:
            await self.app(scope, receive, send)
            return
        await Response(body, media_type="application/json")(scope, receive, send)

    async def _answer(self, lookup: Lookup) -> bytes | None:
        ctx = self.context
        now = datetime.now(UTC)
        params = statement_params(lookup, ctx.site.api.officer_history_days, now)
        try:
            conn = await self.connections.get()
        except Unavailable:
            return None
        try:
            cur = await conn.execute(STATEMENT, params)
            rows = await cur.fetchall()
        except psycopg.Error as exc:
            # The statement is atomic: it failed whole, so no audit row was written.
            self.connections.put(conn)
            log.warning("visit history lean path failed (%s); the route answers", exc)
            return None
        except BaseException:
            # Cancelled mid-statement: the connection's state is unknown, so it is not reused.
            self.connections.discard(conn)
            raise
        self.connections.put(conn)
        if not rows:
            return None  # not admitted: the route refuses it, and audits the refusal
        role = rows[0][1]
        q = lookup.query
        since = (q.since or params["floor"]) if role in _FLOORED else q.since
        # Visit's fields are VISIT_COLUMNS' names and `flagged`: a VisitRow, which mypy cannot see.
        visits = cast("list[VisitRow]", [Visit(*row[2:]) for row in rows if row[2] is not None])
        return visits_json(ctx, lookup.plate, since, q.until, visits, q.limit)
