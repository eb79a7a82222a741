"""Shared intervals and tests against statsmodels/scipy."""

import pytest
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from qualitylab.intervals import bh_qvalues, binomial_p, proportion, wilson


@pytest.mark.parametrize("k,n", [(0, 10), (10, 10), (3, 4), (55, 66), (1, 1000), (500, 1000)])
def test_wilson_equals_statsmodels(k, n):
    lo, hi = wilson(k, n)
    ref = proportion_confint(k, n, method="wilson")
    assert lo == pytest.approx(ref[0], abs=1e-12) and hi == pytest.approx(ref[1], abs=1e-12)


def test_proportion_not_computable_without_observations():
    s = proportion(0, 0, what="non-tie verdicts")
    assert s.value is None and "non-tie verdicts" in s.reason


def test_binomial_p_and_bh():
    assert binomial_p(8, 10) == pytest.approx(0.109375)  # exact two-sided, scipy.stats.binomtest
    ps = [0.01, 0.04, None, 0.03, 0.2]
    q = bh_qvalues(ps)
    ref = multipletests([p for p in ps if p is not None], method="fdr_bh")[1]
    assert q[2] is None and [x for x in q if x is not None] == pytest.approx(list(ref))


def test_binomial_p_many_equals_scipy_binomtest():
    # every k of small n, p0 = 0.5 and skewed p0, plus large n and the tails (scipy.stats.binomtest)
    from scipy.stats import binomtest

    from qualitylab.intervals import binomial_p_many

    cases = [(k, n) for n in (1, 2, 3, 7, 10, 25) for k in range(n + 1)]
    cases += [(0, 4000), (1930, 4000), (2000, 4000), (2101, 4000), (4000, 4000), (480_000, 960_115)]
    for p0 in (0.5, 0.3, 0.9):
        got = binomial_p_many([k for k, _ in cases], [n for _, n in cases], p0)
        for (k, n), g in zip(cases, got, strict=True):
            assert g == pytest.approx(binomtest(k, n, p0).pvalue, rel=1e-12, abs=1e-300), (k, n, p0)
    assert binomial_p_many([0, 3], [0, 6]) == [None, 1.0]
    with pytest.raises(ValueError, match="0 <= k <= n"):
        binomial_p_many([5], [4])
