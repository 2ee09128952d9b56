"""Keeper-record consistency check (issue 12): does what the cameras saw match the registration?

The cameras record the vehicle type (detector class) and a measured body colour for each sighting;
the keeper look-up returns make, model, colour and type where the source has them. When the record
says one thing and most of the measured sightings say something incompatible, the plate may have
been misread or cloned: the letter is blocked and a `keeper_mismatch` flag is raised for an officer,
with both side by side. Make and model cannot be measured from the images; they are shown for the
officer's own comparison. Similar shades are treated as compatible (a silver car photographs grey or
white; a dark blue one black), so only a clear disagreement blocks a letter.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from intel_api.auth import Principal
from intel_api.db.models import Flag, FlagKind, FlagStatus, Letter, Sighting, flag_sighting
from intel_api.services import audit
from intel_api.services.keeper import KeeperLookup, KeeperLookupError

MIN_COLOUR_CONFIDENCE = 0.5
MIN_EVIDENCE = 2  # sightings that must disagree before a letter is blocked

# Registered colour (DVLA basic colours) -> measured colours that are consistent with it.
COLOUR_COMPATIBLE: dict[str, set[str]] = {
    "black": {"black", "grey", "blue"},
    "white": {"white", "grey"},
    "cream": {"white", "grey", "brown", "yellow"},
    "silver": {"grey", "white", "black", "blue"},
    "grey": {"grey", "white", "black", "blue"},
    "red": {"red", "orange", "brown"},
    "maroon": {"red", "brown", "black"},
    "pink": {"red", "white"},
    "purple": {"red", "blue", "black"},
    "blue": {"blue", "black", "grey"},
    "turquoise": {"blue", "green", "grey"},
    "green": {"green", "black", "grey", "blue"},
    "yellow": {"yellow", "orange", "brown"},
    "gold": {"yellow", "orange", "brown", "grey"},
    "orange": {"orange", "red", "yellow", "brown"},
    "bronze": {"brown", "orange", "grey"},
    "brown": {"brown", "orange", "red", "grey", "black"},
    "beige": {"brown", "grey", "white", "yellow"},
}
# Registered body type -> detector classes (COCO) consistent with it; a van is seen as either.
TYPE_COMPATIBLE: dict[str, set[str]] = {
    "car": {"car"},
    "van": {"car", "truck"},
    "motorcycle": {"motorcycle"},
    "moped": {"motorcycle"},
    "bus": {"bus", "truck"},
    "coach": {"bus", "truck"},
    "lorry": {"truck", "bus"},
    "hgv": {"truck", "bus"},
}


def _norm(value: str | None) -> str | None:
    return value.strip().lower().replace("colour", "").strip() if value else None


def _sightings(session: Session, letter: Letter) -> list[Sighting]:
    confirmed = sa.select(flag_sighting.c.sighting_id).join(Flag, Flag.id == flag_sighting.c.flag_id)
    confirmed = confirmed.where(Flag.status == FlagStatus.CONFIRMED, Flag.plate_text == letter.plate_text)
    stmt = sa.select(Sighting).where(Sighting.id.in_(confirmed), Sighting.plate_text == letter.plate_text)
    return list(session.scalars(stmt.order_by(Sighting.first_seen)))


def compare(record: dict[str, str | None], sightings: list[Sighting]) -> dict[str, Any]:
    """Both sides and the verdict: `consistent`, `mismatch` or `unknown` (nothing to compare)."""
    seen_types = [s.vehicle_class for s in sightings]
    seen_colours = [
        s.colour for s in sightings if s.colour and (s.colour_confidence or 0) >= MIN_COLOUR_CONFIDENCE
    ]
    reasons: list[str] = []
    compared = False
    colour = _norm(record.get("colour"))
    if colour in COLOUR_COMPATIBLE and seen_colours:
        compared = True
        bad = [c for c in seen_colours if c not in COLOUR_COMPATIBLE[colour]]
        if len(bad) >= MIN_EVIDENCE and len(bad) * 2 > len(seen_colours):
            reasons.append(
                f"registered colour {colour}, measured {', '.join(sorted(set(bad)))} on {len(bad)} of "
                f"{len(seen_colours)} sightings"
            )
    vtype = _norm(record.get("vehicle_type"))
    if vtype in TYPE_COMPATIBLE and seen_types:
        compared = True
        bad = [t for t in seen_types if t not in TYPE_COMPATIBLE[vtype]]
        if len(bad) >= MIN_EVIDENCE and len(bad) * 2 > len(seen_types):
            reasons.append(
                f"registered type {vtype}, detected {', '.join(sorted(set(bad)))} on {len(bad)} of "
                f"{len(seen_types)} sightings"
            )
    status = "mismatch" if reasons else ("consistent" if compared else "unknown")
    return {
        "status": status,
        "reasons": reasons,
        "keeper_record": record,
        "seen": {
            "vehicle_types": dict(sorted({t: seen_types.count(t) for t in set(seen_types)}.items())),
            "colours": dict(sorted({c: seen_colours.count(c) for c in set(seen_colours)}.items())),
            "sighting_ids": [s.id for s in sightings],
        },
    }


def run(session: Session, letter: Letter, keeper: KeeperLookup, actor: Principal) -> dict[str, Any]:
    """Check a drafted letter; on a mismatch raise the flag that blocks it."""
    try:
        record = keeper.lookup(letter.plate_text)
    except KeeperLookupError as e:
        letter.keeper_check = {"status": "unknown", "reasons": [f"keeper source unavailable: {e}"]}
        return letter.keeper_check
    vehicle = record.vehicle() if record else {}
    sightings = _sightings(session, letter)
    result = compare(vehicle, sightings)
    if result["status"] == "mismatch":
        flag = Flag(
            kind=FlagKind.KEEPER_MISMATCH,
            plate_text=letter.plate_text,
            dedupe_key=f"keeper_mismatch:letter:{letter.id}",
            explanation=(
                f"Possible misread or cloned plate {letter.plate_text}: the keeper record does not match "
                "what "
                f"the cameras saw ({'; '.join(result['reasons'])}). Letter {letter.id} is blocked until an "
                "officer compares the plate and overview images with the record: dismiss this flag if the "
                "vehicle is the registered one, confirm it if the plate is misread or cloned."
            ),
            details={"letter_id": letter.id, **result},
            sightings=sightings,
        )
        session.add(flag)
        session.flush()
        result["flag_id"] = flag.id
        audit.record(
            session,
            actor,
            "keeper_check.mismatch",
            "letter",
            letter.id,
            reason="possible misread or cloned plate",
            details={"flag_id": flag.id, "reasons": result["reasons"]},
        )
    letter.keeper_check = result
    return result


def blocking_flag(session: Session, letter: Letter) -> int | None:
    """The mismatch flag that still blocks this letter: anything but an officer's dismissal blocks."""
    check = letter.keeper_check or {}
    flag_id = check.get("flag_id")
    if check.get("status") != "mismatch" or not isinstance(flag_id, int):
        return None
    flag = session.get(Flag, flag_id)
    if flag is not None and flag.status == FlagStatus.DISMISSED:
        return None
    return flag_id
