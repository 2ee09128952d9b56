"""The partnership report (issue 12): aggregate figures for a fortnight or a month, plots and a PDF.

Only counts leave the system here: no plates, no names, no addresses, no sighting ids. The effect
of the operation compares vehicles that were sent a letter with vehicles whose flag was confirmed
but who were not written to: how many came back, and after how long.
"""

from __future__ import annotations

import io
import statistics
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from intel_api.db.models import Flag, FlagStatus, Letter, LetterStatus, Representation, Sighting

SENT = (LetterStatus.SENT, LetterStatus.RESPONDED, LetterStatus.WITHDRAWN)


@dataclass(slots=True)
class ReturnGroup:
    vehicles: int = 0
    returned: int = 0
    median_days_to_return: float | None = None
    days_to_return: list[float] = field(default_factory=list)  # one figure per returning vehicle

    @property
    def share_returned(self) -> float | None:
        return round(self.returned / self.vehicles, 3) if self.vehicles else None


@dataclass(slots=True)
class PartnershipReport:
    start: date
    end: date  # inclusive
    timezone: str
    sightings: int
    distinct_vehicles: int
    sightings_per_day: dict[str, int]
    flags_by_kind: dict[str, int]
    letters_by_stage: dict[str, int]
    representations_by_outcome: dict[str, int]
    with_letter: ReturnGroup
    without_letter: ReturnGroup

    def as_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["start"], out["end"] = self.start.isoformat(), self.end.isoformat()
        for key in ("with_letter", "without_letter"):
            group: ReturnGroup = getattr(self, key)
            out[key]["share_returned"] = group.share_returned
        return out


