"""Adjudications: the file's checks (exit 3, nothing stored), append-only rows with the texts'
SHA-256, the queue, accuracy against adjudication in the report, screening and gates, precedence
in the export, and protection of decided batches."""

from __future__ import annotations

import hashlib
import json

import pytest
from conftest import write_jsonl
from test_items import ROWS

from qualitylab import adjudicated
from qualitylab.cli import main
from qualitylab.ingest import ingest
from qualitylab.items import item, items
from qualitylab.report import compute_sections
from qualitylab.store import open_store


@pytest.fixture
def store_path(tmp_path, db):
    ingest(write_jsonl(tmp_path / "w1.jsonl", ROWS), "w1", db=db, vendor="acme", delivered="2026-10-05")
    return db


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def n_adjudications(db) -> int:
    with open_store(db, read_only=True) as s:
        return s.con.execute("SELECT count(*) FROM adjudications").fetchall()[0][0]


def test_file_is_recorded_with_the_texts_sha256(store_path, tmp_path, capsys):
    f = tmp_path / "adj.csv"
    f.write_text('comparison_id,label,note\nc3,b,"B is right, see the facts"\nc4,A,\n', encoding="utf-8")
    code, out, err = run(capsys, "adjudicate", "--db", store_path, "--batch", "w1", f, "--by", "dana")
    assert code == 0, err
    assert "recorded 2 adjudication(s)" in out
    with open_store(store_path, read_only=True) as s:
        assert adjudicated.current(s, "w1") == {"c3": "B", "c4": "A"}
        row = s.con.execute(
            "SELECT texts_sha256, adjudicated_by, source, source_line, note FROM adjudications "
            "WHERE comparison_id = 'c3'"
        ).fetchall()[0]
        expected = hashlib.sha256(
            json.dumps(["prompt of c3", "answer A of c3 " * 3, "B of c3"], separators=(",", ":")).encode()
        ).hexdigest()
        assert row == (expected, "dana", "adj.csv", 2, "B is right, see the facts")
        it = item(s, "w1", "c3")
        assert [(a["label"], a["current"]) for a in it.adjudications] == [("B", True)]
    # a later adjudication supersedes; nothing is edited
    g = write_jsonl(tmp_path / "again.jsonl", [{"comparison_id": "c3", "label": "tie"}])
    assert run(capsys, "adjudicate", "--db", store_path, "--batch", "w1", g, "--no-report", "--by", "eve")[0] == 0
    with open_store(store_path, read_only=True) as s:
        assert adjudicated.current(s, "w1")["c3"] == "tie"
        assert [a["label"] for a in item(s, "w1", "c3").adjudications] == ["B", "tie"]
    assert n_adjudications(store_path) == 3


@pytest.mark.parametrize(
    "content, problem",
    [
        (
            "comparison_id,label\nnope,A\n",
            "adj.csv:2: column 'comparison_id': 'nope' is not a comparison of batch 'w1'",
        ),
        ("comparison_id,label\nc3,maybe\n", "adj.csv:2: column 'label': 'maybe' is not one of A, B, tie"),
        ("comparison_id,label\nc3,A\nc3,B\n", "adj.csv:3: column 'comparison_id': 'c3' is adjudicated twice (line 2)"),
        ("comparison_id,label,score\nc3,A,1\n", "adj.csv:2: column 'score': unknown column"),
        ("comparison_id,label\n,A\n", "adj.csv:2: column 'comparison_id': missing"),
    ],
)
def test_bad_rows_refuse_the_whole_file(store_path, tmp_path, capsys, content, problem):
    f = tmp_path / "adj.csv"
    f.write_text(content, encoding="utf-8")
    code, _, err = run(capsys, "adjudicate", "--db", store_path, "--batch", "w1", f, "--by", "dana")
    assert code == 3 and problem in err and "nothing was stored" in err and "Traceback" not in err
    assert n_adjudications(store_path) == 0


def test_bad_calls(store_path, tmp_path, capsys):
    f = write_jsonl(tmp_path / "a.jsonl", [{"comparison_id": "c3", "label": "A"}])
    assert run(capsys, "adjudicate", "--db", store_path, "--batch", "zz", f, "--by", "d")[0] == 5
    assert run(capsys, "adjudicate", "--db", store_path, "--batch", "w1", tmp_path / "none.csv", "--by", "d")[0] == 5
    assert run(capsys, "adjudicate", "--db", store_path, "--batch", "w1", f, "--by", "  ")[0] == 2
    txt = tmp_path / "a.txt"
    txt.write_text("x")
    assert run(capsys, "adjudicate", "--db", store_path, "--batch", "w1", txt, "--by", "d")[0] == 2
    assert n_adjudications(store_path) == 0


