"""The exact conditional logit (qualitylab/bias/conditional_logit.py) against statsmodels 0.15.0's
ConditionalLogit fitted by Newton's method (the same likelihood; statsmodels evaluates it prompt by
prompt in Python), and its invariances."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.discrete.conditional_models import ConditionalLogit

from qualitylab.bias.conditional_logit import conditional_logit_fit


def _data(seed: int, n_groups: int = 300, max_size: int = 25):
    rng = np.random.default_rng(seed)
    strata, y, x = [], [], []
    for g in range(n_groups):
        n = int(rng.integers(1, max_size))
        a = rng.normal(0, 1.5)  # large prompt effects: most prompts lean one way (k > n / 2 is common)
        xx = np.round(rng.normal(size=n) * 2, 1)  # repeated values too
        yy = (rng.random(n) < 1 / (1 + np.exp(-(a + 0.5 * xx)))).astype(float)
        strata += [f"p{g}"] * n
        y += list(yy)
        x += list(xx)
    return np.array(strata), np.array(y), np.array(x)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_equals_statsmodels_newton(seed):
    strata, y, x = _data(seed)
    fit = conditional_logit_fit(strata, y, x)
    with pytest.warns(Warning):  # statsmodels drops the uninformative prompts with a warning
        model = ConditionalLogit(y, x[:, None], groups=strata)
    ref = model.fit(disp=False, method="newton", tol=1e-14, maxiter=200)
    assert fit is not None
    assert fit.b == pytest.approx(float(ref.params[0]), abs=1e-10)
    assert fit.se == pytest.approx(float(ref.bse[0]), rel=1e-8)
    assert fit.loglik == pytest.approx(float(model.loglike(np.array([fit.b]))), abs=1e-8)
    # statsmodels keeps the prompts with both outcomes; ours also drops those without variation in x,
    # which add nothing to the likelihood
    assert fit.n_groups <= len(np.unique(strata))


def test_invariant_to_row_order_labels_and_mirroring():
    strata, y, x = _data(3)
    fit = conditional_logit_fit(strata, y, x)
    perm = np.random.default_rng(9).permutation(len(y))
    again = conditional_logit_fit(np.char.add("q", strata[perm]), y[perm], x[perm])
    mirrored = conditional_logit_fit(strata, 1 - y, x)  # preferring B instead of A: the slope flips
    assert fit is not None and again is not None and mirrored is not None
    assert again.b == pytest.approx(fit.b, abs=1e-12) and again.se == pytest.approx(fit.se, rel=1e-12)
    assert mirrored.b == pytest.approx(-fit.b, abs=1e-12) and mirrored.se == pytest.approx(fit.se, rel=1e-12)


def test_no_information_and_separation():
    assert (
        conditional_logit_fit(np.array(["a", "a", "b"]), np.array([1.0, 1.0, 0.0]), np.array([1.0, 2.0, 3.0])) is None
    )
    assert conditional_logit_fit(np.array(["a", "a"]), np.array([1.0, 0.0]), np.array([2.0, 2.0])) is None
    # y = 1 exactly where x is larger, in every prompt: the slope is infinite
    strata = np.repeat(np.arange(20), 2)
    x = np.tile([0.0, 1.0], 20)
    with pytest.raises(ValueError, match="separation|converge"):
        conditional_logit_fit(strata, x.copy(), x)
