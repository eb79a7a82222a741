"""Hygiene checks (each a query returning offending rows) and the annotator screening table."""

from __future__ import annotations

import pytest
from bias_helpers import biased_rows, context, load, swap_row

from qualitylab.bias.hygiene import CHECKS, hygiene, offending_rows
from qualitylab.bias.section import REPORT_SECTIONS, annotators_for
from qualitylab.report import build_report
from qualitylab.store import open_store


def _item(c, a, pref="A", **kw):
    return {
        "comparison_id": c,
        "annotator_id": a,
        "preference": pref,
        "prompt": f"prompt {c}",
        "response_a": f"answer one to {c}",
        "response_b": f"answer two to {c}",
        "seconds": 30,
        **kw,
    }


def defect_batches():
    w1 = [_item(f"c{i}", a) for i in range(25) for a in ("h1", "h2")]
    w1 += [_item("g1", a, gold="A") for a in ("h1", "h2")]  # a honeypot
    w2 = [_item(f"d{i}", a) for i in range(25) for a in ("h1", "h2")]
    w2 += [_item("d0", "h1")]  # exact duplicate of a row
    w2 += [_item("same", "h1", response_b="answer one to same")]  # A == B
    w2 += [_item("blank", "h2", response_b=" \n\t\u00a0")]  # whitespace-only B
    w2 += [
        _item("old", "h1", prompt="prompt c3", response_a="answer one to c3", response_b="answer two to c3")
    ]  # re-delivered from w1
    w2 += [_item("g1", a, gold="A") for a in ("h1", "h2")]  # the honeypot again: fine
    w2 += [_item("d1", "h3", seconds=2.5)]  # too fast, too few items
    return w1, w2


@pytest.fixture
def defects(tmp_path, db):
    w1, w2 = defect_batches()
    return load(tmp_path, db, [("w1", w1, "2026-10-05"), ("w2", w2, "2026-10-12")])


def test_each_check_returns_exactly_the_offending_rows(defects):
    with open_store(defects, read_only=True) as s:
        h = hygiene(s, "w2")
        h1 = hygiene(s, "w1")
        full = offending_rows(s, "w2", "fast_verdicts").to_pylist()
    c = h.checks
    assert [r["comparison_id"] for r in c["duplicate_rows"].rows] == ["d0"]
    assert c["duplicate_rows"].rows[0]["n_copies"] == 2 and c["duplicate_rows"].rows[0]["n_extra"] == 1
    assert [r["comparison_id"] for r in c["identical_responses"].rows] == ["same"]
    assert [(r["comparison_id"], r["empty_slot"]) for r in c["empty_responses"].rows] == [("blank", "B")]
    assert [
        (r["comparison_id"], r["earlier_batch_id"], r["earlier_comparison_id"]) for r in c["redelivered_items"].rows
    ] == [("old", "w1", "c3")]
    assert [(r["annotator_id"], r["seconds"]) for r in c["fast_verdicts"].rows] == [("h3", 2.5)]
    assert full == c["fast_verdicts"].rows
    assert [(r["annotator_id"], r["n_items"]) for r in c["few_items"].rows] == [("h3", 1)]
    assert "3 ranking" not in str(c["few_items"].rows)
    # every check but other_vendor_items (one vendor here; tests/test_against.py has two)
    assert sorted(h.failed) == sorted(s.name for s in CHECKS if s.name != "other_vendor_items")
    # the earlier, clean batch passes every check (its honeypot is not a re-delivery)
    assert h1.failed == [] and all(ch.n_rows == 0 and ch.rows == [] for ch in h1.checks.values())


def test_thresholds_are_options_and_rows_are_capped(defects):
    with open_store(defects, read_only=True) as s:
        h = hygiene(s, "w2", fast_seconds=31, min_items=1, max_rows=3)
    assert h.checks["fast_verdicts"].n_rows > 3 and len(h.checks["fast_verdicts"].rows) == 3
    assert h.checks["fast_verdicts"].truncated
    assert h.checks["few_items"].passed
    with pytest.raises(ValueError, match="fast_seconds"):
        hygiene(None, "w2", fast_seconds=-1)