def test_changed_texts_void_an_adjudication(store_path, tmp_path, capsys):
    f = write_jsonl(
        tmp_path / "a.jsonl", [{"comparison_id": "c3", "label": "A"}, {"comparison_id": "c4", "label": "B"}]
    )
    assert run(capsys, "adjudicate", "--db", store_path, "--batch", "w1", f, "--no-report", "--by", "d")[0] == 0
    rows = [dict(r, response_b="a new text") if r["comparison_id"] == "c3" else r for r in ROWS]
    ingest(write_jsonl(tmp_path / "w1b.jsonl", rows), "w1", db=store_path, mode="replace")
    with open_store(store_path, read_only=True) as s:
        assert adjudicated.current(s, "w1") == {"c4": "B"}
        assert [a["current"] for a in item(s, "w1", "c3").adjudications] == [False]
        assert "c3" in [r["comparison_id"] for r in items(s, "w1", "queue").rows]


def test_queue_orders_and_drops_adjudicated(store_path, tmp_path, capsys):
    with open_store(store_path, read_only=True) as s:
        q = items(s, "w1", "queue", count=True)
    # c3, c4: contested (4); c5: gold miss by h3 (1); j1 disagrees with B at 2 of 3 (a margin of one): +2
    assert [(r["comparison_id"], r["priority"]) for r in q.rows] == [("c3", 4), ("c4", 4), ("c5", 3)]
    f = write_jsonl(tmp_path / "a.jsonl", [{"comparison_id": "c3", "label": "A"}])
    assert run(capsys, "adjudicate", "--db", store_path, "--batch", "w1", f, "--no-report", "--by", "d")[0] == 0
    with open_store(store_path, read_only=True) as s:
        assert [r["comparison_id"] for r in items(s, "w1", "queue").rows] == ["c4", "c5"]


def test_accuracy_against_adjudication_in_report_screening_and_gate(store_path, tmp_path, capsys):
    """h3 disagrees with the adjudication on 5 of 5 items: accuracy 0 [0, 0.43] (Wilson, n = 5)."""
    labels = {"c1": "B", "c2": "A", "c3": "A", "c5": "B", "c4": "A"}  # h3 said A, B, tie, A, (none on c4)
    labels["c6"] = "B"  # h3 has no verdict on c6
    f = write_jsonl(tmp_path / "a.jsonl", [{"comparison_id": c, "label": lab} for c, lab in labels.items()])
    assert run(capsys, "adjudicate", "--db", store_path, "--batch", "w1", f, "--no-report", "--by", "d")[0] == 0
    with open_store(store_path, read_only=True) as s:
        sec = compute_sections(s, "w1", ["agreement", "annotators", "gate"], n_boot=20)
        per = {r["annotator_id"]: r for r in sec["agreement"].annotators}
        h3 = per["h3"]["adjudication_accuracy"]
        assert (h3.value, h3.n) == (0.0, 4) and h3.ci95_high == pytest.approx(0.4899, abs=1e-3)  # Wilson, 0 of 4
        h1 = per["h1"]["adjudication_accuracy"]  # h1: c1 A, c2 A, c3 A, c4 A, c5 B, c6 A vs B A A A B B -> 4 of 6
        assert (round(h1.value * h1.n), h1.n) == (4, 6)
        screening = {r.annotator_id: r for r in sec["annotators"]}
        assert "low_adjudication_accuracy" in [f.flag for f in screening["h3"].flags]
        assert "low_adjudication_accuracy" not in [f.flag for f in screening["h1"].flags]
        crit = next(c for c in sec["gate"].criteria if c.criterion.id == "adjudication_failures")
        assert crit.outcome == "REVIEW" and crit.measurement is not None and crit.measurement.value == 1
        miss = items(s, "w1", "adjudication_failed", "h3", count=True)
        assert miss.n_rows == 4 and {r["adjudicated"] for r in miss.rows} <= {"A", "B"}


def test_without_adjudications_nothing_changes(store_path):
    with open_store(store_path, read_only=True) as s:
        sec = compute_sections(s, "w1", ["agreement", "annotators", "gate"], n_boot=20)
        assert all(r["adjudication_accuracy"].value is None for r in sec["agreement"].annotators)
        crit = next(c for c in sec["gate"].criteria if c.criterion.id == "adjudication_failures")
        assert crit.outcome == "PASS"


