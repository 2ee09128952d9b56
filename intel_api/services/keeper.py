"""Registered-keeper lookup behind one small protocol, so the force's own service can be plugged in.

`FileKeeperLookup` reads a CSV or JSON export (plate -> name/address, and optionally the registered
make, model, colour and vehicle_type used by the keeper-record check); `HttpKeeperLookup` asks the
force's vehicle-keeper service over HTTPS. Neither guesses: an unknown plate is `None`, and a
service that cannot answer raises `KeeperLookupError` rather than pretending the keeper is unknown.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

import httpx

VEHICLE_FIELDS = ("make", "model", "colour", "vehicle_type")


@dataclass(frozen=True, slots=True)
class KeeperRecord:
    name: str
    address: str
    source: str
    # What the registration record says the vehicle is (issue 12), where the source has it.
    make: str | None = None
    model: str | None = None
    colour: str | None = None
    vehicle_type: str | None = None

    def vehicle(self) -> dict[str, str | None]:
        return {f: getattr(self, f) for f in VEHICLE_FIELDS}


def _vehicle_fields(row: dict[str, Any], where: str) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for f in VEHICLE_FIELDS:
        value = row.get(f)
        if value is not None and not isinstance(value, str):
            raise KeeperLookupError(f"{where}: {f} must be text")
        out[f] = value.strip() or None if isinstance(value, str) else None
    return out


class KeeperLookupError(Exception):
    """The keeper source could not be asked (down, refused, malformed answer)."""


class KeeperLookup(Protocol):
    def lookup(self, plate: str) -> KeeperRecord | None: ...


def _norm(plate: str) -> str:
    return "".join(plate.split()).upper()


class NoKeeperLookup:
    """No keeper source configured: letters wait for one and cannot be approved without an address."""

    def lookup(self, plate: str) -> KeeperRecord | None:  # noqa: ARG002
        return None


class FileKeeperLookup:
    """Keepers from a CSV (`plate,name,address`) or JSON (`{plate: {name, address}}` or a list) file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._records = self._load(path)

    @staticmethod
    def _load(path: Path) -> dict[str, KeeperRecord]:
        source = f"file:{path.name}"
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as e:
            raise KeeperLookupError(f"cannot read keeper file {path}: {e.strerror}") from None
        rows: list[dict[str, Any]]
        if path.suffix.lower() == ".json":
            try:
                data = json.loads(text)
            except json.JSONDecodeError as e:
                raise KeeperLookupError(f"keeper file {path} is not valid JSON: {e}") from None
            if isinstance(data, dict):
                rows = [{"plate": k, **v} for k, v in data.items() if isinstance(v, dict)]
            elif isinstance(data, list):
                rows = [r for r in data if isinstance(r, dict)]
            else:
                raise KeeperLookupError(f"keeper file {path}: expected an object or a list")
        else:
            # newline='' keeps quoted multi-line addresses intact.
            rows = list(csv.DictReader(io.StringIO(text, newline="")))
        out: dict[str, KeeperRecord] = {}
        for i, row in enumerate(rows, start=1):
            plate, name, address = row.get("plate"), row.get("name"), row.get("address")
            if not (isinstance(plate, str) and isinstance(name, str) and isinstance(address, str)):
                raise KeeperLookupError(f"keeper file {path} record {i}: needs plate, name and address")
            vehicle = _vehicle_fields(row, f"keeper file {path} record {i}")
            out[_norm(plate)] = KeeperRecord(
                name=name.strip(), address=address.strip(), source=source, **vehicle
            )
        return out

    def lookup(self, plate: str) -> KeeperRecord | None:
        return self._records.get(_norm(plate))


class HttpKeeperLookup:
    """`GET {base_url}/keepers/{plate}` with a bearer token; 200 {name, address[, make, model, colour,
    vehicle_type]} or 404 when unknown."""

    def __init__(self, base_url: str, token: str | None, timeout_s: float = 5.0) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._client = httpx.Client(base_url=base_url.rstrip("/"), headers=headers, timeout=timeout_s)

    def close(self) -> None:
        self._client.close()

    def lookup(self, plate: str) -> KeeperRecord | None:
        try:
            resp = self._client.get(f"/keepers/{quote(_norm(plate))}")
        except httpx.HTTPError as e:
            raise KeeperLookupError(f"keeper service unreachable: {e}") from None
        if resp.status_code == 404:
            return None
        if resp.status_code != 200:
            raise KeeperLookupError(f"keeper service answered HTTP {resp.status_code}")
        try:
            data = resp.json()
        except ValueError:
            raise KeeperLookupError("keeper service answered with something that is not JSON") from None
        name, address = (data.get("name"), data.get("address")) if isinstance(data, dict) else (None, None)
        if not (isinstance(name, str) and isinstance(address, str)):
            raise KeeperLookupError("keeper service answer lacks name/address")
        assert isinstance(data, dict)
        return KeeperRecord(
            name=name, address=address, source="http", **_vehicle_fields(data, "keeper service")
        )
