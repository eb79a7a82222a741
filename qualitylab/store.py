"""The store: one DuckDB file, its schema version, and the named queries in ``queries/``.

Every value reaches SQL as a bound parameter (``$name``). Queries are files under the repository's
top-level ``queries/`` (installed as the package ``qualitylab.queries``) with a comment header;
:func:`sql` loads one by name.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from .errors import ConflictError, NotFoundError, StoreError
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


_INCLUDE = re.compile(r"^[ \t]*-- include: ([\w/]+)[ \t]*$", re.MULTILINE)


@cache
def sql(name: str) -> str:
    """The text of ``queries/<name>.sql``, each ``-- include: other/query`` line (alone on its line,
    typically the body of a CTE) replaced by the text of that query, so a definition several queries
    share is written once (``items/human_counts``). An included query binds the same named
    parameters as the query that includes it."""
    path = QUERIES_DIR / f"{name}.sql"
    if not path.is_file():
        raise KeyError(f"no query named {name!r} (looked for {path})")
    text = path.read_text(encoding="utf-8")
    return _INCLUDE.sub(lambda m: _included(m.group(1), name), text)


def _included(other: str, by: str) -> str:
    if other == by:
        raise KeyError(f"query {by!r} includes itself")
    return sql(other).strip()


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
            raise store_error(e, self.path, name) from e

    def relation(self, name: str, params: dict[str, Any] | None = None) -> duckdb.DuckDBPyRelation:
        """A named query as a lazy DuckDB relation."""
        try:
            return self.con.sql(sql(name), params=params or {})
        except duckdb.Error as e:
            raise store_error(e, self.path, name) from e

    def arrow(self, name: str, params: dict[str, Any] | None = None) -> pa.Table:
        """The result of a named query as a pyarrow Table."""
        try:
            return self.relation(name, params).to_arrow_table()
        except duckdb.Error as e:
            raise store_error(e, self.path, name) from e

    def df(self, name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        """The result as a pandas DataFrame (through Arrow)."""
        return self.arrow(name, params).to_pandas()

    def rows(self, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.arrow(name, params).to_pylist()
        return rows

    def records(self, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """The rows of a named query as DuckDB's own Python values (``fetchall``), without Arrow: for
        the commands that must start fast (``batches``, the snapshot lookup of ``check``), which then
        never import pyarrow or numpy. The values equal :meth:`rows`' for text, whole numbers up to
        BIGINT, doubles, booleans, dates, timestamps and lists; a HUGEINT is an ``int`` here (a
        ``Decimal`` through Arrow), so these queries cast sums to BIGINT."""
        try:
            cur = self.con.execute(sql(name), params or {})
            cols = [d[0] for d in cur.description or ()]
            return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]
        except duckdb.Error as e:
            raise store_error(e, self.path, name) from e

    def record(self, name: str, params: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """The first row of :meth:`records`, or None."""
        rows = self.records(name, params)
        return rows[0] if rows else None

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
        return _schema_version(self.con, self.path)

    def batch_exists(self, batch_id: str) -> bool:
        return self.record("store/batch_exists", {"batch_id": batch_id}) is not None

    def require_batch(self, batch_id: str) -> None:
        if not self.batch_exists(batch_id):
            names = [r["batch_id"] for r in self.records("store/batch_names")]
            raise NotFoundError(
                "No such batch",
                f"{batch_id!r} is not in {self.path}",
                f"known batches: {', '.join(names) or '(none)'}; list them with `qualitylab batches`",
            )

    def require_open_batch(self, batch_id: str, action: str) -> None:
        """Refuse (exit 4) to change a batch whose decision is in force (``qualitylab decide``):
        nothing a decision or an export rests on may vanish until a later decision reopens it."""
        has = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'decisions'"
        ).fetchall()[0][0]
        row = self.one("decisions/protected", {"batch_id": batch_id}) if has else None
        if row is not None:
            raise ConflictError(
                "Batch is decided",
                f"batch {batch_id!r} has a decision in force ({row['decision']} by {row['decided_by']}, "
                f"decision #{row['decision_id']}): {action} would change what it rests on",
                f"reopen it first: `qualitylab decide --batch {batch_id} --reopen --by NAME --note TEXT`",
            )

    def require_no_later_decision(self, batch_id: str, vendor: str | None, delivered: object, action: str) -> None:
        """Refuse (exit 4) to change a batch that a decided batch's report reads as one of its vendor's
        earlier batches (re-delivered items, week-over-week tests): backdating a delivery, or changing
        an earlier batch, would otherwise change what that decision rests on (decisions/later_decided)."""
        has = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'decisions'"
        ).fetchall()[0][0]
        if not has:
            return
        rows = self.rows("decisions/later_decided", {"batch_id": batch_id, "vendor": vendor, "delivered": delivered})
        if rows:
            r = rows[0]
            more = f" and {len(rows) - 1} other batch(es)" if len(rows) > 1 else ""
            dec = f"{r['decision']} by {r['decided_by']}, decision #{r['decision_id']}"
            raise ConflictError(
                "A later batch is decided",
                f"batch {r['batch_id']!r} (delivered {r['delivered'] or 'on an unknown date'}){more} of the same "
                f"vendor has a decision in force ({dec}) and its report reads batch {batch_id!r} as an earlier "
                f"delivery (re-delivered items, week-over-week tests): {action} would change what that decision "
                "rests on",
                f"reopen it first (`qualitylab decide --batch {r['batch_id']} --reopen --by NAME --note TEXT`), or "
                "give this delivery its real --delivered date",
            )


def _schema_version(con: duckdb.DuckDBPyConnection, path: Path | None = None) -> int:
    """``meta.schema_version`` (0 for a new, empty file). A value that is not a whole number, or a
    database with tables but no ``meta`` (not a qualitylab store), is a :class:`StoreError`."""
    has_meta = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'").fetchall()[0][0]
    if not has_meta:
        n_tables = con.execute("SELECT count(*) FROM information_schema.tables").fetchall()[0][0]
        if n_tables:
            raise StoreError(
                "Not a qualitylab store",
                f"{path or 'the database'} is a DuckDB database with {n_tables} table(s) but no qualitylab schema",
                "point --db / $QUALITYLAB_DB at a qualitylab store, or at a new file to create one",
            )
        return 0
    rows = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
    if not rows:
        return 0
    value = rows[0][0]
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()):
        raise StoreError(
            "Unreadable store version",
            f"{path or 'the store'}: meta.schema_version is {value!r}, not a whole number",
            "the store was edited by hand or not written by qualitylab; restore it from a backup "
            "(migrations cannot tell which tables it holds)",
        )
    return int(text)


def _newer(path: Path | None, version: int) -> StoreError:
    return StoreError(
        "Store is newer than this qualitylab",
        f"{path or 'the store'} has schema version {version}, this qualitylab knows up to {SCHEMA_VERSION}",
        "upgrade qualitylab (`pip install -U qualitylab`); migrations only go forward, so `qualitylab migrate` "
        "cannot help",
    )


def migrate(con: duckdb.DuckDBPyConnection, target: int = SCHEMA_VERSION, path: Path | None = None) -> int:
    """Bring the store to ``target`` (default :data:`SCHEMA_VERSION`), one version per transaction;
    returns the version it started at. ``target`` below the current version is an error (migrations
    only go forward); tests step a store through every version with it."""
    start = _schema_version(con, path)
    if start > SCHEMA_VERSION:
        raise _newer(path, start)
    if not start <= target <= SCHEMA_VERSION:
        raise ValueError(f"cannot migrate from version {start} to {target}")
    for version in range(start, target):
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(MIGRATIONS[version]).fetchall()
            con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', $v)", {"v": str(version + 1)}).fetchall()
            con.execute("COMMIT").fetchall()
        except BaseException:
            _rollback_quietly(con)
            raise
    return start


#: DuckDB settings of every store connection: no extension is ever installed or loaded behind our
#: back (a SQLite file named as the store made DuckDB try to download one).
NO_EXTENSIONS: dict[str, bool] = {
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "allow_community_extensions": False,
}

DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file
_OTHER_FILES: tuple[tuple[bytes, str], ...] = (
    (b"SQLite format 3\x00", "a SQLite database"),
    (b"PAR1", "a Parquet file"),
    (b"\x1f\x8b", "gzip data"),
    (b"PK\x03\x04", "a zip archive"),
)


def not_a_store(p: Path) -> str | None:
    """What ``p`` is when it exists and is not a DuckDB database file (None otherwise).

    Told from the first bytes before DuckDB sees the file, so DuckDB never tries to read it as
    another database kind (it would look for an extension to do so)."""
    try:
        if p.is_dir():
            return "a folder"
        with open(p, "rb") as f:
            head = f.read(16)
    except FileNotFoundError:
        return None
    except OSError as e:
        return f"unreadable ({e.strerror})"
    if head[8:12] == DUCKDB_MAGIC:
        return None
    if not head:
        return "an empty file"
    for magic, what in _OTHER_FILES:
        if head.startswith(magic):
            return what
    return "not a DuckDB database"


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
    Every other failure is a :class:`StoreError` whose hint matches its cause (busy, damaged, not a
    DuckDB file, read-only or immutable file, newer schema, no space, out of memory).
    """
    p = Path(path) if path is not None else default_db_path()
    if read_only and not p.exists():
        raise NotFoundError(
            "No store",
            f"{p} does not exist",
            "ingest a batch first (`qualitylab ingest FILE --batch NAME`) or point "
            "--db / $QUALITYLAB_DB at an existing store",
        )
    what = not_a_store(p)
    if what is not None:
        raise StoreError(
            "Not a DuckDB store",
            f"{p} is {what}",
            "point --db / $QUALITYLAB_DB at a qualitylab store (a DuckDB file), or at a new file name to create one",
        )
    # A bounded buffer pool (DuckDB spills to disk beyond it) and no insertion-order bookkeeping:
    # every stored row carries its source_line, so order is never needed.
    config: dict[str, str | bool | int | float | list[str]] = {
        "memory_limit": memory_limit or os.environ.get("QUALITYLAB_MEMORY_LIMIT") or DEFAULT_MEMORY_LIMIT,
        "preserve_insertion_order": False,
        **NO_EXTENSIONS,
    }
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            con = duckdb.connect(str(p), read_only=read_only, config=config)
            break
        except duckdb.Error as e:
            if not _is_lock_error(e) or time.monotonic() > deadline:
                raise store_error(e, p) from e
            time.sleep(0.2)
    try:
        if read_only:
            v = _schema_version(con, p)
            if v > SCHEMA_VERSION:
                raise _newer(p, v)
            if v != SCHEMA_VERSION:
                raise StoreError(
                    "Store needs migrating",
                    f"{p} has schema version {v}, this qualitylab uses {SCHEMA_VERSION}",
                    "run any writing command (e.g. `qualitylab migrate`) to upgrade it",
                )
        else:
            migrate(con, path=p)
    except BaseException as e:
        con.close()
        if isinstance(e, duckdb.Error):
            raise store_error(e, p) from e
        raise
    return Store(con, p, read_only)


