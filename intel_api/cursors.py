"""Opaque keyset cursors for the sightings search: where the previous page ended.

A cursor is the (first_seen, id) of a page's last row, base64url-encoded so clients treat it as a
token, not a value to build. It is not a secret: a forged one only moves where a search of what the
caller may already see starts, and anything that does not decode to a valid key is refused (422).
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime, timedelta

from intel_api.services.sightings import Keyset

_VERSION = "k1"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def encode(key: Keyset) -> str:
    micros = (key.first_seen - _EPOCH) // _MICRO  # integer arithmetic: no float rounding
    raw = f"{_VERSION}.{micros}.{key.id}".encode("ascii")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode(cursor: str) -> Keyset | None:
    """The key a cursor names, or None when it is not one this API made."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    parts = raw.split(".")
    if len(parts) != 3 or parts[0] != _VERSION or not all(p.isdigit() for p in parts[1:]):
        return None
    micros, row_id = int(parts[1]), int(parts[2])
    if row_id < 1 or row_id >= 2**63 or micros >= 7_258_118_400_000_000:  # 2200-01-01
        return None
    return Keyset(_EPOCH + micros * _MICRO, row_id)