def _bounds(start: date, end: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return datetime.combine(start, time(0), tz), datetime.combine(end + timedelta(days=1), time(0), tz)


def _returns(session: Session, refs: dict[str, datetime], until: datetime) -> ReturnGroup:
    group = ReturnGroup(vehicles=len(refs))
    for plate, ref in refs.items():
        first = session.scalar(
            sa.select(sa.func.min(Sighting.first_seen)).where(
                Sighting.plate_text == plate, Sighting.first_seen > ref, Sighting.first_seen < until
            )
        )
        if first is not None:
            group.returned += 1
            group.days_to_return.append(round((first - ref).total_seconds() / 86400, 1))
    group.days_to_return.sort()
    if group.days_to_return:
        group.median_days_to_return = round(statistics.median(group.days_to_return), 1)
    return group


def compute(session: Session, start: date, end: date, tz: ZoneInfo) -> PartnershipReport:
    lo, hi = _bounds(start, end, tz)
    in_period = (Sighting.first_seen >= lo, Sighting.first_seen < hi)
    times = list(session.scalars(sa.select(Sighting.first_seen).where(*in_period)))
    per_day = Counter(t.astimezone(tz).date().isoformat() for t in times)
    day = start
    while day <= end:
        per_day.setdefault(day.isoformat(), 0)
        day += timedelta(days=1)
    distinct = session.scalar(
        sa.select(sa.func.count(sa.distinct(Sighting.plate_text))).where(
            *in_period, Sighting.plate_text.is_not(None)
        )
    )
    flags = Counter(
        k.value
        for k in session.scalars(sa.select(Flag.kind).where(Flag.created_at >= lo, Flag.created_at < hi))
    )
    letters = Counter(
        f"stage {n or 1}"
        for n in session.scalars(
            sa.select(Letter.stage).where(Letter.created_at >= lo, Letter.created_at < hi)
        )
    )
    reps = Counter(
        o.value
        for o in session.scalars(
            sa.select(Representation.outcome).where(
                Representation.received_at >= lo, Representation.received_at < hi
            )
        )
    )
    # Effect: first letter posted per vehicle up to the end of the period, against vehicles whose flag an
    # officer confirmed but who were never written to (below the letter policy, excluded, awaiting
    # approval); their reference time is that confirmation.
    sent: dict[str, datetime] = {}
    for plate, when in session.execute(
        sa.select(Letter.plate_text, Letter.sent_at).where(Letter.status.in_(SENT), Letter.sent_at < hi)
    ):
        if when is not None and (plate not in sent or when < sent[plate]):
            sent[plate] = when
    flagged: dict[str, datetime] = {}
    confirmed = sa.select(Flag.plate_text, Flag.updated_at).where(
        Flag.status == FlagStatus.CONFIRMED, Flag.updated_at < hi
    )
    for plate, when in session.execute(confirmed):
        if plate not in sent and (plate not in flagged or when < flagged[plate]):
            flagged[plate] = when
    return PartnershipReport(
        start=start,
        end=end,
        timezone=str(tz),
        sightings=len(times),
        distinct_vehicles=int(distinct or 0),
        sightings_per_day=dict(sorted(per_day.items())),
        flags_by_kind=dict(sorted(flags.items())),
        letters_by_stage=dict(sorted(letters.items())),
        representations_by_outcome=dict(sorted(reps.items())),
        with_letter=_returns(session, sent, hi),
        without_letter=_returns(session, flagged, hi),
    )


def plots(report: PartnershipReport) -> dict[str, bytes]:
    """PNG figures for the meeting, by name."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out: dict[str, bytes] = {}

    def save(name: str, fig: object) -> None:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")  # type: ignore[attr-defined]
        plt.close(fig)  # type: ignore[arg-type]
        out[name] = buf.getvalue()

    fig, ax = plt.subplots(figsize=(8, 3))
    days = list(report.sightings_per_day)
    ax.bar(range(len(days)), list(report.sightings_per_day.values()), color="#4a7ab5")
    ax.set_xticks(range(len(days)), [d[5:] for d in days], rotation=90, fontsize=7)
    ax.set_ylabel("sightings")
    ax.set_title(f"Vehicle sightings per day, {report.start} to {report.end}")
    save("sightings_per_day", fig)

    fig, axes = plt.subplots(1, 3, figsize=(10, 3))
    for ax, (title, data) in zip(
        axes,
        (
            ("Flags by kind", report.flags_by_kind),
            ("Letters by stage", report.letters_by_stage),
            ("Representations", report.representations_by_outcome),
        ),
        strict=True,
    ):
        ax.bar(list(data) or ["none"], list(data.values()) or [0], color="#b5764a")
        ax.set_title(title, fontsize=10)
        ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    save("flags_letters_representations", fig)

    fig, ax = plt.subplots(figsize=(6, 3.5))
    horizon = max([*report.with_letter.days_to_return, *report.without_letter.days_to_return, 1.0])
    for label, group, colour in (
        ("sent a letter", report.with_letter, "#2f8f4e"),
        ("confirmed, no letter", report.without_letter, "#b53a3a"),
    ):
        if group.vehicles:
            xs = [0.0, *group.days_to_return, horizon]
            ys = [
                0.0,
                *[(i + 1) / group.vehicles for i in range(len(group.days_to_return))],
                group.returned / group.vehicles,
            ]
            ax.step(xs, ys, where="post", label=f"{label} (n={group.vehicles})", color=colour)
    ax.set_xlabel("days after the letter (or the confirmation)")
    ax.set_ylabel("share of vehicles seen again")
    ax.set_ylim(0, 1)
    ax.set_title("Effect of letters on returns")
    ax.legend(fontsize=8)
    save("returns_after_letter", fig)
    return out


def pdf(report: PartnershipReport, site_name: str, images: dict[str, bytes]) -> bytes:
    from fpdf import FPDF

    doc = FPDF(format="A4")
    doc.set_title(f"Partnership report {report.start} to {report.end}")
    doc.set_creator("PlateWatch partnership report")
    doc.add_page()
    doc.set_font("Helvetica", "B", 14)
    doc.cell(0, 8, f"{site_name}: partnership report", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", size=9)
    doc.multi_cell(
        0,
        4.5,
        f"Period {report.start:%d %B %Y} to {report.end:%d %B %Y} ({report.timezone}). Aggregate "
        "figures only: no vehicle registrations, names or addresses.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    doc.ln(2)
    rows = [
        ("Sightings", str(report.sightings)),
        ("Distinct vehicles", str(report.distinct_vehicles)),
        ("Flags by kind", ", ".join(f"{k} {v}" for k, v in report.flags_by_kind.items()) or "none"),
        ("Letters by stage", ", ".join(f"{k}: {v}" for k, v in report.letters_by_stage.items()) or "none"),
        (
            "Representations",
            ", ".join(f"{k} {v}" for k, v in report.representations_by_outcome.items()) or "none",
        ),
    ]
    for label, grp in (
        ("Sent a letter", report.with_letter),
        ("Confirmed, no letter", report.without_letter),
    ):
        share = f"{grp.share_returned:.0%}" if grp.share_returned is not None else "n/a"
        median = f"{grp.median_days_to_return} days" if grp.median_days_to_return is not None else "n/a"
        rows.append((label, f"{grp.vehicles} vehicles, {grp.returned} seen again ({share}); median {median}"))
    for label, value in rows:
        doc.set_font("Helvetica", "B", 9)
        doc.cell(45, 5, label)
        doc.set_font("Helvetica", size=9)
        doc.multi_cell(0, 5, value, new_x="LMARGIN", new_y="NEXT")
    for data in images.values():
        if doc.get_y() > 200:
            doc.add_page()
        doc.ln(3)
        doc.image(io.BytesIO(data), w=180)
    return bytes(doc.output())


def write(report: PartnershipReport, site_name: str, out_dir: Path) -> list[Path]:
    """Write the PNGs, the PDF and the figures as JSON; returns the paths written."""
    import json

    out_dir.mkdir(parents=True, exist_ok=True)
    images = plots(report)
    written = []
    for name, data in images.items():
        p = out_dir / f"{name}.png"
        p.write_bytes(data)
        written.append(p)
    p = out_dir / "partnership_report.pdf"
    p.write_bytes(pdf(report, site_name, images))
    written.append(p)
    p = out_dir / "partnership_report.json"
    p.write_text(json.dumps(report.as_dict(), indent=2), encoding="utf-8")
    written.append(p)
    return written
