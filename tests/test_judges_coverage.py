"""Judge vs human, issue 18 parts 2-4: a judge with no parsed verdict still appears; both orders of
a comparison are one item (clustered intervals); Gwet's AC1 (against python irrCAC) and macro
precision / recall (against sklearn) beside kappa and F1."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import write_jsonl
from sklearn.metrics import precision_score, recall_score
from test_judges_metrics import _labels, hand_rows, random_tables, report
from test_judges_runner import _batch, _run, server  # noqa: F401  (the fake endpoint fixture)

from qualitylab.intervals import clustered_proportion, proportion, wilson
from qualitylab.judges import metrics as m
from qualitylab.judges.runner import JudgeError
from qualitylab.report import build_report
from qualitylab.store import open_store

# --- part 4: AC1 and macro precision / recall --------------------------------------------------

# Python irrCAC 0.4.4, CAC(pd.DataFrame({'majority': ..., 'judge': ...}), digits=12).gwet() on the
# verdicts of each table (rows = majority, columns = judge; labels A, B, tie):
IRRCAC_AC1 = [
    ([[40, 7, 5], [6, 30, 4], [3, 2, 3]], 0.619999296295, (0.491172126329, 0.748826466261)),
    ([[50, 9, 0], [3, 38, 0], [0, 0, 0]], 0.763406940063, (0.634724807501, 0.892089072626)),  # no tie: q = 2
    ([[3, 1, 0], [0, 2, 0], [0, 0, 0]], 0.67568, (-0.17395, 1.0)),  # the hand batch (digits=5)
]


@pytest.mark.parametrize("table, ac1, ci", IRRCAC_AC1)
def test_ac1_vs_majority_equals_irrcac(table, ac1, ci):
    s = m.ac1_point(np.array(table, dtype=float))
    assert s.value == pytest.approx(ac1, abs=1e-9 if ac1 != 0.67568 else 1e-5)
    # irrCAC's analytic interval (verdicts as independent items) is what gwet_ac gives too
    assert (s.ci95_low, s.ci95_high) == pytest.approx(ci, abs=1e-5)


def test_vectorised_macro_precision_and_recall_equal_sklearn():
    tables = random_tables(11)
    tables[4, 1, :] = tables[4, :, 1] = 0  # a label absent from a table
    tables[5, :, 2] = 0  # a label the judge never used (precision 0 by sklearn's zero_division=0)
    prec, rec = m.macro_precision_recall_stack(tables)
    for c, p, r in zip(tables, prec, rec, strict=True):
        y, yhat, w = _labels(c)
        kw = dict(average="macro", sample_weight=w, zero_division=0)
        assert p == pytest.approx(precision_score(y, yhat, **kw))
        assert r == pytest.approx(recall_score(y, yhat, **kw))
        assert m.macro_precision_recall_point(c) == pytest.approx((p, r))


def test_hand_batch_has_ac1_precision_and_recall(tmp_path, db):
    j = report(tmp_path, db, hand_rows())["J"]
    # confusion majority A: judge A,A,A,B; majority B: judge B,B. P(A) = 3/3, P(B) = 2/3; R(A) = 3/4, R(B) = 1
    assert j["macro_precision_vs_majority"]["value"] == pytest.approx((1 + 2 / 3) / 2)
    assert j["macro_recall_vs_majority"]["value"] == pytest.approx((3 / 4 + 1) / 2)
    assert j["gwet_ac1_vs_majority"]["value"] == pytest.approx(0.67568, abs=1e-5)  # irrCAC, above
    for key in ("gwet_ac1_vs_majority", "macro_precision_vs_majority", "macro_recall_vs_majority"):
        s = j[key]
        assert "bootstrap over comparisons" in s["method"]
        assert s["ci95_low"] <= s["value"] <= s["ci95_high"], key


# --- part 3: both orders are one item -----------------------------------------------------------


def test_clustered_proportion_is_wilson_for_single_trials_and_counts_a_duplicated_cluster_once():
    assert clustered_proportion([1, 0], [1, 1], [7, 3]) == proportion(7, 10)
    # every comparison judged twice with the same outcome: the information of 10 comparisons, not 20
    s = clustered_proportion([2, 0], [2, 2], [7, 3])
    assert (s.value, s.n) == (0.7, 20)
    assert (s.ci95_low, s.ci95_high) == pytest.approx(wilson(7, 10))
    assert "cluster effective n (10.0 of 20)" in s.method
    # one right and one wrong in every cluster: no between-cluster variance, the effective n is capped at
    # the 20 trials (never wider than the unclustered interval needs to be)
    s = clustered_proportion([1], [2], [10])
    assert (s.ci95_low, s.ci95_high) == pytest.approx(wilson(10, 20))
    # all-or-none at p = 1: each cluster counts once
    assert (clustered_proportion([2], [2], [5]).ci95_low) == pytest.approx(wilson(5, 5)[0])
    with pytest.raises(ValueError, match="successes <= trials"):
        clustered_proportion([3], [2])


def test_a_judge_in_both_orders_gets_a_clustered_accuracy_interval(tmp_path, db):
    # 30 comparisons, 3 humans agreeing; the judge gives the same verdict in both orders, right on 21
    rows = []
    for i in range(30):
        cid = f"c{i}"
        rows += [{"comparison_id": cid, "annotator_id": f"h{k}", "preference": "A"} for k in range(3)]
        pref = "A" if i < 21 else "B"
        rows += [
            {"comparison_id": cid, "annotator_id": "J", "annotator_kind": "judge", "preference": pref, "shown_first": s}
            for s in ("A", "B")
        ]
    ingest_rows(tmp_path, db, rows)
    j = judges(db)["J"]
    acc = j["accuracy_vs_majority"]
    assert (acc["value"], acc["n"]) == (0.7, 60)
    assert (acc["ci95_low"], acc["ci95_high"]) == pytest.approx(wilson(21, 30))  # 30 comparisons, not 60 verdicts
    assert "cluster" in acc["method"]
    assert "comparisons" in j["definitions"]["clusters"]


def ingest_rows(tmp_path, db, rows, name="b1"):
    from qualitylab.ingest import ingest

    ingest(write_jsonl(tmp_path / f"{name}.jsonl", rows), name, db=db)


def judges(db, name="b1"):
    with open_store(db, read_only=True) as s:
        return build_report(s, name, sections=["judges"], n_boot=100)["judges"]


# --- part 2: nothing vanishes -------------------------------------------------------------------


def test_a_judge_whose_every_output_was_unparsed_still_appears_with_its_counts(tmp_path, db, server):  # noqa: F811
    _batch(tmp_path, db)
    base, _ = server("never-a-verdict")
    _run(db, base, both_orders=True)
    j = judges(db)["fake-judge"]
    assert (j["n_verdicts"], j["unparsed"]["n_unparsed_runner"], j["unparsed"]["n_unparsed"]) == (0, 8, 8)
    assert j["unparsed"]["p_unparsed"]["value"] == 1.0
    # 8 outputs on 4 comparisons: clustered, so the interval is that of 4 items
    assert j["unparsed"]["p_unparsed"]["ci95_low"] == pytest.approx(wilson(4, 4)[0])
    assert "8 output(s) unparsed" in j["reason"] and "no parsed verdict" in j["reason"]
    assert j["accuracy_vs_majority"]["value"] is None and j["accuracy_vs_majority"]["reason"]


def test_a_judge_whose_every_call_failed_still_appears(tmp_path, db, server):  # noqa: F811
    _batch(tmp_path, db)
    base, _ = server("unauthorised")
    with pytest.raises(JudgeError):
        _run(db, base, max_retries=0)
    base, _ = server("flaky")
    with pytest.raises(JudgeError):
        _run(db, base, max_retries=0)  # 500 on the first attempt of each call: recorded as failed
    j = judges(db)["fake-judge"]
    assert j["n_verdicts"] == 0 and j["unparsed"]["n_failed_calls"] == 4
    assert "4 call(s) failed beyond retries" in j["reason"]


def test_a_judge_quarantined_whole_at_ingest_still_appears(tmp_path, db):
    from qualitylab.ingest import ingest

    rows = [{"comparison_id": "c1", "annotator_id": "h1", "preference": "A"}]
    path = write_jsonl(tmp_path / "h.jsonl", rows)
    ingest(path, "b1", db=db)
    with open_store(db) as s:  # what an adapter's refused judge rows look like once quarantined
        s.con.execute(
            "INSERT INTO quarantine VALUES ('b1', 1, 2, 'preference',"
            " 'judge-q: preference = ''garbage'' at idx 1 of j.json is not a verdict (the judge''s output could not"
            " be parsed upstream); not guessed', '{}')"
        )
    j = judges(db)["judge-q"]
    assert (j["n_verdicts"], j["unparsed"]["n_quarantined_ingest"]) == (0, 1)
    assert "1 row(s) quarantined at ingest" in j["reason"]


# --- part 6: the page lists every judge run ----------------------------------------------------


def test_page_lists_every_judge_run_with_its_costs_and_an_all_unparsed_judge(tmp_path, db, server):  # noqa: F811
    from streamlit.testing.v1 import AppTest
    from test_judges_page import APP, _open

    _batch(tmp_path, db)
    base, _ = server("longer")
    _run(db, base, both_orders=True, price_prompt=0.01)
    base, _ = server("never-a-verdict")
    _run(db, base, model="mute-judge")
    with open_store(db, read_only=True) as s:
        runs = build_report(s, "b1", sections=["judges"], n_boot=50)["judge_runs"]
    assert [(r["annotator_id"], r["n_calls"], r["n_parsed"], r["n_unparsed"]) for r in runs] == [
        ("fake-judge", 8, 8, 0),
        ("mute-judge", 4, 0, 4),
    ]
    assert runs[0]["prompt_tokens"] == 800 and runs[0]["cost_usd"] == pytest.approx(8 * (100 + 10) * 0.01 / 1000)
    assert runs[1]["cost_usd"] is None
    assert runs[0]["latency_ms_p50"] <= runs[0]["latency_ms_p95"]
    at = _open(AppTest.from_file(APP, default_timeout=60))
    assert not at.exception
    tables = [df.value for df in at.dataframe]
    run_table = next(t for t in tables if "template" in t.columns and "latency_ms_p95" in t.columns)
    assert run_table["model"].tolist() == ["fake-judge", "mute-judge"]
    assert run_table["template"].str.len().tolist() == [12, 12]
    summary = next(t for t in tables if "accuracy_vs_majority" in t.columns and "annotator_id" in t.columns)
    assert "mute-judge" in summary["annotator_id"].tolist()  # no verdict, still listed with its reason
    assert "no parsed verdict" in summary.set_index("annotator_id").loc["mute-judge", "reason"]
    assert "gwet_ac1_vs_majority" in summary.columns


def test_ac1_stack_equals_ac1_point_on_every_matrix():
    """The bootstrap's vectorised AC1 gives each replicate's ac1_point value (degenerate ones nan)."""
    rng = np.random.default_rng(8)
    stack = rng.integers(0, 6, size=(300, 3, 3)).astype(float)
    stack[::7, 2, :] = 0  # a label unused by both ...
    stack[::7, :, 2] = 0
    stack[::11] = 0
    stack[::11, 1, 1] = 5  # ... or one label only: undefined
    stack[::13] = 0  # nothing at all
    got = m.ac1_stack(stack)
    for b, cb in enumerate(stack):
        s = m.ac1_point(cb)
        if s.value is None:
            assert np.isnan(got[b]), b
        else:
            assert got[b] == pytest.approx(s.value, abs=1e-13), b
    assert np.isnan(got).sum() >= 300 // 11
