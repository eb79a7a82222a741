"""Distributions: hand-computed label, strength, Likert, entropy, run and chi-square cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from bias_helpers import biased_rows, load, swap_row
from scipy import stats

from qualitylab.bias.distributions import chi_square_shift, distributions, entropy_bits, run_probability
from qualitylab.store import open_store


def test_entropy_hand_cases():
    assert entropy_bits([5, 5]) == 1.0
    assert entropy_bits([1, 1, 1, 1]) == 2.0
    assert entropy_bits([7, 0, 0]) == 0.0
    assert entropy_bits([]) is None
    assert entropy_bits([1, 1, 2]) == pytest.approx(1.5)  # -(2 * 1/4 log2 1/4 + 1/2 log2 1/2)
    with pytest.raises(ValueError):
        entropy_bits([-1, 2])


def _exact_longest_run_tail(n: int, L: int, p: float) -> float:
    """P(some run of >= L successes in n Bernoulli(p) trials), by dynamic programming on the current run."""
    state = np.zeros(L)
    state[0] = 1.0
    hit = 0.0
    for _ in range(n):
        new = np.zeros(L)
        new[0] = state.sum() * (1 - p)
        new[1:] = state[:-1] * p
        hit += state[-1] * p
        state = new
    return hit


@pytest.mark.parametrize("n, L, p", [(200, 8, 0.5), (300, 12, 0.6), (100, 6, 0.4)])
def test_run_probability_close_to_exact(n, L, p):
    exact = _exact_longest_run_tail(n, L, p)
    assert run_probability(L, n, p) == pytest.approx(exact, rel=0.1)


def test_run_probability_edges():
    assert run_probability(5, 5, 1.0) == 1.0
    assert run_probability(0, 5, 0.5) is None
    with pytest.raises(ValueError, match="cannot occur"):
        run_probability(6, 5, 0.5)


def test_chi_square_hand_case():
    # 2 x 2 table [[10, 20], [20, 10]]: every expected count is 15, chi2 = 4 * 25 / 15 = 6.667, dof 1
    t = chi_square_shift({"A": 10, "B": 20}, {"A": 20, "B": 10}, distribution="labels", group="human")
    assert t.chi2 == pytest.approx(20 / 3) and t.dof == 1
    assert t.p_value == pytest.approx(stats.chi2.sf(20 / 3, 1))
    assert t.cramers_v == pytest.approx(math.sqrt(20 / 3 / 60)) and t.shifted
    # a category used in neither batch is dropped; one category only: nothing to test
    assert chi_square_shift({"A": 3, "tie": 0}, {"A": 5}, distribution="labels", group="h").chi2 is None
    assert "previous batch" in chi_square_shift({"A": 3}, {}, distribution="labels", group="h").reason


def test_distributions_hand_case(tmp_path, db):
    # x works in this order (created_at): A A B B B A  -> longest run 3 x B; file order is shuffled
    times = ["08:00", "08:01", "08:02", "08:03", "08:04", "08:05"]
    labels = ["A", "A", "B", "B", "B", "A"]
    order = [3, 0, 5, 1, 4, 2]
    rows = [
        {
            "comparison_id": f"c{i}",
            "annotator_id": "x",
            "preference": labels[i],
            "created_at": f"2026-10-01 {times[i]}:00",
            "strength": [0, 1, 1, 2, 3, 3][i],
            "model_a": "m2" if i % 2 else "m1",
            "model_b": "m1" if i % 2 else "m2",
        }
        for i in order
    ]
    rows += [{"comparison_id": "c0", "annotator_id": "y", "preference": "tie"}]
    load(tmp_path, db, [("w1", rows, "2026-10-05")])
    with open_store(db, read_only=True) as s:
        d = distributions(s, "w1")
    x = next(r for r in d.straight_lining if r["annotator_id"] == "x")
    assert (x["n"], x["longest_run"], x["longest_run_label"], x["entropy_bits"]) == (6, 3, "B", 1.0)
    # P(run >= 3 of B in 6, p = 1/2) ~ 1 - exp(-(1/8)(1 + 3/2)); far from straight-lining
    assert x["p_run"] == pytest.approx(1 - math.exp(-0.125 * 2.5)) and not x["flagged"]
    assert d.labels["human"]["tie"].value == pytest.approx(1 / 7)
    assert d.tie_rate["human"].n == 7
    xa = next(r for r in d.by_annotator if r["annotator_id"] == "x")
    assert (xa["n_A"], xa["n_B"], xa["n_tie"]) == (3, 3, 0)
    # model pairs are oriented (m1, m2): A preferred in c0 (m1 in A), c1 (m2 in A) ...
    (pair,) = d.by_model_pair
    assert (pair["model_1"], pair["model_2"], pair["n"]) == ("m1", "m2", 6)
    # m1 wins: c0 (A, m1 in A), c3 (B, m1 in B), c5 (A? no: m2 in A) -> count by hand
    wins_m1 = sum(1 for i in range(6) if (labels[i] == "A") == (i % 2 == 0))
    assert pair["p_model_1"].value == pytest.approx(wins_m1 / 6)
    assert d.strength["by_kind"]["human"]["shares"]["3"].value == pytest.approx(2 / 6)
    assert d.shift["status"] == "no previous batch"


def test_likert_and_week_over_week(tmp_path, db):
    w1 = [{"comparison_id": f"c{i}", "annotator_id": "x", "preference": "A" if i < 10 else "B"} for i in range(30)]
    w2 = [{"comparison_id": f"c{i}", "annotator_id": "x", "preference": "A" if i < 20 else "B"} for i in range(30)]
    r2 = [
        {"item_id": f"i{i}", "annotator_id": "x", "score": s, "aspect": "helpfulness"}
        for i, s in enumerate([1, 2, 2, 3, 3, 3, 7])
    ]
    load(tmp_path, db, [("w1", w1, "2026-10-05"), ("w2", w2, "2026-10-12"), ("w2", r2, "2026-10-12")])
    with open_store(db, read_only=True) as s:
        d = distributions(s, "w2")
    assert d.shift["previous_batch_id"] == "w1"
    t = next(t for t in d.shift["tests"] if t["distribution"] == "labels")
    assert (t["current"], t["previous"]) == ({"A": 20, "B": 10}, {"A": 10, "B": 20})
    assert t["chi2"] == pytest.approx(20 / 3) and t["previous_batch_id"] == "w1"
    lk = next(t for t in d.shift["tests"] if t["distribution"] == "likert")
    assert lk["group"] == "human/helpfulness" and lk["reason"].startswith("no observations in the previous")
    assert lk["previous_batch_id"] is None
    (asp,) = d.likert["by_aspect"]
    assert asp["counts"] == {"1": 1, "2": 2, "3": 3, "7": 1} and asp["mean"] == pytest.approx(21 / 7)
    (ann,) = d.likert["by_annotator"]
    assert ann["longest_run"] == 3


def test_distributions_invariant_under_ab_swap(tmp_path, db):
    rows = biased_rows(60)
    (tmp_path / "o").mkdir(), (tmp_path / "s").mkdir()
    load(tmp_path / "o", db, [("w1", rows, "2026-10-05")])
    db2 = tmp_path / "s.duckdb"
    load(tmp_path / "s", db2, [("w1", [swap_row(r) for r in rows], "2026-10-05")])
    with open_store(db, read_only=True) as s1, open_store(db2, read_only=True) as s2:
        d1, d2 = distributions(s1, "w1"), distributions(s2, "w1")
    assert d1.by_model_pair == d2.by_model_pair
    assert d1.tie_rate == d2.tie_rate
    assert [(r["entropy_bits"], r["longest_run"]) for r in d1.straight_lining] == [
        (r["entropy_bits"], r["longest_run"]) for r in d2.straight_lining
    ]
    assert d1.labels["human"]["A"] == d2.labels["human"]["B"]


def test_shift_falls_back_to_the_latest_batch_with_that_distribution(tmp_path, db):
    # ratings every other week: w3's Likert scores are compared with w1's, its labels with w2's
    lab = [{"comparison_id": f"c{i}", "annotator_id": "x", "preference": "AB"[i % 2]} for i in range(10)]
    rat = [{"item_id": f"i{i}", "annotator_id": "x", "score": 1 + i % 3} for i in range(9)]
    load(
        tmp_path,
        db,
        [
            ("w1", lab, "2026-10-05"),
            ("w1", rat, "2026-10-05"),
            ("w2", lab, "2026-10-12"),
            ("w3", lab, "2026-10-19"),
            ("w3", rat, "2026-10-19"),
        ],
    )
    with open_store(db, read_only=True) as s:
        d = distributions(s, "w3")
    by = {t["distribution"]: t for t in d.shift["tests"]}
    assert d.shift["previous_batch_id"] == "w2"
    assert by["labels"]["previous_batch_id"] == "w2" and by["likert"]["previous_batch_id"] == "w1"
    assert by["likert"]["chi2"] == 0.0 and not by["likert"]["shifted"]
