"""`SightingWriter`: a thread between the frame loop and the database.

The frame loop calls `submit()` and never waits on the database: sightings go on a bounded
queue; the writer stores them in batches (by count or age). When the database is down a batch is
appended to a spool file (`<spool>/pending.jsonl`, one JSON batch per line, fsync'd) and the
writer retries; while the spool holds anything, new batches are appended behind it so the
database receives sightings in the order they were made. Storing is idempotent on `track_key`,
so replaying a batch that was in fact committed just before a crash only counts duplicates.
A batch the database *rejects* (bad data, not an outage) is split, and the sightings it refuses
are kept in `<spool>/rejected.jsonl` for a person to look at: nothing is silently dropped.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from detect.records import Sighting
from intel_api.db.session import make_engine, make_session_factory
from intel_api.store import CameraInfo, sighting_from_dict, sighting_to_dict, store_sightings

log = logging.getLogger(__name__)

AfterStore = Callable[[Session, list[int]], None]

# Connection-level failures: wait and retry. Anything else from the database is about the data.
_OUTAGE_ERRORS: tuple[type[BaseException], ...] = (sa.exc.OperationalError, sa.exc.InterfaceError, OSError)


@dataclass(slots=True)
class WriterStats:
    submitted: int = 0
    inserted: int = 0
    duplicates: int = 0
    spooled: int = 0  # sightings written to the spool (outage)
    replayed: int = 0  # spooled sightings later stored
    rejected: int = 0
    outages: int = 0
    after_store_errors: int = 0


class Spool:
    """Append-only JSON-lines file of pending batches, replayed head first."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.pending = folder / "pending.jsonl"
        self.rejected = folder / "rejected.jsonl"
        self._lock = threading.Lock()

    def _append(self, path: Path, lines: Sequence[str]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as f:
            for line in lines:
                f.write(line + "\n")
            f.flush()
            os.fsync(f.fileno())

    def append(self, batch: Sequence[Sighting]) -> None:
        line = json.dumps({"sightings": [sighting_to_dict(s) for s in batch]}, separators=(",", ":"))
        with self._lock:
            self._append(self.pending, [line])

    def reject(self, sighting: Sighting, reason: str) -> None:
        line = json.dumps({"reason": reason, "sighting": sighting_to_dict(sighting)}, separators=(",", ":"))
        with self._lock:
            self._append(self.rejected, [line])

    def has_pending(self) -> bool:
        return self.pending.is_file() and self.pending.stat().st_size > 0

    def batches(self) -> list[list[Sighting]]:
        """Pending batches in order; an unreadable line is moved to `rejected` and yields []."""
        with self._lock:
            if not self.pending.is_file():
                return []
            text = self.pending.read_text(encoding="utf-8")
        out: list[list[Sighting]] = []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                out.append([sighting_from_dict(d) for d in json.loads(line)["sightings"]])
            except (ValueError, KeyError, TypeError) as e:
                # A torn last line (crash mid-write) or a hand-edited file: keep it aside, go on.
                log.error("spool %s line %d unreadable (%s); moved to rejected", self.pending, n, e)
                with self._lock:
                    self._append(self.rejected, [json.dumps({"reason": f"unreadable: {e}", "line": line})])
                out.append([])  # keeps batch i == line i, so drop_head removes exactly what was handled
        return out

    def drop_head(self, count: int) -> None:
        """Remove the first `count` batches (stored); rewritten atomically."""
        with self._lock:
            lines = [ln for ln in self.pending.read_text(encoding="utf-8").splitlines() if ln.strip()]
            rest = lines[count:]
            if not rest:
                self.pending.unlink()
                return
            tmp = self.pending.with_suffix(".jsonl.tmp")
            with open(tmp, "w", encoding="utf-8") as f:
                f.write("\n".join(rest) + "\n")
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.pending)


_STOP = object()


