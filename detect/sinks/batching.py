"""`BatchingSink`: the thread between the frame loop and wherever sightings are stored.

The frame loop calls `submit()` and never waits: sightings go on a bounded queue; the thread sends
them in batches (by count or age). While the target is unreachable a batch is appended to the spool
and retried; while the spool holds anything, new batches go behind it so the target receives
sightings in the order they were made. A batch the target *rejects* (bad data, not an outage) is
split, and what it refuses is kept in the spool's `rejected.jsonl` for a person: nothing is dropped.

A subclass says how to send one batch (`_send`) and which exceptions mean "unreachable, retry".
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from detect.records import Sighting
from detect.sinks.spool import Spool

log = logging.getLogger(__name__)


@dataclass(slots=True)
class SinkStats:
    submitted: int = 0
    inserted: int = 0
    duplicates: int = 0
    spooled: int = 0  # sightings written to the spool (outage)
    replayed: int = 0  # spooled sightings later stored
    rejected: int = 0
    outages: int = 0
    after_store_errors: int = 0


@dataclass(frozen=True, slots=True)
class Sent:
    inserted: int
    duplicates: int


_STOP = object()


class BatchingSink(threading.Thread):
    """Sends submitted Sightings in a background thread; `close()` drains and stops it."""

    # Exceptions from `_send` that mean the target is unreachable (spool and retry).
    outage_errors: tuple[type[BaseException], ...] = (OSError,)
    target = "the sink"

    def __init__(
        self,
        spool_dir: Path,
        *,
        name: str,
        batch_size: int = 25,
        batch_seconds: float = 2.0,
        queue_size: int = 1000,
        retry_seconds: float = 5.0,
    ) -> None:
        super().__init__(name=name, daemon=True)
        self.spool = Spool(spool_dir)
        self.batch_size = batch_size
        self.batch_seconds = batch_seconds
        self.retry_seconds = retry_seconds
        self.stats = SinkStats()
        self._queue: queue.Queue[Sighting | object] = queue.Queue(maxsize=queue_size)
        self._last_attempt = 0.0
        self._drain_until = 0.0
        self._stats_lock = threading.Lock()

    # -- to implement --------------------------------------------------------------------------
    def _send(self, batch: Sequence[Sighting]) -> Sent:
        """Store one batch all or nothing; raise an `outage_errors` type when unreachable."""
        raise NotImplementedError

    def _finish(self) -> None:
        """Release connections when the thread stops."""

    # -- frame-loop side -------------------------------------------------------------------
    def submit(self, sighting: Sighting) -> None:
        """Hand a sighting over; never blocks. If the queue is full it goes straight to the spool."""
        with self._stats_lock:
            self.stats.submitted += 1
        try:
            self._queue.put_nowait(sighting)
        except queue.Full:
            log.warning("%s queue full; %s spooled to disk", self.name, sighting.track_key)
            self.spool.append([sighting])
            with self._stats_lock:
                self.stats.spooled += 1

    def close(self, timeout: float | None = 60.0, drain_s: float = 0.0) -> SinkStats:
        """Store what is queued (or spool it), stop the thread, and return the counts.

        With `drain_s`, keep retrying the spool that long for the target to come back before stopping
        (what is still spooled then stays on disk for the next start).
        """
        self._drain_until = time.monotonic() + drain_s
        self._queue.put(_STOP)
        self.join(timeout)
        if self.is_alive():
            log.error("%s did not stop within %ss; unsaved sightings stay queued", self.name, timeout)
        return self.stats

    # -- sink thread -----------------------------------------------------------------------
    def run(self) -> None:
        try:
            self._loop()
        finally:
            self._finish()

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
        while self.spool.has_pending():
            self._replay()
            if not self.spool.has_pending() or time.monotonic() >= self._drain_until:
                break
            time.sleep(self.retry_seconds)

    def _store(self, batch: Sequence[Sighting]) -> None:
        if not batch:  # an unreadable spool line, already moved aside
            return
        self._last_attempt = time.monotonic()
        sent = self._send(batch)
        with self._stats_lock:
            self.stats.inserted += sent.inserted
            self.stats.duplicates += sent.duplicates

    def _handle(self, batch: list[Sighting]) -> None:
        if self.spool.has_pending():
            self._to_spool(batch)
            self._replay()
            return
        try:
            self._store_checked(batch)
        except self.outage_errors as e:
            # part of the batch may be stored already: replaying it is idempotent
            self._outage(e)
            self._to_spool(batch)

    def _store_checked(self, batch: Sequence[Sighting]) -> None:
        """Store a batch; on a data error store it sighting by sighting. Outages propagate."""
        try:
            self._store(batch)
        except self.outage_errors:
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
        log.error(
            "%s unavailable (%s); spooling to %s", self.target, str(e).splitlines()[0], self.spool.pending
        )

    def _store_one_by_one(self, batch: Sequence[Sighting]) -> None:
        for s in batch:
            try:
                self._store([s])
            except self.outage_errors:
                raise
            except Exception as e:
                log.error("%s rejected %s: %s; kept in %s", self.target, s.track_key, e, self.spool.rejected)
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
        except self.outage_errors as e:
            if done == 0:
                log.debug("%s still unavailable: %s", self.target, str(e).splitlines()[0])
        finally:
            if done:
                self.spool.drop_head(done)
                log.info("replayed %d spooled batch(es) into %s", done, self.target)
