"""Confidence calibration: the accuracy-coverage curve of plate reads and a letter-grade threshold.

A read is *accepted* at threshold ``t`` when its confidence is ``>= t``. For each threshold:
coverage = accepted / all plates, accuracy = correct / accepted (the precision of what is accepted).

Choosing a threshold from a few hundred plates is a statistical claim, so two thresholds are given:
- the empirical one: the lowest ``t`` whose observed accuracy meets the target;
- the demonstrated one: the lowest ``t`` whose one-sided Clopper-Pearson lower confidence bound on
  accuracy meets the target. With zero errors among ``n`` accepted reads that bound is
  ``alpha ** (1 / n)``, so 99.5 % at 95 % confidence needs at least 598 accepted reads, all correct;
  smaller sets cannot demonstrate it and the result says so instead of returning a number.

Clopper-Pearson (exact, conservative) is solved here by bisection on the binomial tail in log space,
so the module needs neither numpy nor scipy.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

DEFAULT_TARGET = 0.995
DEFAULT_CONFIDENCE_LEVEL = 0.95
_BISECTION_STEPS = 60  # halves [0, 1] below 1e-18, well past the precision anyone reports


@dataclass(frozen=True, slots=True)
class CurvePoint:
    threshold: float
    accepted: int
    correct: int
    coverage: float  # accepted / all plates
    accuracy: float  # correct / accepted; 1.0 when nothing is accepted (no read, no wrong read)
    lower_bound: float  # one-sided Clopper-Pearson lower bound on accuracy


@dataclass(frozen=True, slots=True)
class ThresholdChoice:
    target_precision: float
    confidence_level: float
    plates: int
    # Lowest threshold whose lower confidence bound meets the target; None when no threshold does.
    threshold: float | None
    demonstrable: bool
    # Best lower bound any threshold achieves, and where.
    best_lower_bound: float
    best_bound_threshold: float | None
    # Lowest threshold whose observed accuracy meets the target (no statistical guarantee).
    empirical_threshold: float | None
    empirical_coverage: float
    empirical_accuracy: float
    # Accepted reads, all correct, that the bound needs from a clean start.
    needed_all_correct: int
    # Further consecutive correct reads at the empirical threshold before it is demonstrated
    # (0 when it already is; None when there is no empirical threshold).
    more_correct_needed: int | None


def _check_probability(name: str, value: float) -> None:
    if not 0.0 < value < 1.0:
        raise ValueError(f"{name} must be strictly between 0 and 1, got {value}")


def _log_binomial_tail(k: int, n: int, p: float) -> float:
    """log P(X >= k) for X ~ Binomial(n, p), 0 < p < 1, 1 <= k <= n."""
    log_p, log_q = math.log(p), math.log1p(-p)
    log_n_fact = math.lgamma(n + 1)
    terms = [
        log_n_fact - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * log_p + (n - i) * log_q
        for i in range(k, n + 1)
    ]
    top = max(terms)
    return top + math.log(sum(math.exp(t - top) for t in terms))


def clopper_pearson_lower(
    correct: int, total: int, confidence_level: float = DEFAULT_CONFIDENCE_LEVEL
) -> float:
    """One-sided exact lower confidence bound on a success rate from `correct` of `total`."""
    _check_probability("confidence_level", confidence_level)
    if total < 0 or not 0 <= correct <= total:
        raise ValueError(f"need 0 <= correct <= total, got correct={correct}, total={total}")
    if correct == 0:
        return 0.0
    alpha = 1.0 - confidence_level
    if correct == total:
        return float(alpha ** (1.0 / total))  # P(X >= n) = p**n, solved in closed form
    log_alpha = math.log(alpha)
    lo, hi = 0.0, 1.0
    # P(X >= k | p) rises with p: the bound is the p where it reaches alpha.
    for _ in range(_BISECTION_STEPS):
        mid = (lo + hi) / 2
        if _log_binomial_tail(correct, total, mid) < log_alpha:
            lo = mid
        else:
            hi = mid
    return lo


def wilson_interval(
    correct: int, total: int, confidence_level: float = DEFAULT_CONFIDENCE_LEVEL
) -> tuple[float, float]:
    """Two-sided Wilson score interval on a success rate from `correct` of `total`."""
    _check_probability("confidence_level", confidence_level)
    if total <= 0 or not 0 <= correct <= total:
        raise ValueError(f"need 0 <= correct <= total and total > 0, got correct={correct}, total={total}")
    z = _normal_quantile(1.0 - (1.0 - confidence_level) / 2)
    p = correct / total
    denominator = 1.0 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def _normal_quantile(q: float) -> float:
    """Standard normal quantile by bisection on erf (no scipy at runtime)."""
    lo, hi = -10.0, 10.0
    for _ in range(_BISECTION_STEPS):
        mid = (lo + hi) / 2
        if 0.5 * (1 + math.erf(mid / math.sqrt(2))) < q:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def needed_all_correct(target_precision: float, confidence_level: float = DEFAULT_CONFIDENCE_LEVEL) -> int:
    """Fewest reads, all correct, whose lower bound reaches `target_precision`."""
    _check_probability("target_precision", target_precision)
    _check_probability("confidence_level", confidence_level)
    alpha = 1.0 - confidence_level
    n = max(1, math.ceil(math.log(alpha) / math.log(target_precision)))
    while alpha ** (1.0 / n) < target_precision:  # guard float rounding of the ceil
        n += 1
    while n > 1 and alpha ** (1.0 / (n - 1)) >= target_precision:
        n -= 1
    return n


def _more_correct_needed(correct: int, total: int, target: float, confidence_level: float) -> int:
    """Smallest m with bound(correct + m, total + m) >= target; the bound rises with m."""

    def meets(m: int) -> bool:
        return clopper_pearson_lower(correct + m, total + m, confidence_level) >= target

    if meets(0):
        return 0
    hi = 1
    while not meets(hi):
        hi *= 2
    lo = hi // 2  # meets(lo) is False (lo == 0 checked above)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if meets(mid):
            hi = mid
        else:
            lo = mid
    return hi


def _validated(pairs: Iterable[tuple[float, bool]]) -> list[tuple[float, bool]]:
    out: list[tuple[float, bool]] = []
    for confidence, correct in pairs:
        if not (math.isfinite(confidence) and 0.0 <= confidence <= 1.0):
            raise ValueError(f"confidence must be within [0, 1], got {confidence}")
        out.append((float(confidence), bool(correct)))
    return out


def accuracy_coverage(
    pairs: Iterable[tuple[float, bool]],
    total: int | None = None,
    confidence_level: float = DEFAULT_CONFIDENCE_LEVEL,
) -> list[CurvePoint]:
    """One point per distinct confidence, highest threshold first (coverage never decreases).

    `pairs` are the (confidence, correct) of the reads; `total` is the number of plates when some
    plates gave no read at all (they count against coverage, never as accepted); default len(pairs).
    """
    reads = sorted(_validated(pairs), key=lambda p: p[0], reverse=True)
    plates = len(reads) if total is None else total
    if plates < len(reads):
        raise ValueError(f"total ({plates}) is smaller than the number of reads ({len(reads)})")
    points: list[CurvePoint] = []
    accepted = correct = 0
    for i, (confidence, ok) in enumerate(reads):
        accepted += 1
        correct += ok
        if i + 1 < len(reads) and reads[i + 1][0] == confidence:
            continue  # ties are accepted together: one point per distinct threshold
        points.append(
            CurvePoint(
                threshold=confidence,
                accepted=accepted,
                correct=correct,
                coverage=accepted / plates,
                accuracy=correct / accepted,
                lower_bound=clopper_pearson_lower(correct, accepted, confidence_level),
            )
        )
    return points


def at_threshold(
    pairs: Iterable[tuple[float, bool]],
    threshold: float,
    total: int | None = None,
    confidence_level: float = DEFAULT_CONFIDENCE_LEVEL,
) -> CurvePoint:
    """The operating point of an arbitrary threshold, e.g. the configured letter-grade one."""
    reads = _validated(pairs)
    plates = len(reads) if total is None else total
    if plates < len(reads):
        raise ValueError(f"total ({plates}) is smaller than the number of reads ({len(reads)})")
    accepted = sum(1 for c, _ in reads if c >= threshold)
    correct = sum(1 for c, ok in reads if c >= threshold and ok)
    return CurvePoint(
        threshold=threshold,
        accepted=accepted,
        correct=correct,
        coverage=accepted / plates if plates else 0.0,
        accuracy=correct / accepted if accepted else 1.0,
        lower_bound=clopper_pearson_lower(correct, accepted, confidence_level) if accepted else 0.0,
    )


def letter_grade_threshold(
    pairs: Iterable[tuple[float, bool]],
    target_precision: float = DEFAULT_TARGET,
    confidence_level: float = DEFAULT_CONFIDENCE_LEVEL,
    total: int | None = None,
) -> ThresholdChoice:
    """Thresholds that reach `target_precision`: demonstrated (lower bound) and empirical."""
    _check_probability("target_precision", target_precision)
    curve = accuracy_coverage(pairs, total, confidence_level)
    return threshold_from_curve(curve, target_precision, confidence_level, total)


def threshold_from_curve(
    curve: Sequence[CurvePoint],
    target_precision: float = DEFAULT_TARGET,
    confidence_level: float = DEFAULT_CONFIDENCE_LEVEL,
    total: int | None = None,
) -> ThresholdChoice:
    """As `letter_grade_threshold`, from a curve built with the same `confidence_level`."""
    _check_probability("target_precision", target_precision)
    _check_probability("confidence_level", confidence_level)
    if total is not None:
        plates = total
    else:
        # The last point accepts every read; its coverage carries the plates that gave none.
        plates = round(curve[-1].accepted / curve[-1].coverage) if curve else 0
    demonstrated = [p for p in curve if p.lower_bound >= target_precision]
    empirical = [p for p in curve if p.accuracy >= target_precision]
    best = max(curve, key=lambda p: (p.lower_bound, -p.threshold), default=None)
    chosen = min(demonstrated, key=lambda p: p.threshold, default=None)
    emp = min(empirical, key=lambda p: p.threshold, default=None)
    return ThresholdChoice(
        target_precision=target_precision,
        confidence_level=confidence_level,
        plates=plates,
        threshold=chosen.threshold if chosen else None,
        demonstrable=chosen is not None,
        best_lower_bound=best.lower_bound if best else 0.0,
        best_bound_threshold=best.threshold if best else None,
        empirical_threshold=emp.threshold if emp else None,
        empirical_coverage=emp.coverage if emp else 0.0,
        empirical_accuracy=emp.accuracy if emp else 0.0,
        needed_all_correct=needed_all_correct(target_precision, confidence_level),
        more_correct_needed=(
            _more_correct_needed(emp.correct, emp.accepted, target_precision, confidence_level)
            if emp
            else None
        ),
    )
