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
    assert binomial_p(8, 10) == pytest.approx(0.109375)        # exact two-sided, scipy.stats.binomtest
    ps = [0.01, 0.04, None, 0.03, 0.2]
    q = bh_qvalues(ps)
    ref = multipletests([p for p in ps if p is not None], method="fdr_bh")[1]
    assert q[2] is None and [x for x in q if x is not None] == pytest.approx(list(ref))
