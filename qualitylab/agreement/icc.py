"""Intraclass correlation coefficients for ratings: the pure numeric core (no I/O).

Symbols: n items (targets), k raters per item, x_ij the score of item i by rater j.

* One-way random effects, ICC(1) and ICC(1,k) (Shrout & Fleiss 1979, case 1): every item may have
  its own raters, so rater effects are part of the error. It needs only per-item aggregates, so it
  takes the sums of squares that SQL computes (:func:`oneway`), and allows a different number of
  ratings m_i per item: then k is Snedecor's k0 = (M - sum_i m_i^2 / M) / (n - 1), M = sum_i m_i
  (Searle 1971; Donner 1986), and the interval is the balanced-data formula with k0 (an
  approximation, exact when every m_i = k).
* Two-way forms (McGraw & Wong 1996): ICC(A,1) / ICC(A,k) absolute agreement (= Shrout & Fleiss
  ICC(2,1) / ICC(2,k)) and ICC(C,1) / ICC(C,k) consistency (= ICC(3,1) / ICC(3,k)). They need a
  complete block: the same k raters on each of the n items (:func:`twoway`, an n x k matrix).

Every result carries its F test of H0: ICC = 0 (F, df1, df2, p) and the 95% interval of McGraw &
Wong (1996) Table 7 / Shrout & Fleiss (1979), as pingouin's ``intraclass_corr`` computes them.
Reading: 1 the raters agree perfectly, 0 no more than chance (values below 0 are possible and mean
less agreement within items than between); Koo & Li (2016) call < 0.5 poor, 0.5-0.75 moderate,
0.75-0.9 good, > 0.9 excellent — thresholds depend on the use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

ALPHA = 0.05


@dataclass(frozen=True)
class ICC:
    """One ICC form: ``form`` (e.g. ``ICC(1)``), its value, 95% interval and F test."""

    form: str
    description: str
    value: float
    ci95_low: float
    ci95_high: float
    f: float
    df1: float
    df2: float
    p_value: float
    n: int  # items
    k: float  # raters per item (k0 when unbalanced)

    def to_dict(self) -> dict[str, Any]:
        return {
            "form": self.form,
            "description": self.description,
            "value": _num(self.value),
            "ci95_low": _num(self.ci95_low),
            "ci95_high": _num(self.ci95_high),
            "n": self.n,
            "k": self.k,
            "F": _num(self.f),
            "df1": self.df1,
            "df2": self.df2,
            "p_value": _num(self.p_value),
            "method": "F test of H0: ICC = 0; interval McGraw & Wong (1996) / Shrout & Fleiss (1979)",
        }


def _num(x: float) -> float | None:
    return None if not np.isfinite(x) else float(x)


def oneway(n_items: int, n_ratings: int, sum_m2: float, ss_between: float, ss_within: float) -> list[ICC]:
    """ICC(1) and ICC(1,k) from one-way ANOVA sums of squares over items with >= 2 ratings.

    ``n_ratings`` M = sum_i m_i; ``sum_m2`` = sum_i m_i^2; ``ss_between`` = sum_i m_i (xbar_i - xbar)^2;
    ``ss_within`` = sum_i sum_j (x_ij - xbar_i)^2. MSB = SSB / (n - 1), MSW = SSW / (M - n),
    ICC(1) = (MSB - MSW) / (MSB + (k0 - 1) MSW), ICC(1,k) = (MSB - MSW) / MSB, F = MSB / MSW on
    (n - 1, M - n) df; interval F_L = F / F_.975(n-1, M-n), F_U = F * F_.975(M-n, n-1),
    ICC(1): ((F_L - 1)/(F_L + k0 - 1), (F_U - 1)/(F_U + k0 - 1)), ICC(1,k): (1 - 1/F_L, 1 - 1/F_U).
    """
    n, m = int(n_items), int(n_ratings)
    if n < 2 or m - n < 1:
        raise ValueError("one-way ICC needs at least 2 items with 2 or more ratings each")
    df1, df2 = n - 1, m - n
    k0 = (m - sum_m2 / m) / (n - 1)
    msb, msw = ss_between / df1, ss_within / df2
    f = msb / msw if msw > 0 else np.inf
    p = float(stats.f.sf(f, df1, df2)) if np.isfinite(f) else 0.0
    fl = f / stats.f.ppf(1 - ALPHA / 2, df1, df2)
    fu = f * stats.f.ppf(1 - ALPHA / 2, df2, df1)
    with np.errstate(invalid="ignore", divide="ignore"):
        icc1 = (msb - msw) / (msb + (k0 - 1) * msw)
        icc1k = (msb - msw) / msb
        return [
            ICC(
                "ICC(1)",
                "one-way random, single rating: items may each have their own raters",
                float(icc1),
                float((fl - 1) / (fl + k0 - 1)),
                float((fu - 1) / (fu + k0 - 1)),
                float(f),
                df1,
                df2,
                p,
                n,
                float(k0),
            ),
            ICC(
                "ICC(1,k)",
                "one-way random, the mean of k ratings",
                float(icc1k),
                float(1 - 1 / fl),
                float(1 - 1 / fu),
                float(f),
                df1,
                df2,
                p,
                n,
                float(k0),
            ),
        ]


def oneway_from_matrix(x: ArrayLike) -> list[ICC]:
    """:func:`oneway` of a complete n x k matrix (for tests and the two-way block)."""
    a = np.asarray(x, dtype=float)
    n, k = a.shape
    means = a.mean(1)
    return oneway(
        n, n * k, n * k * k, float(k * ((means - a.mean()) ** 2).sum()), float(((a - means[:, None]) ** 2).sum())
    )


def twoway(x: ArrayLike) -> list[ICC]:
    """ICC(A,1), ICC(C,1), ICC(A,k), ICC(C,k) of a complete n items x k raters matrix.

    MSR (items), MSC (raters), MSE (residual) of the two-way ANOVA without interaction:
        ICC(A,1) = (MSR - MSE) / (MSR + (k-1) MSE + k (MSC - MSE) / n)
        ICC(C,1) = (MSR - MSE) / (MSR + (k-1) MSE)
        ICC(A,k) = (MSR - MSE) / (MSR + (MSC - MSE) / n)
        ICC(C,k) = (MSR - MSE) / MSR
    F = MSR / MSE on (n - 1, (n-1)(k-1)) df for all four. Intervals: consistency as ICC(1) with
    these df; absolute agreement with Satterthwaite's v (McGraw & Wong 1996, Table 7, case 2A):
        a = k ICC / (n (1 - ICC)), b = 1 + k ICC (n - 1) / (n (1 - ICC)),
        v = (a MSC + b MSE)^2 / ((a MSC)^2 / (k - 1) + (b MSE)^2 / ((n - 1)(k - 1))),
        low = n (MSR - F* MSE) / (F* (k MSC + (k n - k - n) MSE) + n MSR), F* = F_.975(n-1, v),
        high = n (F** MSR - MSE) / (k MSC + (k n - k - n) MSE + n F** MSR), F** = F_.975(v, n-1);
    the k-rating forms by the Spearman-Brown step: ICC_k = k ICC / (1 + (k - 1) ICC).
    """
    a = np.asarray(x, dtype=float)
    if a.ndim != 2 or a.shape[0] < 2 or a.shape[1] < 2 or np.isnan(a).any():
        raise ValueError("two-way ICC needs a complete matrix of at least 2 items x 2 raters")
    n, k = a.shape
    g = a.mean()
    ssr = k * ((a.mean(1) - g) ** 2).sum()
    ssc = n * ((a.mean(0) - g) ** 2).sum()
    sse = ((a - g) ** 2).sum() - ssr - ssc
    df1, dfe = n - 1, (n - 1) * (k - 1)
    msr, msc, mse = ssr / df1, ssc / (k - 1), sse / dfe
    with np.errstate(invalid="ignore", divide="ignore"):
        f = msr / mse if mse > 0 else np.inf
        p = float(stats.f.sf(f, df1, dfe)) if np.isfinite(f) else 0.0
        icc_a = (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n)
        icc_c = (msr - mse) / (msr + (k - 1) * mse)
        icc_ak = (msr - mse) / (msr + (msc - mse) / n)
        icc_ck = (msr - mse) / msr
        fl = f / stats.f.ppf(1 - ALPHA / 2, df1, dfe)
        fu = f * stats.f.ppf(1 - ALPHA / 2, dfe, df1)
        c_low, c_high = (fl - 1) / (fl + k - 1), (fu - 1) / (fu + k - 1)
        # Satterthwaite's df for the absolute-agreement interval
        aa = k * icc_a / (n * (1 - icc_a))
        bb = 1 + k * icc_a * (n - 1) / (n * (1 - icc_a))
        v = (aa * msc + bb * mse) ** 2 / ((aa * msc) ** 2 / (k - 1) + (bb * mse) ** 2 / dfe)
        f_star = stats.f.ppf(1 - ALPHA / 2, df1, v)
        f_2star = stats.f.ppf(1 - ALPHA / 2, v, df1)
        a_low = n * (msr - f_star * mse) / (f_star * (k * msc + (k * n - k - n) * mse) + n * msr)
        a_high = n * (f_2star * msr - mse) / (k * msc + (k * n - k - n) * mse + n * f_2star * msr)

    def step(r: float) -> float:
        return float(k * r / (1 + (k - 1) * r))

    def form(name: str, description: str, value: float, low: float, high: float) -> ICC:
        return ICC(name, description, float(value), float(low), float(high), float(f), df1, dfe, p, n, float(k))

    return [
        form("ICC(A,1)", "two-way, absolute agreement, single rating (Shrout & Fleiss ICC(2,1))", icc_a, a_low, a_high),
        form("ICC(C,1)", "two-way, consistency, single rating (Shrout & Fleiss ICC(3,1))", icc_c, c_low, c_high),
        form(
            "ICC(A,k)",
            "two-way, absolute agreement, the mean of k ratings (ICC(2,k))",
            icc_ak,
            step(a_low),
            step(a_high),
        ),
        form("ICC(C,k)", "two-way, consistency, the mean of k ratings (ICC(3,k))", icc_ck, 1 - 1 / fl, 1 - 1 / fu),
    ]
