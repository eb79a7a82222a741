"""Per-annotator binomial rates tested against 0.5: the shared core of position and length bias.

Both p_first and p_prefer_longer are proportions k/n of non-tie verdicts that an unbiased annotator
would put at 0.5. For each annotator: the Wilson 95% interval, the two-sided exact binomial p-value
against 0.5, and Benjamini-Hochberg q-values across the annotators of the batch; an annotator is
flagged when q < alpha (0.05).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..intervals import bh_qvalues, binomial_p, binomial_p_many, proportion
from ..results import Statistic

ALPHA = 0.05


@dataclass(frozen=True)
class AnnotatorRate:
    """One annotator's rate k/n against 0.5 (``rate`` names it: p_first, p_prefer_longer, ...)."""

    annotator_id: str
    rate: str
    n: int
    k: int
    value: float | None
    ci95_low: float | None
    ci95_high: float | None
    p_value: float | None
    q_value: float | None
    flagged: bool
    id_name: str = "annotator_id"

    @property
    def statistic(self) -> Statistic:
        if self.value is None:
            return Statistic.not_computable(f"no eligible verdicts for {self.rate}", self.n)
        return Statistic(self.value, self.ci95_low, self.ci95_high, self.n, method="wilson")

    def to_dict(self) -> dict[str, Any]:
        return {
            self.id_name: self.annotator_id,
            "n": self.n,
            self.rate: self.value,
            "ci95_low": self.ci95_low,
            "ci95_high": self.ci95_high,
            "p_value": self.p_value,
            "q_value": self.q_value,
            "flagged": self.flagged,
        }


def rate_table(
    counts: Iterable[tuple[str, int, int]],
    rate: str,
    *,
    p0: float = 0.5,
    alpha: float = ALPHA,
    id_name: str = "annotator_id",
) -> list[AnnotatorRate]:
    """Per-annotator rates with Wilson intervals, binomial p-values and BH q-values.

    ``counts``: ``(annotator_id, k, n)`` with 0 <= k <= n. For annotator i, rate_i = k_i / n_i;
    p_i = two-sided exact binomial test of k_i successes in n_i trials against ``p0`` (scipy
    ``binomtest``); q_i = Benjamini-Hochberg (1995) q-value over the annotators with n_i > 0;
    flagged_i = q_i < alpha. Annotators with n_i = 0 get no rate, p or q and are never flagged.
    ``id_name`` is the key of the first column in the JSON form (``model`` for the per-model audit).

    >>> [r.flagged for r in rate_table([("a", 18, 20), ("b", 10, 20)], "p_first")]
    [True, False]
    """
    rows = [(str(a), int(k), int(n)) for a, k, n in counts]
    for a, k, n in rows:
        if n < 0 or k < 0 or k > n:
            raise ValueError(
                f"annotator {a!r}: need 0 <= k <= n, got k={k}, n={n}; pass counts of successes and trials"
            )
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    pvals = binomial_p_many([k for _, k, _ in rows], [n for _, _, n in rows], p0)
    qvals = bh_qvalues(pvals)
    out = []
    for (a, k, n), p, q in zip(rows, pvals, qvals, strict=True):
        s = proportion(k, n, what=rate)
        out.append(
            AnnotatorRate(
                a, rate, n, k, s.value, s.ci95_low, s.ci95_high, p, q, bool(q is not None and q < alpha), id_name
            )
        )
    return out


def pooled(counts: Iterable[tuple[str, int, int]], rate: str, *, p0: float = 0.5) -> tuple[Statistic, float | None]:
    """The batch-level rate sum(k) / sum(n) with its Wilson interval and binomial p-value vs p0.

    Pooling treats verdicts as independent trials: with few, very unequal annotators the interval
    is too narrow (read the per-annotator table too).
    """
    counts = list(counts)
    k = sum(int(r[1]) for r in counts)
    n = sum(int(r[2]) for r in counts)
    return proportion(k, n, what=rate), binomial_p(k, n, p0)
