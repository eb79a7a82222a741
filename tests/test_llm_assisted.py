"""LLM-assisted annotation (issue 18 item 8): a human who agrees with an LLM judge of the batch more
than with the other humans is flagged as possibly pasting a model's verdicts.

References: the single-order interval is the Wald interval for paired proportions (Agresti 2013,
Categorical Data Analysis, 3rd ed., section 11.1.1: var = [(b + c) - (b - c)^2 / n] / n^2) and the
test is McNemar's without continuity correction (statsmodels 0.15.0
``statsmodels.stats.contingency_tables.mcnemar(exact=False, correction=False)``). The constructed
batch is PandaLM's real test set (3 humans, 2 judges) with annotator2's verdicts replaced by
gpt-3.5-turbo's."""

from __future__ import annotations

import math
import random

import pytest
from bias_helpers import swap_row
from conftest import REALDATA, write_jsonl

from qualitylab.bias.assisted import assisted_pairs
from qualitylab.bias.rates import reflag
from qualitylab.bias.section import annotators_for, assisted_for
from qualitylab.evidence.items import findings
from qualitylab.gates.config import parse_gates
from qualitylab.gates.engine import evaluate
from qualitylab.ingest import ingest
from qualitylab.report import ReportContext, build_report
from qualitylab.store import open_store

COPIER = "annotator2"
JUDGE = "gpt-3.5-turbo"


def _rows(a: int, b: int, c: int, d: int) -> list[dict]:
    """A 2x2 paired table: a = agrees with both, b = judge only, c = majority only, d = neither."""
    cells = [(1, True, a), (1, False, b), (0, True, c), (0, False, d)]
    return [
        dict(annotator_id="h", judge_id="j", n_judge=1, k_judge=k, agrees_majority=m, n_comparisons=n)
        for k, m, n in cells
        if n
    ]


def test_single_order_matches_agresti_wald_and_mcnemar():
    from statsmodels.stats.contingency_tables import mcnemar

    a, b, c, d = 50, 30, 10, 10
    n = a + b + c + d
    p = assisted_pairs(_rows(a, b, c, d))[0]
    assert p.agreement_with_judge.value == pytest.approx((a + b) / n)
    assert p.agreement_with_humans.value == pytest.approx((a + c) / n)
    diff = (b - c) / n
    se = math.sqrt(((b + c) - (b - c) ** 2 / n) / n**2)  # Agresti 2013, 11.1.1
    assert p.difference.value == pytest.approx(diff)
    assert p.difference.ci95_low == pytest.approx(diff - 1.959963984540054 * se)
    assert p.difference.ci95_high == pytest.approx(diff + 1.959963984540054 * se)
    ref = mcnemar([[a, b], [c, d]], exact=False, correction=False)
    assert p.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    assert p.difference.z**2 == pytest.approx(ref.statistic, rel=1e-9)


def test_both_orders_are_clusters():
    # the judge asked in both orders: per comparison 2 verdicts; agreement with the judge is the
    # clustered proportion, and the difference's variance treats a comparison as one unit
    rows = [
        dict(annotator_id="h", judge_id="j", n_judge=2, k_judge=2, agrees_majority=True, n_comparisons=40),
        dict(annotator_id="h", judge_id="j", n_judge=2, k_judge=1, agrees_majority=False, n_comparisons=20),
        dict(annotator_id="h", judge_id="j", n_judge=2, k_judge=0, agrees_majority=True, n_comparisons=40),
    ]
    p = assisted_pairs(rows)[0]
    assert p.n_comparisons == 100 and p.n_judge_verdicts == 200
    assert p.agreement_with_judge.value == pytest.approx(100 / 200)
    assert "cluster" in p.agreement_with_judge.method
    assert p.difference.value == pytest.approx(0.5 - 0.8)
    # by hand: residual_i = (k_i - 0.5 * 2) / 200 - (y_i - 0.8) / 100
    res = [(2 - 1) / 200 - 0.2 / 100, (1 - 1) / 200 + 0.8 / 100, (0 - 1) / 200 - 0.2 / 100]
    var = 40 * res[0] ** 2 + 20 * res[1] ** 2 + 40 * res[2] ** 2
    assert p.difference.se == pytest.approx(math.sqrt(var))
    assert not p.flagged  # agreeing more with the humans never flags


