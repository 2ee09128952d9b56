"""Where the pipeline hands finished sightings: a `SightingSink`.

- `detect.writer.SightingWriter` (the database sink) stores straight into the database through
  `intel_api.store` and runs the rules after each batch; for a worker on the database's network.
- `detect.sinks.http.HttpSink` posts batches to the API's `POST /ingest/sightings` with a camera
  API key; the service stores them and runs the rules. Needs only httpx, not `intel_api`.

Both batch on a thread (`detect.sinks.batching`), spool to disk while their target is unreachable
and replay in order (`detect.sinks.spool`); storing is idempotent on `track_key`, so a replay of a
batch that did arrive only counts duplicates.
"""

from __future__ import annotations

from typing import Protocol

from detect.records import Sighting
from detect.sinks.batching import SinkStats
from detect.sinks.spool import Spool


class SightingSink(Protocol):
    """What the frame loop needs: hand a sighting over without waiting; drain and stop at the end."""

    spool: Spool

    def start(self) -> None: ...

    def submit(self, sighting: Sighting) -> None: ...

    def close(self, timeout: float | None = 60.0) -> SinkStats: ...


__all__ = ["SightingSink", "SinkStats", "Spool"]
