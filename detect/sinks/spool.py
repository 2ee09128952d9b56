"""The on-disk spool of a sink: pending batches as JSON lines (contract v1), replayed head first."""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from detect.contract import SightingV1, contract_problems
from detect.records import Sighting

log = logging.getLogger(__name__)


def _line(sighting: Sighting) -> dict[str, object]:
    return SightingV1.from_record(sighting).model_dump(mode="json")


def _parse(d: dict[str, object]) -> Sighting:
    if "schema" in d and "schema_version" not in d:
        d = dict(d)
        d["schema_version"] = d.pop("schema")  # lines written before the contract had a version key
    return SightingV1.model_validate(d).to_record()


class Spool:
    """Append-only JSON-lines file of pending batches (`pending.jsonl`, fsync'd), plus `rejected.jsonl`."""

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
        line = json.dumps({"sightings": [_line(s) for s in batch]}, separators=(",", ":"))
        with self._lock:
            self._append(self.pending, [line])

    def reject(self, sighting: Sighting, reason: str) -> None:
        line = json.dumps({"reason": reason, "sighting": _line(sighting)}, separators=(",", ":"))
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
                out.append([_parse(d) for d in json.loads(line)["sightings"]])
            except (ValueError, KeyError, TypeError) as e:
                # A torn last line (crash mid-write) or a hand-edited file: keep it aside, go on.
                why = contract_problems(e) if isinstance(e, ValidationError) else str(e)
                log.error("spool %s line %d unreadable (%s); moved to rejected", self.pending, n, why)
                with self._lock:
                    self._append(self.rejected, [json.dumps({"reason": f"unreadable: {why}", "line": line})])
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
