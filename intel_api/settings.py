"""Settings for the officers' API: environment for secrets, the site YAML for everything else.

The JWT signing key never lives in the YAML. Without a strong `PLATEWATCH_SECRET_KEY` the service
refuses to start, unless `PLATEWATCH_DEV_MODE=1` asks for a throwaway key (tokens then die with
the process), so a forgotten key can never silently fall back to a guessable default.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MIN_SECRET_LENGTH = 32
# Values people paste from tutorials; a key made of one of these is as good as none.
_WEAK_WORDS = ("changeme", "change-me", "changethis", "secret", "password", "platewatch")


def is_weak_secret(value: str) -> bool:
    lowered = value.lower()
    return len(value) < MIN_SECRET_LENGTH or len(set(value)) < 10 or any(w in lowered for w in _WEAK_WORDS)


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PLATEWATCH_", extra="ignore", frozen=True)

    config: Path = Field(Path("configs/demo.yaml"), description="Site configuration YAML")
    database_url: str | None = Field(None, description="Overrides the site config's database")
    secret_key: SecretStr | None = Field(None, description="JWT signing key, at least 32 random characters")
    dev_mode: bool = Field(False, description="Allow a missing/weak secret key (never in production)")

    keeper_source: Literal["none", "file", "http"] = Field(
        "none", description="Where keeper names/addresses come from"
    )
    keeper_file: Path | None = Field(None, description="CSV or JSON file of plate -> keeper (file source)")
    keeper_url: str | None = Field(None, description="Base URL of the force's vehicle-keeper service")
    keeper_token: SecretStr | None = Field(None, description="Bearer token for the keeper service")
    keeper_timeout_s: float = Field(5.0, gt=0, le=60)

    # Argon2id cost; the defaults follow the argon2-cffi recommendation, tests lower them.
    password_time_cost: int = Field(3, ge=1, le=20)
    password_memory_kib: int = Field(65536, ge=64)

    # Sign-in throttling (docs/api.md, "Sign-in protection"); tests lower nothing here but the clock.
    login_delay_after: int = Field(3, ge=1, le=10_000, description="Failures before each attempt must wait")
    login_max_failures: int = Field(5, ge=1, le=1000, description="Failures that lock an account")
    login_address_max_failures: int = Field(20, ge=1, le=10000, description="Failures that lock an address")
    login_lockout_minutes: int = Field(15, ge=1, le=24 * 60)
    # The visit history in one SQL statement on PostgreSQL (intel_api.visits_lean); off: the route alone.
    visits_lean: bool = Field(True, description="Answer ordinary visit histories in one statement")
    # Browser sessions end after this long without a request.
    web_idle_minutes: int = Field(30, ge=1, le=24 * 60)

    @model_validator(mode="after")
    def _strong_secret(self) -> ApiSettings:
        key = self.secret_key.get_secret_value() if self.secret_key else ""
        if not self.dev_mode and is_weak_secret(key):
            raise ValueError(
                "PLATEWATCH_SECRET_KEY is missing or weak: set at least "
                f"{MIN_SECRET_LENGTH} random characters (e.g. `python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'`), or PLATEWATCH_DEV_MODE=1 for a throwaway key"
            )
        if self.keeper_source == "file" and self.keeper_file is None:
            raise ValueError("keeper_source=file needs PLATEWATCH_KEEPER_FILE")
        if self.keeper_source == "http" and not self.keeper_url:
            raise ValueError("keeper_source=http needs PLATEWATCH_KEEPER_URL")
        return self

    def signing_key(self) -> str:
        """The key tokens are signed with; a per-process random key in dev mode without one."""
        if self.secret_key and not is_weak_secret(self.secret_key.get_secret_value()):
            return self.secret_key.get_secret_value()
        return _throwaway_key()


@lru_cache(maxsize=1)
def _throwaway_key() -> str:
    return secrets.token_urlsafe(48)


@lru_cache(maxsize=1)
def get_settings() -> ApiSettings:
    return ApiSettings()
