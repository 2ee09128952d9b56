"""Reader candidates on shared/data/real_crops, dumped once so that candidate choice and its
calibration can be fitted and measured without re-running the readers.

Each crop is read as the issue's reading-stage measurement does: both readers on the crop as it
is (these are crops, so no vehicle or plate detector), every candidate kept. One JSON line per crop:
set, file, label, crop size, and the candidates (text, confidence, reader, variant).

US and Indonesian crops are for evaluation and calibration only (no licence to train on them);
`split` puts every crop deterministically in the "fit" or the "report" half by a hash of its label,
so a plate photographed twice never sits in both halves.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2

SETS = ("us_reported", "id_satria", "ar_cnn_ocr_lp")


@dataclass(frozen=True, slots=True)
class Crop:
    set_name: str
    file: str
    label: str
    path: Path


def crops(root: Path, per_set: int | None = None) -> Iterator[Crop]:
    """The labelled crops of every set, the sets interleaved (so a dump cut short stays balanced);
    `per_set` keeps every k-th crop of a set, to about that many."""
    chosen: list[list[Crop]] = []
    for name in SETS:
        with (root / name / "labels.csv").open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        step = max(1, len(rows) // per_set) if per_set else 1
        chosen.append(
            [
                Crop(name, r["file"], r["plate"], root / name / r["file"])
                for r in rows[::step][: per_set or None]
            ]
        )
    for i in range(max(len(c) for c in chosen)):
        for per in chosen:
            if i < len(per):
                yield per[i]


def split(label: str) -> str:
    """ "fit" or "report", by the label's hash: half and half, stable across runs and machines."""
    return "fit" if hashlib.sha256(label.encode()).digest()[0] % 2 == 0 else "report"


def dump_files(out: Path) -> list[Path]:
    """The dump and its shards (`<stem>.shard<i>.jsonl`, written by parallel `dump` workers)."""
    shards = sorted(out.parent.glob(f"{out.stem}.shard*.jsonl"))
    return ([out] if out.is_file() else []) + shards


def load_dump(out: Path) -> list[dict[str, Any]]:
    """Every complete row of the dump and its shards, each crop once."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for path in dump_files(out):
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                try:
                    row = json.loads(line)
                except ValueError:
                    continue  # a line cut off by a kill: that crop is read again
                rows.setdefault((row["set"], row["file"]), row)
    return list(rows.values())


def dump(recogniser: Any, root: Path, out: Path, shard: tuple[int, int] = (0, 1)) -> int:
    """Read every crop not yet in the dump with `recogniser.read_patch` and append its JSON line;
    returns the number of crops this call read. `shard` (i, n): read only every n-th crop from
    the i-th, into `<stem>.shard<i>.jsonl` when n > 1, so n workers can share the work."""
    out.parent.mkdir(parents=True, exist_ok=True)
    done = {(r["set"], r["file"]) for r in load_dump(out)}
    index, count = shard
    target = out if count == 1 else out.with_name(f"{out.stem}.shard{index}.jsonl")
    n = 0
    if target.is_file():
        # Keep only complete lines, so appending after a kill leaves no broken row behind.
        text = target.read_text(encoding="utf-8")
        target.write_text("".join(ln for ln in text.splitlines(keepends=True) if ln.endswith("\n")), "utf-8")
    with target.open("a", encoding="utf-8") as fh:
        for i, crop in enumerate(crops(root)):
            if i % count != index or (crop.set_name, crop.file) in done:
                continue
            image = cv2.imread(str(crop.path), cv2.IMREAD_COLOR)
            if image is None:
                continue
            candidates, geometry = recogniser.read_patch(image)
            row = {
                "set": crop.set_name,
                "file": crop.file,
                "label": crop.label,
                "width": int(image.shape[1]),
                "height": int(image.shape[0]),
                "geometry": None if geometry is None else dataclasses.asdict(geometry),
                "candidates": [[c.text, c.confidence, c.reader, c.variant, c.span] for c in candidates],
            }
            fh.write(json.dumps(row) + "\n")
            fh.flush()  # a dump cut short keeps every crop read so far
            n += 1
    return n