def test_export_takes_the_adjudicated_label(tmp_path, db, capsys):
    from test_export import accept_b1, b1_rows

    ingest(
        write_jsonl(tmp_path / "b1.jsonl", b1_rows()), "b1", db=db, vendor="v", delivered="2026-10-12", quarantine=True
    )
    f = write_jsonl(tmp_path / "a.jsonl", [{"comparison_id": "c3", "label": "B", "note": "B answers"}])
    assert run(capsys, "adjudicate", "--db", db, "--batch", "b1", f, "--no-report", "--by", "dana")[0] == 0
    accept_b1(capsys, str(db))
    # decided: adjudication refused (exit 4) until reopened
    g = write_jsonl(tmp_path / "g.jsonl", [{"comparison_id": "c1", "label": "A"}])
    code, _, err = run(capsys, "adjudicate", "--db", db, "--batch", "b1", g, "--by", "dana")
    assert code == 4 and "decided" in err
    out = tmp_path / "adj.jsonl"
    assert run(capsys, "export", "--batch", "b1", "--format", "dpo", "--out", out, "--db", db)[0] == 0
    rows = {r["comparison_id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert (rows["c3"]["label_source"], rows["c3"]["chosen"]) == ("adjudication", "answer B of c3")
    assert {r["label_source"] for c, r in rows.items() if c != "c3"} == {"majority"}


# -- the report snapshot: adjudications are among its inputs -----------------------------------------
def _state(db, batch):
    """(stored snapshot valid?, why not) for the built-in request (what `adjudicate` stores)."""
    from qualitylab.snapshots import lookup, report_options

    with open_store(db, read_only=True) as s:
        found = lookup(s, batch, report_options(s, batch, None))
    return found.row is not None, found.why


def test_an_adjudication_makes_the_snapshot_stale_and_check_recomputes(store_path, tmp_path, capsys, monkeypatch):
    assert run(capsys, "report", "--db", store_path, "--batch", "w1", "--json")[0] == 0
    assert _state(store_path, "w1") == (True, None)
    labels = {"c1": "B", "c2": "A", "c3": "A", "c5": "B"}  # h3 said A, B, tie, A: 0 of 4
    f = write_jsonl(tmp_path / "a.jsonl", [{"comparison_id": c, "label": lab} for c, lab in labels.items()])
    code, _, err = run(capsys, "adjudicate", "--db", store_path, "--batch", "w1", f, "--no-report", "--by", "d")
    assert code == 0 and "snapshot" not in err
    assert _state(store_path, "w1") == (False, "stale: adjudications changed")
    code, out, _ = run(capsys, "batches", "--db", store_path, "--json")
    assert json.loads(out)[0]["verdict_reason"].startswith("stale: adjudications changed")
    import qualitylab.report as report

    calls: list[int] = []
    real = report.compute_sections
    monkeypatch.setattr(report, "compute_sections", lambda *a, **k: calls.append(1) or real(*a, **k))
    code, out, _ = run(capsys, "check", "--db", store_path, "--batch", "w1", "--json")
    assert calls == [1]  # recomputed: the stored snapshot did not count the adjudications
    crit = next(c for c in json.loads(out)["gate"]["criteria"] if c["id"] == "adjudication_failures")
    assert crit["value"] == 1  # h3 flagged low_adjudication_accuracy (0 of 4, Wilson [0, 0.49])
    assert _state(store_path, "w1") == (True, None)  # and stored


def test_adjudicate_stores_a_fresh_snapshot_after_its_write(store_path, tmp_path, capsys):
    assert run(capsys, "report", "--db", store_path, "--batch", "w1", "--json")[0] == 0
    f = write_jsonl(tmp_path / "a.jsonl", [{"comparison_id": "c3", "label": "A"}])
    code, out, err = run(capsys, "adjudicate", "--db", store_path, "--batch", "w1", f, "--by", "d")
    assert code == 0 and "recorded 1 adjudication(s)" in out
    assert "batch w1: report snapshot stored (verdict " in err
    assert _state(store_path, "w1") == (True, None)
    with open_store(store_path, read_only=True) as s:
        from qualitylab.snapshots import report_options, stored_snapshot

        snap, _ = stored_snapshot(s, "w1", report_options(s, "w1", None))
    assert snap is not None
    assert any(r.get("n_adjudicated") for r in snap.document["agreement"]["annotators"])


def test_a_failed_snapshot_after_adjudicate_is_a_warning(store_path, tmp_path, capsys, monkeypatch):
    f = write_jsonl(tmp_path / "a.jsonl", [{"comparison_id": "c3", "label": "A"}])
    monkeypatch.setattr("qualitylab.snapshots.save", lambda db, snap: "store is busy (another process writes)")
    code, _, err = run(capsys, "adjudicate", "--db", store_path, "--batch", "w1", f, "--by", "d")
    assert code == 0 and "batch w1: snapshot not stored: store is busy (another process writes)" in err
    assert n_adjudications(store_path) == 1  # the adjudication stands

    def broken(*a, **k):
        raise RuntimeError("a section failed")

    monkeypatch.setattr("qualitylab.report.compute_sections", broken)
    g = write_jsonl(tmp_path / "b.jsonl", [{"comparison_id": "c4", "label": "A"}])
    code, _, err = run(capsys, "adjudicate", "--db", store_path, "--batch", "w1", g, "--by", "d")
    assert code == 0 and "report snapshot of batch 'w1' not computed: internal error" in err
    assert n_adjudications(store_path) == 2
