"""Builders for the API tests: a site config, settings, and a seeded world with real evidence files."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy.orm import Session, sessionmaker

from intel_api.auth import PasswordHashing, create_api_key, create_user, issue_token
from intel_api.db import models as m
from intel_api.main import create_app
from intel_api.settings import ApiSettings
from platewatch.config import SiteConfig, parse_config

TEST_SECRET = "k7Qz-test-signing-key-1b9fXw3pL0aM5vR8nT2yC6"
PASSWORD = "correct horse battery staple"
REASON = "Operation Nightjar ref 24/1234"
# Tiny JPEG-ish payloads are enough: the API serves bytes, it never decodes images.
PLATE_BYTES = b"\xff\xd8\xff\xe0plate-patch\xff\xd9"
VEHICLE_BYTES = b"\xff\xd8\xff\xe0overview\xff\xd9"


def site_config(tmp_path: Path, **overrides: Any) -> SiteConfig:
    data: dict[str, Any] = {
        "site": {"name": "Test Street", "timezone": "Europe/London"},
        "storage": {"data_dir": str(tmp_path / "var"), "evidence_dir": str(tmp_path / "evidence")},
        "cameras": [
            {"id": "cam1", "source": "rtsp://example/1"},
            {"id": "cam2", "source": "rtsp://example/2"},
        ],
        "letters": {"min_qualifying_passes": 2, "distinct_occasions": True, "window_days": 90},
    }
    data.update(overrides)
    return parse_config(data)


def settings_for(db_url: str, **overrides: Any) -> ApiSettings:
    values: dict[str, Any] = {
        "database_url": db_url,
        "secret_key": SecretStr(TEST_SECRET),
        "password_time_cost": 1,
        "password_memory_kib": 64,
    }
    values.update(overrides)
    return ApiSettings(**values)


def night(days_ago: int, hour: int = 23, minute: int = 10) -> datetime:
    """A UTC time `days_ago` evenings back at hour:minute UTC."""
    base = datetime.now(UTC).replace(hour=hour, minute=minute, second=0, microsecond=0)
    return base - timedelta(days=days_ago)


@dataclass
class World:
    client: TestClient
    sessions: sessionmaker[Session]
    site: SiteConfig
    evidence_dir: Path
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)

    def as_(self, who: str) -> dict[str, str]:
        return self.headers[who]


def add_sighting(
    s: Session,
    evidence_dir: Path,
    key: str,
    plate: str | None,
    when: datetime,
    camera: str = "cam1",
    speed: float | None = 8.0,
    with_files: bool = True,
) -> m.Sighting:
    if s.get(m.Camera, camera) is None:
        s.add(m.Camera(id=camera, name=camera))
        s.flush()
    row = m.Sighting(
        track_key=key,
        camera_id=camera,
        first_seen=when,
        last_seen=when + timedelta(seconds=12),
        vehicle_class="car",
        plate_raw=plate,
        plate_text=plate,
        plate_confidence=0.93 if plate else None,
        plate_valid=plate is not None,
        speed_kmh=speed,
        frames_seen=20,
    )
    if with_files:
        evidence_dir.mkdir(parents=True, exist_ok=True)
        safe = key.replace(":", "_")
        (evidence_dir / f"{safe}_plate.jpg").write_bytes(PLATE_BYTES)
        (evidence_dir / f"{safe}_vehicle.jpg").write_bytes(VEHICLE_BYTES)
        row.plate_image_path = f"{safe}_plate.jpg"
        row.vehicle_image_path = f"{safe}_vehicle.jpg"
    s.add(row)
    s.flush()
    return row


def add_flag(
    s: Session,
    plate: str,
    sightings: list[m.Sighting],
    kind: m.FlagKind = m.FlagKind.FREQUENT,
    dedupe: str = "",
) -> m.Flag:
    flag = m.Flag(
        kind=kind,
        plate_text=plate,
        dedupe_key=f"{kind.value}:{plate}:{sightings[0].id}:{dedupe}",
        explanation=f"{plate} seen on {len(sightings)} nights",
        details={},
        sightings=sightings,
    )
    s.add(flag)
    s.flush()
    return flag


def add_letter(
    s: Session, plate: str, status: m.LetterStatus, flag: m.Flag | None = None, **kw: Any
) -> m.Letter:
    letter = m.Letter(
        flag_id=flag.id if flag else None,
        plate_text=plate,
        status=status,
        policy_window_start=datetime.now(UTC) - timedelta(days=90),
        template_version="v1",
        keeper_name="A. Keeper",
        keeper_address="1 High Street\nTesttown\nTT1 1TT",
        keeper_lookup_source="file:test",
        **kw,
    )
    s.add(letter)
    s.flush()
    return letter


def empty_database(db_url: str) -> None:
    """What the conftest `engine` fixture does per test, for fixtures shared by a whole module."""
    from intel_api.db.base import Base
    from intel_api.db.session import make_engine

    eng = make_engine(db_url)
    with eng.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    eng.dispose()


def api_routes(client: TestClient) -> set[tuple[str, str]]:
    """Every (METHOD, path) the app serves, from its OpenAPI document."""
    paths = client.get("/openapi.json").json()["paths"]
    return {(method.upper(), path) for path, ops in paths.items() for method in ops}


def make_world(
    db_url: str, sessions: sessionmaker[Session], tmp_path: Path, **settings: Any
) -> Generator[World, None, None]:
    site = site_config(tmp_path)
    evidence = site.storage.evidence_path()
    cfg = settings_for(db_url, **settings)
    hashing = PasswordHashing(cfg.password_time_cost, cfg.password_memory_kib)
    world_ids: dict[str, int] = {}
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    with sessions() as s:
        for role in m.Role:
            user = create_user(s, hashing, role.value, PASSWORD, role)
            headers[role.value] = {"Authorization": f"Bearer {issue_token(user, cfg.signing_key(), 30)}"}
        for scope in m.ApiKeyScope:
            _, secret = create_api_key(s, f"{scope.value}-worker", scope)
            headers[scope.value] = {"X-API-Key": secret}
        s1 = add_sighting(s, evidence, "cam1:0:1", "AB12CDE", night(3))
        s2 = add_sighting(s, evidence, "cam1:0:2", "AB12CDE", night(2))
        s3 = add_sighting(s, evidence, "cam2:0:3", "XY70ZZZ", night(1), camera="cam2")
        f1 = add_flag(s, "AB12CDE", [s1, s2])
        f2 = add_flag(s, "XY70ZZZ", [s3], kind=m.FlagKind.SLOW)
        awaiting = add_letter(s, "LM55NOP", m.LetterStatus.AWAITING_APPROVAL)
        approved = add_letter(s, "CD34EFG", m.LetterStatus.APPROVED)
        sent = add_letter(s, "GH56IJK", m.LetterStatus.SENT)
        pdf = site.storage.data_dir / "letters" / "approved.pdf"
        pdf.parent.mkdir(parents=True, exist_ok=True)
        pdf.write_bytes(b"%PDF-1.3\n% test letter\n%%EOF\n")
        approved.pdf_path = str(pdf)
        hot = m.HotlistEntry(
            plate_text="QR12STU",
            reason="stolen",
            owner="PC 123",
            expires_at=night(-30),
            created_by="supervisor",
        )
        exc = m.Exclusion(
            plate_text="RS34TUV",
            category=m.ExclusionCategory.RESIDENT,
            reason="lives at no. 4",
            owner="PCSO 9",
            expires_at=night(-30),
            created_by="supervisor",
        )
        s.add_all([hot, exc])
        s.commit()
        world_ids.update(
            s1=s1.id,
            s2=s2.id,
            s3=s3.id,
            f1=f1.id,
            f2=f2.id,
            awaiting=awaiting.id,
            approved=approved.id,
            sent=sent.id,
            hotlist=hot.id,
            exclusion=exc.id,
        )
    app = create_app(cfg, site)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield World(client, sessions, site, evidence, headers, world_ids)