# -- DuckDB errors -> StoreError with the hint of their cause ---------------------------------------------
def _is_lock_error(e: BaseException) -> bool:
    return isinstance(e, duckdb.IOException) and "lock" in str(e).lower()


def _first_paragraph(message: str) -> str:
    return message.split("\n\n", 1)[0].strip()


def store_error(e: duckdb.Error, path: Path | None = None, query: str | None = None) -> StoreError:
    """The one place a DuckDB error becomes a :class:`StoreError`: the real message, a hint by cause."""
    msg = _first_paragraph(str(e))
    low = msg.lower()
    where = f"{path}: " if path is not None else ""
    rolled_back = "the change was rolled back (nothing was written)"
    if _is_lock_error(e):
        return StoreError(
            "Store is busy", where + msg, "another process is writing to it; try again when it has finished"
        )
    if isinstance(e, duckdb.ConnectionException) and "different configuration" in low:
        return StoreError(
            "Store is busy",
            where + msg,
            "this process has the store open for writing while it reads (or back): try again in a moment",
        )
    if isinstance(e, duckdb.TransactionException) and "conflict" in low:
        return StoreError(
            "Store is busy",
            where + msg,
            f"another writer changed the same rows at the same time; {rolled_back}; try again",
        )
    if isinstance(e, duckdb.OutOfMemoryException) or "out of memory" in low:
        limit = os.environ.get("QUALITYLAB_MEMORY_LIMIT") or DEFAULT_MEMORY_LIMIT
        return StoreError(
            "Out of memory",
            where + msg,
            f"DuckDB's memory limit is {limit}: raise it with $QUALITYLAB_MEMORY_LIMIT (e.g. 8GB) or free disk "
            f"space for its spill files; {rolled_back}",
        )
    if any(s in low for s in ("no space left", "disk full", "file too large", "quota exceeded")):
        return StoreError(
            "No space to write the store",
            where + msg,
            f"free disk space where the store and its .wal file live (or raise the file size limit); {rolled_back}",
        )
    if any(s in low for s in ("permission denied", "operation not permitted", "read-only file system")):
        return StoreError(
            "Store is not writable",
            where + msg,
            "the store file or its folder is read-only or immutable for this user (chmod, chattr +i, a read-only "
            "mount): make both writable to ingest; commands that only read (batches, report, check, app) open "
            "it read-only",
        )
    if "corrupt" in low or "checksum" in low or "not a valid duckdb database" in low or "could not read" in low:
        return StoreError(
            "Store is damaged",
            where + msg,
            "the file is truncated or corrupt: restore it from a backup, or ingest the batches again into a new "
            "store (--db NEW_FILE)",
        )
    if "no such file or directory" in low:
        return StoreError(
            "Cannot create the store", where + msg, "the folder does not exist: create it, or choose another --db"
        )
    if isinstance(e, duckdb.IOException):
        return StoreError("Store I/O error", where + msg, "check the disk and the store file's permissions")
    if "invalidated" in low:
        return StoreError(
            "Store connection lost",
            where + msg,
            f"an earlier write failed and DuckDB closed the database; {rolled_back}; open it again",
        )
    title = f"Query {query} failed" if query else "Store error"
    return StoreError(title, where + msg, "this is likely a bug; please report it")


