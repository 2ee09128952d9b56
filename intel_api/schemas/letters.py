from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from intel_api.db.models import LetterStatus
from intel_api.schemas.common import STRIP, ApiModel, InputModel, text_field


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


class ApproveIn(InputModel):
    rationale: Annotated[
        str, text_field(10, 4000, "Why the evidence justifies this letter (recorded)"), STRIP
    ]


class CancelIn(InputModel):
    reason: Annotated[str, text_field(5, 2000, "Why the letter is cancelled"), STRIP]


class ResponseIn(InputModel):
    response: Annotated[str, text_field(1, 10_000, "What the keeper said, in summary"), STRIP]
