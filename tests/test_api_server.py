"""The API behind a real uvicorn server: a 500 keeps the connection open and logs one traceback."""

from __future__ import annotations

import http.client
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from api_fixtures import REASON, World, make_world
from sqlalchemy.orm import Session, sessionmaker


@pytest.fixture
def world(db_url: str, session_factory: sessionmaker[Session], tmp_path: Path) -> Iterator[World]:
    yield from make_world(db_url, session_factory, tmp_path)


@pytest.fixture
def server(world: World) -> Iterator[int]:
    config = uvicorn.Config(world.client.app, host="127.0.0.1", port=0, log_config=None, lifespan="off")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    port = srv.servers[0].sockets[0].getsockname()[1]
    yield int(port)
    srv.should_exit = True
    thread.join(10)


def test_500_keeps_the_connection_and_logs_one_traceback(
    world: World, server: int, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from intel_api.services import sightings

    def boom(*_: object, **__: object) -> None:
        raise RuntimeError("search exploded")

    monkeypatch.setattr(sightings, "search", boom)
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=10)
    headers = world.as_("officer")
    with caplog.at_level(logging.ERROR):
        conn.request("GET", f"/sightings?reason={REASON.replace(' ', '%20')}", headers=headers)
        first = conn.getresponse()
        body = first.read()
        assert first.status == 500 and b"Internal error" in body
        assert first.getheader("connection") != "close"
        sock = conn.sock
        conn.request("GET", "/health")
        second = conn.getresponse()
        second.read()
        assert second.status == 200
        assert conn.sock is sock, "the server closed the keep-alive connection after the 500"
    traced = [r for r in caplog.records if r.exc_info and "search exploded" in str(r.exc_info[1])]
    assert len(traced) == 1, [r.getMessage() for r in traced]
    conn.close()