class SightingWriter(threading.Thread):
    """Stores submitted Sightings in a background thread; `close()` drains and stops it."""

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
        super().__init__(name="sighting-writer", daemon=True)
        self.database_url = database_url
        self.spool = Spool(spool_dir)
        self.cameras = list(cameras)
        self.batch_size = batch_size
        self.batch_seconds = batch_seconds
        self.retry_seconds = retry_seconds
        self.after_store = after_store
        self.stats = WriterStats()
        self._queue: queue.Queue[Sighting | object] = queue.Queue(maxsize=queue_size)
        self._engine: Engine | None = None
        self._factory: sessionmaker[Session] | None = None
        self._cameras_done = False
        self._last_attempt = 0.0
        self._stats_lock = threading.Lock()

    # -- frame-loop side -------------------------------------------------------------------
    def submit(self, sighting: Sighting) -> None:
        """Hand a sighting over; never blocks. If the queue is full it goes straight to the spool."""
        with self._stats_lock:
            self.stats.submitted += 1
        try:
            self._queue.put_nowait(sighting)
        except queue.Full:
            log.warning("writer queue full; %s spooled to disk", sighting.track_key)
            self.spool.append([sighting])
            with self._stats_lock:
                self.stats.spooled += 1

    def close(self, timeout: float | None = 60.0) -> WriterStats:
        """Store what is queued (or spool it), stop the thread, and return the counts."""
        self._queue.put(_STOP)
        self.join(timeout)
        if self.is_alive():
            log.error("sighting writer did not stop within %ss; unsaved sightings stay queued", timeout)
        return self.stats

    # -- writer thread ---------------------------------------------------------------------
    def run(self) -> None:
        try:
            self._loop()
        finally:
            if self._engine is not None:
                self._engine.dispose()

    def _loop(self) -> None:
        batch: list[Sighting] = []
        batch_started = time.monotonic()
        stopping = False
        while not stopping:
            timeout = (
                self.batch_seconds
                if not batch
                else max(0.0, batch_started + self.batch_seconds - time.monotonic())
            )
            try:
                item = self._queue.get(timeout=max(0.05, timeout))
            except queue.Empty:
                item = None
            if item is _STOP:
                stopping = True
            elif isinstance(item, Sighting):
                if not batch:
                    batch_started = time.monotonic()
                batch.append(item)
            due = batch and (
                len(batch) >= self.batch_size or time.monotonic() - batch_started >= self.batch_seconds
            )
            if batch and (due or stopping):
                self._handle(batch)
                batch = []
            elif self.spool.has_pending() and time.monotonic() - self._last_attempt >= self.retry_seconds:
                self._replay()
        if self.spool.has_pending():
            self._replay()

    def _sessions(self) -> sessionmaker[Session]:
        if self._factory is None:
            self._engine = make_engine(self.database_url)
            self._factory = make_session_factory(self._engine)
        return self._factory

    def _store(self, batch: Sequence[Sighting]) -> list[int]:
        """Store one batch in one transaction; raises on failure (nothing half-stored)."""
        self._last_attempt = time.monotonic()
        factory = self._sessions()
        with factory() as session, session.begin():
            result = store_sightings(session, batch, () if self._cameras_done else self.cameras)
        self._cameras_done = True
        with self._stats_lock:
            self.stats.inserted += result.inserted
            self.stats.duplicates += result.duplicates
        if self.after_store is not None and result.ids:
            try:
                with factory() as session, session.begin():
                    self.after_store(session, result.ids)
            except Exception:
                # The sightings are safe; the rules can be re-run over them in batch later.
                log.exception("after_store hook failed for %d new sighting(s)", len(result.ids))
                with self._stats_lock:
                    self.stats.after_store_errors += 1
        return result.ids

    def _handle(self, batch: list[Sighting]) -> None:
        if self.spool.has_pending():
            self._to_spool(batch)
            self._replay()
            return
        try:
            self._store_checked(batch)
        except _OUTAGE_ERRORS as e:
            # part of the batch may be stored already: replaying it is idempotent
            self._outage(e)
            self._to_spool(batch)

    def _store_checked(self, batch: Sequence[Sighting]) -> None:
        """Store a batch; on a data error store it sighting by sighting. Outages propagate."""
        try:
            self._store(batch)
        except _OUTAGE_ERRORS:
            raise
        except Exception:
            self._store_one_by_one(batch)

    def _to_spool(self, batch: Sequence[Sighting]) -> None:
        self.spool.append(batch)
        with self._stats_lock:
            self.stats.spooled += len(batch)

    def _outage(self, e: BaseException) -> None:
        with self._stats_lock:
            self.stats.outages += 1
        log.error("database unavailable (%s); spooling to %s", str(e).splitlines()[0], self.spool.pending)

    def _store_one_by_one(self, batch: Sequence[Sighting]) -> None:
        for s in batch:
            try:
                self._store([s])
            except _OUTAGE_ERRORS:
                raise
            except Exception as e:
                log.error("database rejected %s: %s; kept in %s", s.track_key, e, self.spool.rejected)
                self.spool.reject(s, str(e).splitlines()[0])
                with self._stats_lock:
                    self.stats.rejected += 1

    def _replay(self) -> None:
        """Store spooled batches head first; stop at the first outage and retry later."""
        self._last_attempt = time.monotonic()
        done = 0
        try:
            for batch in self.spool.batches():
                self._store_checked(batch)
                done += 1
                with self._stats_lock:
                    self.stats.replayed += len(batch)
        except _OUTAGE_ERRORS as e:
            if done == 0:
                log.debug("database still unavailable: %s", str(e).splitlines()[0])
        finally:
            if done:
                self.spool.drop_head(done)
                log.info("replayed %d spooled batch(es) into the database", done)


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
