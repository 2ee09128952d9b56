"""The keeper-record comparison: near shades and van/truck are consistent; clear disagreements are not."""

from __future__ import annotations

import pytest

from intel_api.db.models import Sighting
from intel_api.services.keeper_check import compare


def seen(*items: tuple[str, str | None]) -> list[Sighting]:
    return [
        Sighting(id=i, vehicle_class=cls, colour=colour, colour_confidence=0.8)
        for i, (cls, colour) in enumerate(items, start=1)
    ]


@pytest.mark.parametrize(
    ("record", "sightings", "status"),
    [
        ({"colour": "SILVER", "vehicle_type": "car"}, seen(("car", "grey"), ("car", "white")), "consistent"),
        ({"colour": "BLUE"}, seen(("car", "black"), ("car", "blue")), "consistent"),
        ({"colour": "WHITE"}, seen(("car", "red"), ("car", "red")), "mismatch"),
        ({"colour": "WHITE"}, seen(("car", "red"), ("car", "white"), ("car", "white")), "consistent"),
        ({"colour": "WHITE"}, seen(("car", "red")), "consistent"),  # one sighting never blocks a letter
        ({"vehicle_type": "van"}, seen(("truck", None), ("car", None)), "consistent"),
        ({"vehicle_type": "motorcycle"}, seen(("car", None), ("car", None)), "mismatch"),
        ({"make": "FORD"}, seen(("car", "red"), ("car", "red")), "unknown"),
        ({}, seen(("car", "red")), "unknown"),
    ],
)
def test_compare(record: dict[str, str | None], sightings: list[Sighting], status: str) -> None:
    result = compare(record, sightings)
    assert result["status"] == status, result
    assert result["keeper_record"] == record and result["seen"]["sighting_ids"] == [s.id for s in sightings]


def test_low_confidence_colours_are_not_counted() -> None:
    rows = seen(("car", "red"), ("car", "red"))
    for row in rows:
        row.colour_confidence = 0.3
    assert compare({"colour": "WHITE"}, rows)["status"] == "unknown"
