"""Per-annotator agreement (leave-one-out majority, gold accuracy) through real ingest into a store."""

from __future__ import annotations

import pytest
from conftest import write_jsonl

from qualitylab.agreement.section import per_annotator
from qualitylab.ingest import ingest
from qualitylab.report import ReportContext
from qualitylab.store import open_store

# (comparison, annotator, preference, gold). Hand-checked expectations below.
ROWS = [
    ("c1", "x", "A", None),
    ("c1", "y", "A", None),
    ("c1", "z", "B", None),
    ("c1", "x", "B", None),  # x's repeat: its FIRST verdict (A) stands
    ("c2", "x", "A", "A"),
    ("c2", "y", "A", "A"),
    ("c2", "z", "A", "A"),
    ("c3", "x", "B", "B"),
    ("c3", "y", "A", "B"),
    ("c4", "x", "tie", None),  # single verdict: nobody to agree with
    ("c5", "x", "A", None),
    ("c5", "y", "A", None),
    ("c5", "z", "A", None),
    ("c6", "y", "B", None),
    ("c6", "z", "B", None),
    ("c6", "x", "A", None),
    ("c6", "judge-1", "A", None),  # a judge never enters human agreement
]


@pytest.fixture
def store(tmp_path, db):
    rows = [
        {
            "comparison_id": c,
            "annotator_id": a,
            "preference": p,
            "gold": g,
            "annotator_kind": "judge" if a.startswith("judge") else "human",
        }
        for c, a, p, g in ROWS
    ]
    ingest(write_jsonl(tmp_path / "v.jsonl", rows), "w1", db=db)
    with open_store(db, read_only=True) as s:
        yield s


def test_leave_one_out_majority_and_gold_accuracy(store):
    rows = {r["annotator_id"]: r for r in per_annotator(ReportContext(store, "w1"))}
    assert set(rows) == {"x", "y", "z"}
    x, y, z = rows["x"], rows["y"], rows["z"]
    # x: c1 others A,B -> no strict majority; c2 agree; c3 others {A} -> disagree; c4 no others;
    #    c5 agree; c6 others B,B -> disagree.  2 of 4 scored items.
    assert (x["n_items"], x["n_verdicts"], x["n_majority_items"]) == (6, 7, 4)
    assert x["agreement_with_majority"].value == pytest.approx(2 / 4)
    # y: c1 others A,B -> none; c2 agree; c3 others {B} disagree; c5 agree; c6 others A,B -> none.
    assert y["agreement_with_majority"].value == pytest.approx(2 / 3)
    assert y["agreement_with_majority"].n == 3
    # z: c1 others A,A -> disagree; c2 agree; c5 agree; c6 others A,B -> none.
    assert z["agreement_with_majority"].value == pytest.approx(2 / 3)
    # gold: x 2/2 (c2 A, c3 B), y 1/2, z 1/1; Wilson intervals around them.
    assert (x["gold_accuracy"].value, x["n_gold"]) == (1.0, 2)
    assert y["gold_accuracy"].value == 0.5 and z["gold_accuracy"].value == 1.0
    s = y["gold_accuracy"]
    assert 0 <= s.ci95_low < 0.5 < s.ci95_high <= 1


def test_per_annotator_is_memoised_per_report(store):
    ctx = ReportContext(store, "w1")
    assert per_annotator(ctx) is per_annotator(ctx)


def test_annotator_without_gold_or_majority_says_why(tmp_path, db):
    rows = [{"comparison_id": "c1", "annotator_id": "solo", "preference": "A"}]
    ingest(write_jsonl(tmp_path / "v.jsonl", rows), "w1", db=db)
    with open_store(db, read_only=True) as s:
        (r,) = per_annotator(ReportContext(s, "w1"))
    assert r["agreement_with_majority"].value is None and "majority" in r["agreement_with_majority"].reason
    assert r["gold_accuracy"].value is None and "gold" in r["gold_accuracy"].reason


def test_exact_duplicate_rows_count_once_in_verdicts_and_gold(tmp_path, db):
    """A row delivered twice (identical in every column) is one verdict and one gold answer; a
    near-copy (one column differs) is a second verdict. Same numbers whatever the row order."""
    base = [
        {"comparison_id": "c1", "annotator_id": "x", "preference": "A", "gold": "A", "seconds": 5},
        {"comparison_id": "c1", "annotator_id": "y", "preference": "A", "gold": "A", "seconds": 5},
        {"comparison_id": "c2", "annotator_id": "x", "preference": "B", "gold": "A", "seconds": 7},
        {"comparison_id": "c2", "annotator_id": "y", "preference": "B"},
        {"comparison_id": "c3", "annotator_id": "x", "preference": "tie"},
        {"comparison_id": "c3", "annotator_id": "y", "preference": "A"},
    ]
    rows = [
        *base,
        base[0],  # exact copy: gold correct
        base[0],  # and another
        base[2],  # exact copy: gold wrong
        base[5],  # exact copy: no gold
        dict(base[4], seconds=3),  # near-copy: counts
    ]
    # x: c1 three times (1), c2 twice (1), c3 and its near-copy (2); y: c1, c2, c3 twice (1)
    expected = {"x": (3, 4, 2, 1), "y": (3, 3, 1, 1)}  # n_items, n_verdicts, n_gold, n_gold_correct
    for name, order in (("fwd", rows), ("rev", rows[::-1])):
        path = tmp_path / f"{name}.duckdb"
        ingest(write_jsonl(tmp_path / f"{name}.jsonl", order), "w1", db=path)
        with open_store(path, read_only=True) as s:
            got = {
                r["annotator_id"]: (r["n_items"], r["n_verdicts"], r["n_gold"], r["n_gold_correct"])
                for r in s.rows("agreement/annotators", {"batch_id": "w1"})
            }
        assert got == expected, name
