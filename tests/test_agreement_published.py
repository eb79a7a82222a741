"""Published worked examples, reproduced to 3 decimals (or better), each with its source.

Sources:
  [K2011] Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. U. Pennsylvania,
          https://repository.upenn.edu/asc_papers/43 — 4 observers x 12 units with missing values.
          Nominal 0.743 and ordinal 0.815 / ratio 0.797 as also reproduced in fast-krippendorff's
          docstring and tests ("fulltext.pdf, page 8"); interval 0.849 as irrCAC's
          krippen.alpha.raw(cac.raw4raters, weights = "quadratic") = 0.84911 on the same data.
  [WIKI]  Wikipedia "Krippendorff's alpha", computational example (3 coders x 15 units), as in
          fast-krippendorff's docs/tests: nominal 0.691358, interval 0.810845.
  [IRR]   irrCAC R package (Gwet), README / overview vignette: cac.raw4raters (pa.coeff.raw,
          gwet.ac1.raw, fleiss.kappa.raw, krippen.alpha.raw), distrib.6raters (gwet.ac1.dist,
          fleiss.kappa.dist, krippen.alpha.dist), cont3x3abstractors (kappa2.table).
  [IRRW]  irrCAC vignette "Weighted Chance-corrected Agreement Coefficients": the same data sets
          with weights = "quadratic" (AC2, weighted Fleiss, weighted percent agreement, weighted kappa).
"""

from __future__ import annotations

import numpy as np
import pytest

from qualitylab.agreement import coefficients as co

nan = np.nan

# [K2011] observers A-D (rows) x units 1-12 (columns)
K2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
]

# [WIKI] 3 coders x 15 units
WIKI = [
    [nan, nan, nan, nan, nan, 3, 4, 1, 2, 1, 1, 3, 3, nan, 3],
    [1, nan, 2, 1, 3, 3, 4, 3, nan, nan, nan, nan, nan, nan, nan],
    [nan, nan, 2, 1, 3, 4, 4, nan, 2, 1, 1, 3, 3, nan, 4],
]

# [IRR] cac.raw4raters: subjects (rows) x Rater1..Rater4; transposed to raters x subjects below
CAC_RAW4RATERS = [
    [1, 1, nan, 1],
    [2, 2, 3, 2],
    [3, 3, 3, 3],
    [3, 3, 3, 3],
    [2, 2, 2, 2],
    [1, 2, 3, 4],
    [4, 4, 4, 4],
    [1, 1, 2, 1],
    [2, 2, 2, 2],
    [nan, 5, 5, 5],
    [nan, nan, 1, 1],
    [nan, nan, 3, nan],
]

# [IRR] distrib.6raters: raters per subject (rows) and category (Depression .. Other)
DISTRIB_6RATERS = [
    [0, 0, 0, 6, 0],
    [0, 3, 0, 0, 3],
    [0, 1, 4, 0, 1],
    [0, 0, 0, 0, 6],
    [0, 3, 0, 3, 0],
    [2, 0, 4, 0, 0],
    [0, 0, 4, 0, 2],
    [2, 0, 3, 1, 0],
    [2, 0, 0, 4, 0],
    [0, 0, 0, 0, 6],
    [1, 0, 0, 5, 0],
    [1, 1, 0, 4, 0],
    [0, 3, 3, 0, 0],
    [1, 0, 0, 5, 0],
    [0, 2, 0, 3, 1],
]

# [IRR] cont3x3abstractors: rater 1 (rows) x rater 2 (columns): Ectopic, AIU, NIU
CONT3X3 = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]


@pytest.mark.parametrize(
    "level, expected",
    [
        ("nominal", 0.743),  # [K2011]
        ("ordinal", 0.815),  # [K2011]
        ("interval", 0.849),  # [K2011]; [IRRW] 0.84911
        ("ratio", 0.797),  # [K2011]
    ],
)
def test_krippendorff_2011_four_levels(level, expected):
    p = co.ValuePatterns.from_reliability(K2011)
    a = co.krippendorff_alpha(p, level)
    assert round(a.value, 3) == expected
    assert a.n == 11  # unit 12 has a single value: not pairable


