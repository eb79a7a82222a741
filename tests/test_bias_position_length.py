"""Position and length bias: hand-computed cases, references (statsmodels, scipy), A/B swap invariance."""

from __future__ import annotations

import numpy as np
import pytest
from bias_helpers import biased_rows, load, swap_row
from scipy import stats

from qualitylab.bias.length import conditional_logit, length_bias, logit_on_counts, spearman_interval
from qualitylab.bias.position import POSITION_UNKNOWN, position_bias
from qualitylab.bias.rates import rate_table
from qualitylab.intervals import bh_qvalues
from qualitylab.store import open_store


def v(c, a, pref, sf=None, la=None, lb=None, **kw):
    r = {"comparison_id": c, "annotator_id": a, "preference": pref, **kw}
    if sf:
        r["shown_first"] = sf
    if la is not None:
        r["response_a"], r["response_b"] = "x" * la, "y" * lb
    return r


def test_p_first_hand_case(tmp_path, db):
    # annotator x: 4 non-tie verdicts with shown_first recorded, 3 prefer the first shown (c1, c2, c3);
    # the tie (c5) and the verdict without shown_first (c6) are excluded.
    rows = [
        v("c1", "x", "A", "A"),
        v("c2", "x", "B", "B"),
        v("c3", "x", "A", "A"),
        v("c4", "x", "B", "A"),
        v("c5", "x", "tie", "A"),
        v("c6", "x", "A"),
    ]
    load(tmp_path, db, [("w1", rows, "2026-10-05")])
    with open_store(db, read_only=True) as s:
        res = position_bias(s, "w1")
    assert res.status == "measured" and res.n_verdicts == 6 and res.n_recorded == 5
    (r,) = res.by_annotator
    assert (r.k, r.n, r.value) == (3, 4, 0.75)
    # Wilson (1927) 95% interval for 3/4, by the closed form: [0.30064, 0.95441]
    assert r.ci95_low == pytest.approx(0.30064184, abs=1e-7) and r.ci95_high == pytest.approx(0.95441274, abs=1e-7)
    # exact two-sided binomial: P(X >= 3) + P(X <= 1) = 5/16 + 5/16
    assert r.p_value == pytest.approx(10 / 16)
    assert r.q_value == pytest.approx(10 / 16) and not r.flagged
    # the randomisation audit counts every recorded verdict, ties included: A shown first 4 of 5
    assert (res.randomisation.by_annotator[0].k, res.randomisation.by_annotator[0].n) == (4, 5)


def test_position_unknown_is_not_unbiased(tmp_path, db):
    rows = [v(f"c{i}", "x", "A") for i in range(30)]  # always A, order never recorded
    load(tmp_path, db, [("w1", rows, "2026-10-05")])
    with open_store(db, read_only=True) as s:
        res = position_bias(s, "w1")
    assert res.status == POSITION_UNKNOWN
    assert res.p_first.value is None and "position unknown" in res.p_first.reason
    assert res.randomisation.status == POSITION_UNKNOWN and res.randomisation.balanced is None
    assert not any(r.flagged for r in res.by_annotator)


def test_p_prefer_longer_hand_case(tmp_path, db):
    # differences: c1 +31 (A longer, A preferred), c2 -40 (B longer, A preferred), c3 +100 (B preferred),
    # c4 +30 (not > 30: excluded), c5 tie (excluded), c6 -31 (B longer, B preferred)
    rows = [
        v("c1", "x", "A", la=131, lb=100),
        v("c2", "x", "A", la=60, lb=100),
        v("c3", "x", "B", la=200, lb=100),
        v("c4", "x", "A", la=130, lb=100),
        v("c5", "x", "tie", la=300, lb=10),
        v("c6", "x", "B", la=69, lb=100),
    ]
    load(tmp_path, db, [("w1", rows, "2026-10-05")])
    with open_store(db, read_only=True) as s:
        res = length_bias(s, "w1", by_prompt=False)
    (r,) = res.by_annotator
    assert (r.k, r.n) == (2, 4) and r.value == 0.5
    assert r.p_value == pytest.approx(1.0)
    assert res.p_prefer_longer.value == 0.5 and res.p_prefer_longer.n == 4


