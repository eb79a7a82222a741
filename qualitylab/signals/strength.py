"""Preference strength (Llama 2 scale 0-3): agreement on direction vs on strength, inflation, unsure rate.

Llama 2 (Touvron et al. 2023, §3.2.1) asks annotators which response is better and by how much:
significantly better (3), better (2), slightly better (1), negligibly better / unsure (0).
Counting happens in SQL (signals/strength_agreement, signals/strength_by_annotator). Definitions:
docs/signals.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from ..intervals import proportion
from ..results import Statistic
from .resample import clustered_proportion_from_sums


@dataclass(frozen=True)
class StrengthResult:
    direction_agreement: Statistic  # pairs of verdicts on a comparison with the same A/B/tie
    strength_agreement: Statistic  # ... with the same direction and the same strength
    strength_given_direction: Statistic  # of the pairs agreeing on direction, the share agreeing on strength
    unsure_rate: Statistic  # verdicts with strength 0 among verdicts with a strength
    mean_strength: Statistic
    n_verdicts_with_strength: int
    per_annotator: list[dict[str, Any]] = field(default_factory=list)
    reason: str | None = None


def mean_interval(total: float, total_sq: float, n: int, *, what: str) -> Statistic:
    """Mean with a t interval from a sum and a sum of squares: x_bar +/- t_{0.975, n-1} s / sqrt(n)."""
    if n <= 0:
        return Statistic.not_computable(f"no {what}")
    mean = total / n
    if n < 2:
        return Statistic(mean, None, None, n, method="t (too few observations for an interval)")
    var = max(total_sq - n * mean * mean, 0.0) / (n - 1)
    half = stats.t.ppf(0.975, n - 1) * np.sqrt(var / n)
    return Statistic(float(mean), float(mean - half), float(mean + half), n, method="t")


def strength_summary(agreement: dict[str, Any], by_annotator: list[dict[str, Any]]) -> StrengthResult:
    """Finish the strength statistics from the two aggregate queries.

    - direction_agreement = sum_c dir_c / sum_c pairs_c over comparisons c: the share of ordered
      pairs of verdicts (both with a strength) on the same comparison that pick the same A/B/tie.
    - strength_agreement = sum_c signed_c / sum_c pairs_c: the same, also with the same strength
      (the signed 7-point scale). The gap between the two is what strength adds in disagreement.
    - strength_given_direction = sum signed / sum dir.
    Intervals: Wilson with a design effect for clustering by comparison_id.
    - unsure_rate: verdicts with strength 0 / verdicts with a strength (Wilson).
    - per annotator: mean strength (t interval), strength inflation = mean of (own strength - mean
      strength of the other verdicts on the same comparison) (t interval; > 0 = this annotator
      states stronger preferences than colleagues on the same items), unsure rate.
    """
    n_total = int(sum(r["n_with_strength"] for r in by_annotator))
    if n_total == 0:
        nc = Statistic.not_computable("no verdict in the batch carries a strength (0-3)")
        return StrengthResult(nc, nc, nc, nc, nc, 0, [], reason=nc.reason)
    a = agreement
    g = int(a["n_comparisons"])

    def ratio(num, den, num_sq, den_sq, cross, what):
        if den == 0:
            return Statistic.not_computable(f"no comparison has two or more verdicts with a strength ({what})")
        return clustered_proportion_from_sums(num, den, num_sq, den_sq, cross, g, what=what, unit="comparison_id")

    direction = ratio(a["dir"], a["pairs"], a["dir_sq"], a["pairs_sq"], a["pairs_dir"], "pairs of verdicts")
    signed = ratio(a["signed"], a["pairs"], a["signed_sq"], a["pairs_sq"], a["pairs_signed"], "pairs of verdicts")
    given = ratio(
        a["signed"], a["dir"], a["signed_sq"], a["dir_sq"], a["dir_signed"], "pairs of verdicts agreeing on direction"
    )
    unsure = proportion(sum(r["n_unsure"] for r in by_annotator), n_total, what="verdicts with a strength")
    mean = mean_interval(
        sum(r["sum_strength"] for r in by_annotator),
        sum(r["sum_strength_sq"] for r in by_annotator),
        n_total,
        what="verdicts with a strength",
    )
    per = []
    for r in by_annotator:
        per.append(
            {
                "annotator_id": r["annotator_id"],
                "n_with_strength": int(r["n_with_strength"]),
                "mean_strength": mean_interval(
                    r["sum_strength"], r["sum_strength_sq"], int(r["n_with_strength"]), what="verdicts with a strength"
                ),
                "strength_inflation": mean_interval(
                    r["sum_excess"],
                    r["sum_excess_sq"],
                    int(r["n_excess"]),
                    what="verdicts on comparisons other annotators also rated for strength",
                ),
                "unsure_rate": proportion(r["n_unsure"], r["n_with_strength"], what="verdicts with a strength"),
            }
        )
    return StrengthResult(direction, signed, given, unsure, mean, n_total, per)
