"""Fit the candidate combiner's weights on the "fit" half of the real-crop candidate dump.

    .venv/bin/python -m offline.fit_combiner

(The dump comes from `bench/real_crops.py dump`, cached at var/real_crops_candidates.jsonl;
`bench/real_crops.py calibrate` runs dump, fit and report in one go.) First the character pitch
(width per height) is measured on the fit half's labels against their text-box geometry, then
L2-regularised logistic regression (scipy's L-BFGS) of "this pooled text is the label" on every
candidate that survives the whole-plate rule; writes detect/reading/combiner.json with the weights,
the pitch, the command and the data it saw.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Literal

import numpy as np
from scipy.optimize import minimize

from detect.reading.choice import FEATURE_NAMES, candidate_features
from detect.reading.combiner import WEIGHTS_FILE, default_combiner
from detect.reading.readers import PlateGeometry, TextCandidate
from offline.real_crops import dump_files, load_dump, split

REGION: Literal["gb", "any"] = "any"  # real crops are US, Indonesian and Argentinian plates


def load_rows(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


DEFAULT_DUMP = Path("var/real_crops_candidates.jsonl")


def candidates_of(row: dict[str, Any]) -> list[TextCandidate]:
    out: list[TextCandidate] = []
    for item in row["candidates"]:
        text, conf, reader, variant = item[:4]
        span = item[4] if len(item) > 4 and item[4] is not None else None
        out.append(
            TextCandidate(
                str(text),
                float(conf),
                str(reader),
                str(variant),
                None if span is None else (span[0], span[1]),
            )
        )
    return out


def geometry_of(row: dict[str, Any]) -> PlateGeometry | None:
    g = row.get("geometry")
    return None if not g else PlateGeometry(**g)


def char_pitch(rows: list[dict[str, Any]]) -> float:
    """Median character width per character height over the labels and their registration lines."""
    ratios = [
        g.extent / (g.char_height * len(row["label"]))
        for row in rows
        if (g := geometry_of(row)) is not None and g.char_height > 0 and row["label"]
    ]
    return float(np.median(ratios)) if ratios else 0.0


def design(rows: list[dict[str, Any]], pitch: float) -> tuple[np.ndarray, np.ndarray]:
    xs: list[list[float]] = []
    ys: list[float] = []
    for row in rows:
        features = candidate_features(candidates_of(row), REGION, geometry=geometry_of(row), pitch=pitch)
        whole = [f for f in features if not f.truncated] or features
        for f in whole:
            xs.append(f.vector())
            ys.append(float(f.text == row["label"]))
    return np.asarray(xs, float).reshape(-1, len(FEATURE_NAMES)), np.asarray(ys, float)


# Signs the evidence can only have: a repair, an ambiguity or an unexplained part of the plate never
# makes a read more likely right, support never less. Without them a few hundred crops let
# correlated features trade signs (uncovered width weighed +1.4 beside the patch's -1.4), and an
# ambiguity that the real crops rarely show (BA3020Z / BA302OZ) came out slightly positive.
_NOT_NEGATIVE = frozenset({"confidence", "agreement", "valid", "known"})
_NOT_POSITIVE = frozenset(
    {
        "corrected",
        "ambiguous",
        "unexplained",
        "count_short",
        "patch_uncovered",
        "short_of_layout",
        "frame_repaired",
    }
)


def _bounds(names: tuple[str, ...] | None, n: int) -> list[tuple[float | None, float | None]]:
    out: list[tuple[float | None, float | None]] = []
    for i in range(n):
        name = names[i] if names is not None and i < len(names) else ""
        out.append(
            (0.0, None) if name in _NOT_NEGATIVE else (None, 0.0) if name in _NOT_POSITIVE else (None, None)
        )
    return out + [(None, None)]  # the bias


def fit(
    x: np.ndarray, y: np.ndarray, l2: float = 1.0, names: tuple[str, ...] | None = None
) -> tuple[np.ndarray, float]:
    """Weights and bias minimising log-loss + l2/2 |w|^2 (bias unpenalised); with `names`, the
    weights keep the signs the evidence can have (`_NOT_NEGATIVE`, `_NOT_POSITIVE`)."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    bounds = _bounds(names, x.shape[1])

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        z = xb @ theta
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))
        eps = 1e-12
        nll = -np.sum(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))
        grad = xb.T @ (p - y)
        reg = 0.5 * l2 * float(theta[:-1] @ theta[:-1])
        grad[:-1] += l2 * theta[:-1]
        return float(nll + reg), grad

    result = minimize(loss, np.zeros(xb.shape[1]), jac=True, method="L-BFGS-B", bounds=bounds)
    if not result.success:
        raise RuntimeError(f"combiner fit did not converge: {result.message}")
    return result.x[:-1], float(result.x[-1])


def fit_file(candidates: Path, out: Path, l2: float = 1.0, command: str = "") -> dict[str, Any]:
    """Fit on the dump's fit half and write the weights file; returns what was written.
    Exits with a message when the dump is missing or too small."""
    if not dump_files(candidates):
        sys.exit(f"no candidate dump at {candidates}; run bench/real_crops.py dump first")
    rows = [r for r in load_dump(candidates) if split(r["label"]) == "fit"]
    pitch = char_pitch(rows)
    x, y = design(rows, pitch)
    if len(rows) < 50 or y.sum() < 10:
        sys.exit(f"too little data to fit: {len(rows)} crops, {int(y.sum())} right candidates")
    weights, bias = fit(x, y, l2, FEATURE_NAMES)
    sets = sorted({r["set"] for r in rows})
    payload = {
        "features": list(FEATURE_NAMES),
        "weights": [round(float(w), 6) for w in weights],
        "bias": round(bias, 6),
        "char_pitch": round(pitch, 6),
        "fitted_on": {"crops": len(rows), "candidates": int(len(y)), "right": int(y.sum()), "sets": sets},
        "command": command or "python -m offline.fit_combiner",
    }
    out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    default_combiner.cache_clear()
    return payload


def main() -> None:
    parser = argparse.ArgumentParser(description="Fit the candidate combiner on real crops (fit half).")
    parser.add_argument("--candidates", type=Path, default=DEFAULT_DUMP)
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--out", type=Path, default=WEIGHTS_FILE)
    args = parser.parse_args()
    command = " ".join(["python -m offline.fit_combiner", *sys.argv[1:]])
    payload = fit_file(args.candidates, args.out, args.l2, command)
    sys.stdout.write(json.dumps(payload, indent=2) + "\n")


if __name__ == "__main__":
    main()
