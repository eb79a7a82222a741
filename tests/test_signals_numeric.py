"""Signals area: the pure numeric core against references (scipy, statsmodels) and hand-checked values."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from qualitylab.intervals import wilson
from qualitylab.signals import bradley_terry as bt
from qualitylab.signals import resample
from qualitylab.signals.consistency import within_task
from qualitylab.signals.correlation import (
    fisher_z_interval,
    kendall_tau_b_rows,
    kendall_tau_b_table,
    rank_correlations,
    spearman_rows,
    spearman_table,
)
from qualitylab.signals.cost import prompts_needed
from qualitylab.signals.strength import mean_interval


def _table(x, y):
    cells: dict[tuple, int] = {}
    for a, b in zip(x, y, strict=True):
        cells[(a, b)] = cells.get((a, b), 0) + 1
    xs, ys, ns = zip(*[(a, b, n) for (a, b), n in cells.items()], strict=True)
    return np.array(xs), np.array(ys), np.array(ns)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rank_correlations_from_a_table_equal_scipy_on_the_expanded_data(seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 7, 300)  # |rating gap| 0..6, many ties
    y = np.clip(x // 2 + rng.integers(-1, 2, 300), 0, 3)  # strength 0..3
    xs, ys, ns = _table(x, y)
    # reference: scipy.stats.kendalltau (tau-b) and spearmanr on one row per observation
    assert kendall_tau_b_table(xs, ys, ns)[0] == pytest.approx(stats.kendalltau(x, y).statistic, abs=1e-12)
    assert spearman_table(xs, ys, ns)[0] == pytest.approx(stats.spearmanr(x, y).statistic, abs=1e-12)


def test_rank_correlation_rows_equal_scipy():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(5, 6)), rng.normal(size=(5, 6))
    b[0] = a[0]
    taus = kendall_tau_b_rows(a, b)
    rhos = spearman_rows(a, b)
    for r in range(5):
        assert taus[r] == pytest.approx(stats.kendalltau(a[r], b[r]).statistic)
        assert rhos[r] == pytest.approx(stats.spearmanr(a[r], b[r]).statistic)
    assert taus[0] == 1.0


def test_fisher_z_interval_by_hand():
    # r = 0.5, n = 104, Kendall: atanh(0.5) = 0.549306; half width 1.959964 * sqrt(0.437 / 100) = 0.129566
    lo, hi = fisher_z_interval(0.5, 104, 0.437, 4)
    assert lo == pytest.approx(np.tanh(0.549306 - 0.129566), abs=1e-5)
    assert hi == pytest.approx(np.tanh(0.549306 + 0.129566), abs=1e-5)
    assert np.isnan(fisher_z_interval(0.5, 4, 0.437, 4)[0])


def test_rank_correlations_constant_margin_is_not_computable():
    out = rank_correlations([1, 2, 3], [2, 2, 2], [5, 5, 5], what="verdicts")
    assert out["kendall_tau_b"].value is None and "single value" in out["kendall_tau_b"].reason


def test_bradley_terry_two_models_by_hand():
    # a beats b 3 times, b beats a once: P(a beats b) = 3/4, so log(pi_a / pi_b) = log 3
    w = np.array([[0, 3], [1, 0]], dtype=float)
    s = bt.bradley_terry(w)
    assert s[0] - s[1] == pytest.approx(np.log(3), abs=1e-8)
    assert s.sum() == pytest.approx(0, abs=1e-12)


def test_bradley_terry_equals_statsmodels_binomial_logit_with_half_ties():
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM

    rows = [(0, 1, 10, 5, 2), (0, 2, 8, 8, 1), (0, 3, 3, 9, 0), (1, 2, 4, 7, 3), (1, 3, 6, 6, 0), (2, 3, 2, 9, 1)]
    ix, iy, nx, ny, nt = map(np.array, zip(*rows, strict=True))
    s = bt.bradley_terry(bt.win_matrix(ix, iy, nx, ny, nt, 4))
    # reference: logit(P(x beats y)) = b_x - b_y, a GLM on half-win proportions weighted by games
    design = np.zeros((len(rows), 4))
    design[np.arange(len(rows)), ix] = 1
    design[np.arange(len(rows)), iy] = -1
    games = nx + ny + nt
    fit = GLM((nx + 0.5 * nt) / games, design[:, 1:], family=families.Binomial(), var_weights=games).fit()
    ref = np.r_[0, fit.params]
    np.testing.assert_allclose(s, ref - ref.mean(), atol=1e-7)


def test_bradley_terry_refuses_when_a_model_never_loses():
    w = np.array([[0, 2, 1], [0, 0, 1], [0, 1, 0]], dtype=float)
    assert not bt.strongly_connected(w)
    with pytest.raises(ValueError, match="strongly connected"):
        bt.bradley_terry(w)
    stacked = bt.bradley_terry(np.stack([w, w + w.T]))
    assert np.isnan(stacked[0]).all() and np.isfinite(stacked[1]).all()


def test_win_rates_by_hand():
    w = bt.win_matrix([0, 1], [1, 2], [2, 1], [1, 0], [1, 1], 3)
    # model 0: 2 wins + half a tie of 4 games; model 1: 1 + 0.5 (vs 0) + 1 + 0.5 (vs 2) of 6; model 2: 0.5 of 2
    np.testing.assert_allclose(bt.win_rates(w), [2.5 / 4, 3 / 6, 0.5 / 2])


def test_clustered_proportion_design_effect():
    # 10 clusters of 10 identical outcomes (5 all-success, 5 all-failure): every cluster counts as one
    k = np.array([10] * 5 + [0] * 5)
    n = np.full(10, 10)
    s = resample.clustered_proportion(k, n, what="x", unit="prompt_id")
    assert s.value == 0.5 and s.n == 100
    # deff = G/(G-1) * sum (k - p n)^2 / N^2 / (p(1-p)/N) = 10/9 * 2500/10000 / 0.0025 = 11.11
    assert "11.11" in s.method
    lo, hi = wilson(4.5, 9)  # Wilson at the effective size N / deff = 100 / 11.11 = 9
    assert (s.ci95_low, s.ci95_high) == pytest.approx((lo, hi))
    # extremes stay inside 0..1 and never collapse
    s1 = resample.clustered_proportion([3, 4], [3, 4], what="x", unit="prompt_id")
    assert s1.value == 1 and s1.ci95_high == 1 and s1.ci95_low < 1


def test_bootstrap_counts_seeded_and_independent_of_block_size(monkeypatch):
    a = np.vstack(list(resample.bootstrap_counts(7, 50, seed=11)))
    monkeypatch.setattr(resample, "BLOCK_CELLS", 7 * 3)
    b = np.vstack(list(resample.bootstrap_counts(7, 50, seed=11)))
    np.testing.assert_array_equal(a, b)
    assert a.shape == (50, 7) and (a.sum(1) == 7).all()
    c = np.vstack(list(resample.bootstrap_counts(7, 50, seed=12)))
    assert not np.array_equal(a, c)


def test_prompts_needed_by_hand():
    # (z_0.975 + z_0.8)^2 * (1 / 0.5)^2 = (1.959964 + 0.841621)^2 * 4 = 31.40
    assert prompts_needed(0.5, 1.0) == pytest.approx(31.40, abs=0.01)
    assert prompts_needed(-0.5, 1.0) == pytest.approx(31.40, abs=0.01)
    assert np.isinf(prompts_needed(0.0, 1.0))
    assert prompts_needed(10.0, 0.1) == 2.0  # floor: the spread needs two prompts
    with pytest.raises(ValueError, match="strictly between"):
        prompts_needed(0.5, 1.0, confidence=95)


def test_mean_interval_equals_scipy_t():
    x = np.array([0, 1, 3, 2, 2, 3, 1])
    s = mean_interval(x.sum(), (x * x).sum(), len(x), what="x")
    lo, hi = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert (s.value, s.ci95_low, s.ci95_high) == pytest.approx((x.mean(), lo, hi))


def test_within_task_by_hand():
    cells = [  # (preference, rating_sign, rating_gap, strength, n)
        ("A", 1, 3.0, 3, 1),  # agrees
        ("B", 1, 1.0, 1, 1),  # disagrees
        ("A", 0, 0.0, 2, 1),  # rating tie with a strong preference
        ("tie", 1, 3.0, None, 1),  # no preference, large gap
        ("B", -1, 4.0, 2, 1),  # agrees
        ("B", -1, 1.0, 0, 1),  # agrees; unsure with a small gap
    ]
    rows = [dict(zip(("preference", "rating_sign", "rating_gap", "strength", "n"), c, strict=True)) for c in cells]
    w = within_task(rows)
    assert (w.direction_agreement.value, w.direction_agreement.n) == (0.75, 4)
    assert (w.rating_tie_strong_preference.value, w.rating_tie_strong_preference.n) == (1.0, 1)
    assert (w.preference_tie_rating_gap.value, w.preference_tie_rating_gap.n) == (0.5, 2)
    gaps, strengths = [3, 1, 0, 4, 1], [3, 1, 2, 2, 0]
    assert w.calibration["kendall_tau_b"].value == pytest.approx(stats.kendalltau(gaps, strengths).statistic)
    assert w.calibration["spearman"].value == pytest.approx(stats.spearmanr(gaps, strengths).statistic)
    assert w.calibration["kendall_tau_b"].n == 5


def test_within_task_without_strength_says_why():
    rows = [{"preference": "A", "rating_sign": 1, "rating_gap": 1.0, "strength": None, "n": 3}]
    w = within_task(rows)
    assert w.direction_agreement.value == 1.0
    assert "strength" in w.rating_tie_strong_preference.reason
    assert "strength" in w.calibration["kendall_tau_b"].reason
