"""Monthly partitions of `sighting` and `plate_read` on PostgreSQL (migration 0010).

Retention then removes an expired month by dropping its two partitions (seconds, at any size)
instead of deleting its rows one by one (minutes at 10 M sightings a year, and hopeless at national
volume). A sighting's partition key is its `first_seen`; each plate read carries its sighting's
`first_seen` as `sighting_first_seen`, so a read lives in the same month as its sighting and the
(sighting_id, sighting_first_seen) foreign key holds. `flag_sighting` is small and stays one table,
keyed the same way.

Partitions are made when a row needs one: every insert path calls `ensure_months` first (the ORM
through a `before_insert` hook on `Sighting`, `intel_api.store` once per batch), so a sighting from
any month — an old video file, a spool replayed after an outage — finds its partition. There is no
default partition on purpose: a row that bypassed `ensure_months` fails loudly instead of landing
where no month's drop would ever remove it. SQLite (the embedded default) is not partitioned;
everything here is a no-op there and retention deletes rows instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

# Parent table -> its partition key column.
MONTHLY_TABLES: dict[str, str] = {"sighting": "first_seen", "plate_read": "sighting_first_seen"}
_NAME = re.compile(r"^sighting_y(\d{4})m(\d{2})$")


@dataclass(frozen=True, order=True, slots=True)
class Month:
    year: int
    month: int

    @classmethod
    def of(cls, when: datetime) -> Month:
        if when.tzinfo is None:
            raise ValueError(f"naive datetime {when!r}: months are cut in UTC from aware times")
        utc = when.astimezone(UTC)
        return cls(utc.year, utc.month)

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        return self.next().start

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def partition(self, table: str) -> str:
        return f"{table}_y{self.year:04d}m{self.month:02d}"


def is_partitioned(conn: sa.Connection) -> bool:
    if conn.dialect.name != "postgresql":
        return False
    kind = conn.execute(sa.text("SELECT relkind FROM pg_class WHERE oid = to_regclass('sighting')")).scalar()
    return kind == "p"


def ensure_months(conn: sa.Connection, months: Iterable[Month]) -> list[str]:
    """Create the partitions the given months need (both tables); returns the names created.

    Cheap when they exist (one catalog query). Creating one locks the parent tables until the
    caller's transaction ends, so a new month is also made ahead: asking for the current month
    makes the next one too.
    """
    wanted = set(months)
    if not wanted or conn.dialect.name != "postgresql":
        return []
    now = Month.of(datetime.now(UTC))
    if now in wanted:
        wanted.add(now.next())
    names = [m.partition(t) for m in sorted(wanted) for t in MONTHLY_TABLES]
    rows = conn.execute(
        sa.text(
            "SELECT (SELECT relkind FROM pg_class WHERE oid = to_regclass('sighting')) AS kind, "
            "array(SELECT n FROM unnest(CAST(:names AS text[])) AS n WHERE to_regclass(n) IS NULL) AS missing"
        ),
        {"names": names},
    ).one()
    if rows.kind != "p" or not rows.missing:
        return []
    # One creator at a time: two workers starting a new month together would both create its
    # partitions. The lock mode conflicts only with itself and DDL, not with reads or inserts; and,
    # unlike an advisory lock, taking a table lock makes this session see the partitions another
    # committed meanwhile (the name look-ups below would otherwise answer from a stale cache).
    conn.execute(sa.text("LOCK TABLE sighting, plate_read IN SHARE UPDATE EXCLUSIVE MODE"))
    created: list[str] = []
    for month in sorted(wanted):
        for table in MONTHLY_TABLES:
            name = month.partition(table)
            if conn.execute(sa.text("SELECT to_regclass(:n)"), {"n": name}).scalar() is not None:
                continue
            conn.execute(
                sa.text(
                    f'CREATE TABLE "{name}" PARTITION OF "{table}" '
                    f"FOR VALUES FROM ('{month.start.isoformat()}') TO ('{month.end.isoformat()}')"
                )
            )
            created.append(name)
    return created


def existing_months(conn: sa.Connection) -> list[Month]:
    """The months that have a `sighting` partition, oldest first."""
    if not is_partitioned(conn):
        return []
    names = conn.execute(
        sa.text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = to_regclass('sighting')"
        )
    ).scalars()
    found = (_NAME.match(n) for n in names)
    return sorted(Month(int(m.group(1)), int(m.group(2))) for m in found if m)


def months_before(conn: sa.Connection, cutoff: datetime) -> list[Month]:
    """Partitioned months that end at or before `cutoff`: every row in them is older than it."""
    return [m for m in existing_months(conn) if m.end <= cutoff]
