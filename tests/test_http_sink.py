"""The HTTP sink against the real API behind uvicorn: batches posted with a camera key, spooled
while the service is down and replayed in order when it is back, bad data kept aside, every
sighting stored exactly once with every field (the service runs the rules)."""

from __future__ import annotations

import dataclasses
import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
import uvicorn
from api_fixtures import World, make_world
from sqlalchemy.orm import Session, sessionmaker
from test_contract import full_sighting

from detect.records import Sighting
from detect.sinks import SightingSink
from detect.sinks.http import HttpSink
from detect.writer import SightingWriter
from intel_api.db import models as m
from intel_api.store import record_from_row


@pytest.fixture
def world(db_url: str, session_factory: sessionmaker[Session], tmp_path: Path) -> Iterator[World]:
    yield from make_world(db_url, session_factory, tmp_path)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """The world's app under a real uvicorn on a fixed port, startable after the sink."""

    def __init__(self, world: World, port: int) -> None:
        self.world = world
        self.port = port
        self._srv: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        config = uvicorn.Config(
            self.world.client.app, host="127.0.0.1", port=self.port, log_config=None, lifespan="off"
        )
        self._srv = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._srv.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._srv.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)

    def stop(self) -> None:
        if self._srv is not None and self._thread is not None:
            self._srv.should_exit = True
            self._thread.join(10)


def recent(n: int, camera: str = "cam1") -> Sighting:
    """A full sighting a few minutes ago (inside the ingest time window)."""
    s = full_sighting(n, camera)
    shift = datetime.now(UTC) - timedelta(minutes=30) - s.first_seen
    return dataclasses.replace(
        s,
        first_seen=s.first_seen + shift,
        last_seen=s.last_seen + shift,
        plate=dataclasses.replace(s.plate, timestamp=s.plate.timestamp + shift) if s.plate else None,
        candidates=tuple(dataclasses.replace(r, timestamp=r.timestamp + shift) for r in s.candidates),
        zone_dwell=tuple(
            dataclasses.replace(z, entered=z.entered + shift, left=z.left + shift) for z in s.zone_dwell
        ),
        plate_image_path=None,
        vehicle_image_path=None,
    )


def stored(world: World) -> list[Sighting]:
    with world.sessions() as s:
        rows = s.scalars(sa.select(m.Sighting).where(m.Sighting.track_key.like("cam1:1741123800000:%")))
        return sorted((record_from_row(r) for r in rows), key=lambda r: r.first_seen)


def test_http_sink_is_a_sighting_sink(tmp_path: Path) -> None:
    sink: SightingSink = HttpSink("http://127.0.0.1:9", "key", tmp_path)
    assert sink.spool.folder == tmp_path
    writer: SightingSink = SightingWriter("sqlite://", tmp_path)
    assert writer.spool.folder == tmp_path


def test_http_sink_posts_batches_with_every_field(world: World, tmp_path: Path) -> None:
    server = Server(world, free_port())
    server.start()
    try:
        sink = HttpSink(
            f"http://127.0.0.1:{server.port}",
            world.as_("camera")["X-API-Key"],
            tmp_path / "spool",
            batch_size=3,
            batch_seconds=0.2,
        )
        sink.start()
        sent = [recent(n) for n in range(1, 8)]
        for s in sent + sent[:2]:  # two repeats: the service counts them as duplicates
            sink.submit(s)
        stats = sink.close()
    finally:
        server.stop()
    assert (stats.inserted, stats.duplicates, stats.spooled, stats.rejected) == (7, 2, 0, 0)
    assert stored(world) == sent  # speed, extra, consensus plate, candidates: nothing dropped
    assert not sink.spool.has_pending()


def test_http_sink_spools_while_the_service_is_down_and_replays(world: World, tmp_path: Path) -> None:
    server = Server(world, free_port())
    sink = HttpSink(
        f"http://127.0.0.1:{server.port}",
        world.as_("camera")["X-API-Key"],
        tmp_path / "spool",
        batch_size=2,
        batch_seconds=0.1,
        retry_seconds=0.2,
        timeout_s=5,
    )
    sink.start()
    sent = [recent(n) for n in range(1, 6)]
    for s in sent[:3]:
        sink.submit(s)
    deadline = time.monotonic() + 10
    while sink.stats.spooled < 3:
        assert time.monotonic() < deadline, f"nothing spooled: {sink.stats}"
        time.sleep(0.05)
    assert stored(world) == []
    server.start()
    try:
        for s in sent[3:]:
            sink.submit(s)
        stats = sink.close()
    finally:
        server.stop()
    assert stats.outages >= 1 and stats.replayed >= 3
    assert stored(world) == sent  # in order, each once
    assert not sink.spool.has_pending()


def test_http_sink_keeps_refused_sightings_and_a_wrong_key_loses_nothing(
    world: World, tmp_path: Path
) -> None:
    server = Server(world, free_port())
    server.start()
    try:
        good = recent(2)
        unknown_camera = recent(9, camera="cam9")  # not in the site config: 422 from the service
        bad_key = HttpSink(
            f"http://127.0.0.1:{server.port}",
            "not-a-key",
            tmp_path / "bad",
            batch_seconds=0.1,
            retry_seconds=30,
        )
        bad_key.start()
        waiting = recent(1)
        bad_key.submit(waiting)
        bad_stats = bad_key.close(timeout=20)
        sink = HttpSink(
            f"http://127.0.0.1:{server.port}",
            world.as_("camera")["X-API-Key"],
            tmp_path / "spool",
            batch_seconds=0.1,
        )
        sink.start()
        sink.submit(good)
        sink.submit(unknown_camera)
        stats = sink.close()
    finally:
        server.stop()
    assert bad_stats.inserted == 0 and bad_key.spool.has_pending()  # kept for when the key is fixed
    assert [s.track_key for b in bad_key.spool.batches() for s in b] == [waiting.track_key]
    assert (stats.inserted, stats.rejected) == (1, 1)
    kept = [json.loads(line) for line in sink.spool.rejected.read_text().splitlines()]
    assert kept[0]["sighting"]["track_key"] == unknown_camera.track_key and "422" in kept[0]["reason"]
    assert stored(world) == [good]


def test_process_with_api_url_needs_a_key_and_an_http_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from platewatch.cli.main import app

    monkeypatch.delenv("PLATEWATCH_API_KEY", raising=False)
    config = str(Path(__file__).resolve().parents[1] / "configs/demo.yaml")
    no_key = CliRunner().invoke(app, ["process", "--config", config, "--api-url", "http://127.0.0.1:9"])
    assert no_key.exit_code == 2 and "PLATEWATCH_API_KEY" in no_key.output
    monkeypatch.setenv("PLATEWATCH_API_KEY", "k")
    bad_url = CliRunner().invoke(app, ["process", "--config", config, "--api-url", "ftp://x"])
    assert bad_url.exit_code == 2 and "http(s) URL" in bad_url.output
