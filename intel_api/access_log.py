"""The server's access log without personal data.

uvicorn logs every request line as sent: `/vehicles/AB12CDE/visits?reason=...` would put a plate, a
search and an officer's stated reason into a plain log file that no retention rule or audit covers.
The audit trail (`intel_api.audit`) is where look-ups are recorded; the access log keeps only what
operations need: method, route shape, status and client. The query string is dropped and the plate
segment of a vehicle path is replaced.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

# `/vehicles/{plate}...` (API) and `/ui/vehicles/{plate}` (pages): the segment after "vehicles".
_PLATE_SEGMENT = re.compile(r"(/vehicles/)[^/?#]+")
REDACTED = "{plate}"


def redact_path(path: str) -> str:
    """A request path as it may be logged: no query string, no plate."""
    return _PLATE_SEGMENT.sub(rf"\g<1>{REDACTED}", path.split("?", 1)[0].split("#", 1)[0])


class RedactPersonalData(logging.Filter):
    """Rewrites uvicorn's access records (args: client, method, full path, HTTP version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_path(args[2]), *args[3:])
        return True


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's default logging, with the access handler filtered (`RedactPersonalData`)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_personal_data"] = {"()": f"{__name__}.RedactPersonalData"}
    config["handlers"]["access"]["filters"] = ["redact_personal_data"]
    return config
