"""`SightingWriter`: the database sink, storing straight into the database through `intel_api.store`.

Batching, the on-disk spool and in-order replay are `detect.sinks.batching.BatchingSink`'s; this
class says how one batch is stored (one transaction, idempotent on `track_key`) and which database
errors mean an outage. `after_store` runs the rules on the new rows in their own transaction.
A worker that cannot reach the database uses `detect.sinks.http.HttpSink` instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from detect.records import Sighting
from detect.sinks.batching import BatchingSink, Sent, SinkStats
from detect.sinks.spool import Spool
from intel_api.db.session import make_engine, make_session_factory
from intel_api.store import CameraInfo, store_sightings

log = logging.getLogger(__name__)

AfterStore = Callable[[Session, list[int]], None]
WriterStats = SinkStats  # the name callers used before the sinks existed

__all__ = ["AfterStore", "SightingWriter", "Spool", "WriterStats", "store_now"]


class SightingWriter(BatchingSink):
    """Stores submitted Sightings in a background thread; `close()` drains and stops it."""

    # Connection-level failures: wait and retry. Anything else from the database is about the data.
    outage_errors = (sa.exc.OperationalError, sa.exc.InterfaceError, OSError)
    target = "database"

    def __init__(
        self,
        database_url: str,
        spool_dir: Path,
        *,
        cameras: Sequence[CameraInfo] = (),
        batch_size: int = 25,
        batch_seconds: float = 2.0,
        queue_size: int = 1000,
        retry_seconds: float = 5.0,
        after_store: AfterStore | None = None,
    ) -> None:
        super().__init__(
            spool_dir,
            name="sighting-writer",
            batch_size=batch_size,
            batch_seconds=batch_seconds,
            queue_size=queue_size,
            retry_seconds=retry_seconds,
        )
        self.database_url = database_url
        self.cameras = list(cameras)
        self.after_store = after_store
        self._engine: Engine | None = None
        self._factory: sessionmaker[Session] | None = None
        self._cameras_done = False

    def _finish(self) -> None:
        if self._engine is not None:
            self._engine.dispose()

    def _sessions(self) -> sessionmaker[Session]:
        if self._factory is None:
            self._engine = make_engine(self.database_url)
            self._factory = make_session_factory(self._engine)
        return self._factory

    def _send(self, batch: Sequence[Sighting]) -> Sent:
        """Store one batch in one transaction; raises on failure (nothing half-stored)."""
        factory = self._sessions()
        with factory() as session, session.begin():
            result = store_sightings(session, batch, () if self._cameras_done else self.cameras)
        self._cameras_done = True
        if self.after_store is not None and result.ids:
            try:
                with factory() as session, session.begin():
                    self.after_store(session, result.ids)
            except Exception:
                # The sightings are safe; the rules can be re-run over them in batch later.
                log.exception("after_store hook failed for %d new sighting(s)", len(result.ids))
                with self._stats_lock:
                    self.stats.after_store_errors += 1
        return Sent(result.inserted, result.duplicates)


def store_now(
    database_url: str, sightings: Sequence[Sighting], cameras: Sequence[CameraInfo] = ()
) -> dict[str, Any]:
    """Synchronous one-shot store (tests, small tools); raises if the database is down."""
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session, session.begin():
            r = store_sightings(session, sightings, cameras)
        return {"inserted": r.inserted, "duplicates": r.duplicates, "ids": r.ids}
    finally:
        engine.dispose()
