"""The API behind a real uvicorn server: a 500 keeps the connection open and logs one traceback."""

from __future__ import annotations

import http.client
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from api_fixtures import REASON, World, make_world
from sqlalchemy.orm import Session, sessionmaker


@pytest.fixture
def world(db_url: str, session_factory: sessionmaker[Session], tmp_path: Path) -> Iterator[World]:
    yield from make_world(db_url, session_factory, tmp_path)


@contextmanager
def served(app: Any, log_config: dict[str, Any] | None = None) -> Iterator[int]:
    """`app` behind a real uvicorn server on a free port, for the block; yields the port."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=log_config, lifespan="off")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield int(srv.servers[0].sockets[0].getsockname()[1])
    finally:
        srv.should_exit = True
        thread.join(10)


@pytest.fixture
def server(world: World) -> Iterator[int]:
    with served(world.client.app) as port:
        yield port


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


def test_redact_path_drops_the_query_and_the_plate() -> None:
    from intel_api.access_log import redact_path

    assert redact_path("/vehicles/AB12CDE/visits?reason=kerb%20crawling") == "/vehicles/{plate}/visits"
    assert redact_path("/ui/vehicles/AB12%20CDE") == "/ui/vehicles/{plate}"
    assert redact_path("/sightings?plate=AB12CDE&reason=x") == "/sightings"
    assert redact_path("/health") == "/health"


@pytest.fixture
def uvicorn_loggers() -> Iterator[None]:
    """uvicorn applies its log config process-wide: put its loggers back for the tests after."""
    names = ("uvicorn", "uvicorn.error", "uvicorn.access")
    saved = {
        n: (list(lg.handlers), lg.propagate, lg.level, lg.disabled)
        for n in names
        if (lg := logging.getLogger(n))
    }
    yield
    for name, (handlers, propagate, level, disabled) in saved.items():
        lg = logging.getLogger(name)
        lg.handlers[:] = handlers
        lg.propagate, lg.level, lg.disabled = propagate, level, disabled


@pytest.mark.usefixtures("uvicorn_loggers")
def test_the_served_access_log_carries_no_plate_and_no_reason(
    world: World, capfd: pytest.CaptureFixture[str]
) -> None:
    """A real uvicorn server with `platewatch serve`'s logging: the access line for an audited
    look-up keeps method, route shape and status, and neither the plate nor the reason."""
    from intel_api.access_log import uvicorn_log_config

    with served(world.client.app, uvicorn_log_config()) as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        reason = "Operation Nightjar kerb crawling review"
        conn.request(
            "GET",
            f"/vehicles/QR12STU/visits?reason={reason.replace(' ', '%20')}",
            headers=world.as_("officer"),
        )
        response = conn.getresponse()
        body = response.read()
        assert response.status == 200 and b"QR12STU" in body
        conn.close()
    logged = capfd.readouterr()
    text = logged.out + logged.err
    assert '"GET /vehicles/{plate}/visits HTTP/1.1" 200' in text, text
    assert "QR12STU" not in text and "Nightjar" not in text, text
