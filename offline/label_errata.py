"""Corrections to hand-typed benchmark labels, kept apart from the data they correct.

A few labels of the public OpenALPR benchmark type the letter O where the plate carries a zero
(shared/data/openalpr_eu/PROVENANCE.md says so for one of them). Scoring a correct read against such
a label counts it wrong, and scoring against it rewards a reader that copies the typist's mistake.
The benchmark files are never edited: each erratum names the file, the label as published and the
plate as it is printed, with the evidence (the national format, and what the plate shows), and it
applies only while the published label is unchanged. `platewatch eval plates` reports accuracy
against the published labels *and* against the corrected ones, so both figures stay visible.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from offline.eval_plates import LabelledPlate

ERRATA_DIR = Path(__file__).with_name("label_errata")


class ErrataError(ValueError):
    """An errata file that cannot be used; names the file and row."""


@dataclass(frozen=True, slots=True)
class Erratum:
    file: str
    label: str  # as published
    plate: str  # as printed on the plate
    evidence: str


def load_errata(path: Path) -> list[Erratum]:
    out: list[Erratum] = []
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = {"file", "label", "plate", "evidence"} - set(reader.fieldnames or [])
        if missing:
            raise ErrataError(f"{path}: missing columns {', '.join(sorted(missing))}")
        for n, row in enumerate(reader, start=2):
            if not (row["file"] and row["label"] and row["plate"] and row["evidence"].strip()):
                raise ErrataError(f"{path}:{n}: file, label, plate and evidence are all required")
            if row["label"] == row["plate"]:
                raise ErrataError(f"{path}:{n}: label and plate are the same ({row['label']})")
            out.append(Erratum(row["file"], row["label"].upper(), row["plate"].upper(), row["evidence"]))
    return out


def shipped_errata() -> list[Erratum]:
    """Every erratum in `ERRATA_DIR` (one CSV per benchmark)."""
    return [e for path in sorted(ERRATA_DIR.glob("*.csv")) for e in load_errata(path)]


def corrected_labels(
    labels: list[LabelledPlate], errata: list[Erratum]
) -> tuple[list[LabelledPlate], list[Erratum]]:
    """`labels` with every erratum whose file and published label both match applied, and the
    errata that were applied. An erratum for another dataset, or for a label since fixed, is inert."""
    by_key = {(e.file, e.label): e for e in errata}
    applied: list[Erratum] = []
    out: list[LabelledPlate] = []
    for label in labels:
        erratum = by_key.get((label.file, label.plate))
        if erratum is None:
            out.append(label)
        else:
            applied.append(erratum)
            out.append(replace(label, plate=erratum.plate))
    return out, applied
