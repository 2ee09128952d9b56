"""The whole API fuzzed from its own OpenAPI document (schemathesis, every check), as an admin and
anonymously, on SQLite and PostgreSQL: no server error, and no answer the published schema does not
allow. Bounded (`FUZZ_EXAMPLES` per operation) so that it runs in CI in a few minutes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from api_fixtures import World, make_world
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy.orm import Session, sessionmaker

FUZZ_EXAMPLES = int(os.environ.get("PLATEWATCH_FUZZ_EXAMPLES", "25"))
# Rules JSON Schema cannot state, so a schema-valid request may still be refused (422) here: an
# expiry must lie in the future, an ingested time within the window around now and its camera in
# the site config, `until` after `since`, a report's `end` after its `start` and at most 62 days on.
# Every other check still runs on these operations.
SEMANTIC_422 = {
    "POST /hotlist",
    "POST /exclusions",
    "POST /ingest/sightings",
    "GET /sightings",
    "GET /vehicles/{plate}/visits",
    "GET /audit",
    "GET /reports/partnership",
    "GET /reports/partnership.pdf",
}


@pytest.fixture
def fuzz_world(db_url: str, session_factory: sessionmaker[Session], tmp_path: Path) -> Iterator[World]:
    yield from make_world(db_url, session_factory, tmp_path)


FUZZ_SETTINGS = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,  # the same cases every run: a CI failure reproduces locally
    database=None,
    print_blob=False,
)


def fuzz_every_operation(world: World, caller: str) -> list[str]:
    """Every operation's generated cases against the app; one line per operation that broke a check."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", world.client.app)
    broken: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        excluded = [positive_data_acceptance] if operation.label in SEMANTIC_422 else None

        @FUZZ_SETTINGS
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            case.call_and_validate(headers=world.as_(caller), excluded_checks=excluded)  # noqa: B023

        try:
            check()
        except (Exception, BaseExceptionGroup) as e:  # every failure is reported, not just the first
            broken.append(f"{operation.label}: {str(e).strip()[:1500]}")
    return broken


@pytest.mark.slow
@pytest.mark.parametrize("caller", ["admin", "anonymous"])
def test_api_keeps_its_contract(fuzz_world: World, caller: str) -> None:
    broken = fuzz_every_operation(fuzz_world, caller)
    assert not broken, "\n\n".join(broken)
