"""Which characters an OCR reader mistakes for each other on UK plates, and a distance built on it.

The groups come from the confusion table in shared/DOMAIN.md section 3 (issues seen on openalpr,
fast-alpr, ultimateALPR, CodeProject, Frigate). Each group is a clique: every pair inside it is
confusable both ways. Groups overlap (T sits with 1 and with 7), but the relation is not closed
transitively, so 1 and 7 are *not* confusable unless a group says so. U is one-way: a U read in a
digit slot is a 0 (DOMAIN) and a U may be a misread J (fast-alpr #12), but a 0 or a J read in a letter
slot is not turned into a U.
"""

from __future__ import annotations

from functools import lru_cache

CONFUSABLE_GROUPS: tuple[str, ...] = (
    "0ODQ",  # round glyphs
    "1ILTJ",  # vertical strokes
    "2Z",
    "4A",
    "5S",
    "6G",
    "7T",
    "8B",
)
# (read, truth) pairs that only go one way.
ONE_WAY: tuple[tuple[str, str], ...] = (("U", "0"), ("U", "J"))


def _build_table() -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}
    for group in CONFUSABLE_GROUPS:
        for ch in group:
            table.setdefault(ch, set()).update(c for c in group if c != ch)
    for read, truth in ONE_WAY:
        table.setdefault(read, set()).add(truth)
    return {ch: frozenset(others) for ch, others in table.items()}


_CONFUSABLE: dict[str, frozenset[str]] = _build_table()


def confusable_with(ch: str) -> frozenset[str]:
    """Characters (other than `ch` itself) that a reader may have meant when it returned `ch`."""
    return _CONFUSABLE.get(ch, frozenset())


def is_confusable(a: str, b: str) -> bool:
    """True when `a` and `b` are the same character or one may be read for the other (symmetric)."""
    return a == b or b in _CONFUSABLE.get(a, frozenset()) or a in _CONFUSABLE.get(b, frozenset())


@lru_cache(maxsize=65536)  # bounded: the process runs 24/7
def confusable_distance(a: str, b: str) -> int:
    """Levenshtein distance in which substituting a confusable character costs 0.

    Insertions, deletions and non-confusable substitutions cost 1. So "AB12CDE" and "A812CDE" are at
    distance 0 (same glyphs, different reading), "AB12CDE" and "AB12CDF" at 1. Inputs are expected to be
    normalised (upper case A-Z0-9); plates are short, so the O(len(a)*len(b)) table is cheap, and the
    result is cached (bounded) because a track repeats the same strings many times.
    """
    if a == b:
        return 0
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            sub = prev[j - 1] + (0 if is_confusable(ca, cb) else 1)
            cur[j] = min(sub, prev[j] + 1, cur[j - 1] + 1)
        prev = cur
    return prev[len(b)]


def within_one_confusable_edit(a: str, b: str) -> bool:
    """``confusable_distance(a, b) <= 1`` in O(len) (O(len^2) when lengths differ by one), for
    clustering many reads. Equal lengths: a path with insertions needs two of them, so only
    substitutions count. Lengths one apart: exactly one deletion from the longer, then confusable
    characters all along."""
    if len(a) < len(b):
        a, b = b, a
    if len(a) - len(b) > 1:
        return False
    if len(a) == len(b):
        return sum(not is_confusable(x, y) for x, y in zip(a, b, strict=True)) <= 1
    return any(
        all(is_confusable(x, y) for x, y in zip(a[:i] + a[i + 1 :], b, strict=True)) for i in range(len(a))
    )
