"""ICC for ratings and test-retest agreement: the numeric core against pingouin and a publication,
then through real ingest and the report.

Sources:
  [SF1979]  Shrout, P. E. & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater
            reliability. Psychological Bulletin 86(2), 420-428, Table 2 (6 targets x 4 judges) and
            Table 4: ICC(1,1) .17, ICC(2,1) .29, ICC(3,1) .71, ICC(1,4) .44, ICC(2,4) .62, ICC(3,4) .91.
  [PG]      pingouin 0.6.1 ``intraclass_corr`` (PyPI), full precision, run by benchmarks/reference_irrcac.py
            in a throwaway venv: tests/fixtures/reference/irrcac.json ("pingouin").
  [SM]      statsmodels (the dev environment's) OLS + anova_lm: the one-way mean squares of unbalanced data.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import write_jsonl

from qualitylab.agreement import icc
from qualitylab.ingest import ingest
from qualitylab.report import build_report
from qualitylab.store import open_store

REF = json.loads((Path(__file__).parent / "fixtures" / "reference" / "irrcac.json").read_text(encoding="utf-8"))
PG_NAMES = {"ICC(1,1)": "ICC(1)", "ICC(1,k)": "ICC(1,k)"}  # pingouin's names for ours; the rest are equal


@pytest.mark.parametrize("name", ["icc_block", "shrout_fleiss_1979"])
def test_all_six_forms_equal_pingouin(name):
    x = np.array(REF["data"][name])
    ours = {r.form: r for r in icc.oneway_from_matrix(x) + icc.twoway(x)}
    for ref in REF["pingouin"][name]:  # [PG]
        r = ours[PG_NAMES.get(ref["type"], ref["type"])]
        for ours_v, ref_v in (
            (r.value, ref["value"]),
            (r.ci95_low, ref["ci95_low"]),
            (r.ci95_high, ref["ci95_high"]),
            (r.f, ref["F"]),
            (r.p_value, ref["p_value"]),
            (r.df2, ref["df2"]),
        ):
            assert ours_v == pytest.approx(ref_v, abs=1e-10), ref["type"]


def test_shrout_fleiss_1979_table_4():
    x = np.array(REF["data"]["shrout_fleiss_1979"])
    got = {r.form: round(r.value, 2) for r in icc.oneway_from_matrix(x) + icc.twoway(x)}
    assert got == {  # [SF1979] Table 4 (their ICC(2,k)/ICC(3,k) = our ICC(A,k)/ICC(C,k))
        "ICC(1)": 0.17,
        "ICC(1,k)": 0.44,
        "ICC(A,1)": 0.29,
        "ICC(C,1)": 0.71,
        "ICC(A,k)": 0.62,
        "ICC(C,k)": 0.91,
    }


def test_unbalanced_oneway_mean_squares_equal_statsmodels_anova():
    import statsmodels.formula.api as smf
    from statsmodels.stats.anova import anova_lm

    rng = np.random.default_rng(5)
    rows = [
        (i, s) for i in range(40) for s in np.clip(rng.integers(2, 6) + rng.integers(-1, 2, rng.integers(2, 6)), 1, 7)
    ]
    df = pd.DataFrame(rows, columns=["item", "score"])
    aov = anova_lm(smf.ols("score ~ C(item)", df).fit())  # [SM]
    msb, msw = aov["mean_sq"].iloc[0], aov["mean_sq"].iloc[1]
    g = df.groupby("item")["score"]
    m, mean = g.size(), g.mean()
    grand = df["score"].mean()
    res = icc.oneway(
        40,
        len(df),
        float((m**2).sum()),
        float((m * (mean - grand) ** 2).sum()),
        float(((df["score"] - mean[df["item"]].to_numpy()) ** 2).sum()),
    )
    k0 = (len(df) - (m**2).sum() / len(df)) / 39
    assert res[0].value == pytest.approx((msb - msw) / (msb + (k0 - 1) * msw), rel=1e-12)
    assert res[0].f == pytest.approx(msb / msw, rel=1e-12)
    assert res[0].df2 == len(df) - 40 and res[0].k == pytest.approx(k0)


# -- through the store ------------------------------------------------------------------------


def _report(tmp_path, ratings=None, verdicts=None, name="s", extra=()):
    db = tmp_path / f"{name}.duckdb"
    if verdicts:
        ingest(write_jsonl(tmp_path / f"{name}-v.jsonl", verdicts), "w1", db=db, vendor="acme")
    if ratings:
        ingest(write_jsonl(tmp_path / f"{name}-r.jsonl", ratings), "w1", db=db, vendor="acme")
    for path, batch, mode in extra:
        ingest(path, batch, db=db, vendor="acme", mode=mode)
    with open_store(db, read_only=True) as s:
        return build_report(s, "w1", sections=["agreement"], n_boot=50, seed=1)


def test_icc_in_the_report_oneway_over_varying_raters_twoway_on_the_block(tmp_path):
    rng = random.Random(2)
    ratings = []
    for i in range(60):
        base = rng.randint(2, 6)
        raters = ["r1", "r2", "r3"] if i < 20 else rng.sample(["r1", "r2", "r3", "r4", "r5"], 2)
        for a in raters:
            ratings.append(
                {"item_id": f"i{i}", "annotator_id": a, "score": min(7, max(1, base + rng.choice([-1, 0, 1])))}
            )
    doc = _report(tmp_path, ratings=ratings)["agreement"]["ratings"]["overall"]["icc"]
    # one-way: every item with >= 2 raters (60), k0 between 2 and 3
    one = {r["form"]: r for r in doc["oneway"]}
    assert one["ICC(1)"]["n"] == 60 and 2 < one["ICC(1)"]["k"] < 3
    # the block: the 20 items r1, r2, r3 all rated
    assert doc["block"] == {"n_items": 20, "n_raters": 3, "raters": ["r1", "r2", "r3"]}
    two = {r["form"]: r for r in doc["twoway"]}
    x = np.array([[r["score"] for r in ratings if r["item_id"] == f"i{i}"] for i in range(20)])
    ref = {r.form: r.value for r in icc.twoway(x)}
    assert two["ICC(A,1)"]["value"] == pytest.approx(ref["ICC(A,1)"]) and two["ICC(A,1)"]["n"] == 20
    assert set(two) == {"ICC(A,1)", "ICC(C,1)", "ICC(A,k)", "ICC(C,k)"}
    assert one["ICC(1)"]["p_value"] < 0.05 and "F test" in one["ICC(1)"]["method"]


def test_icc_not_computable_says_why(tmp_path):
    ratings = [{"item_id": f"i{i}", "annotator_id": f"r{i}", "score": 3} for i in range(5)]
    doc = _report(tmp_path, ratings=ratings)["agreement"]["ratings"]["overall"]["icc"]
    assert doc["oneway"] == [] and "0 item(s) with two or more human raters" in doc["oneway_reason"]
    assert doc["twoway"] == [] and "no complete block" in doc["twoway_reason"]


def test_rating_retest_from_another_file_another_time_and_another_batch(tmp_path):
    first = [
        {"item_id": f"i{i}", "annotator_id": "r1", "score": 1 + i % 5, "created_at": "2026-10-01"} for i in range(12)
    ]
    first += [{"item_id": f"i{i}", "annotator_id": "r2", "score": 1 + i % 5} for i in range(12)]
    # r1 again, same file, later: a retest by created_at (one disagreement)
    again = [dict(r, created_at="2026-10-03", score=r["score"] if r["item_id"] != "i0" else 5) for r in first[:12]]
    # r2 twice in the same file without created_at: one occasion, not a retest
    same = [dict(first[12], score=4)]
    db_rows = first + again + same
    doc = _report(tmp_path, ratings=db_rows)["agreement"]["ratings"]["overall"]["test_retest"]
    assert doc["n_units"] == 12 and doc["n_annotators"] == 1 and doc["differs_in"] == {"created_at": 12}
    assert doc["n_same_occasion_repeats"] == 1
    assert doc["agreement"]["value"] == pytest.approx(11 / 12) and doc["agreement"]["n"] == 12
    x = np.array([[1 + i % 5, 5 if i == 0 else 1 + i % 5] for i in range(12)])  # occasion 1, occasion 2
    assert doc["icc"]["form"] == "ICC(A,1)" and doc["icc"]["n"] == 12
    assert doc["icc"]["value"] == pytest.approx(icc.twoway(x)[0].value)
    assert doc["mean_abs_difference"] == pytest.approx(4 / 12)


def test_rating_retest_across_files_and_batches_but_not_exact_duplicates(tmp_path):
    base = [{"item_id": f"i{i}", "annotator_id": "r1", "score": 1 + i % 4, "response": f"text {i}"} for i in range(6)]
    base += [{"item_id": f"i{i}", "annotator_id": "r2", "score": 2, "response": f"text {i}"} for i in range(6)]
    db = tmp_path / "x.duckdb"
    ingest(write_jsonl(tmp_path / "w0.jsonl", base), "w0", db=db, vendor="acme", delivered="2026-10-01")
    # w1: r1 re-rates i0..i2 (another batch; i0 changes 1 -> 2) and rates the new i9; r2's rows of w0
    # are delivered again unchanged (a re-delivery: the same row, not a second judgment)
    i9 = {"item_id": "i9", "annotator_id": "r1", "score": 3, "response": "text 9"}
    w1 = [dict(r, score=r["score"] + (1 if r["item_id"] == "i0" else 0)) for r in base[:3]] + [i9] + base[6:]
    ingest(write_jsonl(tmp_path / "w1.jsonl", w1), "w1", db=db, vendor="acme", delivered="2026-10-08")
    # a second file of w1: r1 again on i3 (4 in w0, now 3) and on i9 (3, now 5): another file
    again = [dict(base[3], score=3), dict(i9, score=5)]
    ingest(write_jsonl(tmp_path / "w1b.jsonl", again), "w1", db=db, vendor="acme", mode="append")
    # another vendor's batch never counts
    ingest(write_jsonl(tmp_path / "o.jsonl", base), "other", db=db, vendor="someone-else")
    with open_store(db, read_only=True) as s:
        doc = build_report(s, "w1", sections=["agreement"], n_boot=0)["agreement"]["ratings"]["overall"]["test_retest"]
    # i0, i3 (vs w0) and i9 (two files of w1); i1, i2 come back identical in every delivered column,
    # like r2's rows: re-deliveries, not retests (without created_at the two cannot be told apart)
    assert doc["differs_in"] == {"batch": 2, "file": 1} and doc["n_annotators"] == 1 and doc["n_units"] == 3
    assert doc["agreement"]["value"] == 0.0
    assert doc["mean_abs_difference"] == pytest.approx((1 + 1 + 2) / 3)


def test_no_retest_is_not_computable_with_the_reason(tmp_path):
    ratings = [{"item_id": f"i{i}", "annotator_id": a, "score": 3 + (i % 2)} for i in range(6) for a in ("r1", "r2")]
    doc = _report(tmp_path, ratings=ratings)["agreement"]["ratings"]["overall"]["test_retest"]
    assert doc["n_units"] == 0 and doc["agreement"]["value"] is None
    assert "no annotator rated the same item on two occasions" in doc["reason"]


def test_preference_retest_kappa_between_occasions(tmp_path):
    rng = random.Random(4)
    v = []
    for c in range(30):
        p = rng.choice("AB")
        v.append({"comparison_id": f"c{c}", "annotator_id": "h1", "preference": p, "created_at": "2026-10-01T10:00:00"})
        v.append({"comparison_id": f"c{c}", "annotator_id": "h2", "preference": p})
        q = p if c % 6 else ("B" if p == "A" else "A")
        v.append({"comparison_id": f"c{c}", "annotator_id": "h1", "preference": q, "created_at": "2026-10-02T10:00:00"})
    pref = _report(tmp_path, verdicts=v)["agreement"]["preference"]["test_retest"]
    assert pref["n_units"] == 30 and pref["differs_in"] == {"created_at": 30}
    assert pref["agreement"]["value"] == pytest.approx(25 / 30)
    assert pref["kappa"]["value"] is not None and pref["kappa"]["n"] == 30 and "variance_method" in pref["kappa"]
