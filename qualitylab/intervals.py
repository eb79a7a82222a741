"""Intervals and tests for proportions, shared by every area (one place, no copies)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from .results import Statistic

Z95 = 1.959963984540054


def wilson(k: float, n: float, z: float = Z95) -> tuple[float, float]:
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


def clustered_proportion(
    successes: ArrayLike, trials: ArrayLike, counts: ArrayLike | None = None, *, what: str = "proportion"
) -> Statistic:
    """A proportion pooled over clusters (e.g. a judge's two verdicts on one comparison), with a
    Wilson interval on the cluster design's effective sample size.

    ``successes`` / ``trials`` (C,): per cluster pattern, the successes and trials of one cluster;
    ``counts`` (C,): clusters showing that pattern (default 1 each). p = sum y / sum m. Variance of
    the ratio estimator with clusters as the independent units (no small-sample factor):
    var = sum_c (y_c - p m_c)^2 / (sum m)^2; effective n = p (1 - p) / var (Kish's design effect
    n / deff), capped at the trials; at p = 0 or 1 (var = 0) the effective n is the number of
    clusters (each cluster counted once), and with 0 < p < 1 and var = 0 it is the trials. The
    Wilson interval of p at that n follows Korn & Graubard (1998, Survey Methodology 24) with
    Wilson's score form in place of Clopper-Pearson. With one
    trial per cluster this is exactly :func:`proportion`.
    """
    y = np.asarray(successes, dtype=float)
    m = np.asarray(trials, dtype=float)
    w = np.ones_like(y) if counts is None else np.asarray(counts, dtype=float)
    if y.shape != m.shape or w.shape != y.shape or y.ndim != 1:
        raise ValueError("successes, trials and counts must be 1-d arrays of one length (one per cluster pattern)")
    if (y < 0).any() or (y > m).any() or (w < 0).any():
        raise ValueError("need 0 <= successes <= trials per cluster and counts >= 0")
    n = float(w @ m)
    if n == 0:
        return Statistic.not_computable(f"no observations for {what}")
    k = float(w @ y)
    p = k / n
    n_clusters = float(w[m > 0].sum())
    var = float(w @ (y - p * m) ** 2) / n**2
    if var > 0:
        n_eff = min(n, p * (1 - p) / var)
    else:  # no variation between clusters: all-or-none outcomes count each cluster once
        n_eff = n if 0 < p < 1 else n_clusters
    lo, hi = wilson_fraction(p, n_eff)
    method = "wilson" if np.all(m[w > 0] <= 1) else f"wilson on the cluster effective n ({n_eff:.1f} of {n:.0f})"
    return Statistic(p, lo, hi, int(round(n)), method=method)


def wilson_fraction(p: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion p observed on a (possibly fractional) effective n."""
    if n <= 0:
        return (float("nan"), float("nan"))
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo = 0.0 if p <= 0 else max(0.0, centre - half)
    hi = 1.0 if p >= 1 else min(1.0, centre + half)
    return (float(lo), float(hi))


def binomial_p(k: int, n: int, p0: float = 0.5) -> float | None:
    """Two-sided exact binomial test p-value against p0 (scipy.stats.binomtest); None when n == 0."""
    return binomial_p_many([k], [n], p0)[0]


def binomial_p_many(ks: ArrayLike, ns: ArrayLike, p0: float | ArrayLike = 0.5) -> list[float | None]:
    """Two-sided exact binomial test p-values of k_i successes in n_i trials against p0 (one value,
    or one per test), for many tests at once (None where n_i == 0); equal to
    ``scipy.stats.binomtest(k_i, n_i, p0_i).pvalue``.

    Same rule as scipy (the tests whose probability is at most that of k, with relative tolerance
    1e-7): for k < n p0, p = P(X <= k) + P(X >= n - y + 1), y = the number of outcomes above the mode
    at most as likely as k; symmetrically for k > n p0; p = 1 at k = n p0. scipy finds y by a
    binary search of scalar pmf calls (~1 ms a test); here one bisection runs for all the tests at
    once (the pmf is monotone on each side of the mode), each step one vectorised pmf call.
    """
    ks = np.asarray(ks, dtype=np.int64)
    ns = np.asarray(ns, dtype=np.int64)
    if ks.shape != ns.shape or ks.ndim != 1:
        raise ValueError("ks and ns must be 1-d sequences of the same length (one test each)")
    if ((ks < 0) | (ks > ns)).any():
        raise ValueError("need 0 <= k <= n for every test; pass counts of successes and trials")
    p0s = np.broadcast_to(np.asarray(p0, dtype=float), ks.shape)
    if ((p0s < 0) | (p0s > 1)).any():
        raise ValueError(f"p0 must be in [0, 1], got {p0!r}")
    out: list[float | None] = [None] * len(ks)
    live = np.flatnonzero((ns > 0) & (ks != p0s * ns))
    for i in np.flatnonzero((ns > 0) & (ks == p0s * ns)):
        out[i] = 1.0
    if live.size == 0:
        return out
    from scipy.stats import binom  # imported here: scipy costs seconds to import, the CLI must start fast

    k, n, p0 = ks[live], ns[live], p0s[live]
    low = k < p0 * n
    d = binom.pmf(k, n, p0) * (1 + 1e-7)
    # the far side of the mode: [ceil(n p0), n] (pmf falling) when k is below it, else [0, floor(n p0)]
    # (pmf rising). Find the first x in [lo, hi + 1] where "pmf(x) <= d" (falling side) or
    # "pmf(x) > d" (rising side) holds; hi + 1 = nowhere.
    lo = np.where(low, np.ceil(p0 * n), 0).astype(np.int64)
    hi = np.where(low, n, np.floor(p0 * n)).astype(np.int64)
    left, right = lo.copy(), hi + 1
    while (active := left < right).any():
        mid = (left + right) // 2
        below = binom.pmf(np.minimum(mid, hi), n, p0) <= d
        hit = np.where(low, below, ~below)
        right = np.where(active & hit, mid, right)
        left = np.where(active & ~hit, mid + 1, left)
    y = np.where(low, hi + 1 - left, left - lo)  # far-side outcomes at most as likely as k
    p = np.where(low, binom.cdf(k, n, p0) + binom.sf(n - y, n, p0), binom.cdf(y - 1, n, p0) + binom.sf(k - 1, n, p0))
    for i, v in zip(live, np.minimum(1.0, p), strict=True):
        out[i] = float(v)
    return out


def bh_qvalues(pvalues: Sequence[float | None]) -> list[float | None]:
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
