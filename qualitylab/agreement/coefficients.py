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

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from ..results import Statistic

Array = NDArray[Any]

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

    values: Array
    counts: Array
    n_items: Array

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
        categories: ArrayLike | None = None,
    ) -> ValuePatterns:
        """From long rows (pattern id, items sharing it, value, count); one row per nonzero cell.

        ``categories``: the full scale (e.g. all three labels) so that unused categories still
        count in Gwet's q; defaults to the values observed.
        """
        pattern, value = np.asarray(pattern), np.asarray(value, dtype=float)
        n_items, n = np.asarray(n_items, dtype=float), np.asarray(n, dtype=float)
        if not (pattern.shape == value.shape == n_items.shape == n.shape) or pattern.ndim != 1:
            raise ValueError("pattern, n_items, value and n must be 1-d arrays of equal length")
        values = np.unique(value) if categories is None else np.unique(np.asarray(categories, dtype=float))
        if categories is not None and not np.isin(value, values).all():
            raise ValueError("a value is outside `categories`; pass the full scale")
        pid, first = np.unique(pattern, return_index=True)
        p_idx = np.searchsorted(pid, pattern)
        v_idx = np.searchsorted(values, value)
        counts = np.zeros((pid.size, values.size))
        np.add.at(counts, (p_idx, v_idx), n)
        return cls(values, counts, n_items[first])

    @classmethod
    def from_item_counts(cls, item_counts: ArrayLike, values: ArrayLike) -> ValuePatterns:
        """From an (items, V) matrix of value counts (krippendorff's ``value_counts`` layout)."""
        item_counts = np.asarray(item_counts, dtype=float)
        values = np.asarray(values, dtype=float)
        if item_counts.ndim != 2 or item_counts.shape[1] != values.size:
            raise ValueError("item_counts must be (items, len(values))")
        rated = item_counts.sum(1) > 0
        uniq, mult = np.unique(item_counts[rated], axis=0, return_counts=True)
        return cls(values, uniq, mult.astype(float))

    @classmethod
    def from_reliability(cls, data: ArrayLike, categories: ArrayLike | None = None) -> ValuePatterns:
        """From a raters x items matrix with NaN for missing (small published examples only).

        ``categories``: the full scale (irrCAC's ``categ.labels``); default the values observed.
        """
        data = np.asarray(data, dtype=float)
        values = (
            np.unique(data[~np.isnan(data)]) if categories is None else np.unique(np.asarray(categories, dtype=float))
        )
        counts = np.stack([(data == v).sum(0) for v in values], axis=1)
        return cls.from_item_counts(counts, values)

    # -- derived --------------------------------------------------------------------------------
    @property
    def m(self) -> Array:
        out: Array = self.counts.sum(1)
        return out

    @property
    def pairable(self) -> Array:
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

    def marginal(self, pairable_only: bool = True) -> Array:
        """Values per category (V,), over pairable items by default."""
        keep = self.pairable if pairable_only else np.ones(self.n_items.shape, bool)
        out: Array = self.n_items[keep] @ self.counts[keep]
        return out

    def with_categories(self, categories: ArrayLike) -> ValuePatterns:
        """The same items on a wider category set (a declared scale: unused categories get count 0).

        Every observed value must be in ``categories``; they count in Gwet's q and in the span of
        weighted coefficients (AC2, weighted kappa), never in alpha or Fleiss' kappa.
        """
        cats = np.unique(np.concatenate([np.asarray(categories, dtype=float), self.values]))
        idx = np.searchsorted(cats, self.values)
        counts = np.zeros((self.counts.shape[0], cats.size))
        counts[:, idx] = self.counts
        return ValuePatterns(cats, counts, self.n_items)

    def dichotomy(self, index: int) -> ValuePatterns:
        """Category ``values[index]`` against all others: values (0 = other, 1 = the category)."""
        c = self.counts[:, index]
        return ValuePatterns(np.array([0.0, 1.0]), np.column_stack([self.m - c, c]), self.n_items)


