"""The signals bootstrap: Poisson(1) weights (from resample.POISSON_MIN_CLUSTERS clusters on) estimate
what the exact multinomial cluster bootstrap estimates. Point estimates are identical; intervals
agree within Monte-Carlo error on a moderate synthetic set; the group counts equal the cluster
weights summed directly; the Poisson draws have the Poisson(1) probabilities."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import sparse

from qualitylab.signals import resample
from qualitylab.signals.cost import compute_cost
from qualitylab.signals.data import PairCounts, RatingCells, SignalData
from qualitylab.signals.leaderboard import compute_leaderboard
from qualitylab.signals.replicates import draw_replicates

N_BOOT = 2000


def _pairs(rng, clusters, k, quality, n_per) -> PairCounts:
    cl, ix, iy, nx, ny, nt = [], [], [], [], [], []
    for c in clusters:
        for _ in range(n_per):
            i, j = sorted(rng.choice(k, 2, replace=False))
            p = 1 / (1 + math.exp(quality[j] - quality[i]))
            v = rng.choice(3, size=3, p=[0.85 * p, 0.85 * (1 - p), 0.15])
            cl.append(c), ix.append(i), iy.append(j)
            nx.append((v == 0).sum()), ny.append((v == 1).sum()), nt.append((v == 2).sum())
    return PairCounts(*(np.asarray(a) for a in (cl, ix, iy)), *(np.asarray(a, dtype=float) for a in (nx, ny, nt)))


def _data(n_clusters=3000, k=5, seed=0) -> SignalData:
    rng = np.random.default_rng(seed)
    quality = np.linspace(-0.6, 0.6, k)
    pw = _pairs(rng, range(n_clusters), k, quality, 3)
    rk = _pairs(rng, range(0, n_clusters, 3), k, quality, 2)
    cl, model, n, s = [], [], [], []
    for c in range(0, n_clusters, 2):
        for m in rng.choice(k, 2, replace=False):
            scores = np.clip(np.round(4 + 2 * quality[m] + rng.normal(0, 1.2, 3)), 1, 7)
            cl.append(c), model.append(m), n.append(3.0), s.append(scores.sum())
    ratings = RatingCells(np.asarray(cl), np.asarray(model), np.asarray(n), np.asarray(s))
    return SignalData(
        "human", "overall", [f"p{i}" for i in range(n_clusters)], [f"m{i}" for i in range(k)], pw, rk, ratings
    )


def _stats(board) -> dict:
    out = {}
    for row in board.models:
        for key, st in row.items():
            if key != "model":
                out[(row["model"], key)] = st
    for pair in board.pair_orders:
        for key, st in pair.items():
            if key.endswith("_diff"):
                out[(pair["model_x"], pair["model_y"], key)] = st
    return out


@pytest.fixture(scope="module")
def boards():
    data = _data()
    out = {}
    for method in ("multinomial", "poisson"):
        reps = draw_replicates(data, N_BOOT, 17 if method == "poisson" else 18, method)
        out[method] = (compute_leaderboard(data, n_boot=N_BOOT, seed=1, reps=reps), reps)
    return data, out


def test_point_estimates_are_identical(boards):
    _, out = boards
    m, p = (_stats(out[k][0]) for k in ("multinomial", "poisson"))
    assert m.keys() == p.keys() and len(m) > 50
    for key in m:
        assert m[key].value == p[key].value, key  # exactly: the bootstrap does not touch them


def test_intervals_agree_within_monte_carlo_error(boards):
    """Each interval end of the Poisson bootstrap lies within 4 Monte-Carlo standard errors of the
    multinomial one. The MC standard error of a 2.5% / 97.5% percentile of B replicates is about
    sqrt(p (1 - p) / B) / phi(1.96) = 0.060 sd (B = 2000, normal replicates), so two independent
    runs differ by about 0.085 sd; the bound is 4 x 0.085 = 0.34 replicate sd."""
    _, out = boards
    mb, pb = out["multinomial"][0], out["poisson"][0]
    m, p = _stats(mb), _stats(pb)
    se = math.sqrt(0.025 * 0.975 / N_BOOT) / (math.exp(-(1.96**2) / 2) / math.sqrt(2 * math.pi)) * math.sqrt(2)
    checked = 0
    for key, sm in m.items():
        sp = p[key]
        if sm.ci95_low is None or sm.ci95_high is None or key[-1].startswith("rank_"):
            continue  # ranks move in whole steps: compared below through the scores they come from
        sd = (sm.ci95_high - sm.ci95_low) / (2 * 1.96)
        assert abs(sp.ci95_low - sm.ci95_low) <= 4 * se * sd, key
        assert abs(sp.ci95_high - sm.ci95_high) <= 4 * se * sd, key
        checked += 1
    assert checked > 40


def test_replicate_spread_agrees(boards):
    """The replicate standard deviation of every score agrees within 10% (its MC relative error at
    B = 2000 is about 1/sqrt(2B) = 1.6% per run)."""
    _, out = boards
    mb, pb = out["multinomial"][0], out["poisson"][0]
    for key, rm in mb.replicates.items():
        sm, sp = np.nanstd(rm, axis=0), np.nanstd(pb.replicates[key], axis=0)
        ok = sm > 0
        np.testing.assert_allclose(sp[ok], sm[ok], rtol=0.10, err_msg=key)


def test_cost_intervals_agree(boards):
    data, out = boards
    seconds = [
        {"signal": s, "n_tasks": 10, "n_timed": 10, "mean_seconds": 30.0, "median_seconds": 30.0}
        for s in ("pairwise", "rankings", "ratings")
    ]
    costs = {k: compute_cost(data, seconds, n_boot=N_BOOT, seed=1, reps=out[k][1]) for k in ("multinomial", "poisson")}
    assert "Poisson(1) cluster weights" in costs["poisson"].method
    checked = 0
    for rm, rp in zip(costs["multinomial"].pairs, costs["poisson"].pairs, strict=True):
        assert (rm["model_x"], rm["model_y"], rm["signal"]) == (rp["model_x"], rp["model_y"], rp["signal"])
        a, b = rm["prompts_needed"], rp["prompts_needed"]
        assert a.value == b.value  # the point estimate exactly
        if abs(rm["effect"]) > 0.1 and a.ci95_high is not None:  # well separated pairs: bounded intervals
            # on the log scale (m ~ 1/effect^2 is skewed): 15% at each end
            assert abs(math.log(b.ci95_low / a.ci95_low)) < 0.15, rm
            assert abs(math.log(b.ci95_high / a.ci95_high)) < 0.15, rm
            checked += 1
    assert checked >= 5


def test_method_is_stated_and_threshold_applies():
    small = _data(n_clusters=200)
    assert resample.bootstrap_method(len(small.clusters)) == "multinomial"
    board = compute_leaderboard(small, n_boot=50, seed=3)
    assert "Poisson" not in board.method
    assert resample.bootstrap_method(resample.POISSON_MIN_CLUSTERS) == "poisson"
    reps = draw_replicates(small, 50, 3, "poisson")
    board = compute_leaderboard(small, n_boot=50, seed=3, reps=reps)
    assert "Poisson(1) cluster weights" in board.method


def test_group_counts_equal_summing_the_drawn_clusters():
    rng = np.random.default_rng(4)
    m = sparse.random(300, 40, density=0.1, random_state=5, format="csr")
    m.data = rng.integers(1, 3, m.nnz).astype(float)
    direct = np.vstack(list(resample.bootstrap_counts(300, 64, seed=9))) @ m.toarray()
    np.testing.assert_array_equal(resample.replicate_group_counts(m, 64, 9, "multinomial"), direct)
    # Poisson: the same sum over explicitly drawn weights, block by block
    rg = np.random.default_rng(9)
    w = np.vstack(
        [resample.poisson1_weights(rg, (min(resample.POISSON_CHUNK, 300 - s), 64)) for s in range(0, 300, 4096)]
    )
    np.testing.assert_array_equal(resample.replicate_group_counts(m, 64, 9, "poisson"), w.T @ m.toarray())
    again = resample.replicate_group_counts(m, 64, 9, "poisson")
    np.testing.assert_array_equal(again, resample.replicate_group_counts(m, 64, 9, "poisson"))
    assert not np.array_equal(again, resample.replicate_group_counts(m, 64, 10, "poisson"))


def test_poisson_weights_have_poisson_probabilities():
    # the thresholds: P(W <= k) of Poisson(1) to 2^-32
    cdf = np.cumsum([math.exp(-1) / math.factorial(k) for k in range(len(resample._P1_THRESHOLDS))])
    np.testing.assert_allclose(resample._P1_THRESHOLDS / 2**32, cdf, atol=2**-32)
    w = resample.poisson1_weights(np.random.default_rng(1), (2000, 1000))
    n = w.size
    freq = np.bincount(w.astype(int).ravel(), minlength=8)[:8] / n
    pmf = np.array([math.exp(-1) / math.factorial(k) for k in range(8)])
    # within 5 binomial standard errors
    assert np.all(np.abs(freq - pmf) <= 5 * np.sqrt(pmf * (1 - pmf) / n) + 1e-9), (freq, pmf)
    assert w.dtype == np.float32 and w.min() >= 0
