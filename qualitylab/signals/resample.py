"""Clustered intervals and the seeded cluster bootstrap shared by the signals area.

Judgments are clustered: several verdicts per comparison, several comparisons, ratings and rankings
per prompt. Intervals here resample or linearise by cluster (prompt_id, or comparison_id) rather
than treating judgments as independent. Pure functions, no I/O; every draw takes a seed.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import ArrayLike

from ..intervals import wilson
from ..results import Statistic

BLOCK_CELLS = 4_000_000  # replicates x clusters held in memory at once


def clustered_proportion_from_sums(
    k: float, n: float, k_sq: float, n_sq: float, kn: float, n_clusters: int, *, what: str, unit: str
) -> Statistic:
    """p = K / N from per-cluster counts (k_g successes of n_g trials), with a design-effect Wilson interval.

    K = sum k_g, N = sum n_g. The cluster-robust (linearised ratio) variance is
    V = G / (G - 1) * sum_g (k_g - p n_g)^2 / N^2, computed from the sums k_sq = sum k_g^2,
    n_sq = sum n_g^2, kn = sum k_g n_g. The design effect deff = max(1, V / (p (1 - p) / N))
    (Kish 1965) shrinks N to N / deff, and the interval is the Wilson interval at that effective
    size, so it stays inside 0..1 and never collapses at p = 0 or 1. G is the number of clusters.
    """
    if n <= 0:
        return Statistic.not_computable(f"no observations for {what}")
    p = k / n
    deff = 1.0
    if n_clusters >= 2 and 0 < p < 1:
        ss = k_sq - 2 * p * kn + p * p * n_sq
        v = max(ss, 0.0) * n_clusters / (n_clusters - 1) / (n * n)
        deff = max(1.0, v / (p * (1 - p) / n))
    n_eff = n / deff
    lo, hi = wilson(p * n_eff, n_eff) if n_eff > 0 else (float("nan"), float("nan"))
    method = "wilson" if deff == 1.0 else f"wilson with design effect {deff:.2f} (clusters: {unit})"
    return Statistic(float(p), float(lo), float(hi), int(round(n)), method=method)


def clustered_proportion(k: ArrayLike, n: ArrayLike, *, what: str, unit: str) -> Statistic:
    """:func:`clustered_proportion_from_sums` from per-cluster arrays k (successes) and n (trials)."""
    ka = np.asarray(k, dtype=float)
    na = np.asarray(n, dtype=float)
    if ka.shape != na.shape or np.any(ka < 0) or np.any(ka > na):
        raise ValueError("k and n must be arrays of the same length with 0 <= k <= n per cluster")
    keep = na > 0
    ka, na = ka[keep], na[keep]
    return clustered_proportion_from_sums(
        float(ka.sum()),
        float(na.sum()),
        float((ka * ka).sum()),
        float((na * na).sum()),
        float((ka * na).sum()),
        int(keep.sum()),
        what=what,
        unit=unit,
    )


def bootstrap_counts(n_clusters: int, n_boot: int, seed: int) -> Iterator[np.ndarray]:
    """Cluster bootstrap weights: blocks of shape (b, n_clusters), each row a multinomial draw of
    n_clusters from n_clusters equally likely clusters (how often each cluster is resampled).

    Replicates come from ``numpy.random.default_rng(seed)`` in order, so the same seed gives the
    same replicates whatever the block size.
    """
    if n_clusters <= 0 or n_boot <= 0:
        raise ValueError("n_clusters and n_boot must be positive")
    rng = np.random.default_rng(seed)
    block = max(1, min(n_boot, BLOCK_CELLS // n_clusters))
    done = 0
    while done < n_boot:
        b = min(block, n_boot - done)
        idx = rng.integers(0, n_clusters, size=(b, n_clusters))
        flat = (idx + np.arange(b)[:, None] * n_clusters).ravel()
        yield np.bincount(flat, minlength=b * n_clusters).reshape(b, n_clusters).astype(np.float64)
        done += b


def percentile_interval(samples: ArrayLike, point: float, n: int, *, method: str, min_ok: float = 0.9) -> Statistic:
    """A Statistic with the 2.5th and 97.5th percentiles of finite bootstrap samples.

    When fewer than ``min_ok`` of the replicates are finite (e.g. a model won none of its games in
    many resamples), the interval is left out and the method says why.
    """
    s = np.asarray(samples, dtype=float)
    finite = s[np.isfinite(s)]
    if not np.isfinite(point):
        return Statistic.not_computable("the estimate is undefined on the full data", n)
    if len(s) == 0 or len(finite) < min_ok * len(s):
        return Statistic(
            float(point),
            None,
            None,
            n,
            method=f"{method}; interval omitted: only {len(finite)} of {len(s)} replicates were defined",
        )
    lo, hi = np.percentile(finite, [2.5, 97.5])
    return Statistic(float(point), float(lo), float(hi), n, method=method)
