"""Ingest: each kind in each file type, every bad-input case, idempotence, quarantine, replace, provenance."""

from __future__ import annotations

import hashlib
import json

import duckdb
import pytest
from conftest import WRITERS, write_csv, write_jsonl

from qualitylab.cli import main
from qualitylab.errors import ConflictError, ExitCode, InvalidInputError
from qualitylab.ingest import ingest
from qualitylab.store import open_store

PAIRWISE_ROWS = [
    {
        "comparison_id": "c1",
        "annotator_id": "ann1",
        "preference": "a",
        "prompt": "Say hi",
        "response_a": "Hello there, friend",
        "response_b": "Hi",
        "shown_first": "b",
        "strength": 2,
        "rating_a": 6,
        "rating_b": 3,
        "seconds": 31.5,
        "gold": "A",
        "model_a": "m1",
        "model_b": "m2",
        "created_at": "2026-10-05 10:00:00",
        "vendor_note": "n1",
    },
    {
        "comparison_id": "c1",
        "annotator_id": "ann2",
        "preference": "TIE",
        "prompt": "Say hi",
        "response_a": "Hello there, friend",
        "response_b": "Hi",
    },
    {
        "comparison_id": "c1",
        "annotator_id": "judge-x",
        "preference": "B",
        "annotator_kind": "judge",
        "prompt": "Say hi",
        "response_a": "Hello there, friend",
        "response_b": "Hi",
        "shown_first": "A",
    },
]
RATING_ROWS = [
    {"item_id": "r1", "annotator_id": "ann1", "score": 5, "aspect": "helpfulness", "response": "one two three"},
    {"item_id": "r1", "annotator_id": "ann2", "score": 4.5},
    {"item_id": "r2", "annotator_id": "ann1", "score": 2, "aspect": "helpfulness"},
]
RANKING_ROWS = [
    {"prompt_id": "p1", "annotator_id": "ann1", "response_id": "x", "rank": 1, "model": "m1"},
    {"prompt_id": "p1", "annotator_id": "ann1", "response_id": "y", "rank": 2, "model": "m2"},
    {"prompt_id": "p1", "annotator_id": "ann1", "response_id": "z", "rank": 2, "model": "m3"},
]
KIND_ROWS = {
    "pairwise": (PAIRWISE_ROWS, "verdicts"),
    "rating": (RATING_ROWS, "ratings"),
    "ranking": (RANKING_ROWS, "rankings"),
}


