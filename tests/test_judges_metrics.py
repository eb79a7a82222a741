"""Judge vs human metrics on a hand-computed batch (real ingest, real store), against sklearn, and
invariant under renaming, row order and a consistent A/B swap."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import write_jsonl
from sklearn.metrics import cohen_kappa_score, f1_score

from qualitylab.ingest import ingest
from qualitylab.judges import metrics as m
from qualitylab.report import build_report
from qualitylab.store import open_store

# Three humans per comparison; judge J in both orders (pref with A shown first, with B shown first).
HAND = {
    #      humans            J: A first, B first
    "c1": (("A", "A", "A"), ("A", "A")),  # unanimous A; consistent
    "c2": (("A", "A", "B"), ("A", "B")),  # split, majority A; J picks the first slot both times
    "c3": (("B", "B", "tie"), ("B", "B")),  # split, majority B; consistent
    "c4": (("A", "B", "tie"), ("tie", "A")),  # no majority; inconsistent (one tie)
}


def hand_rows(swap: bool = False, rename: bool = False, reverse: bool = False) -> list[dict]:
    flip = {"A": "B", "B": "A", "tie": "tie"} if swap else {"A": "A", "B": "B", "tie": "tie"}
    rows = []
    for cid, (humans, (p_a_first, p_b_first)) in HAND.items():
        ra, rb = f"response one of {cid}", f"the second, longer response of {cid} " + "x" * 40
        if swap:
            ra, rb = rb, ra
        base = {"comparison_id": cid, "prompt": "q", "response_a": ra, "response_b": rb}
        for i, h in enumerate(humans):
            rows.append(
                {
                    **base,
                    "annotator_id": f"{'r' if rename else 'h'}{i}",
                    "preference": flip[h],
                    "shown_first": flip["A"],
                }
            )
        judge = "judge-x" if rename else "J"
        rows.append(
            {
                **base,
                "annotator_id": judge,
                "annotator_kind": "judge",
                "preference": flip[p_a_first],
                "shown_first": flip["A"],
            }
        )
        rows.append(
            {
                **base,
                "annotator_id": judge,
                "annotator_kind": "judge",
                "preference": flip[p_b_first],
                "shown_first": flip["B"],
            }
        )
    return rows[::-1] if reverse else rows


def report(tmp_path, db, rows, name="hand"):
    ingest(write_jsonl(tmp_path / f"{name}.jsonl", rows), name, db=db)
    with open_store(db, read_only=True) as s:
        return build_report(s, name, sections=["judges"], n_boot=200)["judges"]


def test_hand_computed_batch(tmp_path, db):
    j = report(tmp_path, db, hand_rows())["J"]
    assert (j["n_verdicts"], j["n_comparisons"], j["n_both_orders"], j["n_majority_comparisons"]) == (8, 4, 4, 3)
    # confusion over c1-c3 (majority A: judge A,A,A,B; majority B: judge B,B)
    assert j["confusion"] == {
        "A": {"A": 3, "B": 1, "tie": 0},
        "B": {"A": 0, "B": 2, "tie": 0},
        "tie": {"A": 0, "B": 0, "tie": 0},
    }
    assert j["accuracy_vs_majority"]["value"] == pytest.approx(5 / 6)
    # po = 5/6, pe = 4/6 * 3/6 + 2/6 * 3/6 = 1/2 -> kappa = 2/3
    assert j["cohen_kappa_vs_majority"]["value"] == pytest.approx(2 / 3)
    # F1(A) = 2*3/(4+3) = 6/7, F1(B) = 2*2/(2+3) = 4/5; tie absent -> macro over A, B
    assert j["macro_f1_vs_majority"]["value"] == pytest.approx((6 / 7 + 4 / 5) / 2)
    # MT-Bench pairs: c1 6/6, c2 3/6, c3 4/6, c4 2/6 -> 15/24; without ties 6/6, 3/6, 4/4, 1/2 -> 14/18
    assert j["agreement_with_ties"]["value"] == pytest.approx(15 / 24)
    assert j["agreement_with_ties"]["n"] == 24
    assert j["agreement_without_ties"]["value"] == pytest.approx(14 / 18)
    # human pairs: c1 6/6, c2 2/6, c3 2/6, c4 0/6 -> 10/24; without ties 6/6, 2/6, 2/2, 0/2 -> 10/16
    assert j["human_agreement_with_ties"]["value"] == pytest.approx(10 / 24)
    assert j["human_agreement_without_ties"]["value"] == pytest.approx(10 / 16)
    assert j["position_consistency"]["value"] == pytest.approx(2 / 4)
    assert j["p_biased_first"]["value"] == pytest.approx(1 / 4)
    assert j["p_biased_second"]["value"] == 0
    assert j["p_inconsistent_other"]["value"] == pytest.approx(1 / 4)
    # conservative verdicts A, tie, B, tie: right on c1 and c3 of the three majority items
    assert j["conservative"]["accuracy_vs_majority"]["value"] == pytest.approx(2 / 3)
    assert j["by_contested"]["unanimous"]["accuracy_vs_majority"]["value"] == 1.0
    assert j["by_contested"]["split"]["accuracy_vs_majority"]["value"] == pytest.approx(3 / 4)
    assert j["by_contested"]["split"]["n_comparisons"] == 3
    # bias area's p_first: non-tie verdicts preferring the first shown: c1 1/2, c2 2/2, c3 1/2, c4 0/1
    assert j["p_first"]["value"] == pytest.approx(4 / 7)
    assert j["unparsed"]["n_unparsed"] == 0
    for key in ("accuracy_vs_majority", "cohen_kappa_vs_majority", "agreement_with_ties", "position_consistency"):
        assert j[key]["ci95_low"] <= j[key]["value"] <= j[key]["ci95_high"], key


def strip_names(doc: dict) -> dict:
    (only,) = doc.values()
    return json.loads(json.dumps(only).replace("judge-x", "J"))


def values(doc):
    """Point values and n of every statistic (bootstrap intervals depend on the patterns' order,
    which a relabelling changes; the seeded draws then land on other patterns)."""
    if isinstance(doc, dict):
        if "value" in doc and "n" in doc:
            return (doc["value"], doc["n"])
        return {k: values(v) for k, v in doc.items()}
    return doc


def test_invariant_under_renaming_and_row_order(tmp_path, db):
    base = report(tmp_path, db, hand_rows(), "base")
    other = report(tmp_path, db, hand_rows(rename=True, reverse=True), "other")
    assert strip_names(base) == strip_names(other)  # intervals included


def test_invariant_under_a_consistent_ab_swap(tmp_path, db):
    a = strip_names(report(tmp_path, db, hand_rows(), "base"))
    b = strip_names(report(tmp_path, db, hand_rows(swap=True), "swapped"))
    # the swap relabels the confusion matrix's A and B; every statistic's value and n is unchanged
    s = {"A": "B", "B": "A", "tie": "tie"}
    conf = b.pop("confusion")
    assert a.pop("confusion") == {x: {y: conf[s[x]][s[y]] for y in conf} for x in conf}
    assert values(a) == values(b)


def test_no_judges_gives_an_empty_section(tmp_path, db):
    rows = [{"comparison_id": "c", "annotator_id": "h", "preference": "A"}]
    assert report(tmp_path, db, rows) == {}


def test_a_judge_without_humans_is_not_computable_not_nan(tmp_path, db):
    rows = [{"comparison_id": "c", "annotator_id": "J", "annotator_kind": "judge", "preference": "A"}]
    j = report(tmp_path, db, rows)["J"]
    assert j["accuracy_vs_majority"]["value"] is None and "no comparison" in j["accuracy_vs_majority"]["reason"]
    assert j["agreement_with_ties"]["value"] is None
    assert j["position_consistency"]["value"] is None


def random_tables(seed: int, k: int = 25) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 12, size=(k, 3, 3)).astype(float)


def _labels(c):
    r, cidx = np.nonzero(c)
    return r, cidx, c[r, cidx]


def test_vectorised_kappa_and_f1_equal_sklearn():
    tables = random_tables(7)
    tables[3, 2, :] = tables[3, :, 2] = 0  # a label absent from a table
    for c, kappa, f1 in zip(tables, m.kappa_stack(tables), m.macro_f1_stack(tables), strict=True):
        y, yhat, w = _labels(c)
        assert kappa == pytest.approx(cohen_kappa_score(y, yhat, sample_weight=w))
        assert f1 == pytest.approx(f1_score(y, yhat, average="macro", sample_weight=w, zero_division=0))
        assert m.kappa_point(c) == pytest.approx(kappa)
        assert m.macro_f1_point(c) == pytest.approx(f1)


def test_pattern_bootstrap_is_seeded_and_draws_whole_comparisons():
    p = m.Patterns.checked([[2, 0, 0], [1, 1, 0]], [[3, 0, 0], [2, 1, 0]], [5, 3])
    w1, w2 = m.resample(p, 50, seed=3), m.resample(p, 50, seed=3)
    assert (w1 == w2).all() and (w1.sum(1) == 8).all()
    with pytest.raises(ValueError, match="counts"):
        m.Patterns.checked([[1, 0]], [[1, 0, 0]], [1])
