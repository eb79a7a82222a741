"""Flags mean an effect (issue 14 items 5 and 6): a per-annotator rate is flagged only when BH
q < 0.05 AND its 95% interval lies wholly outside centre +/- min_effect (0.05 by default); length is
judged relative to the other annotators on the same items (leave-one-out), position against 0.5.

References: exact binomial p-values = scipy.stats.binomtest (scipy as installed, tested in
test_intervals.py); Wilson intervals = statsmodels proportion_confint(method="wilson")."""

from __future__ import annotations

import random

import pytest
from bias_helpers import load
from scipy.stats import binomtest
from statsmodels.stats.proportion import proportion_confint

from qualitylab.bias.length import length_bias
from qualitylab.bias.position import position_bias
from qualitylab.bias.rates import effect_flag, rate_table, reflag
from qualitylab.gates.config import parse_gates
from qualitylab.gates.engine import evaluate
from qualitylab.ingest import ingest
from qualitylab.intervals import binomial_p_many
from qualitylab.report import build_report
from qualitylab.sample import SAMPLE_DIR, load_plan
from qualitylab.store import open_store

ANNOTATORS = [f"s{i}" for i in range(6)]


def sound_batch(seed: int, n_comparisons: int = 300) -> list[dict]:
    """Six unbiased annotators, three per comparison, random shown_first. The better response is
    the longer one 65% of the time (as on real data: longer answers are often better), so honest
    annotators prefer longer responses well above 0.5; nobody prefers a position."""
    rng = random.Random(seed)
    rows = []
    for c in range(n_comparisons):
        la, lb = rng.randint(5, 120), rng.randint(5, 120)
        longer = "A" if la > lb else "B"
        truth = longer if rng.random() < 0.65 else ("B" if longer == "A" else "A")
        for a in rng.sample(ANNOTATORS, 3):
            pref = truth if rng.random() < 0.8 else rng.choice(["A", "B", "tie"])
            rows.append(
                {
                    "comparison_id": f"c{c}",
                    "annotator_id": a,
                    "preference": pref,
                    "shown_first": rng.choice("AB"),
                    "prompt": f"p{c}",
                    "response_a": " ".join(["a"] * la),
                    "response_b": " ".join(["b"] * lb),
                }
            )
    return rows


def test_the_effect_rule_against_the_issues_example():
    # 111 of 184 first-shown (the issue's example): p = 0.006, yet the interval reaches into 0.5 +/- 0.05
    p = binomtest(111, 184).pvalue
    lo, hi = proportion_confint(111, 184, method="wilson")
    assert p == pytest.approx(0.00622, abs=1e-5) and lo < 0.55  # "p = 0.006" in the issue
    (row,) = rate_table([("x", 111, 184)], "p_first")
    assert (row.p_value, row.ci95_low, row.ci95_high) == pytest.approx((p, lo, hi), rel=1e-9)
    assert row.q_value < 0.05 and not row.flagged and row.flag_basis == "absolute"
    (row0,) = rate_table([("x", 111, 184)], "p_first", min_effect=0.0)
    assert row0.flagged  # the old, significance-only rule
    assert effect_flag(0.001, 0.56, 0.7, 0.5, 0.05) and not effect_flag(0.2, 0.56, 0.7, 0.5, 0.05)
    assert effect_flag(0.001, 0.2, 0.44, 0.5, 0.05)
    # per-test p0 (the relative test) equals scipy's binomtest
    ks, ns, ps = [3, 40, 70, 0], [10, 50, 100, 7], [0.2, 0.65, 0.8, 0.3]
    want = [binomtest(*t).pvalue for t in zip(ks, ns, ps, strict=True)]
    assert binomial_p_many(ks, ns, ps) == pytest.approx(want, rel=1e-9)


