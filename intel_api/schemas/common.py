"""Shapes shared by several resources: pages of results and the reason every search must carry."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, ConfigDict

T = TypeVar("T")

REASON_MIN = 5

ReasonQuery = Annotated[
    str,
    Query(
        min_length=REASON_MIN,
        max_length=500,
        description="Why you need this data (audited), e.g. an incident or operation reference",
    ),
]
PageQuery = Annotated[int, Query(ge=1, le=100_000, description="1-based page number")]
PageSizeQuery = Annotated[int, Query(ge=1, le=500, description="Items per page")]
PLATE_PATTERN = r"^[A-Za-z0-9 ]{1,16}$"


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int


class ApiModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ErrorOut(BaseModel):
    detail: str
