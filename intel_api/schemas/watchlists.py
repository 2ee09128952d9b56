from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, Field

from intel_api.db.models import ExclusionCategory
from intel_api.schemas.common import PLATE_PATTERN, REASON_MIN, STRIP, ApiModel, InputModel, text_field


class HotlistIn(InputModel):
    plate_text: str = Field(pattern=PLATE_PATTERN)
    reason: Annotated[str, text_field(REASON_MIN, 500, "Why the vehicle is listed"), STRIP]
    owner: Annotated[str, text_field(2, 100, "Who answers for this entry"), STRIP]
    expires_at: AwareDatetime = Field(description="Review/expiry date; must be in the future")


class HotlistOut(ApiModel):
    id: int
    plate_text: str
    reason: str
    owner: str
    expires_at: datetime
    created_by: str
    created_at: datetime
    active: bool


class ExclusionIn(HotlistIn):
    category: ExclusionCategory


class ExclusionOut(HotlistOut):
    category: ExclusionCategory


class DeactivateIn(InputModel):
    reason: Annotated[str, text_field(REASON_MIN, 500, "Why the entry ends"), STRIP]
