"""Judge vs human on the real public sets, ingested through the adapters (upstream unparsable judge
outputs quarantined, never guessed). Expected values are cross-checked by an independent computation
straight from the upstream JSON files with sklearn / plain Python, and the table is held."""

from __future__ import annotations

import collections
import json

import pytest
from conftest import REALDATA
from sklearn.metrics import accuracy_score, cohen_kappa_score, f1_score

from qualitylab.ingest import ingest
from qualitylab.report import compute_sections
from qualitylab.store import open_store

PANDALM = REALDATA / "pandalm" / "data"
LLMBAR = REALDATA / "llmbar-mtbench"


@pytest.fixture(scope="module")
def judges(tmp_path_factory):
    db = tmp_path_factory.mktemp("real") / "real.duckdb"
    ingest(PANDALM / "testset-v1.json", "pandalm", db=db, fmt="pandalm", quarantine=True)
    ingest(LLMBAR / "dataset.json", "llmbar-mtbench", db=db, fmt="llmbar")
    for f in sorted(LLMBAR.glob("evaluators/*/*/result.json")):
        ingest(f, "llmbar-mtbench", db=db, fmt="llmbar", quarantine=True, mode="append")
    with open_store(db, read_only=True) as s:
        return {b: compute_sections(s, b, ["judges"], n_boot=300)["judges"] for b in ("pandalm", "llmbar-mtbench")}


def _load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def test_pandalm_against_an_independent_computation(judges):
    """Majority of the three annotators (all 999 rows have one); 'garbage' gpt outputs left out."""
    rows = {o["idx"]: o for o in _load(PANDALM / "testset-v1.json")}
    majority = {}
    for i, o in rows.items():
        ((label, k),) = collections.Counter(str(o[f"annotator{n}"]) for n in (1, 2, 3)).most_common(1)
        if k >= 2:
            majority[i] = label
    assert len(majority) == 999
    judges_upstream = {
        "gpt-3.5-turbo": {
            o["idx"]: {"1": "1", "2": "2", "Tie": "0"}.get(o["gpt_result"])
            for o in _load(PANDALM / "gpt-3.5-turbo-testset-v1.json")
        },
        "pandalm-7b": {o["idx"]: str(o["pandalm_result"]) for o in _load(PANDALM / "pandalm-7b-testset-v1.json")},
    }
    for judge, verdicts in judges_upstream.items():
        keep = [i for i in majority if verdicts.get(i) is not None]
        y, yhat = [majority[i] for i in keep], [verdicts[i] for i in keep]
        got = judges["pandalm"][judge]
        assert got.n_verdicts == len(keep)
        assert got.accuracy_vs_majority.value == pytest.approx(accuracy_score(y, yhat))
        assert got.cohen_kappa_vs_majority.value == pytest.approx(cohen_kappa_score(y, yhat))
        assert got.macro_f1_vs_majority.value == pytest.approx(f1_score(y, yhat, average="macro"))
    assert judges["pandalm"]["gpt-3.5-turbo"].unparsed["n_quarantined_ingest"] == 25  # the 'garbage' rows
    assert judges["pandalm"]["pandalm-7b"].unparsed["n_unparsed"] == 0


def test_llmbar_against_an_independent_computation(judges):
    """LLMBar's accuracy (both orders, each verdict counts) and positional agreement, from result.json."""
    for f in sorted(LLMBAR.glob("evaluators/*/*/result.json")):
        name = f"{f.parent.parent.name}/{f.parent.name}"
        right = total = both = agree = nulls = 0
        for o in _load(f):
            last = o["results"][-1]
            w = [last["swap = False"]["winner"], last["swap = True"]["winner"]]
            nulls += sum(x is None for x in w)
            right += sum(x == str(o["label"]) for x in w if x is not None)
            total += sum(x is not None for x in w)
            if None not in w:
                both += 1
                agree += w[0] == w[1]
        got = judges["llmbar-mtbench"][name]
        assert got.accuracy_vs_majority.value == pytest.approx(right / total), name
        assert got.position_consistency.value == pytest.approx(agree / both), name
        assert got.n_both_orders == both
        assert got.unparsed["n_unparsed"] == nulls, name
        # one expert-majority label per pair: the MT-Bench agreement equals the accuracy, no human ceiling
        assert got.agreement_with_ties.value == pytest.approx(right / total)
        assert got.human_agreement_with_ties.value is None