def test_hygiene_invariant_under_ab_swap(tmp_path, db):
    w1, w2 = defect_batches()
    (tmp_path / "s").mkdir()
    load(tmp_path, db, [("w1", w1, "2026-10-05"), ("w2", w2, "2026-10-12")])
    db2 = tmp_path / "s.duckdb"
    load(
        tmp_path / "s",
        db2,
        [("w1", [swap_row(r) for r in w1], "2026-10-05"), ("w2", [swap_row(r) for r in w2], "2026-10-12")],
    )
    with open_store(db, read_only=True) as s1, open_store(db2, read_only=True) as s2:
        a, b = hygiene(s1, "w2"), hygiene(s2, "w2")
    for name in a.checks:
        assert a.checks[name].n_rows == b.checks[name].n_rows, name
    assert b.checks["empty_responses"].rows[0]["empty_slot"] == "A"


def test_screening_flags_the_planted_defects_with_reasons(tmp_path, db):
    rows = biased_rows(120)
    rows += [{**r, "annotator_id": "quick", "seconds": 2.0} for r in rows if r["annotator_id"] == "fair"]
    load(tmp_path, db, [("w1", rows, "2026-10-05")])
    # the simulated annotators answer independently of each other, so agreement is low for all of
    # them by construction; that flag is tested on its own below (and so is low_competence, the
    # Dawid-Skene competence that such independent answers also make low: test_competence_screening)
    ctx = context(db, "w1", min_agreement=0.0, min_competence=0.0)
    try:
        table = {r.annotator_id: r for r in annotators_for(ctx)}
    finally:
        ctx.store.close()
    assert set(table) == {"pos", "long", "fair", "quick"}
    assert [f.flag for f in table["pos"].flags] == ["position_bias"]
    assert [f.flag for f in table["long"].flags] == ["length_bias"]
    assert [f.flag for f in table["quick"].flags] == ["fast"]
    assert table["fair"].flags == []
    assert table["pos"].flags[0].reason.startswith("p_first 0.") and "q =" in table["pos"].flags[0].reason
    assert table["quick"].median_seconds == 2.0 and "median 2.0 s" in table["quick"].flags[0].reason
    r = table["pos"]
    assert r.n == 120 and r.n_items == 120 and r.p_first.value > 0.75 and r.p_first_q < 0.05
    assert r.agreement_with_majority.n > 0  # from qualitylab.agreement.section.per_annotator


def by_annotator_keys(rate: str) -> set[str]:
    """The keys of a position / length bias ``by_annotator`` row whose rate is called ``rate``."""
    return {
        "annotator_id",
        "n",
        rate,
        "ci95_low",
        "ci95_high",
        "p_value",
        "q_value",
        "flagged",
        "flag_basis",
        "min_effect",
        "flagged_absolute",
        "relative_rate",
        "relative_ci95_low",
        "relative_ci95_high",
        "n_relative",
        "peer_rate",
        "n_peer_verdicts",
        "n_shared_items",
        "relative_p_value",
        "relative_q_value",
        "flagged_relative",
    }


def test_report_keys(tmp_path, db):
    load(tmp_path, db, [("w1", biased_rows(30), "2026-10-05")])
    with open_store(db, read_only=True) as s:
        doc = build_report(s, "w1", sections=[n for n, _ in REPORT_SECTIONS])
    assert {"distributions", "position_bias", "length_bias", "hygiene", "annotators"} <= set(doc)
    pb = doc["position_bias"]
    assert pb["status"] == "measured" and set(pb["p_first"]) >= {"value", "ci95_low", "ci95_high", "n"}
    assert set(pb["by_annotator"][0]) == by_annotator_keys("p_first")
    assert set(doc["length_bias"]["by_annotator"][0]) == by_annotator_keys("p_prefer_longer")
    assert set(doc["length_bias"]["regression"]) == {"chars", "tokens", "by_prompt"}
    assert doc["hygiene"]["n_failed"] == 0 and set(doc["hygiene"]["checks"]) == {s.name for s in CHECKS}
    assert {r["annotator_id"] for r in doc["annotators"]} == {"pos", "long", "fair"}


