"""Delivered files that are broken or hostile (issue 13: items 1, 2, 4, 11, 13, 18, 20).

Each refusal is checked three ways: the error names file, line and column as the CLI prints it, the
exit code is 3, and every table of the store is unchanged (compared in full before and after).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import os
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import write_csv, write_jsonl, write_parquet
from test_ingest import PAIRWISE_ROWS, snapshot

from qualitylab.cli import main
from qualitylab.errors import ExitCode, InvalidInputError
from qualitylab.ingest import ingest
from qualitylab.store import open_store

ROW = {"comparison_id": "c1", "annotator_id": "a", "preference": "A"}


def row(**kw) -> dict:
    return {**ROW, **kw}


@pytest.fixture
def store_with_data(tmp_path, db) -> Path:
    """A store holding one good batch, so "unchanged" is checked against a non-empty store."""
    ingest(write_jsonl(tmp_path / "good.jsonl", PAIRWISE_ROWS), "w0", db=db)
    return db


def refused(
    path: Path, db: Path, capsys, *args: str, kind: str | None = None, fmt: str | None = None
) -> tuple[InvalidInputError, str]:
    """Ingest through the library and the CLI; both refuse; the store is unchanged. (error, stderr)."""
    before = snapshot(db)
    with pytest.raises(InvalidInputError) as err:
        ingest(path, "w1", db=db, kind=kind, fmt=fmt, quarantine="--quarantine" in args)
    assert snapshot(db) == before
    argv = ["ingest", str(path), "--batch", "w1", "--db", str(db), *args]
    argv += (["--kind", kind] if kind else []) + (["--format", fmt] if fmt else [])
    assert main(argv) == ExitCode.INVALID_INPUT
    stderr = capsys.readouterr().err
    assert "Traceback" not in stderr and "nothing was stored" in stderr
    assert snapshot(db) == before
    return err.value, stderr


def stored_rows(db: Path, batch: str, table: str = "verdicts") -> list[dict]:
    with open_store(db, read_only=True) as s:
        query = f"SELECT * FROM {table} WHERE batch_id = $b ORDER BY source_line"
        return s.con.sql(query, params={"b": batch}).to_arrow_table().to_pylist()


# -- item 1: an unclosed quote -----------------------------------------------------------------------
UNCLOSED = 'comparison_id,annotator_id,preference,prompt\nc1,a,A,x\nc2,a,B,"oops\nc3,a,A,y\nc4,a,B,z\nc5,a,A,w\n'


def test_csv_with_an_unclosed_quote_in_its_last_field_is_refused(tmp_path, store_with_data, capsys):
    path = tmp_path / "unclosed.csv"
    path.write_text(UNCLOSED, encoding="utf-8")
    err, stderr = refused(path, store_with_data, capsys)
    assert err.lines() == [
        "unclosed.csv:3: unclosed quote: a quoted field starts in this row and is still open at the end of the file"
    ]
    assert "unclosed.csv:3: unclosed quote" in stderr


def test_csv_quote_closing_a_field_must_end_it(tmp_path, store_with_data, capsys):
    # '"x"y' was silently read as 'xy'; a quote that closes a field must be followed by the delimiter
    path = tmp_path / "quote.csv"
    path.write_text('comparison_id,annotator_id,preference\nc1,a,A\nc2,"a"b,B\n', encoding="utf-8")
    err, _ = refused(path, store_with_data, capsys)
    assert [(p.line, p.reason) for p in err.problems] == [(3, "malformed CSV: ',' expected after '\"'")]


# -- item 2: a file that changes while it is read ---------------------------------------------------------
def _rows(n: int, annotator: str = "a") -> list[dict]:
    return [row(comparison_id=f"c{i:03d}", annotator_id=annotator) for i in range(n)]


@pytest.mark.parametrize("change", ["append", "truncate", "replace"])
def test_a_text_file_that_changes_while_it_is_read_is_refused(tmp_path, store_with_data, monkeypatch, change):
    import qualitylab.staging

    monkeypatch.setattr(qualitylab.staging, "CHUNK_ROWS", 2)  # a progress call after every 2 rows
    path = write_jsonl(tmp_path / "growing.jsonl", _rows(10))
    complete = path.read_bytes()

    def progress(msg: str) -> None:
        if msg.startswith("read 2 rows"):
            if change == "append":
                with open(path, "ab") as f:
                    f.write(b"".join(json.dumps(r).encode() + b"\n" for r in _rows(3, "late")))
            elif change == "truncate":
                with open(path, "r+b") as f:
                    f.truncate(len(complete) // 2)
            else:  # a new file under the same name (a sync tool's rename)
                tmp = tmp_path / "new.jsonl"
                write_jsonl(tmp, _rows(10, "other"))
                os.replace(tmp, path)

    before = snapshot(store_with_data)
    with pytest.raises(InvalidInputError) as err:
        ingest(path, "w1", db=store_with_data, progress=progress)
    assert "changed while it was read" in err.value.problems[0].reason
    assert snapshot(store_with_data) == before
    # the file as it is now is not "already in batch": it is stored, under its own sha256
    res = ingest(path, "w1", db=store_with_data)
    assert res.status == "stored" and res.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_digest_is_of_the_bytes_parsed(tmp_path, db, monkeypatch):
    """A change that size, mtime and inode do not show (same length, mtime put back) is still
    consistent: what is stored and the sha256 recorded are of the same bytes, those parsed."""
    import qualitylab.delivered
    import qualitylab.staging

    monkeypatch.setattr(qualitylab.staging, "CHUNK_ROWS", 2)
    monkeypatch.setattr(qualitylab.delivered, "BUFFER", 64)  # read the file a little at a time
    path = write_jsonl(tmp_path / "v.jsonl", _rows(20, "a"))
    original = path.read_bytes()
    st = os.stat(path)
    changed = original[: len(original) // 2] + original[len(original) // 2 :].replace(b'"a"', b'"z"')
    assert len(changed) == len(original)

    def progress(msg: str) -> None:
        if msg.startswith("read 2 rows"):  # rewrite the second half, not yet read, in place
            with open(path, "r+b") as f:
                f.write(changed)
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))

    res = ingest(path, "w1", db=db, progress=progress)
    parsed = [r["annotator_id"] for r in stored_rows(db, "w1")]
    assert "z" in parsed  # the second half was read as changed...
    assert res.sha256 == hashlib.sha256(changed).hexdigest() != hashlib.sha256(original).hexdigest()  # ...and hashed


def _parquet(path: Path, annotator: str = "a") -> Path:
    return write_parquet(path, _rows(10, annotator))


def test_a_parquet_file_that_changes_while_it_is_read_is_refused(tmp_path, store_with_data):
    path = _parquet(tmp_path / "p.parquet")

    def progress(msg: str) -> None:
        if msg.startswith("validating"):  # DuckDB reads the file again to validate and insert
            _parquet(tmp_path / "new.parquet", "other")
            os.replace(tmp_path / "new.parquet", path)

    before = snapshot(store_with_data)
    with pytest.raises(InvalidInputError) as err:
        ingest(path, "w1", db=store_with_data, progress=progress)
    assert "changed while it was read" in err.value.problems[0].reason
    assert snapshot(store_with_data) == before
    assert ingest(path, "w1", db=store_with_data).status == "stored"


def test_a_parquet_file_touched_while_it_is_read_is_hashed_again_and_kept(tmp_path, db):
    path = _parquet(tmp_path / "p.parquet")
    res = ingest(path, "w1", db=db, progress=lambda msg: os.utime(path) if msg.startswith("validating") else None)
    assert res.status == "stored" and res.n_stored == 10
    assert res.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


# -- item 4: a key twice in one JSON object ----------------------------------------------------------------
def test_duplicate_keys_in_a_json_object_refuse_the_row(tmp_path, store_with_data, capsys):
    path = tmp_path / "dup.jsonl"
    path.write_text(
        json.dumps(ROW) + "\n"
        '{"comparison_id": "c2", "annotator_id": "a", "preference": "A", "preference": "B"}\n'
        '{"comparison_id": "c3", "annotator_id": "a", "preference": "A", "meta": {"x": 1, "x": 2}}\n',
        encoding="utf-8",
    )
    err, stderr = refused(path, store_with_data, capsys)
    assert [(p.line, p.reason) for p in err.problems] == [(2, "duplicate key 'preference'"), (3, "duplicate key 'x'")]
    assert "dup.jsonl:2: duplicate key 'preference'" in stderr
    # with --quarantine the row is kept with its raw text, never stored with "the last one wins"
    res = ingest(path, "w1", db=store_with_data, quarantine=True)
    assert (res.n_stored, res.n_quarantined) == (1, 2)
    with open_store(store_with_data, read_only=True) as s:
        raw = s.con.execute("SELECT raw FROM quarantine WHERE source_line = 2").fetchall()[0][0]
    assert '"preference": "A", "preference": "B"' in raw


def test_duplicate_keys_in_a_json_array_element_refuse_that_record(tmp_path, db):
    path = tmp_path / "pairs.json"
    path.write_text(
        '[{"prompt": "p", "chosen": "x", "rejected": "y"},\n'
        ' {"prompt": "q", "chosen": "x", "chosen": "z", "rejected": "y"}]',
        encoding="utf-8",
    )
    with pytest.raises(InvalidInputError) as err:
        ingest(path, "w1", db=db, fmt="chosen-rejected")
    assert err.value.lines() == ["pairs.json: record 2: duplicate key 'chosen'"]
    assert ingest(path, "w1", db=db, fmt="chosen-rejected", quarantine=True).n_stored == 1


# -- item 11: column names that collide ------------------------------------------------------------------
NAME_CASES = [
    ("one_row.jsonl", [row(Preference="B")], [(1, "Preference", "duplicates 'preference'")]),
    ("across_rows.jsonl", [ROW, {**ROW, "Preference": "B"}], [(2, "Preference", "duplicates 'preference'")]),
    ("spaces.jsonl", [row(**{" preference ": "B"})], [(1, " preference ", "duplicates 'preference'")]),
    ("extras.jsonl", [row(Note="x"), row(note="y")], [(2, "note", "duplicates 'Note'")]),
    ("internal.jsonl", [row(source_line=5)], [(1, "source_line", "qualitylab uses internally")]),
    ("empty_key.jsonl", [{**ROW, "": 1}], [(1, None, "empty column name")]),
    ("nul_key.jsonl", [{**ROW, "x\x00y": 1}], [(1, None, "holds a NUL character")]),
]


@pytest.mark.parametrize("name,rows,expected", NAME_CASES, ids=[c[0] for c in NAME_CASES])
def test_colliding_or_unusable_keys_refuse_the_row(tmp_path, store_with_data, capsys, name, rows, expected):
    err, stderr = refused(write_jsonl(tmp_path / name, rows), store_with_data, capsys)
    got = [(p.line, p.column, p.reason) for p in err.problems]
    assert [(ln, c) for ln, c, _ in got] == [(ln, c) for ln, c, _ in expected]
    for (_, _, reason), (_, _, fragment) in zip(got, expected, strict=True):
        assert fragment in reason
    if name == "one_row.jsonl":
        assert "one_row.jsonl:1: column 'Preference': duplicates 'preference'" in stderr


@pytest.mark.parametrize(
    "header,expected",
    [
        ("comparison_id,annotator_id,preference,Preference", [(1, "Preference", "duplicates 'preference'")]),
        ("comparison_id,annotator_id,preference,preference", [(1, "preference", "repeated column name")]),
        ("comparison_id,annotator_id,preference,source_line", [(1, "source_line", "internally")]),
        ("comparison_id,annotator_id,preference,", [(1, None, "empty column name")]),
    ],
)
def test_a_csv_header_with_colliding_names_refuses_the_file(tmp_path, store_with_data, capsys, header, expected):
    path = tmp_path / "h.csv"
    path.write_text(header + "\nc1,a,A,x\n", encoding="utf-8")
    err, _ = refused(path, store_with_data, capsys, "--quarantine")  # the header is the file's: no quarantine
    assert [(p.line, p.column) for p in err.problems] == [(ln, c) for ln, c, _ in expected]
    assert expected[0][2] in err.problems[0].reason and err.whole_file


@pytest.mark.parametrize("extra", ["Preference", "file_row_number", "source_line"])
def test_parquet_columns_that_collide_refuse_the_file(tmp_path, store_with_data, capsys, extra):
    path = tmp_path / "p.parquet"
    pq.write_table(pa.table({**{k: [v] for k, v in ROW.items()}, extra: ["B"]}), path)
    err, stderr = refused(path, store_with_data, capsys)
    assert err.problems[0].column == extra
    if extra == "Preference":  # DuckDB itself would have renamed it Preference_1 and kept going
        assert "p.parquet: column 'Preference': duplicates 'preference'" in stderr


# -- item 13: files no row of which can be read, and the real problems --------------------------------------------
def test_truncated_fake_and_damaged_parquet_files_are_refused_clearly(tmp_path, store_with_data, capsys):
    good = write_parquet(tmp_path / "good.parquet", _rows(200))
    data = good.read_bytes()
    (tmp_path / "truncated.parquet").write_bytes(data[: len(data) // 2])
    (tmp_path / "fake.parquet").write_text("comparison_id,annotator_id\n", encoding="utf-8")
    for name in ("truncated.parquet", "fake.parquet"):
        err, stderr = refused(tmp_path / name, store_with_data, capsys)
        assert err.lines()[0].startswith(f"{name}: not a readable Parquet file: ")
        assert str(tmp_path) not in stderr  # the file is named, not the path it was read from
    # text that is not UTF-8 inside a valid Parquet file: found when DuckDB reads the page
    bad = pa.array([b"\xff\xfe" + b"x"] * 3, pa.binary()).view(pa.string())
    pq.write_table(pa.table({"comparison_id": bad, "annotator_id": ["a"] * 3, "preference": ["A"] * 3}),
                   tmp_path / "latin.parquet")  # fmt: skip
    err, _ = refused(tmp_path / "latin.parquet", store_with_data, capsys)
    assert "cannot read the Parquet file" in err.problems[0].reason and "not valid UTF8" in err.problems[0].reason


def test_when_no_row_can_be_read_the_real_problems_are_told(tmp_path, store_with_data, capsys):
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes("".join(json.dumps(row(annotator_id="é"), ensure_ascii=False) + "\n" for _ in range(3))
                      .encode("latin-1"))  # fmt: skip
    err, stderr = refused(latin, store_with_data, capsys)
    assert "no row could be read: not valid UTF-8 (3x, first at line 1)" in stderr
    assert "cannot tell the kind" not in stderr and [p.line for p in err.problems] == [1, 2, 3]

    malformed = tmp_path / "malformed.csv"
    malformed.write_text("comparison_id,annotator_id,preference\nc1,a\nc2,b\n", encoding="utf-8")
    err, stderr = refused(malformed, store_with_data, capsys, "--quarantine")
    assert "no row could be read: malformed CSV (2x, first at line 2)" in stderr and err.whole_file

    (tmp_path / "zstd.jsonl").write_bytes(b"\x28\xb5\x2f\xfd" + b"\x00" * 20)
    _, stderr = refused(tmp_path / "zstd.jsonl", store_with_data, capsys)
    assert "zstd.jsonl: the file holds zstd-compressed data" in stderr

    (tmp_path / "utf16.csv").write_bytes("comparison_id,annotator_id,preference\n".encode("utf-16"))
    _, stderr = refused(tmp_path / "utf16.csv", store_with_data, capsys)
    assert "UTF-16" in stderr


def test_lone_surrogates_refuse_the_row_also_with_quarantine(tmp_path, store_with_data, capsys):
    path = tmp_path / "surrogate.jsonl"
    path.write_text(json.dumps(row(prompt="x\ud800")) + "\n" + json.dumps(row(annotator_id="b")) + "\n",
                    encoding="utf-8")  # fmt: skip
    assert "\\ud800" in path.read_text(encoding="utf-8")  # delivered as a JSON escape, as encoders write it
    err, _ = refused(path, store_with_data, capsys)
    assert err.lines() == ["surrogate.jsonl:1: column 'prompt': \\ud800 at character 2 is a lone surrogate, "
                           "not valid Unicode"]  # fmt: skip
    res = ingest(path, "w1", db=store_with_data, quarantine=True)
    assert (res.n_stored, res.n_quarantined) == (1, 1)
    with open_store(store_with_data, read_only=True) as s:
        raw = s.con.execute("SELECT raw FROM quarantine WHERE batch_id = 'w1'").fetchall()[0][0]
    assert json.loads(raw)["prompt"] == "x\ud800"  # kept as delivered, escaped


def test_deeply_nested_json_is_refused_not_a_crash(tmp_path, store_with_data, capsys):
    deep = "[" * 100_000 + "]" * 100_000
    path = tmp_path / "deep.jsonl"
    path.write_text(json.dumps(ROW)[:-1] + f', "x": {deep}}}\n' + json.dumps(row(annotator_id="b")) + "\n",
                    encoding="utf-8")  # fmt: skip
    err, _ = refused(path, store_with_data, capsys)
    assert err.lines() == ["deep.jsonl:1: JSON nested too deeply to read"]
    array = tmp_path / "deep.json"
    array.write_text(f'[{{"prompt": "p", "chosen": "x", "rejected": "y", "x": {deep}}}]', encoding="utf-8")
    err, _ = refused(array, store_with_data, capsys, fmt="chosen-rejected")
    assert "nested too deeply" in err.problems[0].reason


def test_public_format_files_that_are_not_utf8_are_refused_clearly(tmp_path, store_with_data, capsys):
    path = tmp_path / "testset-v1.json"
    path.write_bytes('[{"idx": 1, "instruction": "caf\xe9"}]'.encode("latin-1"))
    err, stderr = refused(path, store_with_data, capsys, fmt="pandalm")
    assert err.lines() == ["testset-v1.json:1:32: not valid UTF-8 (invalid continuation byte)"]
    hh = tmp_path / "hh.jsonl"
    hh.write_bytes(b'{"chosen": "\\n\\nHuman: caf\xe9\\n\\nAssistant: a", "rejected": "x"}\n')
    err, _ = refused(hh, store_with_data, capsys, fmt="chosen-rejected")
    assert err.problems[0].reason.startswith("not valid UTF-8")


# -- item 18: thousands of distinct keys cost O(file) ---------------------------------------------------------
def test_unknown_keys_are_staged_as_one_json_column_not_a_column_each(tmp_path, db):
    rows = [row(comparison_id=f"c{i}", **{f"k{i}_{j}": j for j in range(3)}) for i in range(2_000)]
    from qualitylab.delivered import Delivered
    from qualitylab.readers import iter_jsonl
    from qualitylab.staging import VOCABULARY, stage_records

    con = duckdb.connect()
    staged = stage_records(con, iter_jsonl(Delivered(write_jsonl(tmp_path / "wide.jsonl", rows))))
    columns = [r[0] for r in con.execute("DESCRIBE _staging").fetchall()]
    assert len(columns) <= len(VOCABULARY) + 2 and len(staged.extras) == 6_000  # not one column per key
    res = ingest(tmp_path / "wide.jsonl", "w1", db=db)
    assert len(res.extra_columns) == 6_000
    assert "(5,980 more)" in res.summary()
    got = {r["comparison_id"]: json.loads(r["extra"]) for r in stored_rows(db, "w1")}
    assert got["c7"] == {"k7_0": "0", "k7_1": "1", "k7_2": "2"}  # only the row's own keys, values as text


def test_canonical_columns_of_another_kind_stay_extras(tmp_path, db):
    res = ingest(write_csv(tmp_path / "v.csv", [row(score="5", Vendor_Note="n")]), "w1", db=db)
    assert res.extra_columns == ("score", "Vendor_Note")
    assert json.loads(stored_rows(db, "w1")[0]["extra"]) == {"Vendor_Note": "n", "score": "5"}


# -- item 20: gzip read directly ---------------------------------------------------------------------------------
def test_jsonl_gz_and_csv_gz_are_read_directly(tmp_path, db, capsys):
    text = "".join(json.dumps(r) + "\n" for r in PAIRWISE_ROWS)
    path = tmp_path / "week.jsonl.gz"
    path.write_bytes(gzip.compress(text.encode()))
    res = ingest(path, "w1", db=db)
    delivered = path.read_bytes()
    # the sha256 and size are of the file as delivered (compressed), the lines of the text inside
    assert (res.n_stored, res.sha256) == (3, hashlib.sha256(delivered).hexdigest())
    with open_store(db, read_only=True) as s:
        assert s.con.execute("SELECT size_bytes, format FROM files").fetchall() == [(len(delivered), "jsonl")]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(ROW))
    w.writeheader()
    w.writerows([ROW, row(preference="maybe")])
    bad = tmp_path / "week.csv.gz"
    bad.write_bytes(gzip.compress(buf.getvalue().encode()))
    err, _ = refused(bad, db, capsys)
    assert err.lines() == ["week.csv.gz:3: column 'preference': \"maybe\" is not one of A, B, tie"]


def test_hh_rlhf_ships_as_jsonl_gz_and_is_read_as_published(tmp_path, db):
    records = [
        {"chosen": f"\n\nHuman: q{i}\n\nAssistant: good {i}", "rejected": f"\n\nHuman: q{i}\n\nAssistant: bad {i}"}
        for i in range(5)
    ]
    path = tmp_path / "train.jsonl.gz"
    path.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in records).encode()))
    res = ingest(path, "hh", db=db, fmt="chosen-rejected")
    assert (res.n_stored, res.sha256) == (5, hashlib.sha256(path.read_bytes()).hexdigest())


def test_damaged_gzip_refuses_the_whole_file(tmp_path, store_with_data, capsys):
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(gzip.compress(("".join(json.dumps(r) + "\n" for r in _rows(2_000))).encode())[:-30])
    err, stderr = refused(path, store_with_data, capsys, "--quarantine")
    assert "damaged gzip data" in err.problems[0].reason and err.whole_file
    assert "--quarantine cannot help" in stderr