# The judge tables (point values, 3 decimals), held. Columns: accuracy, kappa, macro F1,
# MT-Bench agreement with ties, human-human agreement with ties (ceiling), position consistency,
# p_first, p_prefer_longer, unparsed.
PANDALM_TABLE = {
    "gpt-3.5-turbo": (0.716, 0.493, 0.533, 0.706, 0.922, None, None, 0.651, 25),
    "pandalm-7b": (0.668, 0.435, 0.574, 0.660, 0.920, None, None, 0.677, 0),
}
LLMBAR_TABLE = {
    "ChatGPT/Metrics_Reference": (0.708, 0.415, 0.707, 0.708, None, 0.625, 0.682, 0.668, 0),
    "ChatGPT/Vanilla_NoRules": (0.713, 0.425, 0.712, 0.713, None, 0.575, 0.703, 0.676, 0),
    "GPT-4/Metrics_Reference": (0.810, 0.620, 0.810, 0.810, None, 0.840, 0.540, 0.681, 0),
    "GPT-4/Vanilla_NoRules": (0.810, 0.620, 0.810, 0.810, None, 0.870, 0.510, 0.713, 0),
    "LLaMA2/Metrics_Reference": (0.723, 0.445, 0.722, 0.723, None, 0.705, 0.468, 0.713, 0),
    "LLaMA2/Vanilla_NoRules": (0.720, 0.440, 0.720, 0.720, None, 0.670, 0.615, 0.713, 0),
    "PaLM2/Metrics_Reference": (0.699, 0.398, 0.699, 0.699, None, 0.737, 0.555, 0.592, 18),
    "PaLM2/Vanilla_NoRules": (0.730, 0.460, 0.730, 0.730, None, 0.729, 0.600, 0.679, 15),
}


def _row(j):
    v = lambda s: None if s.value is None else round(s.value, 3)  # noqa: E731
    return (
        v(j.accuracy_vs_majority),
        v(j.cohen_kappa_vs_majority),
        v(j.macro_f1_vs_majority),
        v(j.agreement_with_ties),
        v(j.human_agreement_with_ties),
        v(j.position_consistency),
        v(j.p_first),
        v(j.p_prefer_longer),
        j.unparsed["n_unparsed"],
    )


@pytest.mark.parametrize("batch, table", [("pandalm", PANDALM_TABLE), ("llmbar-mtbench", LLMBAR_TABLE)])
def test_judge_tables_are_held(judges, batch, table):
    assert {a: _row(j) for a, j in judges[batch].items()} == table
    for j in judges[batch].values():
        for s in (j.accuracy_vs_majority, j.cohen_kappa_vs_majority, j.agreement_with_ties):
            assert s.ci95_low <= s.value <= s.ci95_high


def test_what_the_real_sets_show(judges):
    p = judges["pandalm"]
    # both judges agree with the humans far less than the humans agree with each other
    for j in p.values():
        assert j.agreement_with_ties.ci95_high < j.human_agreement_with_ties.ci95_low
        # and less on items the humans split on than on unanimous ones
        assert (
            j.by_contested["split"]["accuracy_vs_majority"].value
            < j.by_contested["unanimous"]["accuracy_vs_majority"].value
        )
        assert j.p_first.value is None and j.preferred_slot == "unknown"  # order not recorded upstream
    m = judges["llmbar-mtbench"]
    # GPT-4 is the most position-consistent judge; ChatGPT prefers the first slot
    assert max(m, key=lambda a: m[a].position_consistency.value).startswith("GPT-4")
    assert m["ChatGPT/Vanilla_NoRules"].preferred_slot == "first"
    assert m["GPT-4/Vanilla_NoRules"].preferred_slot == "none detected"
    # the conservative verdict (inconsistent -> tie) costs accuracy against a tie-free expert label
    for j in m.values():
        assert j.conservative["accuracy_vs_majority"].value < j.accuracy_vs_majority.value
