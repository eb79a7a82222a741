"""Agreement coefficients on aggregated value counts: the pure numeric core (no I/O).

Input is never a raters x items matrix. SQL reduces the judgments to per-item value counts
``n_uc`` (how many values ``c`` item ``u`` received) and those to their distinct *patterns*: each
distinct count vector once, with the number of items that share it. Every coefficient here is a
sum over items of a function of the item's count vector, so it is exact to sum over patterns
weighted by their multiplicity — the work is proportional to the number of distinct patterns
(a few hundred for 3 labels and 3 raters per item), not to the number of judgments.

Symbols used throughout:
    u        an item (a comparison, or a rated item within an aspect)
    c, k     category values (sorted), V of them; q = V in Gwet's notation
    n_uc     values c given to item u;  m_u = sum_c n_uc  (r_i in Gwet's notation)
    pairable an item with m_u >= 2; only those carry agreement information
    n        number of pairable values  (alpha)  /  number of items rated at all  (Gwet, Fleiss)

References:
    Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. Annenberg School for
        Communication, University of Pennsylvania. https://repository.upenn.edu/asc_papers/43
    Krippendorff, K. (2019). Content Analysis, 4th ed., ch. 12.
    Gwet, K. L. (2008). Computing inter-rater reliability and its variance in the presence of high
        agreement. British Journal of Mathematical and Statistical Psychology 61, 29-48.
    Gwet, K. L. (2014). Handbook of Inter-Rater Reliability, 4th ed., ch. 2-5 (irrCAC implements
        it; our formulas follow irrCAC's gwet.ac1.raw / fleiss.kappa.raw / pa.coeff.raw).
    Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. Psych. Bull. 76.
    Cohen, J. (1960, 1968); Fleiss, J. L., Cohen, J., Everitt, B. S. (1969). Large sample standard
        errors of kappa and weighted kappa. Psych. Bull. 72, 323-327.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from ..results import Statistic

#: category values of a scale: numbers, or labels where only unweighted agreement is asked for
Values = Sequence[Any] | np.ndarray

LEVELS = ("nominal", "ordinal", "interval", "ratio")
WEIGHTS = ("unweighted", "linear", "quadratic")

#: bootstrap replicates x patterns handled per block (bounds memory on large inputs)
_BLOCK_CELLS = 4_000_000


# ---------------------------------------------------------------------------------------------
# The aggregate every coefficient reads
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValuePatterns:
    """Distinct per-item value-count vectors and how many items share each.

    ``values`` (V,) sorted category values; ``counts`` (P, V) with ``counts[p, c]`` = n_uc of every
    item u of pattern p; ``n_items`` (P,) items per pattern. Build with :meth:`from_long` (the rows
    of the ``agreement/*_patterns`` queries), :meth:`from_item_counts` or :meth:`from_reliability`.
    """

    values: np.ndarray
    counts: np.ndarray
    n_items: np.ndarray

    def __post_init__(self) -> None:
        v, c, k = self.values, self.counts, self.n_items
        if v.ndim != 1 or c.ndim != 2 or k.ndim != 1 or c.shape != (k.shape[0], v.shape[0]):
            raise ValueError(
                f"shapes do not fit: values {v.shape}, counts {c.shape}, n_items {k.shape};"
                " counts must be (patterns, values)"
            )
        if (c < 0).any() or (k < 0).any():
            raise ValueError("counts and n_items must be >= 0")
        if v.size > 1 and not (np.diff(v) > 0).all():
            raise ValueError("values must be sorted and distinct")

    # -- constructors ---------------------------------------------------------------------------
    @classmethod
    def from_long(
        cls,
        pattern: ArrayLike,
        n_items: ArrayLike,
        value: ArrayLike,
        n: ArrayLike,
        categories: Iterable[float] | None = None,
    ) -> ValuePatterns:
        """From long rows (pattern id, items sharing it, value, count); one row per nonzero cell.

        ``categories``: the full scale (e.g. all three labels) so that unused categories still
        count in Gwet's q; defaults to the values observed.
        """
        pattern, value = np.asarray(pattern), np.asarray(value, dtype=float)
        n_items, n = np.asarray(n_items, dtype=float), np.asarray(n, dtype=float)
        if not (pattern.shape == value.shape == n_items.shape == n.shape) or pattern.ndim != 1:
            raise ValueError("pattern, n_items, value and n must be 1-d arrays of equal length")
        values = np.unique(value) if categories is None else np.asarray(sorted(categories), dtype=float)
        if categories is not None and not np.isin(value, values).all():
            raise ValueError("a value is outside `categories`; pass the full scale")
        pid, first = np.unique(pattern, return_index=True)
        p_idx = np.searchsorted(pid, pattern)
        v_idx = np.searchsorted(values, value)
        counts = np.zeros((pid.size, values.size))
        np.add.at(counts, (p_idx, v_idx), n)
        return cls(values, counts, n_items[first])

    @classmethod
    def from_item_counts(cls, item_counts: ArrayLike, values: Sequence[float] | np.ndarray) -> ValuePatterns:
        """From an (items, V) matrix of value counts (krippendorff's ``value_counts`` layout)."""
        item_counts = np.asarray(item_counts, dtype=float)
        if item_counts.ndim != 2 or item_counts.shape[1] != len(values):
            raise ValueError("item_counts must be (items, len(values))")
        rated = item_counts.sum(1) > 0
        uniq, mult = np.unique(item_counts[rated], axis=0, return_counts=True)
        return cls(np.asarray(values, dtype=float), uniq, mult.astype(float))

    @classmethod
    def from_reliability(cls, data: ArrayLike, categories: Iterable[float] | None = None) -> ValuePatterns:
        """From a raters x items matrix with NaN for missing (small published examples only)."""
        data = np.asarray(data, dtype=float)
        values = np.unique(data[~np.isnan(data)]) if categories is None else np.asarray(sorted(categories), dtype=float)
        counts = np.stack([(data == v).sum(0) for v in values], axis=1)
        return cls.from_item_counts(counts, values)

    # -- derived --------------------------------------------------------------------------------
    @property
    def m(self) -> np.ndarray:
        return self.counts.sum(1)

    @property
    def pairable(self) -> np.ndarray:
        return self.m >= 2

    @property
    def n_items_total(self) -> int:
        return int(self.n_items.sum())

    @property
    def n_pairable_items(self) -> int:
        return int(self.n_items[self.pairable].sum())

    @property
    def n_pairable_values(self) -> int:
        return int((self.n_items * self.m)[self.pairable].sum())

    def canonical(self) -> ValuePatterns:
        """The same patterns in a canonical order, so that seeded draws over them do not depend on
        the order the rows arrived in or on annotator names (and mostly not on reversing the scale).

        Order: most items first, then the lexicographically smaller of (counts, reversed counts),
        then the counts. After a reversal (an A/B swap) a pattern's mirror image takes its slot,
        so bootstrap replicates are mirror images — exactly, except where a pattern and its mirror
        have the same number of items: their draws are then not swapped, and the interval agrees
        only up to Monte Carlo error.
        """
        c, r = self.counts, self.counts[:, ::-1]
        diff = c != r
        first = diff.argmax(1)
        rows = np.arange(c.shape[0])
        c_first = ~diff.any(1) | (c[rows, first] < r[rows, first])
        mn = np.where(c_first[:, None], c, r)
        order = np.lexsort([*c.T[::-1], *mn.T[::-1], -self.n_items])
        return ValuePatterns(self.values, c[order], self.n_items[order])

    def marginal(self, pairable_only: bool = True) -> np.ndarray:
        """Values per category (V,), over pairable items by default."""
        keep = self.pairable if pairable_only else slice(None)
        return self.n_items[keep] @ self.counts[keep]


# ---------------------------------------------------------------------------------------------
# Krippendorff's alpha
# ---------------------------------------------------------------------------------------------


def difference_matrix(values: ArrayLike, level: str, marginal: np.ndarray | None = None) -> np.ndarray:
    """Krippendorff's squared difference delta^2_ck between category values (V, V).

    nominal  1 if c != k else 0
    ordinal  (sum_{g=c}^{k} n_g - (n_c + n_k)/2)^2, n_g the pairable values per category
             (``marginal``); equal to (G_k - G_c)^2 with G_c = N_c - n_c/2, N_c the cumulative count
    interval (c - k)^2
    ratio    ((c - k) / (c + k))^2, values >= 0 (0 when c = k = 0)
    """
    v = np.asarray(values, dtype=float)
    if level == "nominal":
        return 1.0 - np.eye(v.size)
    if level == "interval":
        return (v[:, None] - v[None, :]) ** 2
    if level == "ratio":
        if (v < 0).any():
            raise ValueError("the ratio level needs values >= 0; use the interval level for signed scales")
        s = v[:, None] + v[None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            d = np.where(s == 0, 0.0, ((v[:, None] - v[None, :]) / np.where(s == 0, 1, s)) ** 2)
        return d
    if level == "ordinal":
        if marginal is None:
            raise ValueError("the ordinal level needs the marginal value counts")
        g = _ordinal_positions(np.asarray(marginal, dtype=float))
        return (g[:, None] - g[None, :]) ** 2
    raise ValueError(f"unknown level {level!r}; one of {', '.join(LEVELS)}")


def _ordinal_positions(marginal: np.ndarray) -> np.ndarray:
    """G_c = N_c - n_c / 2 (cumulative count minus half the own count), along the last axis."""
    return np.cumsum(marginal, axis=-1) - marginal / 2


def coincidences(p: ValuePatterns) -> np.ndarray:
    """Krippendorff's coincidence matrix o_ck = sum_u (n_uc n_uk - [c=k] n_uc) / (m_u - 1) (V, V)."""
    keep = p.pairable
    c, w = p.counts[keep], p.n_items[keep] / (p.m[keep] - 1)
    return (c * w[:, None]).T @ c - np.diag(w @ c)


def _alpha_parts(
    p: ValuePatterns, level: str, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(n, observed numerator, expected numerator) of alpha for item weights per pattern.

    ``weights`` (B, P') multiplies the pairable patterns' item counts (bootstrap replicates);
    None means the data as they are. alpha = 1 - (n - 1) * obs / exp.
    """
    keep = p.pairable
    c, m = p.counts[keep], p.m[keep]
    w = p.n_items[keep][None, :] if weights is None else weights
    marg = w @ c  # (B, V) pairable values per category
    n = marg.sum(1)
    if level == "ordinal":
        g = _ordinal_positions(marg)  # (B, V), replicate-specific positions
        ng = c @ g.T  # (P, B)  sum_c n_uc G_c
        ng2 = c @ (g**2).T  # (P, B)  sum_c n_uc G_c^2
        per = (2 * m[:, None] * ng2 - 2 * ng**2) / (m - 1)[:, None]
        obs = np.einsum("bp,pb->b", w, per)
        exp = 2 * n * (marg * g**2).sum(1) - 2 * (marg * g).sum(1) ** 2
        return n, obs, exp
    delta = difference_matrix(p.values, level)
    per = ((c @ delta) * c).sum(1) / (m - 1)  # (P,)  sum_ck O_u[c,k] delta_ck
    obs = w @ per
    exp = ((marg @ delta) * marg).sum(1)
    return n, obs, exp


def _alpha_value(n: np.ndarray, obs: np.ndarray, exp: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(exp > 0, 1 - (n - 1) * obs / np.where(exp > 0, exp, 1), np.nan)


def krippendorff_alpha(
    p: ValuePatterns, level: str = "nominal", *, n_boot: int = 0, seed: int | None = None
) -> Statistic:
    """Krippendorff's alpha at a level of measurement, with a seeded bootstrap interval over items.

    alpha = 1 - D_o / D_e = 1 - (n - 1) * sum_ck o_ck delta_ck / sum_ck n_c n_k delta_ck,
    o_ck the coincidences (:func:`coincidences`), n_c = sum_k o_ck, n = sum_c n_c the pairable
    values, delta_ck the level's difference (:func:`difference_matrix`). Items with one value are
    not pairable and drop out (Krippendorff 2011).

    Range: 1 perfect agreement; 0 agreement at chance; below 0 systematic disagreement.
    Reading: Krippendorff suggests alpha >= 0.800 to rely on data and >= 0.667 for tentative
    conclusions; thresholds depend on context, and alpha is unstable on few pairable items.

    Interval: percentile bootstrap over pairable items (``n_boot`` replicates, ``seed``).
    Resampling N items with replacement gives each distinct pattern a Multinomial(N, k_p / N)
    count, so each replicate is one multinomial draw over patterns: exact and vectorised.
    Ordinal differences are recomputed from each replicate's marginals.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; one of {', '.join(LEVELS)}")
    n_items = p.n_pairable_items
    if n_items == 0:
        return Statistic.not_computable("no item has two or more values (nothing is pairable)")
    n, obs, exp = _alpha_parts(p, level)
    if exp[0] <= 0:
        used = p.values[p.marginal() > 0]
        return Statistic.not_computable(
            f"every pairable value is {_fmt_value(used[0])}: with one category only, chance-corrected "
            "agreement is undefined",
            n=n_items,
        )
    value = float(_alpha_value(n, obs, exp)[0])
    if n_boot <= 0:
        return Statistic(value, None, None, n_items, method=None)
    reps = alpha_bootstrap(p, level, n_boot=n_boot, seed=seed)
    ok = reps[~np.isnan(reps)]
    if ok.size < max(10, n_boot // 2):
        return Statistic(
            value, None, None, n_items, method=f"no interval: too few bootstrap replicates defined ({ok.size}/{n_boot})"
        )
    lo, hi = np.percentile(ok, [2.5, 97.5])
    return Statistic(
        value,
        float(lo),
        float(hi),
        n_items,
        method=f"bootstrap over items, percentile, {n_boot} resamples, seed {seed}",
    )


def alpha_bootstrap(p: ValuePatterns, level: str, *, n_boot: int, seed: int | None) -> np.ndarray:
    """``n_boot`` bootstrap replicates of alpha (NaN where a replicate has one category only)."""
    p = p.canonical()
    keep = p.pairable
    k = p.n_items[keep]
    big_n = int(k.sum())
    rng = np.random.default_rng(seed)
    prob = k / big_n
    block = max(1, _BLOCK_CELLS // max(1, k.size))
    out = np.empty(n_boot)
    for start in range(0, n_boot, block):
        b = min(block, n_boot - start)
        w = rng.multinomial(big_n, prob, size=b).astype(float)
        out[start : start + b] = _alpha_value(*_alpha_parts(p, level, w))
    return out


# ---------------------------------------------------------------------------------------------
# Gwet's AC1 / AC2, Fleiss' kappa, percent agreement (Gwet 2014; irrCAC's *.raw functions)
# ---------------------------------------------------------------------------------------------


def agreement_weights(values: Values, weights: str = "unweighted") -> np.ndarray:
    """Agreement weights w_kl in [0, 1] between category values (V, V).

    unweighted identity; linear 1 - |x_k - x_l| / (x_max - x_min);
    quadratic 1 - (x_k - x_l)^2 / (x_max - x_min)^2  (Gwet 2014, ch. 3; irrCAC's weights).
    """
    if weights == "unweighted":
        return np.eye(len(values))  # any labels, numeric or not
    v = np.asarray(values, dtype=float)
    if v.size < 2:
        return np.eye(v.size)
    span = v.max() - v.min()
    d = np.abs(v[:, None] - v[None, :]) / span
    if weights == "linear":
        return 1 - d
    if weights == "quadratic":
        return 1 - d**2
    raise ValueError(f"unknown weights {weights!r}; one of {', '.join(WEIGHTS)}")


def _t_stat(value: float, se: float, n: int, lo_clip: float, method: str) -> Statistic:
    """value with a t(n - 1) interval value +/- t * se (irrCAC's convention), clipped to the range."""
    if n < 2 or not np.isfinite(se):
        return Statistic(value, None, None, n, method="no interval: fewer than two items")
    t = _t975(int(n) - 1)
    return Statistic(
        float(value), float(max(lo_clip, value - t * se)), float(min(1.0, value + t * se)), n, method=method
    )


@lru_cache(maxsize=4096)
def _t975(df: int) -> float:
    """The 97.5% quantile of Student's t with ``df`` degrees of freedom (cached: one per pair size)."""
    return float(stats.t.ppf(0.975, df))


def _gwet_parts(p: ValuePatterns, w: np.ndarray) -> dict[str, Any] | None:
    """Per-pattern pieces shared by percent agreement, AC1/AC2 and Fleiss' kappa."""
    if p.n_pairable_items == 0:
        return None
    c, k, r = p.counts, p.n_items, p.m
    two = r >= 2
    n = k.sum()  # items rated by at least one annotator
    n2 = k[two].sum()  # pairable items
    rstar = c @ w.T  # r*_ik = sum_l w_kl r_il
    sum_q = (c * (rstar - 1)).sum(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        pa_i = np.where(two, sum_q / np.where(two, r * (r - 1), 1), 0.0)
    pa = float((k * pa_i).sum() / n2)
    pi = (k[:, None] * c / r[:, None]).sum(0) / n  # classification probabilities, all rated items
    return dict(c=c, k=k, r=r, two=two, n=n, n2=n2, pa_i=pa_i, pa=pa, pi=pi)


def percent_agreement(p: ValuePatterns, weights: str = "unweighted") -> Statistic:
    """Percent agreement p_a: the mean, over pairable items, of the share of agreeing rater pairs.

    p_a = (1/n2) sum_{u: m_u>=2} sum_c n_uc (n*_uc - 1) / (m_u (m_u - 1)), n*_uc = sum_l w_cl n_ul
    (identity weights: the share of ordered pairs of values that are equal). Range 0-1; no
    correction for chance, so it is high whenever one label dominates (compare with AC1/kappa).
    Standard error and t interval as irrCAC's pa.coeff.raw (Gwet 2014), n = items rated.
    """
    w = agreement_weights(p.values, weights)
    g = _gwet_parts(p, w)
    if g is None:
        return Statistic.not_computable("no item has two or more values (nothing is pairable)")
    n, pa = g["n"], g["pa"]
    dev = (n / g["n2"]) * g["pa_i"] * g["two"] - pa
    se = np.sqrt((g["k"] * dev**2).sum() / (n * (n - 1))) if n > 1 else np.nan
    return _t_stat(pa, se, int(n), 0.0, "t interval, Gwet (2014) linearisation")


def gwet_ac(p: ValuePatterns, weights: str = "unweighted") -> Statistic:
    """Gwet's AC1 (unweighted) / AC2 (weighted) with its linearised standard error.

    AC = (p_a - p_e) / (1 - p_e), p_a as :func:`percent_agreement`,
    p_e = T_w / (q (q - 1)) * sum_k pi_k (1 - pi_k), T_w = sum_kl w_kl, q categories,
    pi_k = (1/n) sum_u n_uk / m_u over the n items rated at least once (Gwet 2008; 2014 ch. 4).
    Variance: v = (1/(n(n-1))) sum_u (AC*_u - AC)^2 with
    AC*_u = (n/n2) (p_a|u - p_e [m_u>=2]) / (1 - p_e) - 2 (1 - AC) (p_e|u - p_e) / (1 - p_e),
    p_e|u = T_w/(q(q-1)) sum_k n_uk (1 - pi_k) / m_u (irrCAC gwet.ac1.raw, f = 0); t(n-1) interval.
    Range -1..1; less affected than kappa by skewed label distributions (the "kappa paradox").
    """
    w = agreement_weights(p.values, weights)
    q = p.values.size
    if q < 2:
        return Statistic.not_computable("a single category: agreement beyond chance is undefined")
    g = _gwet_parts(p, w)
    if g is None:
        return Statistic.not_computable("no item has two or more values (nothing is pairable)")
    n, n2, pi, pa = g["n"], g["n2"], g["pi"], g["pa"]
    tw = w.sum() / (q * (q - 1))
    pe = float(tw * (pi * (1 - pi)).sum())
    ac = (pa - pe) / (1 - pe)
    pe_i = tw * (g["c"] @ (1 - pi)) / g["r"]
    ac_i = (n / n2) * (g["pa_i"] - pe * g["two"]) / (1 - pe)
    ac_x = ac_i - 2 * (1 - ac) * (pe_i - pe) / (1 - pe)
    se = np.sqrt((g["k"] * (ac_x - ac) ** 2).sum() / (n * (n - 1))) if n > 1 else np.nan
    return _t_stat(float(ac), se, int(n), -1.0, "t interval, Gwet (2008, 2014) linearisation")


def fleiss_kappa(p: ValuePatterns, weights: str = "unweighted") -> Statistic:
    """Fleiss' kappa, generalised to unequal numbers of raters per item (Gwet 2014, ch. 5).

    kappa = (p_a - p_e) / (1 - p_e), p_a as :func:`percent_agreement`,
    p_e = sum_kl w_kl pi_k pi_l with pi_k as in :func:`gwet_ac`. With equal raters per item and
    identity weights this is Fleiss (1971) (statsmodels' fleiss_kappa). Variance: irrCAC's
    fleiss.kappa.raw linearisation, p_e|u = sum_k n_uk pibar_k / m_u, pibar = (W pi + W' pi)/2;
    t(n-1) interval. Range -1..1; not computable when every value is in one category.
    """
    w = agreement_weights(p.values, weights)
    g = _gwet_parts(p, w)
    if g is None:
        return Statistic.not_computable("no item has two or more values (nothing is pairable)")
    n, n2, pi, pa = g["n"], g["n2"], g["pi"], g["pa"]
    pe = float(pi @ w @ pi)
    if pe >= 1 - 1e-12:
        return Statistic.not_computable("every value is in one category: chance agreement is 1", n=int(n2))
    kappa = (pa - pe) / (1 - pe)
    pibar = (w @ pi + w.T @ pi) / 2
    pe_i = (g["c"] @ pibar) / g["r"]
    k_i = (n / n2) * (g["pa_i"] - pe * g["two"]) / (1 - pe)
    k_x = k_i - 2 * (1 - kappa) * (pe_i - pe) / (1 - pe)
    se = np.sqrt((g["k"] * (k_x - kappa) ** 2).sum() / (n * (n - 1))) if n > 1 else np.nan
    return _t_stat(float(kappa), se, int(n), -1.0, "t interval, Gwet (2014) linearisation")


# ---------------------------------------------------------------------------------------------
# Cohen's kappa for pairs of annotators
# ---------------------------------------------------------------------------------------------


def cohen_kappa_tables(
    tables: ArrayLike, values: Values, weights: str = "unweighted"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cohen's (weighted) kappa and its standard error for a stack of confusion tables.

    ``tables`` (P, V, V): tables[p, i, j] = items where annotator 1 of pair p gave values[i] and
    annotator 2 gave values[j]. With p_ij = tables/n, row/column marginals p_i., p_.j and
    agreement weights w_ij (:func:`agreement_weights`):
        p_o = sum w_ij p_ij,  p_e = sum w_ij p_i. p_.j,  kappa = (p_o - p_e) / (1 - p_e)
    (identity weights: Cohen 1960; linear / quadratic: Cohen 1968 — sklearn's cohen_kappa_score
    with weights= gives the same when the labels are equally spaced). Standard error (Fleiss,
    Cohen & Everitt 1969; Gwet 2014 eq. for kappa2.table):
        var = [sum_ij p_ij (w_ij - (1 - kappa)(wbar_i. + wbar_.j))^2 - (kappa - p_e (1 - kappa))^2]
              / (n (1 - p_e)^2),   wbar_i. = sum_j p_.j w_ij,  wbar_.j = sum_i p_i. w_ij.
    Returns (kappa, se, n) arrays; kappa is NaN where p_e = 1 (both used one same category).
    """
    t = np.asarray(tables, dtype=float)
    if t.ndim != 3 or t.shape[1] != t.shape[2] or t.shape[1] != len(values):
        raise ValueError("tables must be (pairs, V, V) with V = len(values)")
    w = agreement_weights(values, weights)
    n = t.sum((1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        pr = t / n[:, None, None]
        row, col = pr.sum(2), pr.sum(1)  # (P, V)
        po = (pr * w).sum((1, 2))
        pe = np.einsum("pi,ij,pj->p", row, w, col)
        kappa = np.where(pe < 1 - 1e-12, (po - pe) / (1 - pe), np.nan)
        wr = col @ w.T  # wbar_i. = sum_j p_.j w_ij
        wc = row @ w  # wbar_.j = sum_i p_i. w_ij
        inner = w[None] - (1 - kappa)[:, None, None] * (wr[:, :, None] + wc[:, None, :])
        var = ((pr * inner**2).sum((1, 2)) - (kappa - pe * (1 - kappa)) ** 2) / (n * (1 - pe) ** 2)
        se = np.sqrt(np.clip(var, 0, None))
    return kappa, se, n


def cohen_kappa(table: ArrayLike, values: Values, weights: str = "unweighted", *, min_items: int = 1) -> Statistic:
    """Cohen's kappa of one confusion table as a Statistic with its t(n - 1) interval."""
    kappa, se, n = cohen_kappa_tables(np.asarray(table, dtype=float)[None], values, weights)
    return kappa_statistic(float(kappa[0]), float(se[0]), int(n[0]), min_items=min_items)


def kappa_statistic(kappa: float, se: float, n: int, *, min_items: int) -> Statistic:
    if n < min_items:
        return Statistic.not_computable(f"only {n} shared item(s); kappa needs at least {min_items}", n=n)
    if not np.isfinite(kappa):
        return Statistic.not_computable("both annotators used one and the same category only", n=n)
    return _t_stat(kappa, se, n, -1.0, "t interval, Fleiss-Cohen-Everitt (1969) standard error")


def _fmt_value(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"
