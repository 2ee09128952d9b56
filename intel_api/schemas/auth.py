from __future__ import annotations

from intel_api.db.models import Role
from intel_api.schemas.common import ApiModel


class TokenOut(ApiModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    role: Role


class MeOut(ApiModel):
    name: str
    kind: str
    role: Role | None = None
    scope: str | None = None
