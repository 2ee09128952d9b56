from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from intel_api.db.models import LadderStatus, StepStatus
from intel_api.schemas.common import REASON_MIN


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


class DecisionIn(BaseModel):
    rationale: str = Field(min_length=10, max_length=4000, description="Why (recorded)")


class RejectIn(BaseModel):
    reason: str = Field(min_length=REASON_MIN, max_length=2000)


class SkipIn(BaseModel):
    to_stage: int = Field(
        ge=2, description="The stage to draft; the stages before it are recorded as skipped"
    )
    reason: str = Field(min_length=10, max_length=2000, description="The supervisor's reason for the skip")


class StepResult(BaseModel):
    step: StepOut | None
    note: str
