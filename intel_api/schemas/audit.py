from __future__ import annotations

from datetime import datetime
from typing import Any

from intel_api.schemas.common import ApiModel


class AuditOut(ApiModel):
    id: int
    at: datetime
    actor: str
    actor_kind: str
    action: str
    target_type: str
    target_id: str | None
    reason: str | None
    details: dict[str, Any]
