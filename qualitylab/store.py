"""The store: one DuckDB file, its schema version, and the named queries in ``queries/``.

Every value reaches SQL as a bound parameter (``$name``). Queries are files under the repository's
top-level ``queries/`` (installed as the package ``qualitylab.queries``) with a comment header;
:func:`sql` loads one by name.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from .errors import NotFoundError, StoreError
from .schema import MIGRATIONS, SCHEMA_VERSION

if TYPE_CHECKING:  # heavy imports, for annotations only
    import pandas as pd
    import pyarrow as pa


def _queries_dir() -> Path:
    """Where the ``.sql`` files are: the installed package ``qualitylab.queries`` (a wheel, or an
    editable install mapping it to the checkout's ``queries/``), else ``queries/`` beside the package
    (a checkout on ``sys.path`` without an install)."""
    try:
        from importlib.resources import files

        return Path(str(files("qualitylab.queries")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[1] / "queries"


QUERIES_DIR = _queries_dir()
DEFAULT_DB = "qualitylab.duckdb"
DEFAULT_MEMORY_LIMIT = "2GB"  # DuckDB's buffer pool; $QUALITYLAB_MEMORY_LIMIT or memory_limit= overrides


def default_db_path() -> Path:
    """``$QUALITYLAB_DB`` if set, else ``./qualitylab.duckdb``."""
    return Path(os.environ.get("QUALITYLAB_DB") or DEFAULT_DB)


@cache
def sql(name: str) -> str:
    """The text of ``queries/<name>.sql``."""
    path = QUERIES_DIR / f"{name}.sql"
    if not path.is_file():
        raise KeyError(f"no query named {name!r} (looked for {path})")
    return path.read_text(encoding="utf-8")


def query_names() -> list[str]:
    return sorted(str(p.relative_to(QUERIES_DIR).with_suffix("")) for p in QUERIES_DIR.rglob("*.sql"))


class Store:
    """A connection to the store with named-query helpers.

    Open with :func:`open_store`. ``read_only`` stores never write; the app and the report open the
    store that way. Use as a context manager so the file lock is released promptly.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path | None, read_only: bool):
        self.con = con
        self.path = path
        self.read_only = read_only

    # -- named queries -------------------------------------------------------------------------
    def execute(self, name: str, params: dict[str, Any] | None = None) -> None:
        """Run a named statement (INSERT, DELETE, ...) to completion."""
        try:
            self.con.execute(sql(name), params or {}).fetchall()
        except duckdb.Error as e:
            raise StoreError(f"Query {name} failed", str(e), "this is likely a bug; please report it") from e

    def relation(self, name: str, params: dict[str, Any] | None = None) -> duckdb.DuckDBPyRelation:
        """A named query as a lazy DuckDB relation."""
        try:
            return self.con.sql(sql(name), params=params or {})
        except duckdb.Error as e:
            raise StoreError(f"Query {name} failed", str(e), "this is likely a bug; please report it") from e

    def arrow(self, name: str, params: dict[str, Any] | None = None) -> pa.Table:
        """The result of a named query as a pyarrow Table."""
        try:
            return self.relation(name, params).to_arrow_table()
        except duckdb.Error as e:
            raise StoreError(f"Query {name} failed", str(e), "this is likely a bug; please report it") from e

    def df(self, name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        """The result as a pandas DataFrame (through Arrow)."""
        return self.arrow(name, params).to_pandas()

    def rows(self, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.arrow(name, params).to_pylist()
        return rows

    def one(self, name: str, params: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """The first row of a named query, or None when it returns none."""
        rows = self.rows(name, params)
        return rows[0] if rows else None

    def first(self, name: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """The first row of a named query that always returns one (an aggregate, a next id)."""
        row = self.one(name, params)
        if row is None:
            raise StoreError(f"Query {name} returned no row", "", "this is likely a bug; please report it")
        return row

    # -- lifecycle -------------------------------------------------------------------------------
    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def schema_version(self) -> int:
        return _schema_version(self.con)

    def batch_exists(self, batch_id: str) -> bool:
        return self.one("store/batch_exists", {"batch_id": batch_id}) is not None

    def require_batch(self, batch_id: str) -> None:
        if not self.batch_exists(batch_id):
            names = [r["batch_id"] for r in self.rows("store/batch_names")]
            raise NotFoundError(
                "No such batch",
                f"{batch_id!r} is not in {self.path}",
                f"known batches: {', '.join(names) or '(none)'}; list them with `qualitylab batches`",
            )


def _schema_version(con: duckdb.DuckDBPyConnection) -> int:
    has_meta = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'").fetchall()[0][0]
    if not has_meta:
        return 0
    rows = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
    return int(rows[0][0]) if rows else 0


def migrate(con: duckdb.DuckDBPyConnection, target: int = SCHEMA_VERSION) -> int:
    """Bring the store to ``target`` (default :data:`SCHEMA_VERSION`), one version per transaction;
    returns the version it started at. ``target`` below the current version is an error (migrations
    only go forward); tests step a store through every version with it."""
    start = _schema_version(con)
    if start > SCHEMA_VERSION:
        raise StoreError(
            "Store is newer than this qualitylab",
            f"schema version {start}, this qualitylab knows up to {SCHEMA_VERSION}",
            "upgrade qualitylab",
        )
    if not start <= target <= SCHEMA_VERSION:
        raise ValueError(f"cannot migrate from version {start} to {target}")
    for version in range(start, target):
        con.execute("BEGIN TRANSACTION")
        con.execute(MIGRATIONS[version]).fetchall()
        con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', $v)", {"v": str(version + 1)}).fetchall()
        con.execute("COMMIT").fetchall()
    return start


def open_store(
    path: str | os.PathLike[str] | None = None,
    *,
    read_only: bool = False,
    memory_limit: str | None = None,
    wait_seconds: float = 10.0,
) -> Store:
    """Open (and for writers, create and migrate) the store.

    A read-only open of a missing file raises :class:`NotFoundError`. While another process writes,
    DuckDB holds a file lock; we retry for ``wait_seconds`` before giving up with a clear error.
    """
    p = Path(path) if path is not None else default_db_path()
    if read_only and not p.exists():
        raise NotFoundError(
            "No store",
            f"{p} does not exist",
            "ingest a batch first (`qualitylab ingest FILE --batch NAME`) or point "
            "--db / $QUALITYLAB_DB at an existing store",
        )
    # A bounded buffer pool (DuckDB spills to disk beyond it) and no insertion-order bookkeeping:
    # every stored row carries its source_line, so order is never needed.
    config: dict[str, str | bool | int | float | list[str]] = {
        "memory_limit": memory_limit or os.environ.get("QUALITYLAB_MEMORY_LIMIT") or DEFAULT_MEMORY_LIMIT,
        "preserve_insertion_order": False,
    }
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            con = duckdb.connect(str(p), read_only=read_only, config=config)
            break
        except duckdb.IOException as e:
            if "lock" not in str(e).lower() or time.monotonic() > deadline:
                raise StoreError(
                    "Store is busy" if "lock" in str(e).lower() else "Cannot open store",
                    f"{p}: {e}",
                    "another process is writing to it; try again when it has finished",
                ) from e
            time.sleep(0.2)
    if read_only:
        v = _schema_version(con)
        if v != SCHEMA_VERSION:
            con.close()
            raise StoreError(
                "Store needs migrating",
                f"{p} has schema version {v}, this qualitylab uses {SCHEMA_VERSION}",
                "run any writing command (e.g. `qualitylab migrate`) to upgrade it",
            )
    else:
        migrate(con)
    return Store(con, p, read_only)


@contextmanager
def transaction(store: Store) -> Iterator[Store]:
    """All or nothing: commit on success, roll back on any error."""
    store.con.execute("BEGIN TRANSACTION").fetchall()
    try:
        yield store
    except BaseException:
        store.con.execute("ROLLBACK").fetchall()
        raise
    else:
        store.con.execute("COMMIT").fetchall()
