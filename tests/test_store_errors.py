"""Opening the store and writing to it when something is wrong (issue 13: items 10, 12, 16).

Every failure is a StoreError (exit 6) whose message is DuckDB's or the OS's own and whose hint
matches the cause; no open triggers network access or extension loading; out-of-range numbers are
refused by validation, never by the INSERT.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import write_csv, write_jsonl
from test_ingest import PAIRWISE_ROWS, snapshot

from qualitylab.cli import main
from qualitylab.errors import ExitCode, InvalidInputError, StoreError
from qualitylab.ingest import ingest
from qualitylab.schema import KINDS, SCHEMA_VERSION
from qualitylab.store import open_store

REPO = Path(__file__).resolve().parents[1]


def run_cli(*argv: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The real command in its own process (its own HOME, memory limit, ...)."""
    return subprocess.run(
        [sys.executable, "-m", "qualitylab.cli", *argv],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


@pytest.fixture
def store(tmp_path) -> Path:
    p = tmp_path / "store.duckdb"
    ingest(write_jsonl(tmp_path / "good.jsonl", PAIRWISE_ROWS), "w0", db=p)
    return p


# -- item 10: no store open loads an extension or touches the network ------------------------------------------
def test_a_sqlite_file_as_the_store_is_refused_without_loading_an_extension(tmp_path):
    sqlite_db = tmp_path / "other.sqlite"
    con = sqlite3.connect(sqlite_db)
    con.execute("CREATE TABLE t (a)")
    con.commit()
    con.close()
    content = sqlite_db.read_bytes()
    # A HOME where DuckDB keeps its extensions, with a planted (not loadable) sqlite extension: the
    # old open downloaded sqlite_scanner from extensions.duckdb.org into it, or tried to load it.
    home = tmp_path / "home"
    platform = duckdb.execute("PRAGMA platform").fetchall()[0][0]
    ext_dir = home / ".duckdb" / "extensions" / f"v{duckdb.__version__}" / platform
    ext_dir.mkdir(parents=True)
    (ext_dir / "sqlite_scanner.duckdb_extension").write_bytes(b"not an extension")
    planted = sorted(p.relative_to(home) for p in home.rglob("*"))
    write_jsonl(tmp_path / "v.jsonl", PAIRWISE_ROWS)
    for argv in (["batches"], ["ingest", str(tmp_path / "v.jsonl"), "--batch", "w1"], ["migrate"]):
        r = run_cli(*argv, "--db", str(sqlite_db), env={"HOME": str(home)})
        assert r.returncode == ExitCode.STORE, r.stderr
        assert f"error: Not a DuckDB store: {sqlite_db} is a SQLite database" in r.stderr
        assert "xtension" not in r.stderr and "http" not in r.stderr and "Traceback" not in r.stderr
    assert sorted(p.relative_to(home) for p in home.rglob("*")) == planted  # nothing downloaded
    assert sqlite_db.read_bytes() == content


def test_every_store_connection_has_extension_autoloading_off(store):
    for read_only in (True, False):
        with open_store(store, read_only=read_only) as s:
            settings = dict(
                s.con.execute(
                    "SELECT name, value FROM duckdb_settings() WHERE name IN "
                    "('autoload_known_extensions', 'autoinstall_known_extensions', 'allow_community_extensions')"
                ).fetchall()
            )
            assert settings == dict.fromkeys(settings, "false") and len(settings) == 3
            # a query that would make DuckDB fetch httpfs is refused at once, nothing is installed
            with pytest.raises(duckdb.Error, match="(?i)not (loaded|found|installed)|autoload"):
                s.con.execute("SELECT * FROM read_csv('https://127.0.0.1:9/x.csv')").fetchall()


# -- item 16: the hint matches the cause ----------------------------------------------------------------
def _expect(path: Path, title: str, hint: str, capsys, *, read_only: bool) -> str:
    """The open fails with ``title`` and a hint holding ``hint`` (never "another process ..."),
    also through the CLI (exit 6); returns the CLI's stderr."""
    with pytest.raises(StoreError) as err:
        open_store(path, read_only=read_only, wait_seconds=0)
    assert err.value.title == title, (err.value.title, err.value.message)
    assert hint in err.value.hint and "another process" not in err.value.hint
    argv = ["batches", "--db", str(path)] if read_only else ["migrate", "--db", str(path)]
    assert main(argv) == ExitCode.STORE
    stderr = capsys.readouterr().err
    assert f"error: {title}" in stderr and "Traceback" not in stderr
    return stderr


@pytest.mark.parametrize("read_only", [True, False])
def test_open_failures_are_told_by_their_cause(tmp_path, store, capsys, read_only):
    data = store.read_bytes()
    damaged = tmp_path / "damaged.duckdb"
    damaged.write_bytes(data[:8192] + bytes(b ^ 0xFF for b in data[8192:16384]) + data[16384:])
    _expect(damaged, "Store is damaged", "restore it from a backup", capsys, read_only=read_only)
    truncated = tmp_path / "truncated.duckdb"
    truncated.write_bytes(data[:3000])
    _expect(truncated, "Store is damaged", "restore it from a backup", capsys, read_only=read_only)
    for name, content, what in [
        ("text.duckdb", b"hello\n" * 100, "not a DuckDB database"),
        ("empty.duckdb", b"", "an empty file"),
        ("data.duckdb", b"PAR1" + b"\x00" * 100, "a Parquet file"),
    ]:
        (tmp_path / name).write_bytes(content)
        stderr = _expect(tmp_path / name, "Not a DuckDB store", "(a DuckDB file)", capsys, read_only=read_only)
        assert f"{tmp_path / name} is {what}" in stderr
    (tmp_path / "folder.duckdb").mkdir()
    _expect(tmp_path / "folder.duckdb", "Not a DuckDB store", "--db", capsys, read_only=read_only)
    other = tmp_path / "other.duckdb"
    with duckdb.connect(str(other)) as con:
        con.execute("CREATE TABLE customers (id INTEGER)")
    _expect(other, "Not a qualitylab store", "--db", capsys, read_only=read_only)


def test_a_busy_store_says_so(tmp_path, store):
    code = "import sys, time; from qualitylab.store import open_store\nwith open_store(sys.argv[1]):\n"
    code += "    print('locked', flush=True); time.sleep(5)"
    proc = subprocess.Popen([sys.executable, "-c", code, str(store)], stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        for read_only in (True, False):
            with pytest.raises(StoreError) as err:
                open_store(store, read_only=read_only, wait_seconds=0)
            assert err.value.title == "Store is busy" and "another process is writing" in err.value.hint
    finally:
        proc.wait(timeout=30)


def _make_read_only(*paths: Path) -> list[list[str]]:
    """Make files/folders unwritable even for root (chattr +i); the commands that undo it."""
    undo = []
    for p in paths:
        if os.geteuid() == 0:
            r = subprocess.run(["chattr", "+i", str(p)], capture_output=True)
            if r.returncode != 0:
                pytest.skip(f"root cannot make {p} read-only here (chattr: {r.stderr.decode().strip()})")
            undo.append(["chattr", "-i", str(p)])
        else:
            p.chmod(0o555 if p.is_dir() else 0o444)
            undo.append(["chmod", "u+w", str(p)])
    return undo


@pytest.mark.parametrize("what", ["file", "folder"])
def test_an_immutable_or_read_only_store_says_so_and_can_still_be_read(tmp_path, store, capsys, what):
    # an immutable file cannot be opened for writing; in an immutable folder the WAL cannot be
    # created beside the store, so the write fails at COMMIT
    before = snapshot(store)
    undo = _make_read_only(store if what == "file" else store.parent)
    try:
        delivered = REPO / "sample_data" / "acme-w1-pairwise.jsonl"
        assert main(["ingest", str(delivered), "--batch", "w1", "--db", str(store)]) == ExitCode.STORE
        err = capsys.readouterr().err
        assert "error: Store is not writable" in err and "another process" not in err and "Traceback" not in err
        assert ("Operation not permitted" in err) or ("Permission denied" in err)  # the OS's own words
        assert main(["batches", "--db", str(store)]) == 0  # reading still works
    finally:
        for cmd in undo:
            subprocess.run(cmd, check=True)
    assert snapshot(store) == before


@pytest.mark.parametrize("value", ["4.0", "four", "", " 4; DROP TABLE x"])
def test_a_schema_version_that_is_not_a_whole_number(tmp_path, store, capsys, value):
    with duckdb.connect(str(store)) as con:
        con.execute("UPDATE meta SET value = $v WHERE key = 'schema_version'", {"v": value})
    for argv in (["batches"], ["migrate"]):
        assert main([*argv, "--db", str(store)]) == ExitCode.STORE
        err = capsys.readouterr().err
        assert "error: Unreadable store version" in err and repr(value) in err and "Traceback" not in err


def test_a_newer_store_is_not_told_to_migrate(tmp_path, store, capsys):
    with duckdb.connect(str(store)) as con:
        con.execute("UPDATE meta SET value = $v WHERE key = 'schema_version'", {"v": str(SCHEMA_VERSION + 1)})
    for argv in (["batches"], ["report", "--batch", "w0", "--json"], ["migrate"]):
        assert main([*argv, "--db", str(store)]) == ExitCode.STORE
        err = capsys.readouterr().err
        assert "error: Store is newer than this qualitylab" in err
        assert "hint: upgrade qualitylab" in err and "run any writing command" not in err


# -- item 12: numbers out of their column's range; I/O and memory errors with their real message ---------------
BAD_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e10", "-1e10", "1e400", "2147483648", "0x10"]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_numeric_column_refuses_numbers_out_of_its_range_in_validation(tmp_path, store, kind):
    """For every number/integer column of every kind: NaN, infinities and huge values are either
    stored (a DOUBLE holds 1e10) or refused by validation, naming the column; never a store error."""
    spec = KINDS[kind]
    base = {c: "x" for c in spec.required}
    numeric = [c for c in spec.columns if c.type in ("number", "integer")]
    rows = []
    for col in numeric:
        for v in BAD_NUMBERS:
            good_required = {c.name: ("1" if c.type in ("number", "integer") else "x") for c in spec.columns
                             if c.required}  # fmt: skip
            rows.append({**base, **good_required, col.name: v, "case": f"{col.name}={v}"})
    path = write_csv(tmp_path / f"{kind}.csv", rows)
    before = snapshot(store)
    try:
        res = ingest(path, "w1", db=store, kind=kind, quarantine=True)
    except StoreError as e:  # pragma: no cover - the defect this test holds
        pytest.fail(f"a number reached the INSERT: {e.message}")
    assert snapshot(store) != before
    with open_store(store, read_only=True) as s:
        refused = {(c, reason) for c, reason in s.con.execute(
            "SELECT column_name, reason FROM quarantine WHERE batch_id = 'w1'").fetchall()}  # fmt: skip
    refused_cols = {c for c, _ in refused}
    for col in numeric:
        if col.type == "integer":  # rank, strength: only small whole numbers are stored
            assert col.name in refused_cols
    assert res.n_quarantined > 0


def test_rank_nan_infinity_and_1e10_are_refused_by_validation(tmp_path, store, capsys):
    path = tmp_path / "rank.csv"
    path.write_text(
        "prompt_id,annotator_id,response_id,rank\np,a,x,NaN\np,a,y,Infinity\np,a,z,1e10\np,a,w,1\n", encoding="utf-8"
    )
    before = snapshot(store)
    with pytest.raises(InvalidInputError) as err:
        ingest(path, "w1", db=store)
    assert [(p.line, p.column) for p in err.value.problems] == [(2, "rank"), (3, "rank"), (4, "rank")]
    assert all("is not a positive integer (1 to 2147483647)" in p.reason for p in err.value.problems)
    assert main(["ingest", str(path), "--batch", "w1", "--db", str(store)]) == ExitCode.INVALID_INPUT
    assert "rank.csv:4: column 'rank': \"1e10\" is not a positive integer" in capsys.readouterr().err
    assert snapshot(store) == before


def test_no_space_left_on_device_is_a_store_error_with_the_real_message(tmp_path, store):
    """The store's WAL on /dev/full: every write fails with ENOSPC, as on a full disk."""
    before = snapshot(store)
    wal = Path(str(store) + ".wal")
    assert not wal.exists()
    wal.symlink_to("/dev/full")
    try:
        r = run_cli("ingest", str(REPO / "sample_data" / "acme-w1-pairwise.jsonl"), "--batch", "w1", "--db", str(store))
    finally:
        wal.unlink()
    assert r.returncode == ExitCode.STORE, r.stderr
    assert "error: No space to write the store" in r.stderr and "No space left on device" in r.stderr
    assert "free disk space" in r.stderr and "Traceback" not in r.stderr and "likely a bug" not in r.stderr
    assert snapshot(store) == before


def test_out_of_memory_is_a_store_error_with_the_real_message(tmp_path, store):
    rows = [dict(PAIRWISE_ROWS[0], comparison_id=f"c{i}", prompt="x" * 2000, response_a="y " * 1000)
            for i in range(20_000)]  # fmt: skip
    path = write_jsonl(tmp_path / "big.jsonl", rows)
    before = snapshot(store)
    r = run_cli("ingest", str(path), "--batch", "w1", "--db", str(store), env={"QUALITYLAB_MEMORY_LIMIT": "4MB"})
    assert r.returncode == ExitCode.STORE, r.stderr
    assert "error: Out of memory" in r.stderr and "Out of Memory Error" in r.stderr  # DuckDB's own words
    assert "QUALITYLAB_MEMORY_LIMIT" in r.stderr and "Traceback" not in r.stderr
    assert snapshot(store) == before


def test_a_failed_rollback_never_masks_the_error(tmp_path, store):
    """After a fatal write error DuckDB refuses even ROLLBACK and DROP; the first error is the one shown."""
    wal = Path(str(store) + ".wal")
    wal.symlink_to("/dev/full")
    try:
        with pytest.raises(StoreError) as err:
            ingest(REPO / "sample_data" / "acme-w1-pairwise.jsonl", "w1", db=store)
    finally:
        wal.unlink()
    assert "No space left on device" in err.value.message
    assert "transaction is aborted" not in err.value.message.lower()
