"""Log records from ingest carry the camera id, so interleaved lines from many cameras stay readable."""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any

_LOGGER = logging.getLogger("platewatch.ingest")


class CameraLogger(logging.LoggerAdapter[logging.Logger]):
    """`platewatch.ingest` logger that prefixes every message with `[camera_id]`."""

    def __init__(self, camera_id: str) -> None:
        super().__init__(_LOGGER, {"camera_id": camera_id})
        self.camera_id = camera_id

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, MutableMapping[str, Any]]:
        extra = kwargs.setdefault("extra", {})
        extra.setdefault("camera_id", self.camera_id)
        return f"[{self.camera_id}] {msg}", kwargs