def test_flag_needs_the_minimum_effect_and_reflag_agrees():
    # difference 0.06 with a tight interval: significant at n = 4000 but below min_effect 0.05 + noise
    p = assisted_pairs(_rows(3000, 400, 160, 440))[0]
    assert p.q_value < 1e-6 and p.difference.ci95_low < 0.05
    assert not p.flagged
    row = p.to_dict()
    assert reflag(row, 0.05) is False and reflag(row, 0.0) is True
    big = assisted_pairs(_rows(50, 40, 2, 8))[0].to_dict()
    assert big["flagged"] and reflag(big, 0.05) and not reflag(big, 0.45)


def _pandalm_rows(tmp) -> list[dict]:
    """PandaLM's test set (3 humans, 2 judges: real public data) as canonical pairwise rows."""
    db = tmp / "pandalm.duckdb"
    ingest(REALDATA / "pandalm" / "data" / "testset-v1.json", "pandalm", db=db, fmt="pandalm", quarantine=True)
    with open_store(db, read_only=True) as store:
        cols = (
            "comparison_id, annotator_id, annotator_kind, preference, prompt, response_a, response_b, model_a, model_b"
        )
        return (
            store.con.execute(f"SELECT {cols} FROM verdicts ORDER BY file_id, source_line")
            .fetch_df()
            .to_dict("records")
        )


def _copied(rows: list[dict]) -> list[dict]:
    """annotator2 pastes gpt-3.5-turbo's verdict wherever the judge gave one (real disagreement pattern)."""
    judge = {r["comparison_id"]: r["preference"] for r in rows if r["annotator_id"] == JUDGE}
    return [
        dict(r, preference=judge[r["comparison_id"]])
        if r["annotator_id"] == COPIER and r["comparison_id"] in judge
        else r
        for r in rows
    ]


def _assisted(tmp_path, rows, name="copy"):
    path = write_jsonl(tmp_path / f"{name}.jsonl", rows)
    db = tmp_path / f"{name}.duckdb"
    with open_store(db) as store:
        ingest(path, "copy", store=store, vendor="v")
    with open_store(db, read_only=True) as store:
        ctx = ReportContext(store, "copy")
        return assisted_for(ctx), {r.annotator_id: r for r in annotators_for(ctx)}, db


@pytest.fixture(scope="module")
def pandalm(tmp_path_factory):
    return _pandalm_rows(tmp_path_factory.mktemp("pandalm"))


@pytest.fixture(scope="module")
def copied(tmp_path_factory, pandalm):
    return _assisted(tmp_path_factory.mktemp("assisted"), _copied(pandalm))


def test_pandalm_as_delivered_flags_nobody(tmp_path, pandalm):
    res, screening, _ = _assisted(tmp_path, pandalm, "asis")
    assert res.status == "measured" and res.n_judges == 2 and res.flagged == []
    # every human agrees with the others' majority far more than with either judge
    assert all(p.difference.ci95_high < 0 for p in res.pairs)
    assert not any("llm_assisted" in [f.flag for f in r.flags] for r in screening.values())


def test_an_annotator_who_copies_the_judge_is_flagged(copied):
    res, screening, _ = copied
    assert res.status == "measured" and res.flagged == [COPIER]
    row = next(r for r in res.by_annotator if r["annotator_id"] == COPIER)
    assert row["judge_id"] == JUDGE and row["flagged_judges"] == [JUDGE]
    assert row["agreement_with_judge"].value == 1.0
    assert row["ci95_low"] > 0.05 and row["q_value"] < 0.05
    flags = {f.flag: f.reason for f in screening[COPIER].flags}
    assert "possibly pasting a model's verdicts" in flags["llm_assisted"]
    assert all("llm_assisted" not in [f.flag for f in r.flags] for a, r in screening.items() if a != COPIER)