def test_wikipedia_three_coders():
    p = co.ValuePatterns.from_reliability(WIKI)
    assert round(co.krippendorff_alpha(p, "nominal").value, 6) == 0.691358  # [WIKI]
    assert round(co.krippendorff_alpha(p, "interval").value, 6) == 0.810845  # [WIKI]


def _se(stat, n):
    """Back out the standard error from a t(n-1) interval whose upper end is not clipped."""
    from scipy import stats

    return (stat.value - stat.ci95_low) / stats.t.ppf(0.975, n - 1)


def test_irrcac_cac_raw4raters_unweighted():
    p = co.ValuePatterns.from_reliability(np.array(CAC_RAW4RATERS).T)
    pa, ac1, fk = co.percent_agreement(p), co.gwet_ac(p), co.fleiss_kappa(p)
    alpha = co.krippendorff_alpha(p, "nominal")
    assert round(pa.value, 7) == 0.8181818 and round(_se(pa, 12), 5) == 0.12561  # [IRR]
    assert round(ac1.value, 5) == 0.77544 and round(_se(ac1, 12), 5) == 0.14295  # [IRR]
    assert (round(ac1.ci95_low, 3), ac1.ci95_high) == (0.461, 1.0)  # [IRR] (0.461,1)
    assert round(fk.value, 5) == 0.76117 and round(_se(fk, 12), 5) == 0.15302  # [IRR]
    assert round(fk.ci95_low, 3) == 0.424  # [IRR] (0.424,1)
    assert round(alpha.value, 5) == 0.74342  # [IRR]
    assert (pa.n, ac1.n) == (12, 12)  # Gwet's n counts every rated subject


def test_irrcac_cac_raw4raters_quadratic():
    p = co.ValuePatterns.from_reliability(np.array(CAC_RAW4RATERS).T)
    pa, ac2 = co.percent_agreement(p, "quadratic"), co.gwet_ac(p, "quadratic")
    fk = co.fleiss_kappa(p, "quadratic")
    assert round(pa.value, 7) == 0.9753788 and round(_se(pa, 12), 5) == 0.09062  # [IRRW]
    assert round(ac2.value, 3) == 0.914 and round(_se(ac2, 12), 5) == 0.10396  # [IRRW]
    assert round(fk.value, 5) == 0.86494 and round(_se(fk, 12), 5) == 0.14603  # [IRRW]
    assert round(co.krippendorff_alpha(p, "interval").value, 5) == 0.84911  # [IRRW]


def test_irrcac_distrib_6raters():
    p = co.ValuePatterns.from_item_counts(DISTRIB_6RATERS, [1, 2, 3, 4, 5])
    ac1, fk = co.gwet_ac(p), co.fleiss_kappa(p)
    assert round(ac1.value, 7) == 0.4448007 and round(_se(ac1, 15), 7) == 0.0841876  # [IRR]
    assert (round(ac1.ci95_low, 3), round(ac1.ci95_high, 3)) == (0.264, 0.625)  # [IRR]
    assert round(fk.value, 7) == 0.4139265 and round(_se(fk, 15), 7) == 0.0811929  # [IRR]
    assert round(co.krippendorff_alpha(p, "nominal").value, 7) == 0.4204384  # [IRR]
    ac2, fkq = co.gwet_ac(p, "quadratic"), co.fleiss_kappa(p, "quadratic")
    assert round(ac2.value, 7) == 0.4837438 and round(_se(ac2, 15), 7) == 0.1058227  # [IRRW]
    assert round(fkq.value, 7) == 0.2511909 and round(_se(fkq, 15), 7) == 0.1457381  # [IRRW]


def test_irrcac_cont3x3abstractors_cohen_kappa():
    k = co.cohen_kappa(CONT3X3, [1, 2, 3])
    assert round(k.value, 7) == 0.7964094 and round(_se(k, 100), 6) == 0.058911  # [IRR] 0.05891072
    assert (round(k.ci95_low, 2), round(k.ci95_high, 3)) == (0.68, 0.913)  # [IRR] (0.68,0.913)
    kq = co.cohen_kappa(CONT3X3, [1, 2, 3], "quadratic")
    assert round(kq.value, 7) == 0.8921569 and round(_se(kq, 100), 6) == 0.035352  # [IRRW] 0.03535151
