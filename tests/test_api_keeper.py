"""Keeper lookups: a CSV/JSON export, and an HTTP keeper service (a real server on 127.0.0.1)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from intel_api.services.keeper import FileKeeperLookup, HttpKeeperLookup, KeeperLookupError, KeeperRecord

TOKEN = "keeper-service-token"


class _KeeperHandler(BaseHTTPRequestHandler):
    seen: list[tuple[str, str | None]] = []

    def do_GET(self) -> None:
        _KeeperHandler.seen.append((self.path, self.headers.get("Authorization")))
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self._reply(401, {"error": "no"})
        elif self.path == "/keepers/AB12CDE":
            self._reply(200, {"name": "Jo Bloggs", "address": "2 Mill Lane\nTesttown"})
        elif self.path == "/keepers/MM11MMM":
            vehicle = {"make": "FORD", "model": "FIESTA", "colour": "RED", "vehicle_type": "car"}
            self._reply(200, {"name": "Sam", "address": "3 Road", **vehicle})
        elif self.path == "/keepers/BADTYPE":
            self._reply(200, {"name": "Sam", "address": "3 Road", "colour": 7})
        elif self.path == "/keepers/BROKEN1":
            self._reply(200, {"unexpected": True})
        elif self.path == "/keepers/ERROR11":
            self._reply(500, {"error": "database down"})
        else:
            self._reply(404, {"error": "unknown plate"})

    def _reply(self, code: int, body: dict[str, object]) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def keeper_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _KeeperHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_http_lookup_against_real_server(keeper_server: str) -> None:
    lookup = HttpKeeperLookup(keeper_server + "/", TOKEN, timeout_s=2)
    try:
        assert lookup.lookup("ab12 cde") == KeeperRecord("Jo Bloggs", "2 Mill Lane\nTesttown", "http")
        assert lookup.lookup("ZZ99ZZZ") is None
        with pytest.raises(KeeperLookupError, match="HTTP 500"):
            lookup.lookup("ERROR11")
        with pytest.raises(KeeperLookupError, match="name/address"):
            lookup.lookup("BROKEN1")
    finally:
        lookup.close()
    assert ("/keepers/AB12CDE", f"Bearer {TOKEN}") in _KeeperHandler.seen
    bad = HttpKeeperLookup(keeper_server, "wrong", timeout_s=2)
    with pytest.raises(KeeperLookupError, match="HTTP 401"):
        bad.lookup("AB12CDE")
    bad.close()


def test_http_lookup_service_down() -> None:
    lookup = HttpKeeperLookup("http://127.0.0.1:1", TOKEN, timeout_s=1)
    with pytest.raises(KeeperLookupError, match="unreachable"):
        lookup.lookup("AB12CDE")
    lookup.close()


def test_file_lookup_csv_and_json(tmp_path: Path) -> None:
    csv_file = tmp_path / "k.csv"
    csv_file.write_text('plate,name,address\n"AB12 CDE",Jo Bloggs,"2 Mill Lane"\n', encoding="utf-8")
    assert FileKeeperLookup(csv_file).lookup("AB12CDE") == KeeperRecord(
        "Jo Bloggs", "2 Mill Lane", "file:k.csv"
    )
    json_file = tmp_path / "k.json"
    json_file.write_text(json.dumps({"XY70ZZZ": {"name": "Sam", "address": "3 Road"}}), encoding="utf-8")
    found = FileKeeperLookup(json_file).lookup("xy70zzz")
    assert found is not None and found.name == "Sam"
    assert FileKeeperLookup(json_file).lookup("AB12CDE") is None
    broken = tmp_path / "bad.csv"
    broken.write_text("plate,name\nAB12CDE,Jo\n", encoding="utf-8")
    with pytest.raises(KeeperLookupError, match="record 1"):
        FileKeeperLookup(broken)
    with pytest.raises(KeeperLookupError, match="cannot read"):
        FileKeeperLookup(tmp_path / "missing.csv")


def test_app_drafts_letter_with_http_keeper(
    keeper_server: str, db_url: str, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    from api_fixtures import make_world
    from pydantic import SecretStr

    gen = make_world(
        db_url,
        session_factory,
        tmp_path,
        keeper_source="http",
        keeper_url=keeper_server,
        keeper_token=SecretStr(TOKEN),
    )
    world = next(gen)
    try:
        r = world.client.post(
            f"/flags/{world.ids['f1']}/confirm",
            json={"reason": "matches the images"},
            headers=world.as_("supervisor"),
        )
        letter = r.json()["letter"]
        assert letter["keeper_name"] == "Jo Bloggs" and letter["keeper_lookup_source"] == "http"
    finally:
        gen.close()


def test_keeper_records_carry_the_registered_vehicle(keeper_server: str, tmp_path: Path) -> None:
    """Make, model, colour and type where the source has them (issue 12), from both adapters."""
    lookup = HttpKeeperLookup(keeper_server, TOKEN, timeout_s=2)
    try:
        found = lookup.lookup("MM11MMM")
        assert found is not None
        assert found.vehicle() == {"make": "FORD", "model": "FIESTA", "colour": "RED", "vehicle_type": "car"}
        plain = lookup.lookup("AB12CDE")
        assert plain is not None and plain.vehicle() == dict.fromkeys(plain.vehicle())  # all None
        with pytest.raises(KeeperLookupError, match="colour must be text"):
            lookup.lookup("BADTYPE")
    finally:
        lookup.close()
    csv_file = tmp_path / "k.csv"
    csv_file.write_text(
        "plate,name,address,make,model,colour,vehicle_type\nAB12CDE,Jo,2 Mill Lane,VAUXHALL,CORSA,SILVER,\n",
        encoding="utf-8",
    )
    rec = FileKeeperLookup(csv_file).lookup("AB12CDE")
    assert rec is not None and (rec.make, rec.model, rec.colour, rec.vehicle_type) == (
        "VAUXHALL",
        "CORSA",
        "SILVER",
        None,
    )
    json_file = tmp_path / "k.json"
    json_file.write_text(json.dumps({"XY70ZZZ": {"name": "Sam", "address": "3 Road", "colour": "Blue"}}))
    rec = FileKeeperLookup(json_file).lookup("XY70ZZZ")
    assert rec is not None and rec.colour == "Blue" and rec.make is None
