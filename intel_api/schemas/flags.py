from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from intel_api.db.models import FlagKind, FlagStatus, ReviewAction
from intel_api.schemas.common import PLATE_PATTERN, REASON_MIN, ApiModel
from intel_api.schemas.letters import LetterOut
from intel_api.schemas.sightings import SightingOut


class FlagOut(ApiModel):
    id: int
    kind: FlagKind
    status: FlagStatus
    plate_text: str
    explanation: str
    matched_by: str | None
    created_at: datetime
    updated_at: datetime


class ReviewOut(ApiModel):
    id: int
    user_id: int
    action: ReviewAction
    reason: str
    corrected_plate: str | None
    created_at: datetime


class FlagDetail(FlagOut):
    details: dict[str, Any]
    sightings: list[SightingOut]
    reviews: list[ReviewOut]


class ConfirmIn(BaseModel):
    reason: str = Field(min_length=REASON_MIN, max_length=2000, description="What the images showed")
    corrected_plate: str | None = Field(
        None,
        pattern=PLATE_PATTERN,
        description="The plate as read by the officer, when the machine misread it",
    )


class ReasonIn(BaseModel):
    reason: str = Field(min_length=REASON_MIN, max_length=2000)


class ReviewResult(BaseModel):
    flag: FlagOut
    letter: LetterOut | None = None
    letter_note: str | None = None
