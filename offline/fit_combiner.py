"""Fit the candidate combiner's weights on the "fit" half of the real-crop candidate dump.

    .venv/bin/python -m offline.fit_combiner --candidates bench/out/real_crops_candidates.jsonl

(The dump comes from `bench/real_crops.py dump`.) L2-regularised logistic regression (scipy's
L-BFGS) of "this pooled text is the label" on every candidate that survives the whole-plate rule;
writes detect/reading/combiner.json with the weights, the command and the data it saw.
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
from detect.reading.combiner import WEIGHTS_FILE
from detect.reading.readers import TextCandidate
from offline.real_crops import split

REGION: Literal["gb", "any"] = "any"  # real crops are US, Indonesian and Argentinian plates


def load_rows(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def candidates_of(row: dict[str, Any]) -> list[TextCandidate]:
    return [TextCandidate(str(t), float(c), str(r), str(v)) for t, c, r, v in row["candidates"]]


def design(rows: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    xs: list[list[float]] = []
    ys: list[float] = []
    for row in rows:
        features = candidate_features(candidates_of(row), REGION)
        whole = [f for f in features if not f.truncated] or features
        for f in whole:
            xs.append(f.vector())
            ys.append(float(f.text == row["label"]))
    return np.asarray(xs, float).reshape(-1, len(FEATURE_NAMES)), np.asarray(ys, float)


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1.0) -> tuple[np.ndarray, float]:
    """Weights and bias minimising log-loss + l2/2 |w|^2 (bias unpenalised)."""
    xb = np.hstack([x, np.ones((len(x), 1))])

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        z = xb @ theta
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))
        eps = 1e-12
        nll = -np.sum(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))
        grad = xb.T @ (p - y)
        reg = 0.5 * l2 * float(theta[:-1] @ theta[:-1])
        grad[:-1] += l2 * theta[:-1]
        return float(nll + reg), grad

    result = minimize(loss, np.zeros(xb.shape[1]), jac=True, method="L-BFGS-B")
    if not result.success:
        raise RuntimeError(f"combiner fit did not converge: {result.message}")
    return result.x[:-1], float(result.x[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description="Fit the candidate combiner on real crops (fit half).")
    parser.add_argument("--candidates", type=Path, default=Path("bench/out/real_crops_candidates.jsonl"))
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--out", type=Path, default=WEIGHTS_FILE)
    args = parser.parse_args()
    if not args.candidates.is_file():
        sys.exit(f"no candidate dump at {args.candidates}; run bench/real_crops.py dump first")
    rows = [r for r in load_rows(args.candidates) if split(r["label"]) == "fit"]
    x, y = design(rows)
    if len(rows) < 50 or y.sum() < 10:
        sys.exit(f"too little data to fit: {len(rows)} crops, {int(y.sum())} right candidates")
    weights, bias = fit(x, y, args.l2)
    sets = sorted({r["set"] for r in rows})
    payload = {
        "features": list(FEATURE_NAMES),
        "weights": [round(float(w), 6) for w in weights],
        "bias": round(bias, 6),
        "fitted_on": {"crops": len(rows), "candidates": int(len(y)), "right": int(y.sum()), "sets": sets},
        "command": "python -m offline.fit_combiner " + " ".join(sys.argv[1:]),
    }
    args.out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    sys.stdout.write(json.dumps(payload, indent=2) + "\n")


if __name__ == "__main__":
    main()