def test_bh_matches_statsmodels():
    from statsmodels.stats.multitest import multipletests

    p = [0.001, 0.04, 0.03, 0.2, 0.5, 0.011, 0.049, 0.9]
    expected = multipletests(p, method="fdr_bh")[1]
    assert np.allclose(bh_qvalues(p), expected)
    counts = [("a", 18, 20), ("b", 10, 20), ("c", 14, 20), ("d", 0, 0), ("e", 30, 40)]
    table = rate_table(counts, "p_first")
    ps = [stats.binomtest(k, n).pvalue for _, k, n in counts if n]
    qs = multipletests(ps, method="fdr_bh")[1]
    assert np.allclose([r.q_value for r in table if r.n], qs)
    assert [r.flagged for r in table] == [bool(q < 0.05) for q in qs[:3]] + [False] + [bool(qs[3] < 0.05)]
    assert table[3].p_value is None and table[3].value is None


def test_rate_table_rejects_bad_counts():
    with pytest.raises(ValueError, match="0 <= k <= n"):
        rate_table([("a", 5, 3)], "p_first")


def test_logit_on_counts_equals_per_verdict_logit():
    import statsmodels.api as sm

    rng = np.random.default_rng(3)
    d = rng.integers(-300, 300, size=2000)
    y = (rng.random(2000) < 1 / (1 + np.exp(-(0.2 + d / 200)))).astype(int)
    z = d / d.std()
    ref = sm.Logit(y, sm.add_constant(z)).fit(disp=False)
    uniq = np.unique(d)
    n_a = np.array([(y[d == u] == 1).sum() for u in uniq])
    n_b = np.array([(y[d == u] == 0).sum() for u in uniq])
    fit = logit_on_counts(uniq, n_a, n_b)
    assert fit.coef.value == pytest.approx(ref.params[1], rel=1e-6)
    assert fit.intercept == pytest.approx(ref.params[0], rel=1e-6)
    lo, hi = ref.conf_int()[1]
    assert (fit.coef.ci95_low, fit.coef.ci95_high) == (pytest.approx(lo, rel=1e-5), pytest.approx(hi, rel=1e-5))
    assert fit.coef.n == 2000 and fit.sd_units == pytest.approx(d.std())


def test_logit_not_computable_cases():
    assert logit_on_counts([], [], []).coef.reason.startswith("no non-tie")
    assert "same chars difference" in logit_on_counts([5], [3], [2]).coef.reason
    assert "same slot" in logit_on_counts([5, 9], [3, 2], [0, 0]).coef.reason
    with pytest.raises(ValueError, match="same length"):
        logit_on_counts([1, 2], [1], [1])


def test_conditional_logit_removes_prompt_effects():
    # prompt effects are large and correlated with length; the stratified slope recovers b1 = 1
    rng = np.random.default_rng(5)
    strata, ys, ds = [], [], []
    for g in range(600):
        alpha = rng.normal(0, 2)
        for _ in range(6):
            d = rng.normal(alpha * 50, 100)
            ys.append(int(rng.random() < 1 / (1 + np.exp(-(alpha + d / 100)))))
            ds.append(d)
            strata.append(f"p{g}")
    fit = conditional_logit(np.array(strata), np.array(ys), np.array(ds), 100.0)
    assert fit.coef.ci95_low < 1.0 < fit.coef.ci95_high
    assert fit.n_groups == 600


