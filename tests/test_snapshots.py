"""Report snapshots (qualitylab/snapshots.py, issue 15): stored reports equal a fresh computation,
every input named in the fingerprint invalidates them, and a store that cannot be written keeps the
report in memory and says so. Real DuckDB files, real ingests, the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from conftest import verdicts, write_jsonl
from test_judges_runner import _batch, _run, server  # noqa: F401  (server is a fixture)

from qualitylab import snapshots
from qualitylab.cli import main
from qualitylab.ingest import ingest
from qualitylab.sample import load_sample
from qualitylab.snapshots import COMPUTED, STORED, hash_code, lookup, report_options, report_snapshot
from qualitylab.store import open_store


def _without_methods(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "methods"}


def _same(a, b, path="") -> list[str]:
    """Where two report documents differ: exactly, but for floats, which may differ in their last
    bits (relative 1e-9): DuckDB's parallel aggregates (corr, var_pop, sum of DOUBLEs) add in the
    order the threads finish, so two computations of one Spearman rho or ICC can differ by 1 ulp."""
    if isinstance(a, float) and isinstance(b, float):
        return [] if a == pytest.approx(b, rel=1e-9, abs=1e-12) else [f"{path}: {a!r} != {b!r}"]
    if type(a) is not type(b):
        return [f"{path}: {a!r} != {b!r}"]
    if isinstance(a, dict):
        if set(a) != set(b):  # key order is not part of a JSON object's meaning (report_sha256 sorts them)
            return [f"{path}: keys {sorted(a)} != {sorted(b)}"]
        return [d for k in a for d in _same(a[k], b[k], f"{path}/{k}")]
    if isinstance(a, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items != {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _same(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def _rows(tag: str, n: int = 6) -> list[dict]:
    """n comparisons, three humans each, mostly agreeing (tag makes the texts of a file distinct)."""
    out = []
    for i in range(n):
        for h, p in (("h1", "A"), ("h2", "A"), ("h3", "B" if i % 3 == 0 else "A")):
            out.append(
                {
                    "comparison_id": f"{tag}{i}",
                    "annotator_id": h,
                    "preference": p,
                    "prompt": f"prompt {tag} {i}",
                    "response_a": f"answer a {tag} {i}",
                    "response_b": f"answer b {tag} {i} longer",
                }
            )
    return out


def _ingest(tmp_path, db, batch, tag, **kw):
    f = write_jsonl(tmp_path / f"{batch}-{tag}.jsonl", _rows(tag))
    return ingest(f, batch, db=db, vendor=kw.pop("vendor", "acme"), delivered=kw.pop("delivered", "2026-10-05"), **kw)


def _state(db, batch, explicit=None):
    """(stored snapshot valid?, why not) for ``batch`` and the request ``explicit``."""
    with open_store(db, read_only=True) as store:
        found = lookup(store, batch, report_options(store, batch, explicit))
    return found.row is not None, found.why


N_BOOT = {"n_boot": 50}  # small reports: the invalidation tests are about the key, not the numbers


# -- snapshot == recompute on every sample batch --------------------------------------------------
@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("sample") / "store.duckdb"
    for _ in load_sample(db):
        pass
    return db


def test_every_sample_batch_snapshot_equals_a_fresh_computation(sample_db):
    with open_store(sample_db, read_only=True) as store:
        names = [r["batch_id"] for r in store.rows("store/batch_names")]
    assert len(names) == 8
    for b in names:
        first = report_snapshot(sample_db, b)
        assert first.source == COMPUTED and first.stored and first.note is None, b
        again = report_snapshot(sample_db, b)
        assert again.source == STORED, b
        assert again.document == first.document, b  # what was stored comes back as it was
        fresh = report_snapshot(sample_db, b, recompute=True, write=False)
        assert fresh.source == COMPUTED and fresh.why == "--recompute"
        assert _same(_without_methods(fresh.document), _without_methods(again.document)) == [], b
        methods = {k: v for k, v in fresh.document["methods"].items() if k != "generated_at"}
        assert methods == {k: v for k, v in again.document["methods"].items() if k != "generated_at"}, b


def test_batches_shows_the_stored_verdict_and_says_why_there_is_none(sample_db, capsys):
    report_snapshot(sample_db, "acme-w1")  # stored (or already) by the test above
    assert main(["batches", "--json", "--db", str(sample_db)]) == 0
    rows = {r["batch_id"]: r for r in json.loads(capsys.readouterr().out)}
    with open_store(sample_db, read_only=True) as store:
        want = json.loads(
            store.one("snapshots/lookup", {"batch_id": "acme-w1", "request_sha256": _request(store, "acme-w1")})[
                "document"
            ]
        )["verdict"]
    assert rows["acme-w1"]["verdict"] == want and rows["acme-w1"]["verdict_reason"] is None
    assert main(["batches", "--db", str(sample_db)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[-1] == "verdict"
    assert any(line.startswith("acme-w1") and line.rstrip().endswith(want) for line in out.splitlines())


def _request(store, batch):
    return report_options(store, batch, None).request_sha256()


def test_batches_verdict_is_null_with_a_reason_without_a_valid_snapshot(tmp_path, db, capsys):
    _ingest(tmp_path, db, "w1", "x")  # the library ingest stores no snapshot
    assert main(["batches", "--json", "--db", str(db)]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["verdict"] is None and row["verdict_reason"].startswith("no stored snapshot")
    report_snapshot(db, "w1")
    _ingest(tmp_path, db, "w1", "y", mode="append")
    assert main(["batches", "--json", "--db", str(db)]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["verdict"] is None and row["verdict_reason"].startswith("stale: files changed")
    assert main(["batches", "--db", str(db)]) == 0
    assert capsys.readouterr().out.splitlines()[1].rstrip().endswith("—")


# -- invalidation: each input of the fingerprint ----------------------------------------------------
def test_a_stored_snapshot_is_read_back_without_computing(tmp_path, db, monkeypatch):
    _ingest(tmp_path, db, "w1", "x")
    first = report_snapshot(db, "w1", N_BOOT)
    assert first.source == COMPUTED and first.stored and first.why == "no stored snapshot"

    def boom(*a, **k):
        raise AssertionError("computed although a valid snapshot is stored")

    monkeypatch.setattr("qualitylab.report.compute_sections", boom)
    again = report_snapshot(db, "w1", N_BOOT)
    assert again.source == STORED and again.document == first.document


@pytest.mark.parametrize("how", ["new file", "replace", "append"])
def test_files_invalidate(tmp_path, db, how):
    _ingest(tmp_path, db, "w1", "x")
    report_snapshot(db, "w1", N_BOOT)
    assert _state(db, "w1", N_BOOT) == (True, None)
    if how == "new file":  # a ratings file added to the batch
        f = write_jsonl(tmp_path / "r.jsonl", [{"item_id": "i1", "annotator_id": "h1", "score": 3}])
        ingest(f, "w1", db=db)
    else:
        _ingest(tmp_path, db, "w1", "y", mode=how)
    want = "stale: files, scales changed" if how == "new file" else "stale: files changed"  # a rating scale too
    assert _state(db, "w1", N_BOOT) == (False, want)
    snap = report_snapshot(db, "w1", N_BOOT)
    assert snap.source == COMPUTED and snap.why == want and snap.stored
    assert _state(db, "w1", N_BOOT) == (True, None)


def test_the_vendors_earlier_batch_invalidates_a_later_one_another_vendor_does_not(tmp_path, db):
    _ingest(tmp_path, db, "w1", "x", delivered="2026-10-05")
    _ingest(tmp_path, db, "w2", "y", delivered="2026-10-12")
    report_snapshot(db, "w1", N_BOOT)
    report_snapshot(db, "w2", N_BOOT)
    _ingest(tmp_path, db, "other", "z", vendor="someone-else", delivered="2026-10-01")
    _ingest(tmp_path, db, "w3", "v", delivered="2026-10-19")  # later: w1 and w2 do not read it
    assert _state(db, "w1", N_BOOT) == (True, None) and _state(db, "w2", N_BOOT) == (True, None)
    _ingest(tmp_path, db, "w1", "u", mode="append")  # w2's week-over-week and re-delivery read w1
    assert _state(db, "w2", N_BOOT) == (False, "stale: files changed")


def test_a_judge_run_invalidates(tmp_path, db, server):  # noqa: F811
    _batch(tmp_path, db)
    report_snapshot(db, "b1", N_BOOT)
    base, _ = server("longer")
    _run(db, base, both_orders=False)
    valid, why = _state(db, "b1", N_BOOT)
    assert not valid and why is not None and "judge_runs" in why and "files" in why


def test_judge_calls_alone_invalidate(tmp_path, db):
    """A change to the calls behind a run (a retried failure, a detached call) changes the part."""
    _ingest(tmp_path, db, "w1", "x")
    report_snapshot(db, "w1", N_BOOT)
    with open_store(db) as store:
        store.con.execute(
            "INSERT INTO judge_calls (batch_id, mode, item_id, shown_first, aspect, model, template_sha256,"
            " annotator_id, file_id, parsed, attempts, created_at, call_sha256) VALUES ('w1', 'pairwise', 'x0',"
            " 'A', '-', 'm', 't', 'm', 1, true, 1, TIMESTAMP '2026-10-07 10:00:00', 'ab')"
        ).fetchall()
    assert _state(db, "w1", N_BOOT) == (False, "stale: judge_runs changed")


def test_a_changed_gates_file_invalidates(tmp_path, db):
    _ingest(tmp_path, db, "w1", "x")
    gates = tmp_path / "gates.toml"
    gates.write_text(_GATES.format(min_n=5), encoding="utf-8")
    asked = {**N_BOOT, "gates": str(gates)}
    first = report_snapshot(db, "w1", asked)
    assert first.stored and _state(db, "w1", asked) == (True, None)
    assert _state(db, "w1", N_BOOT) == (False, "no stored snapshot")  # the built-in gates: another request
    gates.write_text(_GATES.format(min_n=500), encoding="utf-8")
    assert _state(db, "w1", asked) == (False, "stale: options changed")
    again = report_snapshot(db, "w1", asked)
    assert again.source == COMPUTED and again.document["verdict"] != first.document["verdict"]


_GATES = textwrap.dedent(
    """\
    gates_version = 1
    name = "test gates"
    [[criteria]]
    id = "share_a"
    title = "share of A"
    metric = "label_distribution.human.A"
    comparison = ">="
    threshold = 0.5
    decide = "interval"
    min_n = {min_n}
    severity = "reject"
    """
)


def test_a_changed_seed_is_another_snapshot(tmp_path, db):
    _ingest(tmp_path, db, "w1", "x")
    report_snapshot(db, "w1", {**N_BOOT, "seed": 1})
    other = report_snapshot(db, "w1", {**N_BOOT, "seed": 2})
    assert other.source == COMPUTED and other.why == "no stored snapshot"
    assert other.document["methods"]["seed"] == 2
    assert report_snapshot(db, "w1", {**N_BOOT, "seed": 1}).source == STORED  # both kept


def test_a_new_qualitylab_version_invalidates(tmp_path, db, monkeypatch):
    _ingest(tmp_path, db, "w1", "x")
    report_snapshot(db, "w1", N_BOOT)
    monkeypatch.setattr(snapshots, "code_fingerprint", lambda: "another build")
    assert _state(db, "w1", N_BOOT) == (False, "stale: code changed")


def test_the_code_fingerprint_changes_with_any_py_sql_or_toml_file(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("x = 1\n")
    (tmp_path / "q.sql").write_text("SELECT 1\n")
    (tmp_path / "notes.txt").write_text("not code\n")
    before = hash_code([tmp_path])
    (tmp_path / "notes.txt").write_text("still not code\n")
    assert hash_code([tmp_path]) == before
    for name, text in (("pkg/a.py", "x = 2\n"), ("q.sql", "SELECT 2\n"), ("g.toml", "a = 1\n")):
        (tmp_path / name).write_text(text)
        now = hash_code([tmp_path])
        assert now != before, name
        before = now
    files = [n for n, _ in snapshots.code_files()]
    assert "0/snapshots.py" in files and any(n.endswith("snapshots/part_files.sql") for n in files)
    assert any(n.endswith("gates/defaults.toml") for n in files)


# -- a store that cannot take the write ---------------------------------------------------------------
_HOLD = textwrap.dedent(
    """\
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1])
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
    """
)


def test_a_busy_store_keeps_the_snapshot_in_memory_and_says_so(tmp_path, db, monkeypatch):
    _ingest(tmp_path, db, "w1", "x")
    holder: list[subprocess.Popen] = []

    def progress(msg: str) -> None:  # after the read-only computation, another writer arrives
        if msg.startswith("storing") and not holder:
            p = subprocess.Popen([sys.executable, "-c", _HOLD, str(db), "20"], stdout=subprocess.PIPE, text=True)
            holder.append(p)
            assert p.stdout is not None and p.stdout.readline().strip() == "holding"

    try:
        snap = report_snapshot(db, "w1", N_BOOT, progress=progress)
    finally:
        for p in holder:
            p.kill()
            p.wait()
    assert holder, "the write step was not reached"
    assert snap.source == COMPUTED and not snap.stored
    assert snap.note is not None and snap.note.startswith("snapshot not stored: store is busy")
    assert snap.document["verdict"]
    assert _state(db, "w1", N_BOOT) == (False, "no stored snapshot")


def test_a_batch_changed_during_the_computation_is_not_stored(tmp_path, db):
    _ingest(tmp_path, db, "w1", "x")
    done: list[bool] = []

    def progress(msg: str) -> None:
        if msg.startswith("storing") and not done:
            done.append(True)
            _ingest(tmp_path, db, "w1", "y", mode="append")

    snap = report_snapshot(db, "w1", N_BOOT, progress=progress)
    assert snap.note == "snapshot not stored: the batch changed while its report was computed (files)"
    assert _state(db, "w1", N_BOOT) == (False, "no stored snapshot")


# -- the CLI ---------------------------------------------------------------------------------------------
def test_ingest_stores_the_snapshot_after_its_write_and_no_report_skips_it(tmp_path, db, capsys):
    f = write_jsonl(tmp_path / "a.jsonl", _rows("x"))
    assert main(["ingest", str(f), "--batch", "w1", "--db", str(db), "--no-report"]) == 0
    assert "snapshot" not in capsys.readouterr().err
    assert _state(db, "w1") == (False, "no stored snapshot")
    g = write_jsonl(tmp_path / "b.jsonl", _rows("y"))
    assert main(["ingest", str(g), "--batch", "w2", "--db", str(db)]) == 0
    err = capsys.readouterr().err
    assert "batch w2: report snapshot stored (verdict " in err
    assert _state(db, "w2") == (True, None)
    assert main(["check", "--batch", "w2", "--db", str(db)]) in (0, 10, 11, 12)
    assert capsys.readouterr().err == ""


def test_a_failed_snapshot_step_is_a_warning_not_a_failed_ingest(tmp_path, db, capsys, monkeypatch):
    def broken(*a, **k):
        raise RuntimeError("a section failed")

    monkeypatch.setattr("qualitylab.report.compute_sections", broken)
    f = write_jsonl(tmp_path / "a.jsonl", verdicts([("c1", "h1", "A"), ("c1", "h2", "A")]))
    assert main(["ingest", str(f), "--batch", "w1", "--db", str(db)]) == 0
    err = capsys.readouterr().err
    assert "report snapshot of batch 'w1' not computed: internal error: RuntimeError('a section failed')" in err
    with open_store(db, read_only=True) as store:
        assert store.batch_exists("w1")


def test_report_and_check_read_the_snapshot_and_recompute_on_request(tmp_path, db, capsys, monkeypatch):
    _ingest(tmp_path, db, "w1", "x")
    assert main(["report", "--batch", "w1", "--json", "--db", str(db)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert _state(db, "w1") == (True, None)
    calls: list[int] = []
    import qualitylab.report as report

    real = report.compute_sections

    def counting(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(report, "compute_sections", counting)
    assert main(["check", "--batch", "w1", "--json", "--db", str(db)]) in (0, 10, 11, 12)
    assert json.loads(capsys.readouterr().out)["verdict"] == doc["verdict"] and calls == []
    assert main(["report", "--batch", "w1", "--json", "--db", str(db)]) == 0
    assert json.loads(capsys.readouterr().out) == doc and calls == []
    assert main(["check", "--batch", "w1", "--recompute", "--db", str(db)]) in (0, 10, 11, 12)
    assert calls == [1] and "verdict: " in capsys.readouterr().out
    assert main(["report", "--batch", "w1", "--json", "--recompute", "--db", str(db)]) == 0
    assert calls == [1, 1]
    again = json.loads(capsys.readouterr().out)
    assert _same(_without_methods(again), _without_methods(doc)) == []
