"""The candidate combiner: a logistic model over measured candidate features, fitted on data.

p(right) = sigmoid(bias + sum(w_i x_i)) over `detect.reading.choice.CandidateFeatures.vector()`:
per-character confidence, reader agreement, grammar fit, format, repair, ambiguity, country
evidence, and how much of the plate's registration line the read explains (uncovered width from
character positions, character count against the line's width) (candidates failing the
whole-plate rule never reach it). The weights are not hand-set:
`offline/fit_combiner.py` fits them by L2-regularised logistic regression on the "fit" half of
real crops and writes `combiner.json` beside this module with the command that produced it; the
probability is then calibrated by construction (log-loss) and checked on the other half
(docs/benchmarks.md). Without the file the hand-set ranking of earlier releases is used (logged).
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

WEIGHTS_FILE = Path(__file__).with_name("combiner.json")


@dataclass(frozen=True, slots=True)
class Combiner:
    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    # Character width per character height on the fit half's right reads (median), which the
    # character-count features compare a read against; 0: unknown, those features read 0.
    char_pitch: float = 0.0

    def probability(self, x: list[float]) -> float:
        if len(x) != len(self.weights):
            raise ValueError(f"combiner expects {len(self.weights)} features, got {len(x)}")
        z = self.bias + sum(w * v for w, v in zip(self.weights, x, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))


class CombinerFileError(ValueError):
    pass


def load_combiner(path: Path, expected: tuple[str, ...]) -> Combiner:
    """A fitted combiner from its JSON file; a clear error when it does not match the features."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        features = tuple(str(f) for f in data["features"])
        weights = tuple(float(w) for w in data["weights"])
        bias = float(data["bias"])
        pitch = float(data.get("char_pitch", 0.0))
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise CombinerFileError(f"combiner weights {path} unreadable: {e}") from None
    if features != expected or len(weights) != len(features):
        raise CombinerFileError(f"combiner weights {path} are for features {features}, not {expected}")
    return Combiner(features, weights, bias, pitch)


@lru_cache(maxsize=1)
def default_combiner() -> Combiner | None:
    from detect.reading.choice import FEATURE_NAMES

    if not WEIGHTS_FILE.is_file():
        log.warning("no fitted combiner at %s: hand-set candidate ranking in use", WEIGHTS_FILE)
        return None
    return load_combiner(WEIGHTS_FILE, FEATURE_NAMES)
