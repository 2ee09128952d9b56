"""Run the rules over newly stored sightings and write deduplicated flags.

`apply_rules` is called after sightings are stored (pipeline writer, API ingest) and by the batch
command `platewatch rules run --since T`; both are the same code on different id sets, and every flag
has a `dedupe_key`, so running twice, or a batch over what the incremental runs already saw, never
creates a second flag for the same evidence.

Per kind (one flag per ...; what later evidence does):
- slow      `slow:<track_key>`: one per pass; nothing to add later.
- hotlist   `hotlist:<entry id>:<sighting id>`: one per read matching an entry.
- circling  `circling:<plate>:<occasion date>`: one per plate per night (days turn over at
            `night_end` local time); later passes the same night are added to it while it is open.
- frequent  `frequent:<plate>:<first night>`: one per plate per `days`-day window starting at the first
            qualifying night; later nights inside the window are added while it is open, and the next
            window can only start after this one ends.
A flag an officer has reviewed (confirmed, dismissed, escalated) is frozen: new evidence is not added
and it is not re-raised under the same key.

Flags need a readable plate (the review queue and letters are per vehicle): a sighting counts only when
its plate was read with confidence >= `MIN_PLATE_CONFIDENCE` or corrected by an officer. Slow passes
without such a plate are counted in `RuleRun.unread_slow` (visible in the batch output and logs) but raise
nothing. The caller owns the transaction: the engine flushes, it does not commit.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from intel_api.db import models as m
from intel_api.rules import explain
from intel_api.rules.exclusions import ExclusionView, active_exclusion, exempt_by_class
from intel_api.rules.facts import SightingFacts
from intel_api.rules.hotlist import HotlistEntryView, match_hotlist
from intel_api.rules.motion import slow_verdict
from intel_api.rules.nights import night_of, occasion_of
from intel_api.rules.repeat import Pass, circling_passes, frequent_nights, group_passes
from platewatch.config import SiteConfig

log = logging.getLogger(__name__)

# Below this the read is as likely wrong as right; flags name a vehicle, so they need a usable read.
MIN_PLATE_CONFIDENCE = 0.5

BuildText = Callable[[list[SightingFacts]], tuple[str, dict[str, Any]]]


@dataclass
class RuleRun:
    created: list[m.Flag] = field(default_factory=list)
    updated: list[m.Flag] = field(default_factory=list)
    unread_slow: int = 0  # slow/stopped passes in a watched area with no usable plate
    suppressed: int = 0  # slow and fuzzy-hotlist flags an exclusion prevented
    frozen: int = 0  # evidence not added because the flag was already reviewed
    sightings: int = 0


def _fixed(text: str, details: dict[str, Any]) -> BuildText:
    """The explanation of a one-sighting flag does not change with later evidence."""

    def build(_: list[SightingFacts]) -> tuple[str, dict[str, Any]]:
        return text, details

    return build


def plate_usable(f: SightingFacts) -> bool:
    if f.plate is None:
        return False
    if f.plate_corrected:
        return True
    return f.plate_confidence is not None and f.plate_confidence >= MIN_PLATE_CONFIDENCE


def watch_zones(cfg: SiteConfig, camera_id: str) -> frozenset[str]:
    """Watch zones of a camera; empty (whole view watched) for a camera without any or not in the config."""
    try:
        cam = cfg.camera(camera_id)
    except KeyError:
        return frozenset()
    return frozenset(z.name for z in cam.zones if z.kind == "watch")


def apply_rules(
    session: Session, sighting_ids: Iterable[int], cfg: SiteConfig, now: datetime | None = None
) -> list[m.Flag]:
    """Apply every rule to these stored sightings; returns the flags created (flushed, not committed)."""
    return run_rules(session, sighting_ids, cfg, now).created


def run_rules(
    session: Session, sighting_ids: Iterable[int], cfg: SiteConfig, now: datetime | None = None
) -> RuleRun:
    return _Engine(session, cfg, now or datetime.now(UTC)).run(sorted(set(sighting_ids)))


class _Engine:
    def __init__(self, session: Session, cfg: SiteConfig, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        self.s = session
        self.cfg = cfg
        self.rules = cfg.rules
        self.tz = ZoneInfo(cfg.site.timezone)
        self.now = now
        self.night_start = cfg.rules.frequent.night_start_time
        self.night_end = cfg.rules.frequent.night_end_time
        self.result = RuleRun()
        self.rows: dict[int, m.Sighting] = {}
        self.flags: dict[str, m.Flag | None] = {}

    def run(self, ids: Sequence[int]) -> RuleRun:
        new_rows: list[m.Sighting] = []
        for chunk in range(0, len(ids), 500):
            new_rows.extend(
                self.s.scalars(sa.select(m.Sighting).where(m.Sighting.id.in_(ids[chunk : chunk + 500]))).all()
            )
        new_rows.sort(key=lambda r: (r.first_seen, r.id))
        for r in new_rows:
            self.rows[r.id] = r
        self.result.sightings = len(new_rows)
        if not new_rows:
            return self.result
        exclusions = [
            ExclusionView(e.id, e.plate_text, str(e.category), e.reason, e.expires_at, e.active)
            for e in self.s.scalars(
                sa.select(m.Exclusion).where(m.Exclusion.active.is_(True), m.Exclusion.expires_at > self.now)
            )
        ]
        hotlist = [
            HotlistEntryView(h.id, h.plate_text, h.reason, h.owner, h.expires_at, h.active)
            for h in self.s.scalars(
                sa.select(m.HotlistEntry).where(
                    m.HotlistEntry.active.is_(True), m.HotlistEntry.expires_at > self.now
                )
            )
        ]
        repeat_plates: dict[str, list[SightingFacts]] = defaultdict(list)
        for row in new_rows:
            f = SightingFacts.from_row(row)
            usable = plate_usable(f)
            excluded = active_exclusion(f.plate, exclusions, self.now) if f.plate else None
            self._slow(f, row, usable, excluded)
            if usable and f.plate:
                self._hotlist(f, row, hotlist, excluded)
                if excluded is None and not exempt_by_class(f.vehicle_class):
                    repeat_plates[f.plate].append(f)
        for plate, new_facts in repeat_plates.items():
            self._repeat(plate, new_facts)
        self.s.flush()
        log.info(
            "rules: %d sightings, %d flags created, %d updated, %d unread slow passes, %d suppressed",
            self.result.sightings,
            len(self.result.created),
            len(self.result.updated),
            self.result.unread_slow,
            self.result.suppressed,
        )
        return self.result

    # -- per-sighting rules ---------------------------------------------------------------------------

    def _slow(self, f: SightingFacts, row: m.Sighting, usable: bool, excluded: ExclusionView | None) -> None:
        if exempt_by_class(f.vehicle_class):
            return
        v = slow_verdict(f, self.rules.slow, watch_zones(self.cfg, f.camera_id))
        if not v.flag:
            return
        if not usable or f.plate is None:
            self.result.unread_slow += 1
            return
        if excluded is not None:
            self.result.suppressed += 1
            return
        text = explain.explain_slow(f, v, self.rules.slow, self.tz)
        details: dict[str, Any] = {
            "motion": v.call.label,
            "slow_seconds": round(v.slow_seconds, 1),
            "watch_seconds": round(v.watch_seconds, 1),
            "zones": list(v.zones),
            "speed_kmh": f.speed_kmh,
            "min_speed_kmh": f.min_speed_kmh,
            "stopped_seconds": f.stopped_seconds,
        }
        self._upsert(f"slow:{f.track_key}", m.FlagKind.SLOW, f.plate, [row], _fixed(text, details))

    def _hotlist(
        self,
        f: SightingFacts,
        row: m.Sighting,
        entries: list[HotlistEntryView],
        excluded: ExclusionView | None,
    ) -> None:
        assert f.plate is not None
        for match in match_hotlist(f.plate, entries, self.rules.hotlist_max_distance, self.now):
            if excluded is not None and match.matched_by == "fuzzy":
                self.result.suppressed += 1
                continue
            text = explain.explain_hotlist(f, match, self.tz, excluded)
            details: dict[str, Any] = {
                "entry_plate": match.entry.plate_text,
                "differences": [list(d) for d in match.differences],
                "excluded_as": excluded.category if excluded else None,
            }
            self._upsert(
                f"hotlist:{match.entry.id}:{row.id}",
                m.FlagKind.HOTLIST,
                f.plate,
                [row],
                _fixed(text, details),
                matched_by=match.matched_by,
                hotlist_entry_id=match.entry.id,
            )

    # -- repeat rules ---------------------------------------------------------------------------------

    def _history(self, plate: str, new_facts: list[SightingFacts]) -> list[SightingFacts]:
        """Usable, non-exempt sightings of `plate` around the new ones (enough for both repeat rules)."""
        span = max(
            timedelta(days=self.rules.frequent.days + 1),
            timedelta(minutes=self.rules.circling.window_minutes),
        )
        lo = min(f.first_seen for f in new_facts) - span
        hi = max(f.first_seen for f in new_facts) + timedelta(days=1)
        raw = {new.plate_text for new in new_facts if new.plate_text} | {plate}
        rows = self.s.scalars(
            sa.select(m.Sighting).where(
                m.Sighting.plate_text.in_(raw), m.Sighting.first_seen >= lo, m.Sighting.first_seen <= hi
            )
        ).all()
        out: list[SightingFacts] = []
        for r in rows:
            self.rows[r.id] = r
            f = SightingFacts.from_row(r)
            if f.plate == plate and plate_usable(f) and not exempt_by_class(f.vehicle_class):
                out.append(f)
        return out

    def _repeat(self, plate: str, new_facts: list[SightingFacts]) -> None:
        history = self._history(plate, new_facts)
        new_ids = {f.id for f in new_facts}
        self._circling(plate, history, new_ids)
        self._frequent(plate, history, new_ids)

    def _circling(self, plate: str, history: list[SightingFacts], new_ids: set[int | None]) -> None:
        rule = self.rules.circling
        passes = group_passes(history)
        by_occasion: dict[date, list[Pass]] = defaultdict(list)
        for p in passes:
            by_occasion[occasion_of(p.start, self.tz, self.night_end)].append(p)
        window = timedelta(minutes=rule.window_minutes)
        for occ, occ_passes in sorted(by_occasion.items()):
            for p in occ_passes:
                if not any(s.id in new_ids for s in p.sightings):
                    continue
                key = f"circling:{plate}:{occ.isoformat()}"
                if self._get_flag(key) is not None:
                    evidence = list(p.sightings)
                else:
                    qualifying = circling_passes(occ_passes, p, rule.passes, window)
                    if qualifying is None:
                        continue
                    evidence = [s for q in qualifying for s in q.sightings]

                def build(all_facts: list[SightingFacts], occ: date = occ) -> tuple[str, dict[str, Any]]:
                    all_passes = group_passes(all_facts)
                    text = explain.explain_circling(plate, all_passes, rule, self.tz)
                    return text, {"occasion": occ.isoformat(), "passes": len(all_passes)}

                self._upsert(key, m.FlagKind.CIRCLING, plate, self._rows_of(evidence), build)

    def _frequent(self, plate: str, history: list[SightingFacts], new_ids: set[int | None]) -> None:
        rule = self.rules.frequent
        nights: dict[date, list[SightingFacts]] = defaultdict(list)
        for f in history:
            n = night_of(f.first_seen, self.tz, self.night_start, self.night_end)
            if n is not None:
                nights[n].append(f)
        new_nights = sorted({n for n, fs in nights.items() if any(f.id in new_ids for f in fs)})
        if not new_nights:
            return
        windows = self._frequent_windows(plate)
        for n in new_nights:
            covering = next((w for w in windows if w[0] <= n < w[0] + timedelta(days=rule.days)), None)
            if covering is not None:
                start = covering[0]
                evidence = nights[n]
            else:
                ended = [
                    w[0] + timedelta(days=rule.days) for w in windows if w[0] + timedelta(days=rule.days) <= n
                ]
                chosen = frequent_nights(nights, n, rule.nights, rule.days, max(ended) if ended else None)
                if chosen is None:
                    continue
                start = chosen[0]
                evidence = [f for c in chosen for f in nights[c]]
                windows.append((start, f"frequent:{plate}:{start.isoformat()}"))

            def build(all_facts: list[SightingFacts], start: date = start) -> tuple[str, dict[str, Any]]:
                grouped: dict[date, list[SightingFacts]] = defaultdict(list)
                for f in sorted(all_facts, key=lambda x: x.first_seen):
                    night = night_of(f.first_seen, self.tz, self.night_start, self.night_end)
                    if night is not None:
                        grouped[night].append(f)
                text = explain.explain_frequent(plate, grouped, rule, self.cfg.site.timezone, self.tz)
                return text, {
                    "window_start": start.isoformat(),
                    "window_days": rule.days,
                    "nights": [d.isoformat() for d in sorted(grouped)],
                }

            key = f"frequent:{plate}:{start.isoformat()}"
            self._upsert(key, m.FlagKind.FREQUENT, plate, self._rows_of(evidence), build)

    def _frequent_windows(self, plate: str) -> list[tuple[date, str]]:
        """(window start, key) of every frequent flag already raised for this plate, whatever its status."""
        prefix = f"frequent:{plate}:"
        keys = self.s.scalars(
            sa.select(m.Flag.dedupe_key).where(m.Flag.kind == m.FlagKind.FREQUENT, m.Flag.plate_text == plate)
        ).all()
        out = []
        for k in keys:
            if not k.startswith(prefix):
                continue
            try:
                out.append((date.fromisoformat(k.removeprefix(prefix)), k))
            except ValueError:
                # A key this engine did not write (an import, a hand-made flag) has no window to extend.
                continue
        return sorted(out)

    # -- writing flags --------------------------------------------------------------------------------

    def _rows_of(self, facts: Iterable[SightingFacts]) -> list[m.Sighting]:
        return [self.rows[f.id] for f in facts if f.id is not None and f.id in self.rows]

    def _get_flag(self, key: str) -> m.Flag | None:
        if key not in self.flags:
            self.flags[key] = self.s.scalars(
                sa.select(m.Flag).where(m.Flag.dedupe_key == key).options(selectinload(m.Flag.sightings))
            ).one_or_none()
        return self.flags[key]

    def _upsert(
        self,
        key: str,
        kind: m.FlagKind,
        plate: str,
        rows: list[m.Sighting],
        build: BuildText,
        matched_by: str | None = None,
        hotlist_entry_id: int | None = None,
    ) -> None:
        flag = self._get_flag(key)
        if flag is None:
            flag = self._create(key, kind, plate, rows, build, matched_by, hotlist_entry_id)
            if flag is not None:
                return
            flag = self._get_flag(key)
            assert flag is not None
        self._extend(flag, rows, build)

    def _create(
        self,
        key: str,
        kind: m.FlagKind,
        plate: str,
        rows: list[m.Sighting],
        build: BuildText,
        matched_by: str | None,
        hotlist_entry_id: int | None,
    ) -> m.Flag | None:
        text, details = build([SightingFacts.from_row(r) for r in rows])
        flag = m.Flag(
            kind=kind,
            status=m.FlagStatus.OPEN,
            plate_text=plate,
            dedupe_key=key,
            explanation=text,
            details=details,
            matched_by=matched_by,
            hotlist_entry_id=hotlist_entry_id,
            created_at=self.now,
            updated_at=self.now,
        )
        try:
            # A concurrent writer (pipeline and API ingest) may raise the same flag first: the unique
            # dedupe_key rejects ours, and only this savepoint is rolled back, never the caller's work.
            with self.s.begin_nested():
                self.s.add(flag)
                flag.sightings = list(rows)
                self.s.flush()
        except sa.exc.IntegrityError:
            self.flags.pop(key, None)
            return None
        self.flags[key] = flag
        self.result.created.append(flag)
        return flag

    def _extend(self, flag: m.Flag, rows: list[m.Sighting], build: BuildText) -> None:
        linked = {s.id for s in flag.sightings}
        extra = [r for r in rows if r.id not in linked]
        if not extra:
            return
        if flag.status != m.FlagStatus.OPEN:
            self.result.frozen += 1
            return
        flag.sightings.extend(extra)
        text, details = build([SightingFacts.from_row(r) for r in flag.sightings])
        flag.explanation = text
        flag.details = details
        flag.updated_at = self.now
        if flag not in self.result.created and flag not in self.result.updated:
            self.result.updated.append(flag)
