"""Dawid-Skene and one-coin annotator competence (issue 18 item 7).

Reference: tests/fixtures/reference/crowdkit_pandalm.json, made by crowd-kit 1.4.2's DawidSkene and
OneCoinDawidSkene (defaults: majority-vote start, n_iter 100, tol 1e-5) on PandaLM's three human
annotators (benchmarks/reference_crowdkit.py; versions in the file). Same initialisation -> the same
posteriors, priors, confusion matrices, bound history and iterations to 1e-6 (observed: 1e-13).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import REALDATA, REPO, write_jsonl

from qualitylab.agreement.dawid_skene import dawid_skene
from qualitylab.ingest import ingest
from qualitylab.report import compute_sections
from qualitylab.results import to_jsonable
from qualitylab.store import open_store

REF = json.loads((REPO / "tests" / "fixtures" / "reference" / "crowdkit_pandalm.json").read_text(encoding="utf-8"))
PANDALM = REALDATA / "pandalm" / "data" / "testset-v1.json"
# PandaLM's codes -> qualitylab's labels (the pandalm adapter: 1 = response 1 = A, 2 = B, 0 = tie)
AS_LABEL = {0: "tie", 1: "A", 2: "B"}


def _answers():
    rows = json.loads(PANDALM.read_text(encoding="utf-8"))
    item, ann, lab = [], [], []
    for r in rows:
        for j in (1, 2, 3):
            item.append(int(r["idx"]))
            ann.append(j - 1)
            lab.append(int(r[f"annotator{j}"]))
    return np.array(item), np.array(ann), np.array(lab)


@pytest.mark.parametrize("name", ["dawid_skene", "one_coin"])
def test_equals_crowd_kit_on_pandalm(name):
    item, ann, lab = _answers()
    n = int(item.max()) + 1
    fit = dawid_skene(item, ann, lab, n, 3, 3, one_coin=name == "one_coin")
    ref = REF[name]
    post = np.array([ref["posteriors"][str(t)] for t in range(n)])
    assert np.abs(fit.posteriors - post).max() < 1e-6
    assert fit.iterations == ref["iterations"] and fit.converged
    assert np.allclose(fit.loss_history, ref["loss_history"], atol=1e-6, rtol=0)
    for k, v in ref["priors"].items():
        assert fit.priors[int(k)] == pytest.approx(v, abs=1e-6)
    for key, col in ref["errors"].items():
        worker, observed = key.split("|")
        for true, v in col.items():
            assert fit.errors[int(worker[-1]) - 1, int(observed), int(true)] == pytest.approx(v, abs=1e-6)
    assert [int(np.argmax(p)) for p in fit.posteriors] == [ref["labels"][str(t)] for t in range(n)]
    if name == "one_coin":
        assert fit.competence == pytest.approx([ref["skills"][f"annotator{j}"] for j in (1, 2, 3)], abs=1e-6)


@pytest.fixture(scope="module")
def pandalm_store(tmp_path_factory):
    db = tmp_path_factory.mktemp("ds") / "store.duckdb"
    ingest(PANDALM, "pandalm", db=db, fmt="pandalm", quarantine=True)
    return db


def _competence(db, batch, **kw):
    with open_store(db, read_only=True) as st:
        return to_jsonable(compute_sections(st, batch, ["annotator_competence"], **kw)["annotator_competence"])


def test_report_section_on_pandalm_equals_crowd_kit(pandalm_store):
    doc = _competence(pandalm_store, "pandalm", n_boot=50, seed=3)
    assert doc["n_items"] == 999 and doc["n_annotators"] == 3
    oc = doc["one_coin"]
    got = {r["annotator_id"]: r["competence"]["value"] for r in oc["per_annotator"]}
    assert got == pytest.approx(REF["one_coin"]["skills"], abs=1e-6)
    ds = doc["dawid_skene"]
    for code, v in REF["dawid_skene"]["priors"].items():
        assert ds["priors"][AS_LABEL[int(code)]] == pytest.approx(v, abs=1e-6)
    assert ds["iterations"] == REF["dawid_skene"]["iterations"] and ds["converged"]
    ref_labels = [AS_LABEL[v] for v in REF["dawid_skene"]["labels"].values()]
    assert ds["posterior_label_counts"] == {lab: ref_labels.count(lab) for lab in ("A", "B", "tie")}
    # confusion of annotator1: P(answer | true) columns sum to 1 over the labels it used
    conf = ds["per_annotator"][0]["confusion"]
    for true in ("A", "B", "tie"):
        assert sum(conf[true].values()) == pytest.approx(1.0)
        assert conf[true][true] > 0.8
    # the interval: seeded bootstrap over comparisons, around the value, reproducible
    c = ds["per_annotator"][0]["competence"]
    assert c["ci95_low"] < c["value"] < c["ci95_high"] and "50 replicates, seed 3" in c["method"]
    assert _competence(pandalm_store, "pandalm", n_boot=50, seed=3) == doc


def _small_batch(rename=lambda a: a):
    """40 comparisons, 4 annotators; h4 answers at random, the others mostly agree with the truth."""
    rng = np.random.default_rng(11)
    rows = []
    for c in range(40):
        truth = "A" if rng.random() < 0.5 else "B"
        for a in ("h1", "h2", "h3", "h4"):
            if a == "h4":
                p = str(rng.choice(["A", "B", "tie"]))
            else:
                p = truth if rng.random() < 0.85 else ("B" if truth == "A" else "A")
            rows.append({"comparison_id": f"c{c}", "annotator_id": rename(a), "preference": p})
    return rows


def test_random_annotator_has_low_competence_and_renaming_changes_nothing(db, tmp_path):
    ingest(write_jsonl(tmp_path / "a.jsonl", _small_batch()), "a", db=db)
    ingest(write_jsonl(tmp_path / "b.jsonl", _small_batch(lambda a: "zz-" + a[::-1])[::-1]), "b", db=db)
    a = _competence(db, "a", n_boot=30, seed=1)
    b = _competence(db, "b", n_boot=30, seed=1)
    for model in ("dawid_skene", "one_coin"):
        ca = {r["annotator_id"]: r["competence"]["value"] for r in a[model]["per_annotator"]}
        cb = {r["annotator_id"]: r["competence"]["value"] for r in b[model]["per_annotator"]}
        assert ca == pytest.approx({x: cb["zz-" + x[::-1]] for x in ca}, abs=1e-9)
        assert ca["h4"] < min(ca["h1"], ca["h2"], ca["h3"]) - 0.3


def test_no_humans_says_why(db, tmp_path):
    ingest(
        write_jsonl(
            tmp_path / "j.jsonl",
            [{"comparison_id": "c1", "annotator_id": "j", "annotator_kind": "judge", "preference": "A"}],
        ),
        "j",
        db=db,
    )
    assert "no human pairwise verdicts" in _competence(db, "j", n_boot=5)["reason"]


def test_low_competence_rows_can_be_counted_by_a_gate(db, tmp_path):
    """The random annotator h4 is low_competence (interval below min_competence); a gate criterion
    counts such rows with aggregate = count_where, where = low_competence (docs/gates.md)."""
    from qualitylab.gates.config import parse_gates
    from qualitylab.gates.engine import evaluate

    ingest(write_jsonl(tmp_path / "a.jsonl", _small_batch()), "a", db=db)
    with open_store(db, read_only=True) as st:
        sec = compute_sections(st, "a", ["annotator_competence"], n_boot=50, seed=2, options={"min_competence": 0.6})
    doc = to_jsonable(sec["annotator_competence"])
    rows = {r["annotator_id"]: r for r in doc["dawid_skene"]["per_annotator"]}
    assert rows["h4"]["low_competence"] and "entirely below 0.6" in rows["h4"]["low_competence_reason"]
    assert not any(rows[a]["low_competence"] for a in ("h1", "h2", "h3"))
    gates = parse_gates(
        'gates_version = 1\nname = "t"\n[[criteria]]\nid = "competent"\ntitle = "no incompetent annotator"\n'
        'metric = "annotator_competence.dawid_skene.per_annotator"\naggregate = "count_where"\n'
        'where = "low_competence"\ncomparison = "<="\nthreshold = 0\nseverity = "review"\nwhy = "x"\n',
        source="t.toml",
    )
    result = evaluate(gates, {"annotator_competence": doc})
    assert result.verdict == "REVIEW"
