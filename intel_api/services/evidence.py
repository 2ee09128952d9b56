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
