"""Make the published OpenAPI document say what the server does.

FastAPI documents its own 422 shape (`detail` as an array) and no other error; this API answers
every error as `{"detail": str}` and 422s as `{"detail": str, "errors": [...]}`
(`intel_api.main`), and refuses requests before the routes (`intel_api.boundary`). Each operation
gets the statuses it can answer with; the fuzz test (tests/test_api_fuzz.py) holds the two together.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

ERROR = {"$ref": "#/components/schemas/Error"}
VALIDATION = {"$ref": "#/components/schemas/HTTPValidationError"}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "title": "Error",
        "type": "object",
        "required": ["detail"],
        "properties": {"detail": {"type": "string", "title": "Detail"}},
    },
    "FieldError": {
        "title": "FieldError",
        "type": "object",
        "required": ["field", "message", "type"],
        "properties": {
            "field": {
                "type": "string",
                "description": "e.g. 'reason (query)' or 'sightings.0.camera_id (body)'",
            },
            "message": {"type": "string"},
            "type": {"type": "string"},
        },
    },
    "HTTPValidationError": {
        "title": "HTTPValidationError",
        "type": "object",
        "required": ["detail", "errors"],
        "properties": {
            "detail": {"type": "string", "title": "Detail", "description": "All problems, in one sentence"},
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}},
        },
    },
}

DESCRIPTIONS = {
    "400": "Malformed request body",
    "401": "Not authenticated, or the credentials are invalid",
    "403": "The caller's role or key scope does not allow this (refusals are audited)",
    "404": "No such resource",
    "409": "The change conflicts with the resource's state or existing data",
    "413": "Request body larger than the configured limit (refused before authentication)",
    "422": "Invalid input: every bad field is named; control characters are refused anywhere",
    "503": "The database is unavailable; retry after the Retry-After seconds",
}


def _response(code: str) -> dict[str, Any]:
    schema = VALIDATION if code == "422" else ERROR
    out: dict[str, Any] = {
        "description": DESCRIPTIONS[code],
        "content": {"application/json": {"schema": schema}},
    }
    if code == "401":
        out["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
    if code == "503":
        out["headers"] = {"Retry-After": {"schema": {"type": "string"}}}
    return out


def _statuses(path: str, method: str, op: dict[str, Any]) -> list[str]:
    codes = ["422", "503"]
    if "requestBody" in op or method in {"post", "put", "patch"}:
        codes += ["400", "409", "413"]
    if op.get("security"):
        codes += ["401", "403"]
    if "{" in path:
        codes.append("404")
    if path == "/auth/token":
        codes.append("401")  # wrong password: no security scheme on the login itself
    return codes


# What `intel_api.boundary.RequestGuard` lets through, as JSON Schema patterns: nothing below U+0020
# in a path, query or form; in a JSON body tab, newline and carriage return too.
NO_CONTROL = "^[^\\x00-\\x1f\\x7f]*$"
NO_CONTROL_TEXT = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]*$"


def _forbid_controls(node: Any, pattern: str, components: dict[str, Any], seen: set[str]) -> None:
    """Give each plain input string the guard's pattern (existing patterns already exclude controls)."""
    if isinstance(node, list):
        for item in node:
            _forbid_controls(item, pattern, components, seen)
        return
    if not isinstance(node, dict):
        return
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        name = ref.rsplit("/", 1)[1]
        if name not in seen:
            seen.add(name)
            _forbid_controls(components.get(name), pattern, components, seen)
        return
    if node.get("type") == "string" and "pattern" not in node and "format" not in node and "enum" not in node:
        node["pattern"] = pattern
    for key in ("properties", "items", "anyOf", "oneOf", "allOf", "additionalProperties", "prefixItems"):
        child = node.get(key)
        if isinstance(child, dict) and key == "properties":
            for value in child.values():
                _forbid_controls(value, pattern, components, seen)
        elif child is not None:
            _forbid_controls(child, pattern, components, seen)


def _inputs_without_controls(schema: dict[str, Any], components: dict[str, Any]) -> None:
    seen_json: set[str] = set()
    seen_form: set[str] = set()
    for ops in schema.get("paths", {}).values():
        for op in ops.values():
            for param in op.get("parameters", []):
                _forbid_controls(param.get("schema"), NO_CONTROL, components, seen_form)
            for media, body in op.get("requestBody", {}).get("content", {}).items():
                strict = "json" not in media
                _forbid_controls(
                    body.get("schema"),
                    NO_CONTROL if strict else NO_CONTROL_TEXT,
                    components,
                    seen_form if strict else seen_json,
                )


def fix_schema(schema: dict[str, Any]) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.pop("ValidationError", None)
    components.update(SCHEMAS)
    _inputs_without_controls(schema, components)
    for path, ops in schema.get("paths", {}).items():
        for method, op in ops.items():
            responses = op.setdefault("responses", {})
            for code in _statuses(path, method, op):
                existing = responses.get(code)
                fixed = _response(code)
                if existing and existing.get("description") and code not in {"422"}:
                    fixed["description"] = existing["description"]
                responses[code] = fixed


def install(app: FastAPI) -> None:
    original: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            fix_schema(original())
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
