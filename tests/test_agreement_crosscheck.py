"""The numeric core against reference implementations on random data, its bootstrap, and
degenerate inputs. References: sklearn.metrics.cohen_kappa_score, statsmodels' cohens_kappa and
fleiss_kappa (equal raters), the krippendorff package (GPL, a dev-only reference)."""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats import inter_rater as ir

from qualitylab.agreement import coefficients as co


def _random_reliability(rng, raters=6, items=80, cats=5, missing=0.4):
    truth = rng.integers(1, cats + 1, items)
    data = np.where(rng.random((raters, items)) < 0.6, truth, rng.integers(1, cats + 1, (raters, items)))
    data = data.astype(float)
    data[rng.random((raters, items)) < missing] = np.nan
    return data


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("level", co.LEVELS)
def test_alpha_equals_krippendorff_package(seed, level):
    data = _random_reliability(np.random.default_rng(seed))
    ours = co.krippendorff_alpha(co.ValuePatterns.from_reliability(data), level).value
    ref = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    assert ours == pytest.approx(ref, abs=1e-12)


@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_cohen_kappa_equals_sklearn_and_statsmodels(weights):
    rng = np.random.default_rng(7)
    y1 = rng.integers(0, 5, 300)
    y2 = np.where(rng.random(300) < 0.5, y1, rng.integers(0, 5, 300))
    table = np.zeros((5, 5))
    np.add.at(table, (y1, y2), 1)
    k = co.cohen_kappa(table, range(5), weights or "unweighted")
    assert k.value == pytest.approx(cohen_kappa_score(y1, y2, weights=weights), abs=1e-12)
    sm = ir.cohens_kappa(table, wt={None: None, "linear": "linear", "quadratic": "quadratic"}[weights])
    assert k.value == pytest.approx(sm.kappa, abs=1e-12)
    _, se, _ = co.cohen_kappa_tables(table[None], np.arange(5), weights or "unweighted")
    assert se[0] == pytest.approx(sm.std_kappa, rel=1e-9)  # Fleiss-Cohen-Everitt (1969)


def test_fleiss_equals_statsmodels_with_equal_raters():
    rng = np.random.default_rng(11)
    counts = rng.multinomial(5, [0.5, 0.3, 0.2], size=200)  # 5 raters per item
    ours = co.fleiss_kappa(co.ValuePatterns.from_item_counts(counts, [0, 1, 2]))
    assert ours.value == pytest.approx(ir.fleiss_kappa(counts, method="fleiss"), abs=1e-12)


def test_patterns_equal_item_level_value_counts():
    """Grouping identical items into patterns changes nothing (alpha from value_counts)."""
    data = _random_reliability(np.random.default_rng(5), raters=4, items=300, cats=3)
    vals = np.array([1.0, 2.0, 3.0])
    vc = np.stack([(data == v).sum(0) for v in vals], 1)
    p = co.ValuePatterns.from_item_counts(vc, vals)
    assert p.counts.shape[0] < 300  # patterns are shared
    ref = krippendorff.alpha(value_counts=vc, level_of_measurement="ordinal")
    assert co.krippendorff_alpha(p, "ordinal").value == pytest.approx(ref, abs=1e-12)


@pytest.mark.parametrize("level", co.LEVELS)
def test_bootstrap_replicate_equals_alpha_of_explicitly_resampled_items(level):
    """The multinomial-over-patterns replicate is exactly alpha of the resampled items."""
    rng = np.random.default_rng(3)
    data = _random_reliability(rng, raters=4, items=60, cats=4, missing=0.3)
    vals = np.unique(data[~np.isnan(data)])
    vc = np.stack([(data == v).sum(0) for v in vals], 1)
    vc = vc[vc.sum(1) >= 2]
    p = co.ValuePatterns.from_item_counts(vc, vals)
    pick = rng.integers(0, vc.shape[0], vc.shape[0])  # one resample of the items
    resampled = vc[pick]
    # the same resample as weights per pattern
    row_of = {tuple(r): i for i, r in enumerate(p.counts[p.pairable])}
    w = np.zeros((1, len(row_of)))
    for r in resampled:
        w[0, row_of[tuple(r.astype(float))]] += 1
    got = co._alpha_value(*co._alpha_parts(p, level, w))[0]
    want = krippendorff.alpha(value_counts=resampled, value_domain=vals, level_of_measurement=level)
    assert got == pytest.approx(want, abs=1e-12)


def test_bootstrap_is_seeded_and_brackets_the_estimate():
    p = co.ValuePatterns.from_reliability(_random_reliability(np.random.default_rng(9), items=200))
    a1 = co.krippendorff_alpha(p, "nominal", n_boot=400, seed=42)
    a2 = co.krippendorff_alpha(p, "nominal", n_boot=400, seed=42)
    a3 = co.krippendorff_alpha(p, "nominal", n_boot=400, seed=43)
    assert a1 == a2 and a1.ci95_low != a3.ci95_low
    assert a1.ci95_low < a1.value < a1.ci95_high and "seed 42" in a1.method


# -- degenerate inputs: "not computable: reason", never NaN, never a crash --------------------------


def test_one_category_only():
    p = co.ValuePatterns.from_item_counts([[3, 0], [2, 0]], [0, 1])
    a = co.krippendorff_alpha(p, "nominal", n_boot=50, seed=1)
    assert a.value is None and "one category" in a.reason
    assert co.fleiss_kappa(p).value is None
    assert co.percent_agreement(p).value == 1.0
    k = co.cohen_kappa([[12, 0], [0, 0]], [0, 1], min_items=10)
    assert k.value is None and "one and the same category" in k.reason


def test_no_overlapping_items():
    p = co.ValuePatterns.from_item_counts([[1, 0], [0, 1]], [0, 1])
    for stat in (co.krippendorff_alpha(p), co.gwet_ac(p), co.fleiss_kappa(p), co.percent_agreement(p)):
        assert stat.value is None and "pairable" in stat.reason


def test_kappa_pair_below_minimum_overlap():
    k = co.cohen_kappa([[3, 1], [0, 2]], [0, 1], min_items=10)
    assert k.value is None and "needs at least 10" in k.reason and k.n == 6


def test_bad_input_names_the_fix():
    with pytest.raises(ValueError, match="ratio level needs values >= 0"):
        co.krippendorff_alpha(co.ValuePatterns.from_item_counts([[1, 1]], [-1, 1]), "ratio")
    with pytest.raises(ValueError, match="unknown level"):
        co.krippendorff_alpha(co.ValuePatterns.from_item_counts([[1, 1]], [0, 1]), "cardinal")
    with pytest.raises(ValueError, match="shapes do not fit"):
        co.ValuePatterns(np.array([0.0, 1.0]), np.ones((2, 3)), np.ones(2))
