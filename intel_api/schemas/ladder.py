from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from intel_api.db.models import LadderStatus, StepStatus
from intel_api.schemas.common import REASON_MIN, STRIP, InputModel, text_field


class StepOut(BaseModel):
    id: int
    stage: int
    stage_key: str
    stage_name: str
    action: str
    status: StepStatus
    flag_id: int | None
    letter_id: int | None
    template_version: str | None
    drafted_reason: str
    reviewed_by: str | None = Field(description="The officer whose confirmation of the evidence led here")
    review_reason: str | None
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    pack_available: bool
    created_at: datetime


class StageOut(BaseModel):
    number: int
    key: str
    name: str
    action: str
    return_within_days: int | None


class LadderOut(BaseModel):
    plate: str
    case_id: int | None
    status: LadderStatus | None
    current_stage: int
    current_stage_name: str | None
    next_step: str
    stages: list[StageOut]
    history: list[StepOut] = Field(description="Steps of this and earlier cases, oldest first")


class DecisionIn(InputModel):
    rationale: Annotated[str, text_field(10, 4000, "Why (recorded; trimmed)"), STRIP]


class RejectIn(InputModel):
    reason: Annotated[str, text_field(REASON_MIN, 2000, "Why the step is rejected (trimmed)"), STRIP]


class SkipIn(InputModel):
    to_stage: int = Field(
        ge=2, le=100, description="The stage to draft; the stages before it are recorded as skipped"
    )
    reason: Annotated[str, text_field(10, 2000, "The supervisor's reason for the skip (trimmed)"), STRIP]


class StepResult(BaseModel):
    step: StepOut | None
    note: str