def snapshot(db) -> dict:
    """Every table's full content: 'store unchanged' means this is equal before and after."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall()))
            for t in ("batches", "files", "verdicts", "ratings", "rankings", "quarantine")
        }
    finally:
        con.close()


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
@pytest.mark.parametrize("kind", ["pairwise", "rating", "ranking"])
def test_each_kind_in_each_file_type(tmp_path, db, kind, fmt):
    rows, table = KIND_ROWS[kind]
    if fmt == "parquet" and kind == "rating":
        rows = [dict(r, aspect=r.get("aspect"), response=r.get("response")) for r in rows]
    path = WRITERS[fmt](tmp_path / f"d.{fmt}", rows)
    res = ingest(path, "w1", db=db)  # the kind is detected from the columns
    assert (res.status, res.kind, res.n_rows, res.n_stored) == ("stored", kind, len(rows), len(rows))
    with open_store(db, read_only=True) as s:
        n = s.con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
        lines = [r[0] for r in s.con.execute(f"SELECT source_line FROM {table} ORDER BY 1").fetchall()]
    assert n == len(rows)
    # 1-based lines as an editor shows them: JSONL from 1, CSV after the header, Parquet rows from 1
    first = {"jsonl": 1, "csv": 2, "parquet": 1}[fmt]
    assert lines == list(range(first, first + len(rows)))


def test_pairwise_values_are_normalised_and_derived_columns_computed(tmp_path, db):
    ingest(write_jsonl(tmp_path / "v.jsonl", PAIRWISE_ROWS), "w1", db=db)
    with open_store(db, read_only=True) as s:
        rows = s.con.sql("SELECT * FROM verdicts ORDER BY source_line").to_arrow_table().to_pylist()
    r1, r2, r3 = rows
    assert (r1["preference"], r1["shown_first"], r1["shown_first_recorded"], r1["strength"]) == ("A", "B", True, 2)
    assert (r1["rating_a"], r1["rating_b"], r1["seconds"], r1["gold"]) == (6.0, 3.0, 31.5, "A")
    assert (r1["len_a_chars"], r1["len_b_chars"], r1["len_a_tokens"], r1["len_b_tokens"]) == (19, 2, 3, 1)
    assert r1["responses_identical"] is False
    assert json.loads(r1["extra"]) == {"vendor_note": "n1"}  # unknown columns kept, not dropped
    assert (r2["preference"], r2["annotator_kind"]) == ("tie", "human")
    # order never recorded: stored as A, but flagged as not recorded
    assert (r2["shown_first"], r2["shown_first_recorded"]) == ("A", False)
    assert (r3["annotator_kind"], r3["shown_first_recorded"]) == ("judge", True)
    assert r1["content_hash"] == r2["content_hash"] == r3["content_hash"]


def test_same_annotator_twice_on_a_comparison_keeps_both(tmp_path, db):
    rows = [
        {"comparison_id": "c1", "annotator_id": "j", "preference": "A", "shown_first": "A", "annotator_kind": "judge"},
        {"comparison_id": "c1", "annotator_id": "j", "preference": "A", "shown_first": "B", "annotator_kind": "judge"},
    ]
    assert ingest(write_jsonl(tmp_path / "j.jsonl", rows), "w1", db=db).n_stored == 2


BAD_CASES = [
    # (file name, content, expected (line, column, reason fragment) triples)
    (
        "malformed.jsonl",
        '{"comparison_id": "c1", "annotator_id": "a", "preference": "A"}\n'
        '{"comparison_id": "c1", "annotator_id": "b" "preference": "A"}\n',
        [(2, None, "malformed JSON")],
    ),
    (
        "notobject.jsonl",
        '{"comparison_id": "c1", "annotator_id": "a", "preference": "A"}\n[1, 2]\n',
        [(2, None, "expected a JSON object")],
    ),
    (
        "missing.jsonl",
        '{"comparison_id": "c1", "annotator_id": "a", "preference": "A"}\n'
        '{"comparison_id": "c1", "annotator_id": "", "preference": "A"}\n'
        '{"comparison_id": "c1", "preference": "B", "annotator_id": null}\n',
        [(2, "annotator_id", "missing required value"), (3, "annotator_id", "missing required value")],
    ),
    (
        "label.jsonl",
        '{"comparison_id": "c1", "annotator_id": "a", "preference": "A"}\n\n'
        '{"comparison_id": "c1", "annotator_id": "b", "preference": "maybe"}\n',
        [(3, "preference", "is not one of A, B, tie")],
    ),
    (
        "types.jsonl",
        '{"comparison_id": "c1", "annotator_id": "a", "preference": "A", "strength": 5, "seconds": -1,'
        ' "rating_a": "good", "shown_first": "left", "annotator_kind": "robot", "gold": "C",'
        ' "created_at": "yesterday"}\n',
        [
            (1, "annotator_kind", "human, judge"),
            (1, "created_at", "date/time"),
            (1, "gold", "A, B, tie"),
            (1, "rating_a", "not a number"),
            (1, "seconds", "non-negative"),
            (1, "shown_first", "A, B"),
            (1, "strength", "integer 0-3"),
        ],
    ),
    (
        "fields.csv",
        'comparison_id,annotator_id,preference\nc1,a,A\n"c1,\nstill quoted",b,B\nc2,a\nc2,b,C\n',
        [(5, None, "expected 3 fields, found 2"), (6, "preference", "is not one of A, B, tie")],
    ),
    ("score.csv", "item_id,annotator_id,score\ni1,a,5\ni1,b,five\n", [(3, "score", "not a number")]),
    (
        "rank.csv",
        "prompt_id,annotator_id,response_id,rank\np,a,x,1\np,a,y,0\np,a,z,1.5\n",
        [(3, "rank", "positive integer"), (4, "rank", "positive integer")],
    ),
    ("nocolumn.csv", "comparison_id,annotator_id\nc1,a\n", None),
]


@pytest.mark.parametrize("name,content,expected", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_input_is_refused_whole_with_line_and_column(tmp_path, db, capsys, name, content, expected):
    # a good batch first, so "store unchanged" is checked against a non-empty store
    ingest(write_jsonl(tmp_path / "good.jsonl", PAIRWISE_ROWS), "w0", db=db)
    before = snapshot(db)
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    kind = "pairwise" if name == "nocolumn.csv" else None
    with pytest.raises(InvalidInputError) as err:
        ingest(path, "w1", db=db, kind=kind)
    assert snapshot(db) == before
    got = [(p.line, p.column, p.reason) for p in err.value.problems]
    if expected is None:
        assert got[0][1] == "preference" and "required column is missing" in got[0][2]
    else:
        assert [(ln, c) for ln, c, _ in got] == [(ln, c) for ln, c, _ in expected]
        for (_, _, reason), (_, _, frag) in zip(got, expected, strict=True):
            assert frag in reason
    # through the CLI: every bad row on stderr as file:line, a non-zero exit code, nothing stored
    argv = ["ingest", str(path), "--batch", "w1", "--db", str(db)] + (["--kind", kind] if kind else [])
    assert main(argv) == ExitCode.INVALID_INPUT
    stderr = capsys.readouterr().err
    for line, column, _ in expected or []:
        assert f"{name}:{line}" in stderr
        if column:
            assert f"column '{column}'" in stderr
    assert "nothing was stored" in stderr
    assert snapshot(db) == before


def test_parquet_problems_name_the_row(tmp_path, db):
    from conftest import write_parquet

    rows = [
        {"comparison_id": "c1", "annotator_id": "a", "preference": "A"},
        {"comparison_id": "c1", "annotator_id": "b", "preference": "X"},
    ]
    with pytest.raises(InvalidInputError) as err:
        ingest(write_parquet(tmp_path / "p.parquet", rows), "w1", db=db)
    assert err.value.lines() == ["p.parquet: row 2: column 'preference': \"X\" is not one of A, B, tie"]


def test_empty_file_and_unknown_kind_are_refused(tmp_path, db):
    (tmp_path / "empty.jsonl").write_text("\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="holds no rows; nothing was stored"):
        ingest(tmp_path / "empty.jsonl", "w1", db=db)
    write_jsonl(tmp_path / "odd.jsonl", [{"foo": 1}])
    with pytest.raises(InvalidInputError) as err:
        ingest(tmp_path / "odd.jsonl", "w1", db=db)
    assert "--kind" in err.value.problems[0].reason


def test_quarantine_stores_valid_rows_and_keeps_invalid_ones_with_reasons(tmp_path, db, capsys):
    path = tmp_path / "q.jsonl"
    path.write_text(
        '{"comparison_id": "c1", "annotator_id": "a", "preference": "A"}\n'
        '{"comparison_id": "c1", "annotator_id": "b", "preference": "maybe", "strength": 9}\n'
        "not json\n"
        '{"comparison_id": "c1", "annotator_id": "c", "preference": "b"}\n',
        encoding="utf-8",
    )
    assert main(["ingest", str(path), "--batch", "w1", "--db", str(db), "--quarantine"]) == 0
    assert "2 row(s) quarantined" in capsys.readouterr().out
    with open_store(db, read_only=True) as s:
        assert s.con.execute("SELECT annotator_id FROM verdicts ORDER BY 1").fetchall() == [("a",), ("c",)]
        q = s.con.execute(
            "SELECT source_line, column_name, reason, raw FROM quarantine ORDER BY source_line, column_name"
        ).fetchall()
        f = s.con.execute("SELECT n_rows, n_stored, n_quarantined FROM files").fetchall()
    assert [(ln, c) for ln, c, _, _ in q] == [(2, "preference"), (2, "strength"), (3, None)]
    assert json.loads(q[0][3])["preference"] == "maybe" and q[2][3] == "not json"
    assert f == [(4, 2, 2)]
    # the report shows them
    from qualitylab.report import build_report

    with open_store(db, read_only=True) as s:
        doc = build_report(s, "w1")
    assert doc["quarantine"]["n_rows"] == 2 and doc["counts"]["n_quarantined"] == 2


def test_reingest_same_file_changes_nothing_and_says_so(tmp_path, db, capsys):
    path = write_jsonl(tmp_path / "v.jsonl", PAIRWISE_ROWS)
    assert main(["ingest", str(path), "--batch", "w1", "--db", str(db)]) == 0
    before = snapshot(db)
    assert main(["ingest", str(path), "--batch", "w1", "--db", str(db)]) == 0
    assert "nothing changed" in capsys.readouterr().out
    assert snapshot(db) == before


def test_different_file_under_existing_batch_needs_replace_or_append(tmp_path, db, capsys):
    first = write_jsonl(tmp_path / "v1.jsonl", PAIRWISE_ROWS)
    second = write_jsonl(tmp_path / "v2.jsonl", PAIRWISE_ROWS[:1])
    ingest(first, "w1", db=db)
    before = snapshot(db)
    with pytest.raises(ConflictError):
        ingest(second, "w1", db=db)
    assert main(["ingest", str(second), "--batch", "w1", "--db", str(db)]) == ExitCode.CONFLICT
    assert "--replace" in capsys.readouterr().err
    assert snapshot(db) == before
    # another kind in the same batch (a delivery with ratings too) is not a conflict
    ingest(write_jsonl(tmp_path / "r.jsonl", RATING_ROWS), "w1", db=db)
    # --append adds, --replace replaces the batch's rows of that kind (and their provenance)
    assert ingest(second, "w1", db=db, mode="append").n_stored == 1
    with open_store(db, read_only=True) as s:
        assert s.con.execute("SELECT count(*) FROM verdicts").fetchall()[0][0] == 4
    third = write_jsonl(tmp_path / "v3.jsonl", PAIRWISE_ROWS[1:])
    ingest(third, "w1", db=db, mode="replace")
    with open_store(db, read_only=True) as s:
        assert s.con.execute("SELECT count(*) FROM verdicts").fetchall()[0][0] == 2
        assert s.con.execute("SELECT count(*) FROM ratings").fetchall()[0][0] == 3
        names = [r[0] for r in s.con.execute("SELECT file_name FROM files ORDER BY file_id").fetchall()]
    assert names == ["r.jsonl", "v3.jsonl"]


def test_provenance(tmp_path, db):
    path = write_csv(tmp_path / "v.csv", PAIRWISE_ROWS)
    main(["ingest", str(path), "--batch", "w1", "--vendor", "acme", "--delivered", "2026-10-05", "--db", str(db)])
    with open_store(db, read_only=True) as s:
        f = s.rows("overview/files", {"batch_id": "w1"})[0]
        b = s.rows("ingest/batch_row", {"batch_id": "w1"})[0]
    data = path.read_bytes()
    assert f["sha256"] == hashlib.sha256(data).hexdigest() and f["size_bytes"] == len(data)
    assert (f["file_name"], f["kind"], f["format"], f["n_rows"], f["n_stored"]) == ("v.csv", "pairwise", "csv", 3, 3)
    assert f["ingested_at"] is not None and f["extra_columns"] == ["vendor_note"]
    assert (b["vendor"], str(b["delivered"])) == ("acme", "2026-10-05")


def test_values_are_bound_not_formatted(tmp_path, db):
    """Quotes and SQL in ids, batch names and texts are stored verbatim."""
    evil = "x'); DROP TABLE verdicts; --"
    rows = [{"comparison_id": evil, "annotator_id": 'a"b', "preference": "A", "prompt": evil}]
    ingest(write_jsonl(tmp_path / "e.jsonl", rows), evil, db=db)
    with open_store(db, read_only=True) as s:
        assert s.con.execute("SELECT batch_id, comparison_id, annotator_id FROM verdicts").fetchall() == [
            (evil, evil, 'a"b')
        ]


def test_odd_column_names_are_kept_as_extras(tmp_path, db):
    rows = [{"comparison_id": "c", "annotator_id": "a", "preference": "A", 'we"ird col': 1, "Preference2": 2}]
    res = ingest(write_jsonl(tmp_path / "o.jsonl", rows), "w1", db=db)
    assert set(res.extra_columns) == {'we"ird col', "Preference2"}


def test_store_records_schema_version_and_refuses_newer(tmp_path):
    from qualitylab.errors import StoreError
    from qualitylab.schema import SCHEMA_VERSION

    p = tmp_path / "s.duckdb"
    with open_store(p) as s:
        assert s.schema_version() == SCHEMA_VERSION
        s.con.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'").fetchall()
    with pytest.raises(StoreError, match="newer"):
        open_store(p)


def test_v2_store_migrates_with_responses_identical_backfilled(tmp_path):
    # a store written before schema v3 gets the precomputed column, filled from its texts
    from qualitylab.schema import MIGRATIONS

    p = tmp_path / "v2.duckdb"
    con = duckdb.connect(str(p))
    for sql in MIGRATIONS[:2]:
        con.execute(sql).fetchall()
    con.execute("INSERT INTO meta VALUES ('schema_version', '2')").fetchall()
    cols = (
        "batch_id, file_id, source_line, comparison_id, annotator_id, annotator_kind, preference, "
        "shown_first, shown_first_recorded, response_a, response_b"
    )
    con.execute(
        f"INSERT INTO verdicts ({cols}) VALUES ('w', 1, 1, 'c1', 'a', 'human', 'A', 'A', true, 'x y', 'x y'),"
        f" ('w', 1, 2, 'c2', 'a', 'human', 'A', 'A', true, 'x', 'y'),"
        f" ('w', 1, 3, 'c3', 'a', 'human', 'A', 'A', true, NULL, 'y')"
    ).fetchall()
    con.close()
    with open_store(p) as s:
        got = s.con.execute("SELECT comparison_id, responses_identical FROM verdicts ORDER BY 1").fetchall()
        # v4: the order-insensitive pair_hash is backfilled too, and equals a fresh ingest's
        hashes = dict(s.con.execute("SELECT comparison_id, pair_hash FROM verdicts").fetchall())
    assert got == [("c1", True), ("c2", False), ("c3", None)]
    assert all(h is not None for h in hashes.values())
    rows = [{"comparison_id": "n2", "annotator_id": "a", "preference": "A", "response_a": "y", "response_b": "x"}]
    ingest(write_jsonl(tmp_path / "swap.jsonl", rows), "w2", db=p)
    with open_store(p, read_only=True) as s:
        fresh = s.con.execute("SELECT pair_hash FROM verdicts WHERE comparison_id = 'n2'").fetchall()[0][0]
    assert fresh == hashes["c2"]  # same pair, A and B swapped: same pair_hash


def test_read_only_open_of_missing_store_is_a_clear_error(tmp_path, capsys):
    assert main(["batches", "--db", str(tmp_path / "none.duckdb")]) == ExitCode.NOT_FOUND
    assert "does not exist" in capsys.readouterr().err
