"""How often a correct foreign read is changed into a UK plate by region ``gb``.

A camera in Britain sees foreign vehicles; a read that is right as it stands must come out of the
reading stage unchanged (and stored as foreign), never "corrected" into a British registration of
a vehicle that was not there. Each case is one correct read handed to `choose_text` as the only
candidate, with and without the country letters of its EU band in front (readers often return
them), so both the grammar and the candidate choice are measured.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from detect.reading.choice import choose_text
from detect.reading.country import is_uk_format
from detect.reading.readers import PlateGeometry, TextCandidate
from offline.synth.formats import EU_GENERATORS, OTHER_GENERATORS

# A fixed reading date keeps the GB age-identifier rules, and so the figures, reproducible.
ON_DATE = datetime(2026, 11, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ForeignCase:
    source: str  # e.g. "synth:eu_fr", "clip:paris_rain.mp4", "real_crops:us_reported"
    text: str  # the correct read, A-Z0-9
    band: str = ""  # country letters printed in the plate's band, read in front of the text


@dataclass(frozen=True, slots=True)
class CaseResult:
    case: ForeignCase
    with_band: bool
    chosen: str | None
    chosen_format: str | None

    @property
    def changed(self) -> bool:
        return self.chosen is not None and self.chosen != self.case.text

    @property
    def made_uk(self) -> bool:
        """The safety defect: a correct foreign read changed into a (different) UK plate."""
        return self.changed and is_uk_format(self.chosen_format)

    @property
    def uk_as_read(self) -> bool:
        """Unchanged but filed as British: the text fits a UK format too, and no band said otherwise."""
        return not self.changed and is_uk_format(self.chosen_format)


def synthetic_cases(per_layout: int, seed: int = 0) -> list[ForeignCase]:
    """Correct reads of the generator's foreign layouts (EU countries, US, Brazil)."""
    rng = np.random.default_rng(seed)
    out: list[ForeignCase] = []
    for name, generate in {**EU_GENERATORS, **OTHER_GENERATORS}.items():
        for _ in range(per_layout):
            plate = generate(rng)
            out.append(ForeignCase(f"synth:{name}", plate.label, plate.country))
    return out


def clip_cases(labels_csv: Path, uk_clips: Iterable[str] = ("uk_roundabout.mp4",)) -> list[ForeignCase]:
    """The foreign plates labelled in shared/data/plate_clips (every clip but the UK one)."""
    with labels_csv.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    skip = set(uk_clips)
    return [ForeignCase(f"clip:{r['clip']}", r["plate"]) for r in rows if r["clip"] not in skip]


def real_crop_cases(root: Path) -> list[ForeignCase]:
    """The labels of shared/data/real_crops (US, Indonesia, Argentina): all foreign plates."""
    out: list[ForeignCase] = []
    for labels in sorted(root.glob("*/labels.csv")):
        with labels.open(newline="", encoding="utf-8") as fh:
            out += [ForeignCase(f"real_crops:{labels.parent.name}", r["plate"]) for r in csv.DictReader(fh)]
    return out


# A 520 x 110 plate patch whose blue side band ends at column 40: what the readers' patch
# geometry says of a banded EU plate (`detect.reading.readers.plate_geometry`).
BANDED = PlateGeometry(width=520, height=110, x1=45, x2=510, char_height=80.0, band_end=40)


def run_case(case: ForeignCase, with_band: bool) -> CaseResult:
    """One correct read through region gb; `with_band`: its band letters read in front, and the
    band seen on the patch."""
    text = (case.band + case.text) if with_band else case.text
    geometry = BANDED if with_band else None
    choice = choose_text([TextCandidate(text, 0.95, "rapidocr", "inner")], "gb", ON_DATE, geometry=geometry)
    if choice is None:
        return CaseResult(case, with_band, None, None)
    return CaseResult(case, with_band, choice.text, choice.format)


def run(cases: Iterable[ForeignCase]) -> list[CaseResult]:
    out: list[CaseResult] = []
    for case in cases:
        out.append(run_case(case, with_band=False))
        if case.band and case.band not in ("GB", "UK"):
            out.append(run_case(case, with_band=True))
    return out


def summarise(results: Iterable[CaseResult]) -> dict[str, dict[str, float | int]]:
    """Per source (and band/no band): reads; `made_uk` and its `rate`, the correct reads changed into a
    UK plate; `changed`, any change (e.g. band letters left on); `uk_as_read`, unchanged reads that a
    UK format also fits (a US ``ABC123`` is a valid British dateless mark: only a band can tell)."""
    total: Counter[str] = Counter()
    made_uk: Counter[str] = Counter()
    as_read: Counter[str] = Counter()
    changed: Counter[str] = Counter()
    for r in results:
        key = r.case.source + (" +band" if r.with_band else "")
        for k in (key, "all"):
            total[k] += 1
            made_uk[k] += int(r.made_uk)
            as_read[k] += int(r.uk_as_read)
            changed[k] += int(r.changed)
    return {
        k: {
            "reads": total[k],
            "made_uk": made_uk[k],
            "rate": made_uk[k] / total[k],
            "changed": changed[k],
            "uk_as_read": as_read[k],
        }
        for k in sorted(total)
    }