def _rollback_quietly(con: duckdb.DuckDBPyConnection) -> None:
    """ROLLBACK, never masking the error that caused it (a failed rollback is noted, not raised)."""
    try:
        con.execute("ROLLBACK").fetchall()
    except duckdb.Error:
        pass


_WRITERS: dict[str, threading.Lock] = {}
_WRITERS_LOCK = threading.Lock()


@contextmanager
def one_writer(path: Path | None, waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """One writing transaction at a time per store file within this process.

    DuckDB shares one database between the connections a process opens on the same file, so two
    threads writing at once (two uploads in the app) conflict on the catalog and the batch rows;
    other processes are kept out by DuckDB's file lock. ``waiting`` is called while another thread
    writes.
    """
    key = str(path.resolve()) if path is not None else ""
    with _WRITERS_LOCK:
        lock = _WRITERS.setdefault(key, threading.Lock())
    if not lock.acquire(blocking=False):
        if waiting is not None:
            waiting()
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


@contextmanager
def transaction(store: Store) -> Iterator[Store]:
    """All or nothing: commit on success, roll back on any error."""
    store.con.execute("BEGIN TRANSACTION").fetchall()
    try:
        yield store
    except BaseException:
        _rollback_quietly(store.con)
        raise
    else:
        store.con.execute("COMMIT").fetchall()
