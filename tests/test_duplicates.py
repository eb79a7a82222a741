"""The report's one rule for exact duplicate rows (docs/report-json.md "Duplicate rows"): a copy
beyond the first of its batch is stored, listed by hygiene.duplicate_rows and counted in
counts.n_duplicate_copies, and skipped by every statistic, so every section's n agrees.

Sample acme-w3 re-sends 10 human verdict rows verbatim (sample_data/manifest.json
defects.w3_duplicate_rows): 910 stored human verdicts, 900 distinct."""

from __future__ import annotations

import pytest
from conftest import write_jsonl

from qualitylab.ingest import ingest
from qualitylab.report import build_report
from qualitylab.sample import SAMPLE_DIR, load_plan
from qualitylab.store import open_store


@pytest.fixture(scope="module")
def w3(tmp_path_factory):
    db = tmp_path_factory.mktemp("dups") / "store.duckdb"
    with open_store(db) as store:
        for e in load_plan():
            if e["batch"] == "acme-w3":
                ingest(SAMPLE_DIR / e["file"], e["batch"], store=store, vendor=e.get("vendor"), mode="append")
    with open_store(db, read_only=True) as store:
        stored = store.con.execute(
            "SELECT count(*), count(*) FILTER (duplicate_copy) FROM verdicts "
            "WHERE batch_id = 'acme-w3' AND annotator_kind = 'human'"
        ).fetchall()[0]
        return stored, build_report(store, "acme-w3", n_boot=20)


def test_w3_every_section_counts_the_900_distinct_human_verdicts(w3):
    (n_stored, n_copies), doc = w3
    assert (n_stored, n_copies) == (910, 10)
    n = 900
    assert doc["counts"]["n_human_judgments"] == n and doc["counts"]["n_duplicate_copies"] == 10
    assert doc["hygiene"]["checks"]["duplicate_rows"]["n_rows"] == 10  # still listed: 10 groups of 2
    assert sum(r["n_extra"] for r in doc["hygiene"]["checks"]["duplicate_rows"]["rows"]) == 10
    # label shares (overview and distributions), agreement, screening, signals coverage
    assert {s["n"] for s in doc["label_distribution"]["human"].values()} == {n}
    assert {s["n"] for s in doc["distributions"]["labels"]["human"].values()} == {n}
    assert doc["agreement"]["preference"]["n_pairable_values"] == n
    humans = [r for r in doc["annotators"] if r["annotator_kind"] == "human"]
    assert sum(r["n"] for r in humans) == n
    by_ann = [r for r in doc["distributions"]["by_annotator"] if r["annotator_kind"] == "human"]
    assert sum(r["n"] for r in by_ann) == n
    assert sum(r["n_verdicts"] for r in doc["agreement"]["annotators"]) == n
    assert doc["ratings_vs_preferences"]["coverage"]["n_verdicts"] == n
    # the leaderboard: every human verdict is one appearance of each of its two models
    assert sum(m["pairwise_win_rate"]["n"] for m in doc["leaderboard"]["models"]) == 2 * n
    # position and length bias: batch rate = sum of the humans' rows = the judges' comparison
    pos = doc["position_bias"]
    assert pos["p_first"]["n"] == sum(r["n"] for r in pos["by_annotator"] if r["annotator_id"].startswith("h"))
    length = doc["length_bias"]
    n_len = sum(r["n"] for r in length["by_annotator"] if r["annotator_id"].startswith("h"))
    assert length["p_prefer_longer"]["n"] == n_len
    assert {j["human_p_prefer_longer"]["n"] for j in doc["judges"].values()} == {n_len}
    assert length["regression"]["chars"]["coef"]["n"] == pos["p_first"]["n"] == 792  # non-tie verdicts
    assert doc["strength"]["n_verdicts_with_strength"] == doc["distributions"]["strength"]["by_kind"]["human"]["n"]


def _flags(store):
    return store.con.execute(
        "SELECT file_id, source_line, duplicate_copy FROM verdicts ORDER BY file_id, source_line"
    ).fetchall()


def test_duplicate_copy_follows_append_and_replace(tmp_path, db):
    row = {"comparison_id": "c1", "annotator_id": "a", "preference": "A", "prompt": "p", "response_a": "x",
           "response_b": "y"}  # fmt: skip
    other = {**row, "annotator_id": "b"}
    f1 = write_jsonl(tmp_path / "one.jsonl", [row, other, row])
    f2 = write_jsonl(tmp_path / "two.jsonl", [row, {**other, "preference": "B"}])
    with open_store(db) as store:
        ingest(f1, "w", store=store)
        assert _flags(store) == [(1, 1, False), (1, 2, False), (1, 3, True)]
        ingest(f2, "w", store=store, mode="append")  # a copy in another file of the batch is a copy too
        assert _flags(store)[-2:] == [(2, 1, True), (2, 2, False)]
        ingest(f2, "w2", store=store)  # the same row in another batch is not
        assert [f for f in _flags(store) if f[0] == 3] == [(3, 1, False), (3, 2, False)]
        f3 = write_jsonl(tmp_path / "three.jsonl", [row, other])
        ingest(f3, "w", store=store, mode="replace")  # the batch's copies recomputed after the replace
        rows = store.con.execute(
            "SELECT source_line, duplicate_copy FROM verdicts WHERE batch_id = 'w' ORDER BY ALL"
        ).fetchall()
        assert rows == [(1, False), (2, False)]