def test_report_gate_and_evidence_carry_the_flag(copied, tmp_path):
    _, _, db = copied
    with open_store(db, read_only=True) as store:
        doc = build_report(store, "copy", n_boot=20)
    assert doc["llm_assisted"]["flagged"] == [COPIER]
    assert "llm_assisted" in doc["methods"]["flag_rule"]
    assert {r["annotator_id"] for r in doc["llm_assisted"]["pairs"] if r["flagged"]} == {COPIER}
    gates = parse_gates(
        """gates_version = 1
name = "assisted"
[[criteria]]
id = "no_llm_assisted"
metric = "annotators"
aggregate = "count_where"
where = "flag_names=llm_assisted"
comparison = "<="
threshold = 0
severity = "review"
[[criteria]]
id = "no_llm_assisted_strict"
metric = "llm_assisted.pairs"
aggregate = "count_where"
where = "flagged"
min_effect = 0.45
comparison = "<="
threshold = 0
severity = "review"
""",
        source="g.toml",
    )
    result = evaluate(gates, doc)
    outcome = {c.criterion.id: c.outcome for c in result.criteria}
    assert outcome == {"no_llm_assisted": "REVIEW", "no_llm_assisted_strict": "PASS"}
    found = [f for f in findings(doc) if f.key == f"{COPIER}:llm_assisted"]
    assert found and found[0].links == [("disagrees_with_majority", COPIER)]


def test_invariance_renaming_row_order_and_swapping_a_b(copied, pandalm, tmp_path):
    base, _, _ = copied
    rename = {"annotator1": "z3", "annotator2": "a9", "annotator3": "m0", JUDGE: "aa-judge", "pandalm-7b": "zz"}
    rows = [dict(r, annotator_id=rename[r["annotator_id"]]) for r in _copied(pandalm)]
    rows = [swap_row(r) for r in rows]
    random.Random(3).shuffle(rows)  # no annotator judged a comparison twice: the first verdict is the verdict
    other, screening, _ = _assisted(tmp_path, rows, "moved")
    assert other.flagged == [rename[COPIER]]
    key = {(p.annotator_id, p.judge_id): p for p in other.pairs}
    for p in base.pairs:
        q = key[(rename[p.annotator_id], rename[p.judge_id])]
        assert (q.n_comparisons, q.n_judge_verdicts, q.flagged) == (p.n_comparisons, p.n_judge_verdicts, p.flagged)
        for f in ("agreement_with_judge", "agreement_with_humans", "difference"):
            a, b = getattr(p, f), getattr(q, f)
            assert (a.value, a.ci95_low, a.ci95_high) == pytest.approx((b.value, b.ci95_low, b.ci95_high), abs=1e-12)
        assert p.q_value == pytest.approx(q.q_value, abs=1e-12)


def test_no_judges_is_said():
    from qualitylab.bias.assisted import summarise

    r = summarise([], 0)
    assert r.status == "no judges" and "no LLM judge" in r.reason


def test_annotators_page_shows_the_flag_and_the_pairs(copied, monkeypatch):
    from streamlit.testing.v1 import AppTest
    from test_bias_app import APP, open_page

    monkeypatch.setenv("QUALITYLAB_DB", str(copied[2]))
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.sidebar.selectbox(key="batch_id").set_value("copy").run()
    at = open_page(at, "annotators")
    assert not at.exception
    screening, pairs = (df.value for df in at.dataframe)
    flags = dict(zip(screening["annotator_id"], screening["flags"], strict=True))
    assert flags[COPIER] == "llm_assisted" and "llm_assisted" not in flags["annotator1"]
    flagged = pairs[pairs["flagged"] == True]  # noqa: E712 (a column of booleans)
    assert list(zip(flagged["annotator_id"], flagged["judge_id"], strict=True)) == [(COPIER, JUDGE)]
    assert any("possibly pasting a model's verdicts" in m.value for m in at.markdown)
