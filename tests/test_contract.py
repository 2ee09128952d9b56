"""One sighting contract: the record, its JSON, the ingest body, the ORM row and the rules' facts agree.

Every test round-trips a sighting with every field set (plate with box, reader and format, candidates,
zone dwell, evidence paths, extra annotations) and asserts equality with the original, so a field
dropped anywhere on the way fails here.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from detect.contract import SCHEMA_VERSION, PlateReadV1, SightingV1
from detect.records import PlateRead, Sighting, VehicleClass, ZoneDwell, track_key
from intel_api.db import models as m
from intel_api.rules.facts import SightingFacts
from intel_api.schemas.ingest import IngestIn
from intel_api.store import record_from_row, sighting_from_dict, sighting_to_dict, store_sightings

T0 = datetime(2025, 3, 4, 21, 30, 5, 250000, tzinfo=UTC)


def full_sighting(n: int = 1, camera: str = "cam_a") -> Sighting:
    """A sighting with every optional field set to a value unlike its default."""
    start = T0 + timedelta(minutes=n)
    reads = tuple(
        PlateRead(
            "AB12CDE" if i else "A812CDE",
            "AB12CDE",
            0.61 + i / 10,
            start + timedelta(seconds=i, milliseconds=125),
            (10.5 + i, 20.25, 130.0, 52.0),
            "platewatch" if i % 2 else "paddle",
            bool(i),
            "gb_current" if i else None,
        )
        for i in range(3)
    )
    consensus = PlateRead(
        "AB12CDE",
        "AB12CDE",
        0.93,
        start + timedelta(seconds=2),
        (11.0, 21.0, 131.0, 53.0),
        "vote",
        True,
        "gb_current",
    )
    return Sighting(
        camera_id=camera,
        track_key=track_key(camera, 1741123800000, n),
        vehicle_class=VehicleClass.TRUCK,
        first_seen=start,
        last_seen=start + timedelta(seconds=6.5),
        plate=consensus,
        candidates=reads,
        speed_kmh=13.75,
        min_speed_kmh=0.25,
        direction="north-east",
        heading_deg=47.5,
        stopped=True,
        stopped_seconds=2.5,
        zone_dwell=(
            ZoneDwell("kerb", start, start + timedelta(seconds=3)),
            ZoneDwell("junction", start + timedelta(seconds=3), start + timedelta(seconds=6)),
        ),
        plate_image_path="cam_a/2025/03/04/p1.jpg",
        vehicle_image_path="cam_a/2025/03/04/v1.jpg",
        frames_seen=33,
        extra={"motion_basis": "ground_plane", "reader_set": "platewatch,paddle"},
    )


def test_contract_names_every_record_field() -> None:
    record_fields = {f.name for f in dataclasses.fields(Sighting)}
    assert set(SightingV1.model_fields) - {"schema_version"} == record_fields
    assert set(PlateReadV1.model_fields) == {f.name for f in dataclasses.fields(PlateRead)}


def test_json_round_trip_keeps_every_field() -> None:
    s = full_sighting()
    text = json.dumps(sighting_to_dict(s))
    assert json.loads(text)["schema_version"] == SCHEMA_VERSION
    back = sighting_from_dict(json.loads(text))
    assert back == s
    assert back.extra == s.extra and back.speed_kmh == 13.75


def test_ingest_body_keeps_every_field() -> None:
    s = full_sighting()
    body = IngestIn.model_validate({"sightings": [sighting_to_dict(s)]})
    assert body.sightings[0].to_record() == s


def test_contract_refuses_unknown_fields_and_other_versions() -> None:
    d = sighting_to_dict(full_sighting())
    with pytest.raises(ValidationError, match="speed_kph"):
        SightingV1.model_validate(d | {"speed_kph": 12.0})
    with pytest.raises(ValidationError, match="schema_version"):
        SightingV1.model_validate(d | {"schema_version": 2})
    with pytest.raises(ValidationError, match="extra"):
        SightingV1.model_validate(d | {"extra": {"": "empty key"}})


def test_spool_lines_from_before_the_contract_still_load() -> None:
    d = sighting_to_dict(full_sighting())
    d["schema"] = d.pop("schema_version")
    assert sighting_from_dict(d) == full_sighting()


def test_database_round_trip_keeps_every_field(session_factory: sessionmaker[Session]) -> None:
    originals = [full_sighting(1), dataclasses.replace(full_sighting(2), plate=None, candidates=(), extra={})]
    with session_factory() as s, s.begin():
        store_sightings(s, originals)
    with session_factory() as s:
        rows = list(s.scalars(sa.select(m.Sighting).order_by(m.Sighting.id)))
        assert [record_from_row(r) for r in rows] == originals


def test_rules_facts_are_the_same_from_record_and_from_row(session_factory: sessionmaker[Session]) -> None:
    s = full_sighting()
    with session_factory() as session, session.begin():
        ids = store_sightings(session, [s]).ids
    with session_factory() as session:
        row = session.get(m.Sighting, ids[0])
        assert row is not None
        assert SightingFacts.from_row(row) == SightingFacts.from_record(s, ids[0])
