"""Shapes shared by several resources: pages of results and the reason every search must carry."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.fields import FieldInfo

T = TypeVar("T")

REASON_MIN = 5
# Times a query may name: anything outside cannot be a stored sighting, and year-1 offsets overflow.
QUERY_TIME_MIN = datetime(1970, 1, 1, tzinfo=UTC)
QUERY_TIME_MAX = datetime(2200, 1, 1, tzinfo=UTC)
_NUMBER = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*")


# Characters the request guard lets through (intel_api.boundary): in a query nothing below U+0020,
# in a JSON body also tab, newline and carriage return.
_QUERY_CHAR = r"[^\x00-\x1f\x7f]"
_TEXT_CHAR = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
_VISIBLE = r"[^\s\x00-\x1f\x7f]"


def trimmed_pattern(min_length: int, multiline: bool = True) -> str:
    """The pattern of text whose trimmed form has at least `min_length` characters, no control ones.

    Published in the schema so that what the schema allows is what the server takes.
    """
    char = _TEXT_CHAR if multiline else _QUERY_CHAR
    if min_length <= 1:
        return f"^{char}*{_VISIBLE}{char}*$"
    return f"^{char}*{_VISIBLE}{char}{{{min_length - 2},}}{_VISIBLE}{char}*$"


def _strip(value: str) -> str:
    return value.strip()


STRIP = AfterValidator(_strip)


def text_field(min_length: int, max_length: int, description: str = "") -> FieldInfo:
    """A free-text body field: trimmed, and it must say something (`min_length` after trimming)."""
    field: FieldInfo = Field(
        min_length=min_length,
        max_length=max_length,
        pattern=trimmed_pattern(min_length),
        description=description or None,
    )
    return field


def _not_a_number(value: Any) -> Any:
    # Pydantic reads '0.5' as a Unix time; a person asking for a time range never means that.
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError("expected an ISO-8601 date-time with a timezone, e.g. 2024-05-01T22:00:00Z")
    return value


def _in_query_range(value: datetime) -> datetime:
    """Clamped into 1970..2200: nothing is stored outside, and year-1 offsets would overflow later."""
    if value.year < QUERY_TIME_MIN.year + 1:
        return QUERY_TIME_MIN
    if value.year >= QUERY_TIME_MAX.year - 1:
        return QUERY_TIME_MAX
    return value.astimezone(UTC)


Since = Annotated[
    AwareDatetime | None,
    BeforeValidator(_not_a_number),
    AfterValidator(lambda v: None if v is None else _in_query_range(v)),
]

REASON_MAX = 500
REASON_DESCRIPTION = "Why you need this data (audited), e.g. an incident or operation reference"
ReasonQuery = Annotated[
    str,
    Query(
        min_length=REASON_MIN,
        max_length=REASON_MAX,
        pattern=trimmed_pattern(REASON_MIN, multiline=False),
        description=REASON_DESCRIPTION + "; trimmed, at least 5 characters",
    ),
    STRIP,
]
# The same rule outside a route signature (intel_api.visits_lean validates a query string itself).
ReasonText = Annotated[
    str,
    Field(min_length=REASON_MIN, max_length=REASON_MAX, pattern=trimmed_pattern(REASON_MIN, multiline=False)),
    STRIP,
]
OptionalReasonQuery = Annotated[
    str | None,
    Query(
        min_length=REASON_MIN,
        max_length=REASON_MAX,
        pattern=trimmed_pattern(REASON_MIN, multiline=False),
        description=REASON_DESCRIPTION + " (defaults to 'evidence review')",
    ),
    AfterValidator(lambda v: None if v is None else v.strip()),
]
PageQuery = Annotated[int, Query(ge=1, le=100_000, description="1-based page number")]
PageSizeQuery = Annotated[int, Query(ge=1, le=500, description="Items per page")]
PLATE_PATTERN = r"^[A-Za-z0-9 ]{1,16}$"


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int


class InputModel(BaseModel):
    """A request body: unknown fields are refused, so a typo is a 422 rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")


class ApiModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ErrorOut(BaseModel):
    detail: str
