"""Clustered intervals and the seeded cluster bootstrap shared by the signals area.

Judgments are clustered: several verdicts per comparison, several comparisons, ratings and rankings
per prompt. Intervals here resample or linearise by cluster (prompt_id, or comparison_id) rather
than treating judgments as independent. Pure functions, no I/O; every draw takes a seed.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
from numpy.typing import ArrayLike
from scipy import sparse

from ..intervals import wilson
from ..results import Statistic

BLOCK_CELLS = 4_000_000  # replicates x clusters held in memory at once
#: from this many clusters on, replicates use Poisson(1) weights instead of a multinomial draw
POISSON_MIN_CLUSTERS = 20_000
#: clusters per block of Poisson weights; fixed, because the draws depend on it
POISSON_CHUNK = 4_096
#: blocks summed in float32 before they are added to the float64 total (exact: counts < 2^24)
_FLUSH_CHUNKS = 256


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


def bootstrap_method(n_clusters: int) -> str:
    """'multinomial' (the exact cluster bootstrap) below :data:`POISSON_MIN_CLUSTERS` clusters, else 'poisson'."""
    return "multinomial" if n_clusters < POISSON_MIN_CLUSTERS else "poisson"


def describe_bootstrap(n_clusters: int, method: str | None = None) -> str:
    """How the replicates' cluster weights were drawn, for ``methods`` strings."""
    if (method or bootstrap_method(n_clusters)) == "multinomial":
        return "multinomial cluster weights (clusters drawn with replacement)"
    return (
        f"Poisson(1) cluster weights (the Poisson bootstrap, used from {POISSON_MIN_CLUSTERS:,} clusters on; "
        f"{n_clusters:,} clusters here)"
    )


def _poisson1_thresholds() -> np.ndarray:
    """t_k = 2^32 P(W <= k) for W ~ Poisson(1), rounded, while below 2^32 (k = 0, 1, ...)."""
    out = []
    for k in range(40):
        tail = sum(math.exp(-1) / math.factorial(j) for j in range(k + 1, 60))  # P(W > k), no cancellation
        t = 2**32 - round(tail * 2**32)
        if t >= 2**32:
            break
        out.append(t)
    return np.array(out, dtype=np.uint64)


_P1_THRESHOLDS = _poisson1_thresholds()


def _poisson1_table() -> np.ndarray:
    """For each value h of the top 16 bits of a 32-bit uniform u: the Poisson(1) draw when every u
    with those bits gives the same one, else -1 (the draw is then found from all 32 bits)."""
    h = np.arange(2**16, dtype=np.uint64)
    lo = np.searchsorted(_P1_THRESHOLDS, h << np.uint64(16), side="right")
    hi = np.searchsorted(_P1_THRESHOLDS, (h << np.uint64(16)) + np.uint64(0xFFFF), side="right")
    return np.where(lo == hi, lo, -1).astype(np.float32)


_P1_TABLE = _poisson1_table()


def poisson1_weights(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Poisson(1) draws (float32) by inversion of 32-bit uniforms u: W = #{k : u >= t_k} with
    t_k = 2^32 P(W <= k), so each value's probability is exact to 2^-32 (values up to 12).

    u's top 16 bits are drawn for every entry; they decide W except in the few 16-bit buckets that
    hold a threshold t_k (0.02% of draws), where the low 16 bits are drawn too.
    """
    hi = rng.integers(0, 2**16, size=shape, dtype=np.uint16)
    w = _P1_TABLE[hi]
    amb = np.flatnonzero(w < 0)
    if amb.size:
        lo = rng.integers(0, 2**16, size=amb.size, dtype=np.uint64)
        u = (hi.flat[amb].astype(np.uint64) << np.uint64(16)) | lo
        w.flat[amb] = np.searchsorted(_P1_THRESHOLDS, u, side="right")
    return w


def replicate_group_counts(
    membership: sparse.spmatrix, n_boot: int, seed: int, method: str | None = None
) -> np.ndarray:
    """(n_boot, G): in each bootstrap replicate, how often the clusters of each group were drawn.

    ``membership`` is a (clusters x G) matrix of small whole numbers: entry [c, g] = how many cells
    of cluster c belong to group g (a group is a kind of per-cluster cell, e.g. "model pair (x, y)
    with 2 wins of x and 1 tie"). Replicate b's count of group g is sum_c w_bc m_cg, where w_bc is
    how often replicate b drew cluster c. Every statistic that is a function of per-cluster sums
    of cell values then follows from these counts and the groups' values, without touching clusters again.

    ``method`` (default :func:`bootstrap_method` of the number of clusters):
    - 'multinomial': w_b. is a multinomial draw of C clusters out of C (the exact cluster
      bootstrap), the same replicates as :func:`bootstrap_counts` with this seed;
    - 'poisson': w_bc independent Poisson(1) (Hanley & MacGibbon 2006; Chamandy et al. 2012): the
      same expected weights and, as C grows, the same joint distribution of the weighted sums; the
      number of clusters drawn varies around C (sd sqrt(C)). Drawn by :func:`poisson1_weights`
      from ``numpy.random.default_rng(seed)`` in blocks of :data:`POISSON_CHUNK` clusters.
    Counts are exact whole numbers.
    """
    m = sparse.csr_matrix(membership, dtype=np.float32)
    n_clusters, n_groups = m.shape
    if n_clusters <= 0 or n_boot <= 0:
        raise ValueError("n_clusters and n_boot must be positive")
    method = method or bootstrap_method(n_clusters)
    out = np.zeros((n_groups, n_boot))
    if method == "multinomial":
        mt = m.T.tocsr()
        done = 0
        for counts in bootstrap_counts(n_clusters, n_boot, seed):
            b = len(counts)
            out[:, done : done + b] = mt @ np.ascontiguousarray(counts.T, dtype=np.float32)
            done += b
        return out.T
    if method != "poisson":
        raise ValueError(f"unknown bootstrap method {method!r}: 'multinomial' or 'poisson'")
    rng = np.random.default_rng(seed)
    part = np.zeros((n_groups, n_boot), dtype=np.float32)
    for i, start in enumerate(range(0, n_clusters, POISSON_CHUNK)):
        block = m[start : start + POISSON_CHUNK]
        w = poisson1_weights(rng, (block.shape[0], n_boot))
        part += block.T @ w
        if (i + 1) % _FLUSH_CHUNKS == 0:
            out += part
            part[:] = 0
    out += part
    return out.T


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
