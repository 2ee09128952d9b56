from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from intel_api.db.models import ExclusionCategory, RepresentationOutcome
from intel_api.schemas.common import STRIP, ApiModel, InputModel, text_field


class RepresentationIn(InputModel):
    received_at: AwareDatetime = Field(description="When the reply or complaint arrived")
    from_whom: Annotated[str, text_field(2, 200, "Who made it (keeper, driver, solicitor...)"), STRIP]
    channel: Literal["letter", "email", "phone", "in_person", "online"]
    summary: Annotated[str, text_field(5, 10_000, "What is said, in summary"), STRIP]


class ExclusionIn(InputModel):
    category: ExclusionCategory
    justification: Annotated[str, text_field(10, 500, "Why the vehicle is excluded"), STRIP]
    owner: Annotated[str, text_field(2, 100, "Who answers for the entry at review"), STRIP]
    expires_at: AwareDatetime


class DecideIn(InputModel):
    outcome: Literal[RepresentationOutcome.UPHELD, RepresentationOutcome.NOT_UPHELD]
    reason: Annotated[str, text_field(10, 4000, "Why (trimmed)"), STRIP]
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
