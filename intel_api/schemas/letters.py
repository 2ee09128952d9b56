from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from intel_api.db.models import LetterStatus
from intel_api.schemas.common import ApiModel


class LetterOut(ApiModel):
    id: int
    flag_id: int | None
    plate_text: str
    status: LetterStatus
    template_version: str
    keeper_name: str | None = Field(None, description="Supervisors and the letters service only")
    keeper_address: str | None = Field(None, description="Supervisors and the letters service only")
    keeper_lookup_source: str | None
    approved_by: int | None
    approved_at: datetime | None
    approval_rationale: str | None
    cancelled_reason: str | None
    keeper_response: str | None
    pdf_available: bool = False
    created_at: datetime
    updated_at: datetime


class ApproveIn(BaseModel):
    rationale: str = Field(
        min_length=10, max_length=4000, description="Why the evidence justifies this letter (recorded)"
    )


class CancelIn(BaseModel):
    reason: str = Field(min_length=5, max_length=2000)


class ResponseIn(BaseModel):
    response: str = Field(min_length=1, max_length=10_000, description="What the keeper said, in summary")