def test_interval_below_threshold_flags_gold_and_agreement():
    from qualitylab.bias.screening import screening_rows
    from qualitylab.intervals import proportion

    labels = [
        {"annotator_kind": "human", "annotator_id": a, "n": 40, "tie_rate": proportion(0, 40), "entropy_bits": 1.0}
        for a in ("bad", "unlucky")
    ]
    agreement = [
        {
            "annotator_id": "bad",
            "n_items": 40,
            "agreement_with_majority": proportion(10, 40),
            "gold_accuracy": proportion(2, 20),
        },
        {
            "annotator_id": "unlucky",
            "n_items": 40,
            "agreement_with_majority": proportion(18, 40),
            "gold_accuracy": proportion(1, 3),
        },
    ]
    rows = {
        r.annotator_id: r
        for r in screening_rows(
            labels=labels,
            lining=[],
            seconds=[],
            ratings={},
            agreement=agreement,
            position={},
            length={},
            few_items={},
            fast_seconds=5,
        )
    }
    # 10/40 has Wilson upper bound 0.40 < 0.5; 2/20 has 0.30 < 0.5: both flagged
    assert [f.flag for f in rows["bad"].flags] == ["low_gold_accuracy", "low_agreement"]
    # 18/40 -> upper 0.60 and 1/3 -> upper 0.79: the intervals reach 0.5, not flagged
    assert rows["unlucky"].flags == []
    assert rows["bad"].p_first.value is None and "no eligible" in rows["bad"].p_first.reason


def test_redelivery_with_a_and_b_swapped_is_found(tmp_path, db):
    """A vendor re-delivering an old comparison with the two responses exchanged is still caught
    (pair_hash is order-insensitive); the row says it came back swapped."""
    from conftest import write_jsonl

    from qualitylab.ingest import ingest

    old = [
        {
            "comparison_id": "c1",
            "annotator_id": "a",
            "preference": "A",
            "prompt": "P",
            "response_a": "first answer",
            "response_b": "second answer",
        },
        {
            "comparison_id": "c2",
            "annotator_id": "a",
            "preference": "B",
            "prompt": "Q",
            "response_a": "one",
            "response_b": "two",
        },
    ]
    new = [
        {
            "comparison_id": "n1",
            "annotator_id": "b",
            "preference": "B",
            "prompt": "P",
            "response_a": "second answer",
            "response_b": "first answer",
        },  # c1, swapped
        {
            "comparison_id": "n2",
            "annotator_id": "b",
            "preference": "A",
            "prompt": "Q",
            "response_a": "one",
            "response_b": "two",
        },  # c2, same order
        {
            "comparison_id": "n3",
            "annotator_id": "b",
            "preference": "A",
            "prompt": "R",
            "response_a": "fresh",
            "response_b": "new",
        },
    ]
    ingest(write_jsonl(tmp_path / "w1.jsonl", old), "w1", db=db, vendor="v", delivered="2026-10-05")
    ingest(write_jsonl(tmp_path / "w2.jsonl", new), "w2", db=db, vendor="v", delivered="2026-10-12")
    with open_store(db, read_only=True) as s:
        rows = offending_rows(s, "w2", "redelivered_items").to_pylist()
    got = [(r["comparison_id"], r["earlier_comparison_id"], r["swapped"]) for r in rows]
    assert got == [("n1", "c1", True), ("n2", "c2", False)]
