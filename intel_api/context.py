"""Everything a request needs that outlives it, built once by `create_app` (no import-time globals)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from intel_api.auth import PasswordHashing
from intel_api.services.keeper import KeeperLookup
from intel_api.services.login_throttle import ThrottlePolicy
from intel_api.settings import ApiSettings
from platewatch.config import SiteConfig


@dataclass(frozen=True, slots=True)
class AppContext:
    settings: ApiSettings
    site: SiteConfig
    engine: Engine
    sessions: sessionmaker[Session]
    hashing: PasswordHashing
    keeper: KeeperLookup
    signing_key: str
    throttle: ThrottlePolicy = ThrottlePolicy()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.site.site.timezone)

    @property
    def evidence_dir(self) -> Path:
        return self.site.storage.evidence_path()

    @property
    def letters_dir(self) -> Path:
        return self.site.storage.data_dir / "letters"
