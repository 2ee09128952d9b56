"""Keyset paging of the sightings search: every row once, in order, across pages with tied times."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from api_fixtures import REASON, World, add_sighting, make_world, night
from sqlalchemy.orm import Session, sessionmaker

from intel_api.services import sightings as svc


@pytest.fixture
def world(db_url: str, session_factory: sessionmaker[Session], tmp_path: Path) -> Iterator[World]:
    yield from make_world(db_url, session_factory, tmp_path)


def _seed_ties(world: World, n: int = 23) -> list[tuple[Any, int]]:
    """n sightings sharing four timestamps (ties the cursor must break by id); (first_seen, id) each."""
    base = night(3, 21)
    out = []
    with world.sessions() as s:
        for i in range(n):
            when = base + timedelta(minutes=i % 4)
            row = add_sighting(s, world.evidence_dir, f"cam1:ks:{i}", f"KS{i:02d}ABC", when, with_files=False)
            out.append((row.first_seen, row.id))
        s.commit()
    return out


def _walk(world: World, page_size: int, between: Any = None) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"reason": REASON, "plate": "KS*", "page_size": page_size}
    for _ in range(50):
        r = world.client.get("/sightings", params=params, headers=world.as_("officer"))
        assert r.status_code == 200, r.text
        body = r.json()
        items += body["items"]
        if body["next_cursor"] is None:
            return items
        assert len(body["items"]) == page_size
        params["cursor"] = body["next_cursor"]
        if between is not None:
            between()
    raise AssertionError("the cursor never reached the last page")


@pytest.mark.parametrize("page_size", [1, 4, 5, 23])
def test_cursor_pages_have_no_gaps_or_duplicates(world: World, page_size: int) -> None:
    seeded = _seed_ties(world)
    items = _walk(world, page_size)
    ids = [i["id"] for i in items]
    assert len(ids) == len(set(ids)) == len(seeded)
    expected = [row_id for _, row_id in sorted(seeded, key=lambda k: (k[0], k[1]), reverse=True)]
    assert ids == expected


def test_new_sightings_do_not_shift_the_pages(world: World) -> None:
    seeded = _seed_ties(world, 12)
    counter = iter(range(100))

    def arrive() -> None:  # a newer pass lands between page requests
        with world.sessions() as s:
            k = next(counter)
            add_sighting(
                s, world.evidence_dir, f"cam1:new:{k}", f"KS9{k:02d}NW", night(0, 23), with_files=False
            )
            s.commit()

    ids = [i["id"] for i in _walk(world, 5, between=arrive)]
    assert ids == [row_id for _, row_id in sorted(seeded, key=lambda k: (k[0], k[1]), reverse=True)]


def test_total_is_capped_and_says_so(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    _seed_ties(world, 9)
    params = {"reason": REASON, "plate": "KS*", "page_size": 2}
    exact = world.client.get("/sightings", params=params, headers=world.as_("officer")).json()
    assert exact["total"] == 9 and exact["total_capped"] is False
    monkeypatch.setattr(svc, "TOTAL_CAP", 5)
    capped = world.client.get("/sightings", params=params, headers=world.as_("officer")).json()
    assert capped["total"] == 5 and capped["total_capped"] is True
    assert len(_walk(world, 2)) == 9  # the cap bounds the count, never the rows a client can page to


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        _b64("k1.abc.5"),
        _b64("k2.1700000000000000.5"),
        _b64("k1.1700000000000000.0"),
        _b64("k1.1700000000000000"),
        _b64("k1.99999999999999999999.5"),
        "a$b",
        "x" * 101,
    ],
)
def test_bad_cursor_is_422_naming_the_field(world: World, cursor: str) -> None:
    r = world.client.get(
        "/sightings", params={"reason": REASON, "cursor": cursor}, headers=world.as_("officer")
    )
    assert r.status_code == 422, r.text
    assert "cursor" in r.json()["detail"]
