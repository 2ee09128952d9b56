"""A sighting records the country its plate was read as; a foreign plate gets no British keeper letter.

The reads go through the real region-gb candidate choice and the real store, as the pipeline writer
and the ingest endpoint do, so the mark on the row is the one the reading stage decided.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from api_fixtures import World, add_flag, make_world, night
from sqlalchemy.orm import Session, sessionmaker

from detect.reading.choice import choose_text
from detect.reading.readers import TextCandidate
from detect.records import PlateRead, VehicleClass
from detect.records import Sighting as Record
from intel_api.db import models as m
from intel_api.store import store_sightings

# A British keeper record for the lookalike British plates the grammar used to make of the Paris reads.
KEEPERS_CSV = (
    "plate,name,address\n"
    'EJ728LY,A Stranger,"1 Elsewhere Road\nTesttown\nTT9 9TT"\n'
    'AB12CDE,Jo Bloggs,"2 Mill Lane\nTesttown\nTT2 2TT"\n'
)


def _record(read_text: str, key: str, at: datetime) -> Record:
    """What the recogniser stores for one pass whose reader returned `read_text` (region gb)."""
    choice = choose_text([TextCandidate(read_text, 0.95, "rapidocr", "inner")], "gb", at)
    assert choice is not None
    read = PlateRead(
        raw_text=choice.raw,
        text=choice.text,
        confidence=choice.confidence,
        timestamp=at,
        reader=choice.reader,
        grammar_valid=choice.valid,
        grammar_format=choice.format,
    )
    return Record(
        camera_id="cam1",
        track_key=key,
        vehicle_class=VehicleClass.CAR,
        first_seen=at,
        last_seen=at + timedelta(seconds=20),
        plate=read,
        candidates=(read,),
        speed_kmh=8.0,
    )


@pytest.fixture
def world(db_url: str, session_factory: sessionmaker[Session], tmp_path: Path) -> Iterator[World]:
    keepers = tmp_path / "keepers.csv"
    keepers.write_text(KEEPERS_CSV, encoding="utf-8")
    yield from make_world(db_url, session_factory, tmp_path, keeper_source="file", keeper_file=keepers)


def test_store_marks_the_country_the_plate_was_read_as(db_session: Session) -> None:
    db = db_session
    at = datetime(2026, 11, 1, 22, 0, tzinfo=UTC)
    reads = {
        "k:fr_band": "FEJ728LY",  # the F of the EU band read in front: French for certain
        "k:fr": "EJ728LY",  # LL DDD LL: French, Italian or Slovak as read, never British
        "k:nl": "L417VS",  # Dutch sidecode 10 (and an Indonesian layout): foreign, country open
        "k:gb": "AB12CDE",
        "k:gb_fixed": "AB1ZCDE",  # a British misread only a British repair explains
    }
    stored = store_sightings(db, [_record(t, k, at) for k, t in reads.items()])
    db.commit()
    assert len(stored.ids) == len(reads)
    rows = {r.track_key: r for r in db.scalars(sa.select(m.Sighting))}
    got = {k: (r.plate_text, r.plate_country, r.plate_foreign) for k, r in rows.items()}
    assert got == {
        "k:fr_band": ("EJ728LY", "FR", True),
        "k:fr": ("EJ728LY", None, True),
        "k:nl": ("L417VS", None, True),
        "k:gb": ("AB12CDE", "GB", False),
        "k:gb_fixed": ("AB12CDE", "GB", False),
    }


def _confirm(world: World, flag_id: int) -> dict[str, object]:
    r = world.client.post(
        f"/flags/{flag_id}/confirm",
        json={"reason": "plate and car match images"},
        headers=world.as_("officer"),
    )
    assert r.status_code == 200, r.text
    result: dict[str, object] = r.json()
    return result


@pytest.mark.parametrize(("read", "letter"), [("FEJ728LY", False), ("EJ728LY", False), ("AB12CDE", True)])
def test_only_a_british_read_raises_a_keeper_letter(world: World, read: str, letter: bool) -> None:
    """Three confirmed night passes each; the keeper file knows a British lookalike of the French plate."""
    with world.sessions() as s:
        records = [_record(read, f"cam1:77:{i}", night(3 + i)) for i in range(3)]
        store_sightings(s, records)
        rows = list(s.scalars(sa.select(m.Sighting).where(m.Sighting.track_key.like("cam1:77:%"))))
        plate = rows[0].plate_text
        assert plate is not None
        flag = add_flag(s, plate, rows, dedupe=f"country:{read}")
        s.commit()
        flag_id = flag.id
    shown = world.client.get(f"/sightings/{rows[0].id}?reason=letter+check", headers=world.as_("officer"))
    assert shown.status_code == 200, shown.text
    assert shown.json()["plate_foreign"] is (not letter)
    assert shown.json()["plate_country"] == ("GB" if letter else ("FR" if read.startswith("F") else None))
    result = _confirm(world, flag_id)
    with world.sessions() as s:
        letters = list(s.scalars(sa.select(m.Letter).where(m.Letter.plate_text == plate)))
    if letter:
        assert result["letter"] is not None and len(letters) == 1
        assert letters[0].keeper_name == "Jo Bloggs"
    else:
        assert result["letter"] is None and "foreign plate" in str(result["letter_note"])
        assert letters == []  # no draft, so no keeper look-up of the British lookalike


def test_migration_marks_rows_stored_before_it(db_url: str) -> None:
    from intel_api.db.migrate import downgrade, upgrade

    downgrade(db_url, "0005_web_sessions")
    engine = sa.create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
    at = datetime(2026, 11, 1, 22, 0, tzinfo=UTC)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO camera (id, name, location, direction_of_travel, created_at)"
                    " VALUES ('mig', 'mig', '', '', :t)"
                ),
                {"t": at},
            )
            for key, fmt in (("mig:fr", "fr"), ("mig:gb", "gb_current"), ("mig:none", None)):
                conn.execute(
                    sa.text(
                        "INSERT INTO sighting (track_key, camera_id, first_seen, last_seen, vehicle_class,"
                        " plate_format, plate_valid, stopped, stopped_seconds, dwell_seconds, zone_dwell,"
                        " frames_seen, created_at) VALUES (:k, 'mig', :t, :t, 'car', :f, true, false, 0, 0,"
                        " '[]', 1, :t)"
                    ),
                    {"k": key, "t": at, "f": fmt},
                )
        upgrade(db_url)
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT track_key, plate_country, plate_foreign FROM sighting WHERE camera_id = 'mig'"
                )
            ).all()
    finally:
        engine.dispose()
    assert {r[0]: (r[1], bool(r[2])) for r in rows} == {
        "mig:fr": ("FR", True),
        "mig:gb": ("GB", False),
        "mig:none": (None, False),
    }


@pytest.mark.parametrize(
    ("read", "fmt"),
    [
        ("033FDH", "us_dddlll"),  # was "repaired" into the prefix plate D33FDH
        ("HML050", "us_ar_lllddd"),  # Argentinian LLL DDD; was HM1050
        ("44124MK", "us_d5l2"),  # was A412AMK
        ("2W45A", "us_dlddl"),  # was ZW454
        ("2483", "digits"),  # was the NI plate ZA83
    ],
)
def test_real_crop_reads_never_british_as_read_stay_as_read(read: str, fmt: str) -> None:
    from datetime import date

    from detect.reading.grammar import apply_grammar

    result = apply_grammar(read, "gb", date(2026, 11, 1))
    assert result.text == read and not result.corrected and result.foreign
    assert fmt in (result.format or "").split("+")


def test_british_reads_of_the_same_shapes_are_still_british() -> None:
    from datetime import date

    from detect.reading.grammar import apply_grammar

    on = date(2026, 11, 1)
    assert apply_grammar("133FDH", "gb", on).country == "GB"  # reversed dateless mark as read
    assert apply_grammar("ABC123", "gb", on).country == "GB"  # dateless mark as read
    # A diplomatic plate read with 0 for its D is still repaired: seven digits are not "digits only".
    assert apply_grammar("1230456", "gb", on).text == "123D456"
