"""Shared fixtures: a real DuckDB store file per test, and helpers to write delivered files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# The real public data sets: ../shared/realdata beside a checkout, else the byte-identical copies
# shipped in sample_data/ (same layout: pandalm/data/..., llmbar-mtbench/...).
REALDATA = REPO.parent / "shared" / "realdata"
if not REALDATA.is_dir():
    REALDATA = REPO / "sample_data"


@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    """A fresh store path; $QUALITYLAB_DB points at it."""
    p = tmp_path / "store.duckdb"
    monkeypatch.setenv("QUALITYLAB_DB", str(p))
    return p


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory) -> Path:
    """The sample delivery (``qualitylab.sample.load_sample``: batches only, no contract, no snapshots),
    once per test module; modules that need another sample store define their own ``sample_db``."""
    from qualitylab.sample import load_sample

    db = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    for _ in load_sample(db):
        pass
    return db


@pytest.fixture
def on_sample(sample_db, monkeypatch) -> Path:
    """:func:`sample_db`, with $QUALITYLAB_DB pointing at it (the app reads it)."""
    monkeypatch.setenv("QUALITYLAB_DB", str(sample_db))
    return sample_db


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def write_csv(path: Path, rows: list[dict]) -> Path:
    cols = list(dict.fromkeys(k for r in rows for k in r))
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)
    return path


def write_parquet(path: Path, rows: list[dict]) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


WRITERS = {"jsonl": write_jsonl, "csv": write_csv, "parquet": write_parquet}


def verdicts(rows: list[tuple]) -> list[dict]:
    """(comparison_id, annotator_id, preference, *optional) tuples -> pairwise rows."""
    return [{"comparison_id": c, "annotator_id": a, "preference": p} for c, a, p in rows]


def rows(db, sql: str, params: list | None = None) -> list[dict]:
    """The rows of ``sql`` on the store file ``db`` (opened read-only) as dicts by column name."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute(sql, params or [])
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()
