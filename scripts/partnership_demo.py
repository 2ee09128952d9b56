"""Generate the partnership report from demo data: an invented month of the operation.

    python scripts/partnership_demo.py --out docs/report

Builds a fresh SQLite database under a temporary folder (migrated to head), fills it with a seeded,
invented month: through traffic, vehicles that frequent the street at night, flags, letters posted at
stage 1 and 2, a representation or two; then writes the report's PNG plots, PDF and JSON to --out.
The plates are invented and never appear in the output.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from intel_api.db import models as m
from intel_api.db.migrate import upgrade
from intel_api.db.session import make_engine, make_session_factory
from intel_api.services import report

TZ = ZoneInfo("Europe/London")
START, END = date(2026, 11, 2), date(2026, 11, 29)


def _plate(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNOPRSTUVWXY"
    return (
        f"{rng.choice(letters)}{rng.choice(letters)}{rng.randint(51, 75)}{''.join(rng.choices(letters, k=3))}"
    )


def build(db_url: str, seed: int = 12) -> None:
    rng = random.Random(seed)
    engine = make_engine(db_url)
    sessions = make_session_factory(engine)
    n = 0
    with sessions() as s:
        s.add(m.Camera(id="cam1", name="Hessle Street north"))
        s.add(m.Camera(id="cam2", name="Hessle Street south"))
        s.flush()

        def sight(plate: str, when: datetime, slow: bool) -> m.Sighting:
            nonlocal n
            n += 1
            row = m.Sighting(
                track_key=f"demo:{n}",
                camera_id=rng.choice(["cam1", "cam2"]),
                first_seen=when,
                last_seen=when + timedelta(seconds=15),
                vehicle_class="car",
                plate_text=plate,
                plate_raw=plate,
                plate_confidence=0.95,
                plate_valid=True,
                speed_kmh=rng.uniform(6, 12) if slow else rng.uniform(25, 45),
                stopped_seconds=rng.uniform(5, 40) if slow else 0.0,
                frames_seen=20,
            )
            s.add(row)
            return row

        day0 = datetime.combine(START - timedelta(days=21), datetime.min.time(), TZ).astimezone(UTC)
        horizon = (END - START).days + 22
        for _ in range(180):  # through traffic, day and night
            plate = _plate(rng)
            for _ in range(rng.randint(1, 4)):
                sight(plate, day0 + timedelta(days=rng.uniform(0, horizon)), slow=False)
        # Frequenters: flagged; some written to (stage 1, a few stage 2), some not yet.
        for i in range(24):
            plate = _plate(rng)
            first = day0 + timedelta(days=rng.uniform(0, 38), hours=23)
            rows = [
                sight(plate, first + timedelta(days=k, minutes=rng.uniform(-60, 60)), slow=True)
                for k in range(3)
            ]
            flag = m.Flag(
                kind=m.FlagKind.FREQUENT,
                plate_text=plate,
                dedupe_key=f"demo:{i}",
                explanation="demo",
                details={},
                sightings=rows,
                status=m.FlagStatus.CONFIRMED,
                created_at=first + timedelta(days=2),
                updated_at=first + timedelta(days=rng.uniform(3, 5)),
            )
            s.add(flag)
            s.flush()
            lettered = i < 14
            ref = flag.updated_at + timedelta(days=rng.uniform(2, 6)) if lettered else flag.updated_at
            if lettered:
                letter = m.Letter(
                    flag_id=flag.id,
                    plate_text=plate,
                    status=m.LetterStatus.SENT,
                    stage=1,
                    policy_window_start=first,
                    template_version="v1",
                    sent_at=ref,
                    created_at=ref - timedelta(days=2),
                )
                s.add(letter)
                s.flush()
                if i % 5 == 0:
                    s.add(
                        m.Representation(
                            letter_id=letter.id,
                            received_at=ref + timedelta(days=9),
                            from_whom="keeper",
                            channel="letter",
                            summary="demo",
                            outcome=m.RepresentationOutcome.UPHELD
                            if i == 0
                            else m.RepresentationOutcome.NOT_UPHELD,
                            recorded_by="demo",
                        )
                    )
            comes_back = rng.random() < (0.3 if lettered else 0.75)
            if comes_back:
                back = ref + timedelta(days=rng.uniform(2, 30) if lettered else rng.uniform(1, 15))
                sight(plate, back, slow=True)
                if lettered and rng.random() < 0.6:
                    s.add(
                        m.Letter(
                            flag_id=flag.id,
                            plate_text=plate,
                            status=m.LetterStatus.AWAITING_APPROVAL,
                            stage=2,
                            policy_window_start=first,
                            template_version="cpw1",
                            created_at=back + timedelta(days=2),
                        )
                    )
            s.add(
                m.Flag(
                    kind=rng.choice([m.FlagKind.SLOW, m.FlagKind.CIRCLING]),
                    plate_text=plate,
                    dedupe_key=f"demo:slow:{i}",
                    explanation="demo",
                    details={},
                    sightings=rows[:1],
                    created_at=first + timedelta(hours=1),
                )
            )
        s.commit()
    engine.dispose()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=12)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'demo.db'}"
        upgrade(url)
        build(url, args.seed)
        engine = make_engine(url)
        with make_session_factory(engine)() as s:
            figures = report.compute(s, START, END, TZ)
        engine.dispose()
    for path in report.write(figures, "Hessle Street (demo data)", args.out):
        sys.stdout.write(f"{path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
