from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from intel_api.db.models import ExclusionCategory, RepresentationOutcome
from intel_api.schemas.common import ApiModel


class RepresentationIn(BaseModel):
    received_at: AwareDatetime = Field(description="When the reply or complaint arrived")
    from_whom: str = Field(
        min_length=2, max_length=200, description="Who made it (keeper, driver, solicitor...)"
    )
    channel: Literal["letter", "email", "phone", "in_person", "online"]
    summary: str = Field(min_length=5, max_length=10_000, description="What is said, in summary")


class ExclusionIn(BaseModel):
    category: ExclusionCategory
    justification: str = Field(min_length=10, max_length=500)
    owner: str = Field(min_length=2, max_length=100, description="Who answers for the entry at review")
    expires_at: AwareDatetime


class DecideIn(BaseModel):
    outcome: Literal[RepresentationOutcome.UPHELD, RepresentationOutcome.NOT_UPHELD]
    reason: str = Field(min_length=10, max_length=4000)
    exclusion: ExclusionIn | None = Field(None, description="Only with an upheld outcome")


class RepresentationOut(ApiModel):
    id: int
    letter_id: int
    received_at: datetime
    from_whom: str
    channel: str
    summary: str
    outcome: RepresentationOutcome
    outcome_reason: str | None
    decided_by: str | None
    decided_at: datetime | None
    exclusion_id: int | None
    recorded_by: str
    created_at: datetime
