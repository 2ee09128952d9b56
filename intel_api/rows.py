"""Fetching a row by the id in a URL: an id the column cannot hold is simply not found."""

from __future__ import annotations

from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from intel_api.db.base import Base
from intel_api.errors import not_found

M = TypeVar("M", bound=Base)

INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1


def id_fits(model: type[Base], ident: int) -> bool:
    """Whether `ident` is a positive value of the model's id column (BIGINT or INTEGER on PostgreSQL)."""
    column = sa.inspect(model).primary_key[0]
    top = INT64_MAX if isinstance(column.type, sa.BigInteger) else INT32_MAX
    return 1 <= ident <= top


def get_row(session: Session, model: type[M], ident: int) -> M | None:
    # Asking the database for 2**31 would be a driver error (PostgreSQL) or an overflow (SQLite).
    return session.get(model, ident) if id_fits(model, ident) else None


def get_or_404(session: Session, model: type[M], ident: int, what: str) -> M:
    row = get_row(session, model, ident)
    if row is None:
        raise not_found(what, ident)
    return row
