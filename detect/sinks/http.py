"""`HttpSink`: a camera worker on another machine posts its sightings to the API with a camera key.

Each batch is one `POST /ingest/sightings` (body: `detect.contract`'s sightings, bearer camera API
key). The service stores them idempotently on `track_key` and runs the rules, as the database sink
does locally. What counts as an outage (spool, retry later, in order): no connection, a timeout,
429, any 5xx, and 401/403 (a revoked or mistyped key is fixed by a person, and the sightings must
wait for that rather than be thrown away). A 4xx about the data (422, 413) splits the batch and
keeps what the service refuses in `rejected.jsonl`, with its reason.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import httpx

from detect.contract import SightingV1
from detect.records import Sighting
from detect.sinks.batching import BatchingSink, Sent

log = logging.getLogger(__name__)

INGEST_PATH = "/ingest/sightings"
_RETRY_STATUSES = frozenset({401, 403, 408, 429})


class ServiceUnavailable(Exception):
    """The API could not take the batch now (network, overload, server error, key refused)."""


class ServiceRefused(Exception):
    """The API refused the batch's data (422 and the like): retrying it unchanged cannot help."""


class HttpSink(BatchingSink):
    outage_errors = (ServiceUnavailable,)
    target = "the PlateWatch API"

    def __init__(
        self,
        api_url: str,
        api_key: str,
        spool_dir: Path,
        *,
        batch_size: int = 25,
        batch_seconds: float = 2.0,
        queue_size: int = 1000,
        retry_seconds: float = 5.0,
        timeout_s: float = 30.0,
        evidence_root: Path | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(
            spool_dir,
            name="sighting-http-sink",
            batch_size=batch_size,
            batch_seconds=batch_seconds,
            queue_size=queue_size,
            retry_seconds=retry_seconds,
        )
        if not api_key:
            raise ValueError("the HTTP sink needs a camera API key")
        self.api_url = api_url.rstrip("/")
        self.evidence_root = evidence_root.resolve() if evidence_root is not None else None
        self._client = httpx.Client(
            base_url=self.api_url,
            headers={"X-API-Key": api_key},
            timeout=timeout_s,
            transport=transport,
        )

    def _finish(self) -> None:
        self._client.close()

    def _relative(self, path: str | None) -> str | None:
        """An evidence path as the service stores it: relative to the evidence store.

        The images stay on this machine's evidence folder, which the force mirrors to the service's
        (rsync, a shared mount); a path outside the folder is sent unchanged and the service refuses it.
        """
        if path is None or self.evidence_root is None or not Path(path).is_absolute():
            return path
        try:
            return Path(path).resolve().relative_to(self.evidence_root).as_posix()
        except ValueError:
            return path

    def _body(self, s: Sighting) -> dict[str, object]:
        wire = SightingV1.from_record(s).model_copy(
            update={
                "plate_image_path": self._relative(s.plate_image_path),
                "vehicle_image_path": self._relative(s.vehicle_image_path),
            }
        )
        return wire.model_dump(mode="json")

    def _send(self, batch: Sequence[Sighting]) -> Sent:
        body = {"sightings": [self._body(s) for s in batch]}
        try:
            response = self._client.post(INGEST_PATH, json=body)
        except httpx.TransportError as e:
            raise ServiceUnavailable(f"{self.api_url}: {type(e).__name__}: {e}") from e
        status = response.status_code
        if status == 200:
            data = response.json()
            return Sent(int(data["inserted"]), int(data["duplicates"]))
        detail = response.text[:500]
        if status >= 500 or status in _RETRY_STATUSES:
            if status in (401, 403):
                log.error("the API refused this worker's key (%d): %s", status, detail)
            raise ServiceUnavailable(f"HTTP {status}: {detail}")
        raise ServiceRefused(f"HTTP {status}: {detail}")
