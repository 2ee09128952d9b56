from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter
from pydantic import BaseModel

from intel_api.deps import SessionDep

router = APIRouter(tags=["health"])


class HealthOut(BaseModel):
    status: str
    database: str


@router.get("/health", summary="Liveness and database check (no authentication)", response_model=HealthOut)
def health(session: SessionDep) -> HealthOut:
    # A database outage surfaces as OperationalError, which the app turns into a JSON 503.
    session.execute(sa.text("SELECT 1"))
    return HealthOut(status="ok", database="ok")
