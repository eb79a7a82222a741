"""Intervals and tests for proportions, shared by every area (one place, no copies)."""

from __future__ import annotations

import numpy as np

from .results import Statistic

Z95 = 1.959963984540054


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials (Wilson 1927; Agresti & Coull 1998)."""
    if n <= 0:
        return (float("nan"), float("nan"))
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # at k = 0 or k = n the bound is exactly 0 or 1 (the formula leaves a rounding residue)
    lo = 0.0 if k == 0 else max(0.0, centre - half)
    hi = 1.0 if k == n else min(1.0, centre + half)
    return (lo, hi)


def proportion(k: int, n: int, *, what: str = "proportion") -> Statistic:
    """k/n with its Wilson 95% interval; not computable when n == 0."""
    k, n = int(k), int(n)
    if n == 0:
        return Statistic.not_computable(f"no observations for {what}")
    lo, hi = wilson(k, n)
    return Statistic(k / n, lo, hi, n, method="wilson")


def binomial_p(k: int, n: int, p0: float = 0.5) -> float | None:
    """Two-sided exact binomial test p-value against p0 (scipy.stats.binomtest)."""
    if n == 0:
        return None
    from scipy import stats   # imported here: scipy costs seconds to import, the CLI must start fast
    return float(stats.binomtest(int(k), int(n), p0).pvalue)


def bh_qvalues(pvalues) -> list[float | None]:
    """Benjamini-Hochberg q-values (step-up, monotone); None stays None."""
    idx = [i for i, p in enumerate(pvalues) if p is not None]
    out: list[float | None] = [None] * len(pvalues)
    if not idx:
        return out
    p = np.array([pvalues[i] for i in idx], dtype=float)
    m = len(p)
    order = np.argsort(p)
    ranked = p[order] * m / np.arange(1, m + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    q = np.minimum(q, 1.0)
    res = np.empty(m)
    res[order] = q
    for j, i in enumerate(idx):
        out[i] = float(res[j])
    return out