# ---------------------------------------------------------------------------------------------
# Krippendorff's alpha
# ---------------------------------------------------------------------------------------------


def difference_matrix(values: ArrayLike, level: str, marginal: ArrayLike | None = None) -> Array:
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
        sq: Array = (v[:, None] - v[None, :]) ** 2
        return sq
    if level == "ratio":
        if (v < 0).any():
            raise ValueError("the ratio level needs values >= 0; use the interval level for signed scales")
        s = v[:, None] + v[None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            d: Array = np.where(s == 0, 0.0, ((v[:, None] - v[None, :]) / np.where(s == 0, 1, s)) ** 2)
        return d
    if level == "ordinal":
        if marginal is None:
            raise ValueError("the ordinal level needs the marginal value counts")
        g = _ordinal_positions(np.asarray(marginal, dtype=float))
        return (g[:, None] - g[None, :]) ** 2
    raise ValueError(f"unknown level {level!r}; one of {', '.join(LEVELS)}")


def _ordinal_positions(marginal: Array) -> Array:
    """G_c = N_c - n_c / 2 (cumulative count minus half the own count), along the last axis."""
    out: Array = np.cumsum(marginal, axis=-1) - marginal / 2
    return out


def coincidences(p: ValuePatterns) -> Array:
    """Krippendorff's coincidence matrix o_ck = sum_u (n_uc n_uk - [c=k] n_uc) / (m_u - 1) (V, V)."""
    keep = p.pairable
    c, w = p.counts[keep], p.n_items[keep] / (p.m[keep] - 1)
    out: Array = (c * w[:, None]).T @ c - np.diag(w @ c)
    return out


def _alpha_parts(p: ValuePatterns, level: str, weights: Array | None = None) -> tuple[Array, Array, Array]:
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


def _alpha_value(n: Array, obs: Array, exp: Array) -> Array:
    with np.errstate(invalid="ignore", divide="ignore"):
        out: Array = np.where(exp > 0, 1 - (n - 1) * obs / np.where(exp > 0, exp, 1), np.nan)
    return out


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
    reps = alpha_bootstrap(p, level, n_boot=n_boot, seed=seed) if n_boot > 0 else np.zeros(0)
    ok = reps[~np.isnan(reps)]
    test = _alpha_test(p, level, value, ok)
    if n_boot <= 0:
        return Statistic(value, None, None, n_items, method=None, **test)
    if ok.size < max(10, n_boot // 2):
        return Statistic(
            value,
            None,
            None,
            n_items,
            method=f"no interval: too few bootstrap replicates defined ({ok.size}/{n_boot})",
            **test,
        )
    lo, hi = np.percentile(ok, [2.5, 97.5])
    return Statistic(
        value,
        float(lo),
        float(hi),
        n_items,
        method=f"bootstrap over items, percentile, {n_boot} resamples, seed {seed}",
        **test,
    )


def alpha_linearised_se(p: ValuePatterns, level: str) -> tuple[float, float]:
    """(alpha, standard error) by Gwet's (2014) linearisation, as irrCAC's krippen.alpha.raw.

    Over the n pairable items, with agreement weights w_kl = 1 - delta_kl / max(delta) (identity
    for nominal; the interval and ratio differences otherwise — alpha does not depend on the
    scaling), rbar the mean values per pairable item and eps = 1 / (n rbar):
        p_a' = (1/n) sum_u sum_k n_uk (n*_uk - 1) / (rbar (m_u - 1)),  p_a = (1 - eps) p_a' + eps,
        pi_k = (1/n) sum_u n_uk / rbar,  p_e = sum_kl w_kl pi_k pi_l,  alpha = (p_a - p_e)/(1 - p_e),
    and v = (1/(n(n-1))) sum_u (alpha*_u - alpha')^2 with alpha' = (p_a' - p_e)/(1 - p_e),
        alpha*_u = (p_a|u - p_e)/(1 - p_e) - 2 (1 - alpha') (p_e|u - p_e)/(1 - p_e),
        p_a|u = sum_k n_uk (n*_uk - 1)/(rbar (m_u - 1)) - p_a (m_u - rbar)/rbar,
        p_e|u = sum_k n_uk pibar_k / rbar - p_e (m_u - rbar)/rbar,  pibar = (W pi + W' pi)/2.
    The ordinal level has marginal-dependent differences (no such linearisation): use the bootstrap.
    """
    if level == "ordinal":
        raise ValueError("the ordinal level has no linearised variance here; use the bootstrap replicates")
    keep = p.pairable
    c, k, r = p.counts[keep], p.n_items[keep], p.m[keep]
    delta = difference_matrix(p.values, level)
    w = 1 - delta / delta.max() if delta.max() > 0 else np.ones_like(delta)
    n = float(k.sum())
    rbar = float((k * r).sum() / n)
    eps = 1 / float((k * r).sum())
    raw_i = (c * (c @ w.T - 1)).sum(1) / (rbar * (r - 1))
    pa_prime = float((k * raw_i).sum() / n)
    pa = (1 - eps) * pa_prime + eps
    pi = (k[:, None] * c).sum(0) / (n * rbar)
    pe = float(pi @ w @ pi)
    alpha = (pa - pe) / (1 - pe)
    alpha_prime = (pa_prime - pe) / (1 - pe)
    pa_i = raw_i - pa * (r - rbar) / rbar
    pibar = (w @ pi + w.T @ pi) / 2
    pe_i = (c @ pibar) / rbar - pe * (r - rbar) / rbar
    a_x = (pa_i - pe) / (1 - pe) - 2 * (1 - alpha_prime) * (pe_i - pe) / (1 - pe)
    var = float((k * (a_x - alpha_prime) ** 2).sum() / (n * (n - 1))) if n > 1 else float("nan")
    return float(alpha), float(np.sqrt(var))


def _alpha_test(p: ValuePatterns, level: str, value: float, reps: Array) -> dict[str, Any]:
    """se / z / p_value / variance_method of alpha (H0: alpha = 0), two-sided.

    nominal, interval, ratio: Gwet's linearised se (:func:`alpha_linearised_se`), t(n-1) with n
    pairable items — irrCAC's krippen.alpha.raw p-value. ordinal: the standard deviation of the
    same bootstrap replicates as the interval, normal (none without replicates).
    """
    n = p.n_pairable_items
    if level == "ordinal":
        if reps.size < 10:
            return dict(variance_method="no test: the ordinal level's standard error is the bootstrap's (no resamples)")
        se = float(np.std(reps, ddof=1))
        z, pv = _z_test(value, se)
        return dict(
            se=se,
            z=z,
            p_value=pv,
            variance_method=f"standard deviation of the {reps.size} bootstrap replicates over items; normal test",
        )
    if n < 2:
        return dict(variance_method="no test: n < 2")
    _, se = alpha_linearised_se(p, level)
    z, pv = _z_test(value, se, df=n - 1)
    return dict(
        se=se,
        z=z,
        p_value=pv,
        variance_method=f"test: {GWET_LINEARISED} (irrCAC krippen.alpha.raw), t(n-1); interval: bootstrap percentile"
        + ("" if z is not None else "; standard error 0: no test"),
    )


def alpha_bootstrap(p: ValuePatterns, level: str, *, n_boot: int, seed: int | None) -> Array:
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


def agreement_weights(values: ArrayLike, weights: str = "unweighted") -> Array:
    """Agreement weights w_kl in [0, 1] between category values (V, V).

    unweighted identity; linear 1 - |x_k - x_l| / (x_max - x_min);
    quadratic 1 - (x_k - x_l)^2 / (x_max - x_min)^2  (Gwet 2014, ch. 3; irrCAC's weights).
    """
    if weights == "unweighted":
        return np.eye(len(np.asarray(values)))  # any labels, numeric or not
    v = np.asarray(values, dtype=float)
    if v.size < 2:
        return np.eye(v.size)
    span = v.max() - v.min()
    d: Array = np.abs(v[:, None] - v[None, :]) / span
    if weights == "linear":
        return 1 - d
    if weights == "quadratic":
        return 1 - d * d
    raise ValueError(f"unknown weights {weights!r}; one of {', '.join(WEIGHTS)}")


# -- standard errors and tests ------------------------------------------------------------------

#: the formulas named in each statistic's ``variance_method`` (docs/agreement.md "Tests")
GWET_LINEARISED = "Gwet (2014) linearised variance"
FNL_H0 = "Fleiss, Nee & Landis (1979) variance under H0 (R irr kappam.fleiss)"
FCE = "Fleiss, Cohen & Everitt (1969)"


def _t_stat(
    value: float,
    se: float,
    n: int,
    lo_clip: float,
    method: str,
    variance_method: str,
    *,
    se_h0: float | None = None,
) -> Statistic:
    """value with a t(n - 1) interval value +/- t * se (irrCAC's convention), clipped to the range,
    and the two-sided test of H0: value = 0.

    The test uses ``se`` and t(n - 1) (as irrCAC's p-values) unless ``se_h0`` (a variance under
    H0) is given: then z = value / se_h0 against the standard normal (as R irr).
    """
    if n < 2 or not np.isfinite(se):
        return Statistic(
            value, None, None, n, method="no interval: fewer than two items", variance_method="no test: n < 2"
        )
    t = _t975(int(n) - 1)
    if se_h0 is not None:
        z, pv = _z_test(value, se_h0)
    else:
        z, pv = _z_test(value, se, df=int(n) - 1)
    return Statistic(
        float(value),
        float(max(lo_clip, value - t * se)),
        float(min(1.0, value + t * se)),
        n,
        method=method,
        se=float(se),
        z=z,
        p_value=pv,
        variance_method=variance_method if z is not None else variance_method + "; standard error 0: no test",
        se_h0=None if se_h0 is None else float(se_h0),
    )


def _z_test(value: float, se: float, df: int | None = None) -> tuple[float | None, float | None]:
    """(z, two-sided p) of H0: coefficient = 0; p from t(df) when ``df`` is given, else normal."""
    if not np.isfinite(se) or se <= 0:
        return None, None
    z = float(value / se)
    p = 2 * (stats.t.sf(abs(z), df) if df is not None else stats.norm.sf(abs(z)))
    return z, float(p)


@lru_cache(maxsize=4096)
def _t975(df: int) -> float:
    """The 97.5% quantile of Student's t with ``df`` degrees of freedom (cached: one per pair size)."""
    return float(stats.t.ppf(0.975, df))


@dataclass(frozen=True)
class _GwetParts:
    """Per-pattern pieces shared by percent agreement, AC1/AC2 and Fleiss' kappa."""

    c: Array  # (P, V) counts
    k: Array  # (P,) items per pattern
    r: Array  # (P,) values per item
    two: Array  # (P,) pairable
    n: float  # items rated at least once
    n2: float  # pairable items
    pa_i: Array  # (P,) per-item agreement
    pa: float
    pi: Array  # (V,) classification probabilities over every rated item


def _gwet_parts(p: ValuePatterns, w: Array) -> _GwetParts | None:
    if p.n_pairable_items == 0:
        return None
    c, k, r = p.counts, p.n_items, p.m
    two = r >= 2
    n = float(k.sum())
    n2 = float(k[two].sum())
    rstar = c @ w.T  # r*_ik = sum_l w_kl r_il
    sum_q = (c * (rstar - 1)).sum(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        pa_i = np.where(two, sum_q / np.where(two, r * (r - 1), 1), 0.0)
        pi = (k[:, None] * c / np.where(r > 0, r, 1)[:, None]).sum(0) / n
    pa = float((k * pa_i).sum() / n2)
    return _GwetParts(c, k, r, two, n, n2, pa_i, pa, pi)


def _linearised_se(g: _GwetParts, x: Array, coef: float) -> float:
    """sqrt((1/(n(n-1))) sum_u (x_u - coef)^2) over items (patterns weighted by their items)."""
    if g.n <= 1:
        return float("nan")
    return float(np.sqrt((g.k * (x - coef) ** 2).sum() / (g.n * (g.n - 1))))


def percent_agreement(p: ValuePatterns, weights: str = "unweighted") -> Statistic:
    """Percent agreement p_a: the mean, over pairable items, of the share of agreeing rater pairs.

    p_a = (1/n2) sum_{u: m_u>=2} sum_c n_uc (n*_uc - 1) / (m_u (m_u - 1)), n*_uc = sum_l w_cl n_ul
    (identity weights: the share of ordered pairs of values that are equal). Range 0-1; no
    correction for chance, so it is high whenever one label dominates (compare with AC1/kappa).
    Standard error, t interval and the t(n-1) test of H0: p_a = 0 as irrCAC's pa.coeff.raw
    (Gwet 2014), n = items rated.
    """
    w = agreement_weights(p.values, weights)
    g = _gwet_parts(p, w)
    if g is None:
        return Statistic.not_computable("no item has two or more values (nothing is pairable)")
    dev = (g.n / g.n2) * g.pa_i * g.two
    se = _linearised_se(g, dev, g.pa)
    return _t_stat(
        g.pa,
        se,
        int(g.n),
        0.0,
        "t interval, Gwet (2014) linearisation",
        f"{GWET_LINEARISED} (irrCAC pa.coeff.raw); test and interval t(n-1)",
    )


def gwet_ac(p: ValuePatterns, weights: str = "unweighted") -> Statistic:
    """Gwet's AC1 (unweighted) / AC2 (weighted) with its linearised standard error.

    AC = (p_a - p_e) / (1 - p_e), p_a as :func:`percent_agreement`,
    p_e = T_w / (q (q - 1)) * sum_k pi_k (1 - pi_k), T_w = sum_kl w_kl, q categories,
    pi_k = (1/n) sum_u n_uk / m_u over the n items rated at least once (Gwet 2008; 2014 ch. 4).
    q counts every category of ``p.values`` — the batch's declared (or inferred) scale, used or not
    (irrCAC's ``categ.labels``): a tie category that the protocol never offered must not be in it.
    Variance: v = (1/(n(n-1))) sum_u (AC*_u - AC)^2 with
    AC*_u = (n/n2) (p_a|u - p_e [m_u>=2]) / (1 - p_e) - 2 (1 - AC) (p_e|u - p_e) / (1 - p_e),
    p_e|u = T_w/(q(q-1)) sum_k n_uk (1 - pi_k) / m_u (irrCAC gwet.ac1.raw, f = 0); t(n-1) interval
    and t(n-1) test of H0: AC = 0 (irrCAC's p-value).
    Range -1..1; less affected than kappa by skewed label distributions (the "kappa paradox").
    """
    w = agreement_weights(p.values, weights)
    q = p.values.size
    if q < 2:
        return Statistic.not_computable("a single category: agreement beyond chance is undefined")
    g = _gwet_parts(p, w)
    if g is None:
        return Statistic.not_computable("no item has two or more values (nothing is pairable)")
    tw = float(w.sum() / (q * (q - 1)))
    pe = float(tw * (g.pi * (1 - g.pi)).sum())
    ac = (g.pa - pe) / (1 - pe)
    with np.errstate(invalid="ignore", divide="ignore"):
        pe_i = tw * (g.c @ (1 - g.pi)) / g.r
    ac_i = (g.n / g.n2) * (g.pa_i - pe * g.two) / (1 - pe)
    ac_x = ac_i - 2 * (1 - ac) * (pe_i - pe) / (1 - pe)
    se = _linearised_se(g, ac_x, ac)
    name = "gwet.ac1.raw" if weights == "unweighted" else "gwet.ac1.raw with weights"
    return _t_stat(
        float(ac),
        se,
        int(g.n),
        -1.0,
        "t interval, Gwet (2008, 2014) linearisation",
        f"{GWET_LINEARISED} (irrCAC {name}); test and interval t(n-1)",
    )


def fleiss_kappa(p: ValuePatterns, weights: str = "unweighted") -> Statistic:
    """Fleiss' kappa, generalised to unequal numbers of raters per item (Gwet 2014, ch. 5).

    kappa = (p_a - p_e) / (1 - p_e), p_a as :func:`percent_agreement`,
    p_e = sum_kl w_kl pi_k pi_l with pi_k as in :func:`gwet_ac`. With equal raters per item and
    identity weights this is Fleiss (1971) (statsmodels' fleiss_kappa, R irr's kappam.fleiss).

    Interval: irrCAC's fleiss.kappa.raw linearisation, p_e|u = sum_k n_uk pibar_k / m_u,
    pibar = (W pi + W' pi)/2; t(n-1). Test of H0: kappa = 0: with m raters on every one of the N
    items (identity weights) z = kappa / se_0, the variance under H0 of Fleiss, Nee & Landis (1979)
    that R irr's kappam.fleiss uses,
        se_0^2 = 2 / (N m (m-1)) * [(sum_j p_j q_j)^2 - sum_j p_j q_j (q_j - p_j)] / (sum_j p_j q_j)^2,
    p_j = pi_j, q_j = 1 - p_j, against the standard normal (irr: z = 17.65 on Fleiss' diagnoses);
    otherwise (unequal raters, or weights: no closed form under H0) z = kappa / se and t(n-1), as
    irrCAC. Range -1..1; not computable when every value is in one category.
    """
    w = agreement_weights(p.values, weights)
    g = _gwet_parts(p, w)
    if g is None:
        return Statistic.not_computable("no item has two or more values (nothing is pairable)")
    pe = float(g.pi @ w @ g.pi)
    if pe >= 1 - 1e-12:
        return Statistic.not_computable("every value is in one category: chance agreement is 1", n=int(g.n2))
    kappa = (g.pa - pe) / (1 - pe)
    pibar = (w @ g.pi + w.T @ g.pi) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        pe_i = (g.c @ pibar) / g.r
    k_i = (g.n / g.n2) * (g.pa_i - pe * g.two) / (1 - pe)
    k_x = k_i - 2 * (1 - kappa) * (pe_i - pe) / (1 - pe)
    se = _linearised_se(g, k_x, kappa)
    interval = f"{GWET_LINEARISED} (irrCAC fleiss.kappa.raw), t(n-1)"
    m = np.unique(g.r[g.k > 0])
    if weights == "unweighted" and m.size == 1 and m[0] >= 2:
        pq = g.pi * (1 - g.pi)
        s = float(pq.sum())
        var0 = 2 / (g.n * m[0] * (m[0] - 1)) * (s**2 - float((pq * (1 - 2 * g.pi)).sum())) / s**2
        return _t_stat(
            float(kappa),
            se,
            int(g.n),
            -1.0,
            "t interval, Gwet (2014) linearisation",
            f"test: {FNL_H0}, normal; interval: {interval}",
            se_h0=float(np.sqrt(var0)),
        )
    return _t_stat(
        float(kappa),
        se,
        int(g.n),
        -1.0,
        "t interval, Gwet (2014) linearisation",
        f"{GWET_LINEARISED} (irrCAC fleiss.kappa.raw); test and interval t(n-1)"
        + ("" if weights != "unweighted" else " (raters per item vary: no closed-form variance under H0)"),
    )


def per_category_kappa(p: ValuePatterns) -> dict[float, Statistic]:
    """Fleiss' (1971) per-category kappa: is the disagreement about one label or about another?

    kappa_j = 1 - sum_u n_uj (m_u - n_uj) / (m_u - 1) / (N mbar p_j q_j) in Fleiss' equal-rater form
    (kappa_j = 1 - sum_u n_uj (m - n_uj) / (N m (m-1) p_j q_j)); computed here as Fleiss' kappa
    (:func:`fleiss_kappa`) of the two-category data "j" vs "any other label", which is the same
    number with equal raters and generalises it to unequal raters. Interval: the linearised
    variance of that kappa; test of H0: kappa_j = 0 with equal raters from se_0^2 = 2 / (N m (m-1))
    (Fleiss, Nee & Landis 1979; R irr kappam.fleiss(detail = TRUE)), normal. A category no one
    used is not computable (its share p_j is 0): with a declared scale it is still listed.
    """
    out: dict[float, Statistic] = {}
    marg = p.marginal(pairable_only=False)
    for j, v in enumerate(p.values):
        if marg[j] == 0:
            out[float(v)] = Statistic.not_computable(f"no value is {_fmt_value(v)}: nobody used this category")
            continue
        out[float(v)] = fleiss_kappa(p.dichotomy(j))
    return out


# ---------------------------------------------------------------------------------------------
# Cohen's kappa for pairs of annotators
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KappaTables:
    """Cohen's kappa of a stack of P confusion tables (see :func:`cohen_kappa_parts`), all (P,)."""

    kappa: Array  # NaN where p_e = 1
    se: Array  # asymptotic standard error (Fleiss, Cohen & Everitt 1969)
    se_h0: Array  # standard error under H0: kappa = 0 (same paper)
    n: Array  # items per table
    row_labels: Array  # categories annotator 1 used
    col_labels: Array  # categories annotator 2 used


def cohen_kappa_parts(tables: ArrayLike, values: ArrayLike, weights: str = "unweighted") -> KappaTables:
    """Cohen's (weighted) kappa, its standard errors, and how many labels each annotator used.

    ``tables`` (P, V, V): tables[p, i, j] = items where annotator 1 of pair p gave values[i] and
    annotator 2 gave values[j]. With p_ij = tables/n, row/column marginals p_i., p_.j and
    agreement weights w_ij (:func:`agreement_weights`):
        p_o = sum w_ij p_ij,  p_e = sum w_ij p_i. p_.j,  kappa = (p_o - p_e) / (1 - p_e)
    (identity weights: Cohen 1960; linear / quadratic: Cohen 1968 — sklearn's cohen_kappa_score
    with weights= gives the same when the labels are equally spaced). Standard errors (Fleiss,
    Cohen & Everitt 1969; statsmodels' cohens_kappa std_kappa / std_kappa0; R irr kappa2 uses se_0):
        var   = [sum_ij p_ij (w_ij - (1 - kappa)(wbar_i. + wbar_.j))^2 - (kappa - p_e (1 - kappa))^2]
                / (n (1 - p_e)^2),
        var_0 = [sum_ij p_i. p_.j (w_ij - (wbar_i. + wbar_.j))^2 - p_e^2] / (n (1 - p_e)^2),
    wbar_i. = sum_j p_.j w_ij,  wbar_.j = sum_i p_i. w_ij.
    """
    t = np.asarray(tables, dtype=float)
    vals = np.asarray(values)  # numbers for weighted kappa; any labels unweighted
    if t.ndim != 3 or t.shape[1] != t.shape[2] or t.shape[1] != vals.size:
        raise ValueError("tables must be (pairs, V, V) with V = len(values)")
    w = agreement_weights(vals, weights)
    n = t.sum((1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        pr = t / n[:, None, None]
        row, col = pr.sum(2), pr.sum(1)  # (P, V)
        po = (pr * w).sum((1, 2))
        pe = np.einsum("pi,ij,pj->p", row, w, col)
        kappa = np.where(pe < 1 - 1e-12, (po - pe) / (1 - pe), np.nan)
        wr = col @ w.T  # wbar_i. = sum_j p_.j w_ij
        wc = row @ w  # wbar_.j = sum_i p_i. w_ij
        both = wr[:, :, None] + wc[:, None, :]
        inner = w[None] - (1 - kappa)[:, None, None] * both
        var = ((pr * inner**2).sum((1, 2)) - (kappa - pe * (1 - kappa)) ** 2) / (n * (1 - pe) ** 2)
        ind = row[:, :, None] * col[:, None, :]
        var0 = ((ind * (w[None] - both) ** 2).sum((1, 2)) - pe**2) / (n * (1 - pe) ** 2)
    return KappaTables(
        kappa,
        np.sqrt(np.clip(var, 0, None)),
        np.sqrt(np.clip(var0, 0, None)),
        n,
        (t.sum(2) > 0).sum(1),
        (t.sum(1) > 0).sum(1),
    )


def cohen_kappa_tables(tables: ArrayLike, values: ArrayLike, weights: str = "unweighted") -> tuple[Array, Array, Array]:
    """(kappa, se, n) arrays of :func:`cohen_kappa_parts` (kappa NaN where p_e = 1)."""
    k = cohen_kappa_parts(tables, values, weights)
    return k.kappa, k.se, k.n


def cohen_kappa(
    table: ArrayLike,
    values: ArrayLike,
    weights: str = "unweighted",
    *,
    min_items: int = 1,
    names: tuple[str, str] = ("annotator 1", "annotator 2"),
) -> Statistic:
    """Cohen's kappa of one confusion table (rows: ``names[0]``) with its t(n - 1) interval and z test."""
    k = cohen_kappa_parts(np.asarray(table, dtype=float)[None], values, weights)
    constant = [who for who, used in zip(names, (k.row_labels[0], k.col_labels[0]), strict=True) if used == 1]
    return kappa_statistic(
        float(k.kappa[0]), float(k.se[0]), int(k.n[0]), min_items=min_items, se_h0=float(k.se_h0[0]), constant=constant
    )


def kappa_statistic(
    kappa: float,
    se: float,
    n: int,
    *,
    min_items: int,
    se_h0: float | None = None,
    constant: list[str] | tuple[str, ...] = (),
) -> Statistic:
    """One pair's kappa as a Statistic; not computable below ``min_items`` shared items or when an
    annotator of the pair (``constant``: e.g. ``["annotator h3"]``) gave one label on every shared
    item — kappa is then 0 by construction with a zero-width interval, which says nothing about
    agreement."""
    if n < min_items:
        return Statistic.not_computable(f"only {n} shared item(s); kappa needs at least {min_items}", n=n)
    if constant and not np.isfinite(kappa):
        return Statistic.not_computable(
            f"{' and '.join(constant)} used one and the same category only, on all {n} shared items: "
            "kappa is not computable",
            n=n,
        )
    if constant:
        who = " and ".join(constant)
        each = " each" if len(constant) > 1 else ""
        return Statistic.not_computable(
            f"{who} gave one label{each} on all {n} shared items: kappa is not computable", n=n
        )
    if not np.isfinite(kappa):
        return Statistic.not_computable("both annotators used one and the same category only", n=n)
    return _t_stat(
        kappa,
        se,
        n,
        -1.0,
        f"t interval, {FCE} standard error",
        f"test: {FCE} variance under H0 (R irr kappa2), normal; interval: {FCE} variance, t(n-1)",
        se_h0=se_h0,
    )


def _fmt_value(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"
