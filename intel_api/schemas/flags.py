from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from intel_api.db.models import FlagKind, FlagStatus, ReviewAction
from intel_api.schemas.common import PLATE_PATTERN, REASON_MIN, STRIP, ApiModel, InputModel, text_field
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
    sightings_withheld: int = Field(
        0, description="Linked sightings older than the caller's history window (officers: 90 days)"
    )
    reviews: list[ReviewOut]


class ConfirmIn(InputModel):
    reason: Annotated[str, text_field(REASON_MIN, 2000, "What the images showed"), STRIP]
    corrected_plate: str | None = Field(
        None,
        pattern=PLATE_PATTERN,
        description="The plate as read by the officer, when the machine misread it",
    )


class ReasonIn(InputModel):
    reason: Annotated[str, text_field(REASON_MIN, 2000, "Why (trimmed, at least 5 characters)"), STRIP]


class ReviewResult(BaseModel):
    flag: FlagOut
    letter: LetterOut | None = None
    letter_note: str | None = None
