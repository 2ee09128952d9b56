"""Evidence images live under one directory; a stored path may never lead outside it."""

from __future__ import annotations

from pathlib import Path


def resolve_evidence(evidence_dir: Path, stored: str) -> Path | None:
    """The file a stored evidence path names, or None when it would escape the evidence store.

    Relative paths are taken from the evidence directory; `..` and symlinks are resolved first so
    `../../etc/passwd` or a planted link cannot be served.
    """
    root = evidence_dir.resolve()
    candidate = Path(stored)
    path = (candidate if candidate.is_absolute() else root / candidate).resolve()
    return path if path.is_relative_to(root) else None


def evidence_relative(evidence_dir: Path, stored: str) -> str | None:
    """What ingest stores for a given evidence path: relative to the store, resolved; None if outside.

    Only relative paths are taken (an absolute one names a file on the sender's machine), and `..`
    or a symlink leading out of the store is refused here rather than at download.
    """
    if not stored or Path(stored).is_absolute() or stored.startswith("~"):
        return None
    path = resolve_evidence(evidence_dir, stored)
    if path is None:
        return None
    return path.relative_to(evidence_dir.resolve()).as_posix()
