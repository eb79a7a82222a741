"""The exact conditional (prompt-stratified) logit with one covariate, vectorised over prompts.

Model: logit P(y_i = 1) = a_g + b x_i for verdict i of prompt (stratum) g; the prompt effects a_g are
conditioned out (Chamberlain 1980). Given k_g = sum of y over the stratum, the conditional likelihood
of stratum g is exp(b sum_{i: y_i = 1} x_i) / e_k(exp(b x_1), ..., exp(b x_n)), with e_k the
elementary symmetric polynomial of degree k_g of the n_g weights. Its log, score and information
come from one pass over each stratum's verdicts of the recurrence

    A_j[m] = A_{j-1}[m] + w_j A_{j-1}[m-1]                                  (A = e_m of the first j)
    B_j[m] = B_{j-1}[m] + w_j (B_{j-1}[m-1] + x_j A_{j-1}[m-1])             (sum over subsets of sum x)
    C_j[m] = C_{j-1}[m] + w_j (C_{j-1}[m-1] + 2 x_j B_{j-1}[m-1] + x_j^2 A_{j-1}[m-1])

(score = sum_{y=1} x - B[k] / A[k], information = C[k] / A[k] - (B[k] / A[k])^2), scaled by
1 / (1 + w_j) at each step so nothing overflows, with x centred per stratum and a stratum with more
positives than negatives read as its complement (the same likelihood with x -> -x), so m <= n / 2.
Strata of one size are one array, so the cost is numpy work of sum_g n_g k_g per Newton step, not a
Python loop per prompt. Newton's method from 0 (steps capped at 5) to a relative step below 1e-10;
Wald interval from the observed information. Strata without both outcomes or without variation in x carry no information
and are dropped (counted). Checked against statsmodels' ``ConditionalLogit`` fitted by Newton
(tests/test_conditional_logit.py). Pure functions, no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

_MAX_ITER = 100
_TOL = 1e-10
_MAX_STEP = 5.0  # log-odds per unit of x


@dataclass(frozen=True)
class ConditionalFit:
    b: float
    se: float
    loglik: float
    iterations: int
    n_used: int  # verdicts in informative strata
    n_groups: int  # informative strata


Bucket = tuple[np.ndarray, np.ndarray, np.ndarray]  # centred x (G x n), k (G,), sum of centred x over the positives


def _buckets(strata: np.ndarray, y: np.ndarray, x: np.ndarray) -> tuple[list[Bucket], int, int]:
    if len(y) == 0:
        return [], 0, 0
    order = np.lexsort((x, y, strata))
    s, y, x = strata[order], y[order], x[order]
    _, start, counts = np.unique(s, return_index=True, return_counts=True)
    k_all = np.add.reduceat(y, start)
    keep = (k_all > 0) & (k_all < counts) & (np.maximum.reduceat(x, start) > np.minimum.reduceat(x, start))
    out: list[Bucket] = []
    for n in np.unique(counts[keep]):
        sel = keep & (counts == n)
        idx = start[sel][:, None] + np.arange(n)[None, :]
        yy, xx, k = y[idx], x[idx], k_all[sel].astype(int)
        flip = k > n - k
        yy = np.where(flip[:, None], 1.0 - yy, yy)
        xx = np.where(flip[:, None], -xx, xx)
        xc = xx - xx.mean(axis=1, keepdims=True)
        out.append((xc, np.where(flip, n - k, k), (xc * yy).sum(axis=1)))
    return out, int(counts[keep].sum()), int(keep.sum())


def _moments(b: float, buckets: list[Bucket], with_loglik: bool = False) -> tuple[float, float, float]:
    """(log-likelihood or 0, score, information) at slope b."""
    ll = score = info = 0.0
    for xc, k, sx in buckets:
        g, n = xc.shape
        w = np.exp(b * xc)
        a_ = np.zeros((g, int(k.max()) + 1))
        a_[:, 0] = 1.0
        b_ = np.zeros_like(a_)
        c_ = np.zeros_like(a_)
        log_scale = np.zeros(g)
        for j in range(n):
            wj, xj = w[:, j : j + 1], xc[:, j : j + 1]
            inv = 1.0 / (1.0 + wj)
            t = wj * inv
            a1, b1, c1 = a_[:, :-1], b_[:, :-1], c_[:, :-1]
            new_c = c_[:, 1:] * inv + t * (c1 + xj * (2.0 * b1 + xj * a1))
            new_b = b_[:, 1:] * inv + t * (b1 + xj * a1)
            new_a = a_[:, 1:] * inv + t * a1
            c_[:, 1:], b_[:, 1:], a_[:, 1:] = new_c, new_b, new_a
            for arr in (a_, b_, c_):
                arr[:, 0] *= inv[:, 0]
            if with_loglik:
                log_scale += np.log1p(wj[:, 0])
        rows = np.arange(g)
        ak, bk, ck = a_[rows, k], b_[rows, k], c_[rows, k]
        m1 = bk / ak
        score += float(np.sum(sx - m1))
        info += float(np.sum(ck / ak - m1 * m1))
        if with_loglik:
            ll += float(np.sum(b * sx - np.log(ak) - log_scale))
    return ll, score, info


def conditional_logit_fit(strata: ArrayLike, y: ArrayLike, x: ArrayLike) -> ConditionalFit | None:
    """The conditional-logit slope of ``y`` (0/1) on ``x`` within ``strata``; None without information.

    Raises ValueError when Newton's method does not converge (e.g. separation: the slope is infinite).
    """
    buckets, n_used, n_groups = _buckets(np.asarray(strata), np.asarray(y, dtype=float), np.asarray(x, dtype=float))
    if not buckets:
        return None
    b = 0.0
    it = 0
    for it in range(1, _MAX_ITER + 1):  # noqa: B007 (the count is reported)
        _, score, info = _moments(b, buckets)
        if not (info > 0 and math.isfinite(score)):
            raise ValueError("the conditional likelihood has no finite maximum (separation)")
        step = max(-_MAX_STEP, min(_MAX_STEP, score / info))  # the log-likelihood is concave; a cap guards Newton
        b += step
        if abs(step) < _TOL * max(1.0, abs(b)):
            break
    else:
        raise ValueError(f"Newton's method did not converge in {_MAX_ITER} steps")
    ll, _, info = _moments(b, buckets, with_loglik=True)
    if not (info > 0 and math.isfinite(b)):
        raise ValueError("the conditional likelihood has no finite maximum (separation)")
    return ConditionalFit(b, 1.0 / math.sqrt(info), ll, it, n_used, n_groups)