def test_thirty_sound_batches_raise_no_flag(tmp_path, db):
    """Issue 14 item 6: 30 seeded sound batches (300 comparisons, 6 unbiased annotators, random
    shown_first) -> no position, length or randomisation flag; on the old rule (q alone, absolute)
    length would flag nearly every honest annotator, and position some by chance."""
    load(tmp_path, db, [(f"b{s}", sound_batch(s), "2026-10-05") for s in range(30)])
    n_flags = {"position": 0, "length": 0, "shown_a": 0}
    old_length = 0
    with open_store(db, read_only=True) as s:
        for b in range(30):
            pos = position_bias(s, f"b{b}")
            lng = length_bias(s, f"b{b}", regression=False)
            n_flags["position"] += len(pos.flagged)
            n_flags["shown_a"] += sum(r.flagged for r in pos.randomisation.by_annotator)
            n_flags["length"] += len(lng.flagged)
            old_length += sum(bool(r.q_value is not None and r.q_value < 0.05) for r in lng.by_annotator)
            assert all(r.flag_basis == "relative" for r in lng.by_annotator)
            assert all(r.flag_basis == "absolute" for r in pos.by_annotator)
    assert n_flags == {"position": 0, "length": 0, "shown_a": 0}
    assert old_length > 100  # of 180 annotator-batches: honest annotators prefer the (better) longer answer


def test_pandalm_humans_are_not_flagged_for_length(tmp_path, db):
    """Issue 14 item 5: PandaLM's three human annotators prefer the longer response ~0.70 (absolute
    rule: all flagged), but so does each one's peers on the same items: relative rule, no flag."""
    with open_store(db) as store:
        for e in load_plan():
            if e["batch"] == "pandalm":
                fmt, quarantine = e.get("format"), e.get("quarantine", False)
                ingest(SAMPLE_DIR / e["file"], "pandalm", store=store, fmt=fmt, quarantine=quarantine)
    with open_store(db, read_only=True) as s:
        lng = length_bias(s, "pandalm", regression=False)
    humans = lng.by_annotator
    assert len(humans) == 3
    for r in humans:
        assert r.value > 0.65 and r.flagged_absolute  # the old rule blamed every one of them
        assert r.flag_basis == "relative" and r.relative is not None
        assert abs(r.relative.value - r.relative.peer_rate) < 0.02 and not r.flagged


def test_a_gate_criterion_sets_its_own_min_effect_on_the_rows(tmp_path, db):
    rows = sound_batch(1)
    clicker = "s0"  # prefers the first-shown response 70% of the time
    rng = random.Random(5)
    for r in rows:
        if r["annotator_id"] == clicker and r["preference"] != "tie":
            other = "B" if r["shown_first"] == "A" else "A"
            r["preference"] = r["shown_first"] if rng.random() < 0.7 else other
    load(tmp_path, db, [("w", rows, "2026-10-05")])
    with open_store(db, read_only=True) as s:
        doc = build_report(s, "w", n_boot=10, sections=["position_bias"])
    (row,) = [r for r in doc["position_bias"]["by_annotator"] if r["annotator_id"] == clicker]
    assert row["flagged"] and doc["methods"]["flag_rule"]["min_effect"] == 0.05
    assert all(reflag(r, 0.05) == r["flagged"] for r in doc["position_bias"]["by_annotator"])
    lo = row["ci95_low"]
    text = """gates_version = 1
name = "t"
[[criteria]]
id = "pos"
metric = "position_bias.by_annotator"
aggregate = "count_where"
where = "flagged"
comparison = "<="
threshold = 0
decide = "value"
severity = "review"
"""
    strict = text + f"min_effect = {round(lo - 0.5 + 0.01, 3)}\n"  # beyond the clicker's interval
    loose = parse_gates(text, source="t")
    assert evaluate(loose, doc).verdict == "REVIEW"
    assert evaluate(parse_gates(strict, source="t"), doc).verdict == "ACCEPT"
    assert evaluate(parse_gates(text + "min_effect = 0.0\n", source="t"), doc).verdict == "REVIEW"
    with pytest.raises(Exception, match="min_effect"):
        parse_gates(text.replace('where = "flagged"', 'where = "flag_names=fast"') + "min_effect = 0.1\n", source="t")
