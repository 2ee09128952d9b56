from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, Field

from intel_api.db.models import ExclusionCategory
from intel_api.schemas.common import PLATE_PATTERN, REASON_MIN, ApiModel


class HotlistIn(BaseModel):
    plate_text: str = Field(pattern=PLATE_PATTERN)
    reason: str = Field(min_length=REASON_MIN, max_length=500)
    owner: str = Field(min_length=2, max_length=100, description="Who answers for this entry")
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


class DeactivateIn(BaseModel):
    reason: str = Field(min_length=REASON_MIN, max_length=500)
