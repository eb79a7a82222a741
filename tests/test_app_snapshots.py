"""The app and report snapshots (issue 15): the app opens the store read-only and never stores a
snapshot; it reads a valid stored one, and otherwise computes the report in memory and says on the
page that the stored snapshot is missing or stale (AppTest, real DuckDB file)."""

from __future__ import annotations

import pytest
from conftest import write_jsonl
from test_app_pages import new_app, open_page, rendered_text

from qualitylab.ingest import ingest
from qualitylab.snapshots import report_snapshot
from qualitylab.store import open_store

N_BOOT = 200  # the app tests' session n_boot (test_app_pages.N_BOOT): the snapshot must be of that request


def _rows(tag: str) -> list[dict]:
    return [
        {"comparison_id": f"{tag}{i}", "annotator_id": h, "preference": "A" if (i + j) % 4 else "B"}
        for i in range(30)
        for j, h in enumerate(("h1", "h2", "h3"))
    ]


@pytest.fixture
def two_weeks(tmp_path, monkeypatch):
    db = tmp_path / "store.duckdb"
    monkeypatch.setenv("QUALITYLAB_DB", str(db))
    for i, (b, day) in enumerate((("w1", "2026-10-05"), ("w2", "2026-10-12"))):
        ingest(write_jsonl(tmp_path / f"{b}.jsonl", _rows(str(i))), b, db=db, vendor="acme", delivered=day)
    return db


def _n_snapshots(db) -> int:
    with open_store(db, read_only=True) as store:
        return store.con.execute("SELECT count(*) FROM report_snapshots").fetchall()[0][0]


def test_overview_without_a_snapshot_computes_in_memory_and_says_so(two_weeks):
    at = open_page(new_app("w2"), "overview")
    assert not at.exception, [e.value for e in at.exception]
    warnings = [w.value for w in at.warning]
    assert any("stored report snapshot is missing or stale" in w and "no stored snapshot" in w for w in warnings)
    assert "Verdict:" in rendered_text(at)
    assert _n_snapshots(two_weeks) == 0  # the app never writes


def test_overview_reads_a_valid_snapshot_and_says_a_stale_one_is_stale(two_weeks, tmp_path):
    for b in ("w1", "w2"):
        assert report_snapshot(two_weeks, b, {"n_boot": N_BOOT}).stored
    at = open_page(new_app("w2"), "overview")
    assert not at.exception, [e.value for e in at.exception]
    assert not [w.value for w in at.warning if "snapshot" in w.value]
    assert any("From the stored report snapshot" in c.value for c in at.caption)

    # another file in w1: w2 reads w1 (week over week, re-delivery), so both snapshots are stale
    ingest(write_jsonl(tmp_path / "more.jsonl", _rows("9")), "w1", db=two_weeks, mode="append")
    at = open_page(new_app("w2"), "overview")
    assert not at.exception, [e.value for e in at.exception]
    (w,) = [w.value for w in at.warning if "snapshot" in w.value]
    assert "w2: stale: files changed" in w
    assert _n_snapshots(two_weeks) == 2


def test_the_overview_verdict_is_the_snapshots(two_weeks):
    """The verdict line reads the stored document: a verdict written into the stored snapshot
    (and only there) is what the page shows."""
    report_snapshot(two_weeks, "w2", {"n_boot": N_BOOT})
    with open_store(two_weeks) as store:
        store.con.execute(
            "UPDATE report_snapshots SET document = json_merge_patch(document,"
            ' \'{"gate": {"verdict": "PLANTED"}}\') WHERE batch_id = \'w2\''
        ).fetchall()
    at = open_page(new_app("w2"), "overview")
    assert not at.exception, [e.value for e in at.exception]
    assert "**Verdict: PLANTED**" in rendered_text(at)
