"""Shared fixtures: where the shared data lives, and migrated databases on both backends.

Every test that asks for `engine` (or `db_url`) runs twice: once on SQLite, once on a real
PostgreSQL. PostgreSQL being unreachable is a failure, not a skip: production runs on it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PLATEWATCH_SHARED_DIR", REPO.parent / "shared"))
os.environ.setdefault("PLATEWATCH_MODEL_DIR", str(SHARED / "models"))
# Ultralytics writes settings on first import; keep it inside the test run, and offline.
os.environ.setdefault("YOLO_CONFIG_DIR", str(REPO / ".pytest_cache" / "ultralytics"))
os.environ.setdefault("YOLO_OFFLINE", "1")

PG_ADMIN_URL = os.environ.get(
    "PLATEWATCH_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared data folder not found at {SHARED} (set PLATEWATCH_SHARED_DIR)")
    return SHARED


@pytest.fixture(scope="session")
def uk_dev_dir(shared_dir: Path) -> Path:
    return shared_dir / "data" / "uk_dev"


@pytest.fixture(scope="session")
def openalpr_dir(shared_dir: Path) -> Path:
    return shared_dir / "data" / "openalpr_eu"


@pytest.fixture(scope="session")
def uk_videos(uk_dev_dir: Path) -> list[Path]:
    return sorted((uk_dev_dir / "videos").glob("*.mp4"))


def _create_pg_database() -> tuple[str, str]:
    name = f"platewatch_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as e:
        pytest.fail(
            f"PostgreSQL is required for the database tests and is not reachable at {PG_ADMIN_URL}: {e}"
        )
    finally:
        admin.dispose()
    return name, PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def _drop_pg_database(name: str) -> None:
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A freshly migrated database (schema at head) for the whole session, per backend."""
    from intel_api.db.migrate import upgrade

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'platewatch.db'}"
        upgrade(url)
        yield url
        return
    name, url = _create_pg_database()
    try:
        upgrade(url)
        yield url
    finally:
        _drop_pg_database(name)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on a migrated database whose tables are emptied before each test."""
    from intel_api.db.base import Base
    from intel_api.db.session import make_engine

    eng = make_engine(db_url)
    with eng.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    yield eng
    eng.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    from intel_api.db.session import make_session_factory

    return make_session_factory(engine)


@pytest.fixture
def db_session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as s:
        yield s
