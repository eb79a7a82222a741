"""Floating-point aggregates that read many rows give the same bits whatever order the rows were
delivered in: judges/rating_agreement and agreement/icc_oneway sum in a fixed order (ordered
aggregates), so a re-delivered file in another order cannot move a report's last digits."""

from __future__ import annotations

import random

from conftest import write_jsonl

from qualitylab.ingest import ingest
from qualitylab.store import open_store


def _rows() -> list[dict]:
    """Ratings with non-binary fractions (sums depend on order) from 5 humans and 2 judges."""
    rnd = random.Random(3)
    rows = []
    for i in range(300):
        for aspect in ("helpfulness", "harmlessness"):
            base = rnd.uniform(1, 7)
            for a in range(5):
                rows.append(
                    {
                        "item_id": f"i{i}",
                        "annotator_id": f"h{a}",
                        "score": round(base + rnd.uniform(-1.3, 1.3), 3),
                        "aspect": aspect,
                    }
                )
            for j in range(2):
                rows.append(
                    {
                        "item_id": f"i{i}",
                        "annotator_id": f"judge-{j}",
                        "annotator_kind": "judge",
                        "score": round(base + rnd.uniform(-0.7, 0.7), 1),
                        "aspect": aspect,
                    }
                )
    return rows


def _query_results(tmp_path, rows, name) -> dict:
    path = write_jsonl(tmp_path / f"{name}.jsonl", rows)
    db = tmp_path / f"{name}.duckdb"
    ingest(path, "b1", db=db, kind="rating")
    with open_store(db, read_only=True) as s:
        return {q: s.rows(q, {"batch_id": "b1"}) for q in ("judges/rating_agreement", "agreement/icc_oneway")}


def test_rating_aggregates_do_not_depend_on_row_order(tmp_path):
    rows = _rows()
    base = _query_results(tmp_path, rows, "base")
    assert len(base["judges/rating_agreement"]) == 4 and len(base["agreement/icc_oneway"]) == 2
    for seed in range(4):
        shuffled = rows[:]
        random.Random(seed).shuffle(shuffled)
        # exactly equal: same bits, not approximately
        assert _query_results(tmp_path, shuffled, f"shuffled{seed}") == base
