"""What every request passes before any route, dependency or credential check runs.

`RequestGuard` refuses, without buffering more than the limit and before authentication:
a body larger than `max_body_bytes` (413), and control characters anywhere in the path, the query,
a form or a JSON body (422; PostgreSQL cannot store NUL and nothing a person types contains
them). `UnexpectedErrors` turns an unhandled exception into one logged traceback and a JSON 500
on a connection that stays open (Starlette's own handler re-raises it, which logs it twice and
makes the server drop the keep-alive connection).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from intel_api import messages

log = logging.getLogger(__name__)

# C0 controls and DEL. In JSON bodies tab, newline and carriage return stay allowed: a reason or a
# keeper's response may run over several lines. Names, paths and queries never need them.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_MESSAGE = "control characters are not allowed"


def _walk_json(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for k, v in value.items():
            child = f"{where}.{k}" if where else str(k)
            yield child, str(k)
            yield from _walk_json(v, child)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk_json(v, f"{where}.{i}" if where else str(i))


def control_character_fields(scope: Scope, body: bytes) -> list[str]:
    """Every input field (named as the 422s name them) that holds a control character."""
    bad: list[str] = []
    if _CONTROL.search(scope.get("path", "")):
        bad.append("(path)")
    query = scope.get("query_string", b"").decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True, errors="replace"):
        if _CONTROL.search(name) or _CONTROL.search(value):
            bad.append(f"{name} (query)")
    if not body:
        return bad
    content_type = _header(scope, b"content-type")
    if content_type.startswith("application/x-www-form-urlencoded"):
        form = body.decode("latin-1")
        for name, value in parse_qsl(form, keep_blank_values=True, errors="replace"):
            # A textarea posts its line breaks as CR LF: allowed in values, as in JSON text.
            if _CONTROL.search(name) or _CONTROL_IN_TEXT.search(value):
                bad.append(f"{name} (body)")
    elif "json" in content_type:
        try:
            data = json.loads(body)
        except ValueError:
            return bad  # the route's validation answers malformed JSON with its own 422
        for where, text in _walk_json(data, ""):
            if _CONTROL_IN_TEXT.search(text):
                bad.append(f"{where or '(root)'} (body)")
    return bad


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1")).lower()
    return ""


class RequestGuard:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            await self._too_large(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        body = b"".join(chunks)
        bad = control_character_fields(scope, body)
        if bad:
            errors = [{"field": f, "message": CONTROL_MESSAGE, "type": "control_character"} for f in bad]
            summary = "; ".join(f"{f}: {CONTROL_MESSAGE}" for f in bad)
            response = JSONResponse(
                status_code=422,
                content={"detail": messages.VALIDATION_FAILED.format(fields=summary), "errors": errors},
            )
            await response(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = JSONResponse(
            status_code=413,
            content={"detail": messages.BODY_TOO_LARGE.format(limit=self.max_body_bytes)},
            # the unread rest of the body would otherwise be taken as the next request
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)


class UnexpectedErrors:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                return  # half a response went out; nothing sensible can follow it
            response = JSONResponse(status_code=500, content={"detail": messages.INTERNAL_ERROR})
            await response(scope, receive, send)