def test_spearman_sql_matches_scipy_with_ties(tmp_path, db):
    rng = np.random.default_rng(2)
    lens = rng.integers(1, 40, size=60)
    scores = np.clip(np.round(lens / 8 + rng.normal(0, 1.5, size=60)), 1, 7)
    rows = [
        {"item_id": f"i{i}", "annotator_id": "r", "score": float(s), "response": "z" * int(n)}
        for i, (s, n) in enumerate(zip(scores, lens, strict=True))
    ]
    load(tmp_path, db, [("w1", rows, "2026-10-05")])
    with open_store(db, read_only=True) as s:
        res = length_bias(s, "w1")
    (r,) = res.ratings
    ref = stats.spearmanr(scores, lens).statistic
    assert r.rho.value == pytest.approx(ref, abs=1e-12) and r.rho.n == 60
    # Fisher z with the Fieller-Hartley-Pearson variance 1.06 / (n - 3)
    half = 1.959963984540054 * np.sqrt(1.06 / 57)
    assert r.rho.ci95_low == pytest.approx(np.tanh(np.arctanh(ref) - half))
    assert spearman_interval(0.3, 3).value is None


def test_spearman_sql_is_bit_identical_whatever_the_row_order(tmp_path, db):
    """Row-order invariance to the last bit: the report's sha256 (decide --report) rests on it. corr() over
    doubles fed by window functions gave a different last digit from one run to the next on the sample."""
    rng = np.random.default_rng(5)
    n = 4000
    lens = rng.integers(1, 300, size=n)
    scores = np.clip(np.round(lens / 50 + rng.normal(0, 1.5, size=n)), 1, 7)
    rows = [
        {"item_id": f"i{i}", "annotator_id": f"r{i % 7}", "score": float(s), "response": "z" * int(k)}
        for i, (s, k) in enumerate(zip(scores, lens, strict=True))
    ]
    order = rng.permutation(n)
    load(tmp_path, db, [("w1", rows, "2026-10-05"), ("w2", [rows[i] for i in order], "2026-10-05")])
    with open_store(db, read_only=True) as s:
        got = {length_bias(s, b).ratings[0].rho.value for b in ("w1", "w2", "w1", "w2")}
    assert len(got) == 1
    assert got.pop() == pytest.approx(stats.spearmanr(scores, lens).statistic, abs=1e-12)


def _summary(store, batch):
    pos = position_bias(store, batch)
    lng = length_bias(store, batch, seed=1)
    return pos, lng


def test_bias_invariant_under_ab_swap(tmp_path, db):
    rows = biased_rows()
    (tmp_path / "orig").mkdir(), (tmp_path / "swap").mkdir()
    load(tmp_path / "orig", db, [("w1", rows, "2026-10-05")])
    db2 = tmp_path / "swapped.duckdb"
    load(tmp_path / "swap", db2, [("w1", [swap_row(r) for r in rows], "2026-10-05")])
    with open_store(db, read_only=True) as s1, open_store(db2, read_only=True) as s2:
        (p1, l1), (p2, l2) = _summary(s1, "w1"), _summary(s2, "w1")
    assert [r.to_dict() for r in p1.by_annotator] == [r.to_dict() for r in p2.by_annotator]
    assert [r.to_dict() for r in l1.by_annotator] == [r.to_dict() for r in l2.by_annotator]
    assert p1.p_first == p2.p_first and l1.p_prefer_longer == l2.p_prefer_longer
    for name in ("chars", "tokens", "by_prompt"):
        assert l1.regression[name].coef.value == pytest.approx(l2.regression[name].coef.value, rel=1e-6)
    assert l1.regression["chars"].intercept == pytest.approx(-l2.regression["chars"].intercept, rel=1e-6)
    # the audit's per-model share of being shown first does not depend on slots either
    assert [r.to_dict() for r in p1.randomisation.by_model] == [r.to_dict() for r in p2.randomisation.by_model]
    # and the planted biases are found, the fair annotator is not flagged
    assert p1.flagged == ["pos"] and l1.flagged == ["long"]
    assert l1.regression["chars"].coef.ci95_low > 0
