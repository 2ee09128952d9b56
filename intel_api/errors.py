"""Errors a request can end in, mapped to HTTP in one place (`intel_api.main`).

Routes and services raise these (or the services' own domain errors, which `main` maps too);
nothing below the routers builds an HTTP response, and no route commits: the request's unit of
work (`intel_api.deps.get_session`) commits once when the route returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from intel_api.auth import Principal


@dataclass(eq=False)
class ApiError(Exception):
    """A refusal the caller should see: status, one clear message, optional headers."""

    status: int
    detail: str
    headers: dict[str, str] = field(default_factory=dict)
    # For 422s: one entry per bad field, the same shape request validation gives.
    errors: list[dict[str, str]] | None = None

    def __str__(self) -> str:
        return f"{self.status}: {self.detail}"


def not_found(what: str, ident: object) -> ApiError:
    from intel_api import messages

    return ApiError(404, messages.NOT_FOUND.format(what=what, id=ident))


def invalid(*problems: tuple[str, str]) -> ApiError:
    """A 422 naming each (field, message), e.g. ("sightings.0.first_seen (body)", "too far ahead")."""
    from intel_api import messages

    errors = [{"field": f, "message": m, "type": "value_error"} for f, m in problems]
    summary = "; ".join(f"{f}: {m}" for f, m in problems)
    return ApiError(422, messages.VALIDATION_FAILED.format(fields=summary), errors=errors)


@dataclass(eq=False)
class Denied(ApiError):
    """A 403 for an authenticated caller: audited (in its own transaction) before it is answered."""

    principal: Principal | None = None
    target_type: str = "request"
    target_id: str | None = None


def denied(
    principal: Principal, detail: str, target_type: str = "request", target_id: object = None
) -> Denied:
    return Denied(
        403,
        detail,
        principal=principal,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
    )
