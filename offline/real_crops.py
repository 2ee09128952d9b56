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
import time
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


# Sets a reader may be trained on (offline.ocr_training.real_samples), and the half it trains on.
TRAINED_HALF = {"ar_cnn_ocr_lp": "fit"}


def crops(
    root: Path,
    per_set: int | None = None,
    counts: dict[str, int] | None = None,
    skip_trained: bool = False,
) -> Iterator[Crop]:
    """The labelled crops of every set, the sets interleaved (so a dump cut short stays balanced);
    `per_set` keeps every k-th crop of a set, to about that many; `counts` does so per set name
    (overriding `per_set`; a set named with 0 is left out). `skip_trained` leaves out the half of
    a trainable set that a reader may have been trained on, so only unseen plates are measured."""
    chosen: list[list[Crop]] = []
    for name in SETS:
        with (root / name / "labels.csv").open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        if skip_trained and name in TRAINED_HALF:
            rows = [r for r in rows if split(r["plate"].strip().upper()) != TRAINED_HALF[name]]
        wanted = counts.get(name, per_set) if counts is not None else per_set
        if wanted == 0:
            continue
        step = max(1, len(rows) // wanted) if wanted else 1
        chosen.append(
            [
                Crop(name, r["file"], r["plate"], root / name / r["file"])
                for r in rows[::step][: wanted or None]
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


def dump(
    recogniser: Any,
    root: Path,
    out: Path,
    shard: tuple[int, int] = (0, 1),
    per_set: int | None = None,
    counts: dict[str, int] | None = None,
    skip_trained: bool = False,
) -> int:
    """Read every crop not yet in the dump with `recogniser.read_patch` and append its JSON line;
    returns the number of crops this call read. `shard` (i, n): read only every n-th crop from
    the i-th, into `<stem>.shard<i>.jsonl` when n > 1, so n workers can share the work.
    `per_set`, `counts` and `skip_trained` choose a fixed subsample (see `crops`)."""
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
        for i, crop in enumerate(crops(root, per_set, counts, skip_trained)):
            if i % count != index or (crop.set_name, crop.file) in done:
                continue
            image = cv2.imread(str(crop.path), cv2.IMREAD_COLOR)
            if image is None:
                continue
            t0 = time.perf_counter()
            candidates, geometry = recogniser.read_patch(image)
            seconds = time.perf_counter() - t0
            row = {
                "set": crop.set_name,
                "file": crop.file,
                "label": crop.label,
                "width": int(image.shape[1]),
                "height": int(image.shape[0]),
                "geometry": None if geometry is None else dataclasses.asdict(geometry),
                "candidates": [[c.text, c.confidence, c.reader, c.variant, c.span] for c in candidates],
                "seconds": round(seconds, 4),
            }
            fh.write(json.dumps(row) + "\n")
            fh.flush()  # a dump cut short keeps every crop read so far
            n += 1
    return n


def reread(reader: Any, root: Path, source: Path, out: Path, repeat: int = 3) -> tuple[int, int]:
    """A dump of the same crops with one reader's candidates replaced by `reader`'s own: every
    other reader's candidates are kept from `source` (their weights did not change, and they are
    deterministic), which skips the text-box detector and the other readers, by far the slow part.

    The pipeline calls a whole-crop reader only on single-line crops; a source row where that
    reader gave a candidate was one, so it is re-read; a row without one is kept as it was (a
    single-line crop that the source reader read as nothing is the one case this misses).
    Each re-read records `reader_seconds`, the best of `repeat` timed reads. Returns (rows, re-read).
    """
    with source.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    out.parent.mkdir(parents=True, exist_ok=True)
    reread_rows = 0
    with out.open("w", encoding="utf-8") as fh:
        for row in rows:
            if any(c[2] == reader.name for c in row["candidates"]):
                image = cv2.imread(str(root / row["set"] / row["file"]), cv2.IMREAD_COLOR)
                if image is None:
                    raise FileNotFoundError(f"{root / row['set'] / row['file']}: unreadable image")
                times: list[float] = []
                for _ in range(max(1, repeat)):
                    t0 = time.perf_counter()
                    fresh = reader.read(image)
                    times.append(time.perf_counter() - t0)
                kept = [c for c in row["candidates"] if c[2] != reader.name]
                row = {
                    **row,
                    "candidates": kept + [[c.text, c.confidence, c.reader, c.variant, c.span] for c in fresh],
                    "reader_seconds": round(min(times), 5),
                }
                reread_rows += 1
            fh.write(json.dumps(row) + "\n")
    return len(rows), reread_rows
