"""Ingest one delivered file into a batch: read, map columns, validate, store — in one transaction.

By default a file with any invalid row is refused whole (nothing stored, every bad row listed).
With ``quarantine=True`` the valid rows are stored and the invalid ones kept, with their reasons,
in the ``quarantine`` table.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from . import __version__, duplicates, scales
from .delivered import Delivered
from .errors import ConflictError, InvalidInputError, NotFoundError, RowProblem, StoreError, UsageError
from .parquet import parquet_refusal, parquet_view
from .readers import FILE_FORMATS, format_from_suffix, iter_csv, iter_jsonl
from .schema import KINDS, Kind, detect_kind, quote_ident
from .staging import EXTRA, stage_records
from .store import Store, one_writer, open_store, store_error, transaction

MODES = ("new", "replace", "append")


@dataclass(frozen=True)
class IngestResult:
    batch_id: str
    file_name: str
    kind: str
    status: str  # stored | unchanged
    file_id: int | None = None
    n_rows: int = 0
    n_stored: int = 0
    n_quarantined: int = 0
    sha256: str = ""
    extra_columns: tuple[str, ...] = ()
    problems: tuple[RowProblem, ...] = field(default=(), repr=False)
    unit: str = "line"  # what a problem's number counts: line | row | record
    removed_judge_runs: tuple[str, ...] = ()  # --replace: judge runs computed on the replaced rows

    def summary(self) -> str:
        if self.status == "unchanged":
            return (
                f"{self.file_name} is already in batch {self.batch_id!r} (sha256 {self.sha256[:12]}…): nothing changed"
            )
        s = f"batch {self.batch_id!r}: stored {self.n_stored} {self.kind} row(s) from {self.file_name}"
        if self.n_quarantined:
            s += f"; {self.n_quarantined} row(s) quarantined with their reasons"
        if self.extra_columns:
            s += f"; extra columns kept in 'extra': {_names(list(self.extra_columns))}"
        if self.removed_judge_runs:
            s += (
                f"; removed {len(self.removed_judge_runs)} judge run(s) computed on the replaced rows "
                f"({'; '.join(self.removed_judge_runs)}): rerun `qualitylab judge` to judge the new texts "
                "(calls whose texts did not change come from the cache)"
            )
        return s


def ingest(
    path: str | os.PathLike,
    batch_id: str,
    *,
    db: str | os.PathLike | None = None,
    store: Store | None = None,
    vendor: str | None = None,
    delivered: str | dt.date | None = None,
    kind: str | None = None,
    fmt: str | None = None,
    quarantine: bool = False,
    mode: str = "new",
    progress: Callable[[str], None] | None = None,
    labels: str | None = None,
    scale: Sequence[str] = (),
    on_stored: Callable[[Store], None] | None = None,
) -> IngestResult:
    """Ingest ``path`` into ``batch_id``. See the module docstring and README "Ingest".

    ``labels`` (``"A,B"`` or ``"A,B,tie"``) and ``scale`` (``["[ASPECT=]LOW-HIGH", ...]``) declare the
    batch's scale (qualitylab/scales.py); without them a public format's adapter may declare the
    labels, else the scale is inferred from the delivered rows.

    ``on_stored(store)`` runs inside the ingest's transaction after the rows are stored (e.g. the
    contract link of ``ingest --contract``): if it raises, nothing is stored. A batch whose
    decision is in force is refused (exit 4) unless the file is already in it.
    """
    path = Path(path)
    if not path.is_file():
        raise NotFoundError("No such file", str(path), "check the path")
    if not batch_id or not batch_id.strip():
        raise UsageError("Missing batch name", "--batch must not be empty")
    if mode not in MODES:
        raise UsageError("Unknown mode", mode, f"one of {', '.join(MODES)}")
    if kind is not None and kind not in KINDS:
        raise UsageError("Unknown kind", repr(kind), f"one of {', '.join(KINDS)}")
    delivered_date = _parse_date(delivered)
    from .adapters import ADAPTERS

    fmt = (fmt or format_from_suffix(path)).lower()
    if fmt not in FILE_FORMATS and fmt not in ADAPTERS:
        raise UsageError("Unknown format", repr(fmt), f"one of {', '.join(FILE_FORMATS + tuple(ADAPTERS))}")
    adapter = ADAPTERS.get(fmt)
    decl = scales.declaration(
        labels,
        scale,
        adapter=fmt,
        adapter_labels=adapter.labels if adapter else None,
        adapter_scale=adapter.scale if adapter else (),
    )
    say = progress or (lambda msg: None)
    try:
        source = Delivered(path)  # size, mtime and inode before the first read
    except OSError as e:
        raise NotFoundError("Cannot read the file", f"{path}: {e.strerror}", "check that it is readable") from None

    own = store is None
    store = store or open_store(db)
    ok = False
    try:
        with one_writer(store.path, lambda: say("waiting for another ingest into this store to finish")):
            result = _ingest(
                store, source, batch_id, vendor, delivered_date, kind, fmt, quarantine, mode, say, decl, on_stored
            )
        ok = True
        return result
    except (duckdb.Error, StoreError) as e:
        cause = e.__cause__ if isinstance(e, StoreError) else e
        if fmt == "parquet" and isinstance(cause, duckdb.Error):  # the file's fault, or the store's?
            if (refusal := parquet_refusal(source, cause)) is not None:
                raise refusal from None
        if isinstance(e, StoreError):
            raise
        raise store_error(e, store.path) from e
    except MemoryError:
        raise StoreError(
            "Out of memory",
            f"reading {path.name}",
            "free memory or ingest the file on a larger machine; nothing was stored",
        ) from None
    except OSError as e:
        raise NotFoundError("Cannot read the file", f"{path.name}: {e.strerror or e}", "check it is readable") from e
    finally:
        for obj in ("VIEW _src", "VIEW _file", "TABLE _staging", "TABLE _bad", "TABLE _problems"):
            with suppress(duckdb.Error):  # cleanup never masks the error being raised
                store.con.execute(f"DROP {obj.split()[0]} IF EXISTS {obj.split()[1]}")
        if own:
            if ok:
                store.close()
            else:
                with suppress(duckdb.Error):
                    store.close()


def _parse_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise UsageError("Bad date", f"--delivered {value!r}", "use YYYY-MM-DD") from None


def _unchanged(existing: list[dict], batch_id: str, source: Delivered, sha256: str) -> IngestResult | None:
    same = next((f for f in existing if f["sha256"] == sha256), None)
    if same is None:
        return None
    source.check_unchanged()
    return IngestResult(
        batch_id,
        source.name,
        same["kind"],
        "unchanged",
        same["file_id"],
        same["n_rows"],
        same["n_stored"],
        same["n_quarantined"],
        sha256,
    )


def _ingest(
    store: Store,
    source: Delivered,
    batch_id: str,
    vendor,
    delivered,
    kind,
    fmt,
    quarantine,
    mode,
    say,
    decl,
    on_stored: Callable[[Store], None] | None = None,
) -> IngestResult:
    con = store.con
    path = source.path
    existing = store.rows("ingest/batch_files", {"batch_id": batch_id})
    if fmt == "parquet":  # random access: hashed once before DuckDB reads it
        if (same := _unchanged(existing, batch_id, source, source.digest()[0])) is not None:
            return same
    batch = store.one("ingest/batch_row", {"batch_id": batch_id})
    if fmt == "parquet":  # fail before reading; line files: once the bytes are known
        if batch is not None:
            store.require_open_batch(batch_id, f"ingesting {path.name}")
        store.require_no_later_decision(batch_id, vendor, delivered, f"ingesting {path.name}")
    if batch and vendor and batch["vendor"] and batch["vendor"] != vendor:
        raise ConflictError(
            "Vendor differs", f"batch {batch_id!r} belongs to vendor {batch['vendor']!r}", "use another batch name"
        )

    with transaction(store):
        # 1. read into a staged relation: canonical columns by their canonical names, the rest as extras
        from .adapters import ADAPTERS

        unit = "line"
        syntax: list[RowProblem] = []
        if fmt == "parquet":
            unit = "row"
            present, _, n_rows = parquet_view(con, source)
            found = list(present.values())
            line_expr = "file_row_number + 1"
        else:
            if fmt == "jsonl":
                records = iter_jsonl(source)
            elif fmt == "csv":
                records = iter_csv(source)
            else:
                adapter = ADAPTERS[fmt]
                unit = adapter.unit
                kind = kind or adapter.kind
                records = adapter.read(source)
            staged = stage_records(con, records, progress=lambda n: say(f"read {n:,} rows of {path.name}"))
            if (same := _unchanged(existing, batch_id, source, source.digest()[0])) is not None:
                return same
            syntax, n_rows = staged.problems, staged.n_rows
            if staged.n_staged == 0 and syntax:
                raise InvalidInputError(path.name, syntax, unit, summary=nothing_read(syntax, unit), whole_file=True)
            present = {c: c for c in staged.columns}
            found = [staged.spelling[c] for c in staged.columns] + staged.extras
            con.execute("CREATE OR REPLACE TEMP VIEW _file AS SELECT * FROM _staging")
            line_expr = "source_line"
        source.check_unchanged()
        if batch is not None:  # a decided batch must not change (the same file again returned above)
            store.require_open_batch(batch_id, f"ingesting {path.name}")
        store.require_no_later_decision(batch_id, vendor, delivered, f"ingesting {path.name}")
        if n_rows == 0:
            raise InvalidInputError(path.name, [RowProblem(None, None, "the file holds no rows")], unit)

        # 2. the kind, the required columns, the mapping onto canonical names
        kind = kind or detect_kind(present)
        if kind is None:
            # the file as a whole: no row is invalid, its columns name no kind (never "1 invalid row(s)")
            raise InvalidInputError(
                path.name,
                [
                    RowProblem(
                        None,
                        None,
                        f"cannot tell the kind of rows from the columns {_names(sorted(found))}; "
                        f"name it with --kind ({', '.join(KINDS)})",
                    )
                ],
                unit,
                summary=f"the kind of rows cannot be detected from its columns {_names(sorted(found))}",
                whole_file=True,
                fix=(
                    f"name the kind ({', '.join(KINDS)}): --kind on the command line, 'Kind of rows' in the app; "
                    "or rename its columns to the canonical ones (README, 'The canonical format'); "
                    "--quarantine cannot help"
                ),
            )
        spec = KINDS[kind]
        missing = [c for c in spec.required if c not in present]
        if missing:
            raise InvalidInputError(
                path.name,
                [
                    RowProblem(
                        1 if fmt == "csv" else None,
                        c,
                        f"required column is missing (columns found: {_names(found)})",
                    )
                    for c in missing
                ],
                unit,
            )
        if fmt == "parquet":
            extras = tuple(present[c] for c in present if c not in spec.names)
            con.execute(_projection(spec, present, _struct_json(extras), line_expr))
        else:
            other = [c for c in staged.columns if c not in spec.names]  # canonical names of another kind
            extras = tuple(staged.spelling[c] for c in other) + tuple(staged.extras)
            con.execute(_projection(spec, present, _merged_extra(other, staged.spelling), line_expr))

        # 3. validate: one row per problem
        say(f"validating {n_rows:,} rows")
        scale_plan, scale_problems = scales.prepare(store, batch_id, kind, decl, mode)
        problems = (
            syntax
            + [
                RowProblem(r["source_line"], r["column_name"], r["reason"])
                for r in store.rows(f"ingest/validate_{kind}")
            ]
            + scale_problems
        )
        problems.sort(key=lambda p: (p.line or 0, p.column or ""))
        bad_lines = sorted({p.line for p in problems if p.line is not None})
        if problems and not quarantine:
            raise InvalidInputError(path.name, problems, unit, n_bad_rows=len(bad_lines))

        # 4. store
        removed_runs: tuple[str, ...] = ()
        if batch is None:
            store.execute("ingest/insert_batch", {"batch_id": batch_id, "vendor": vendor, "delivered": delivered})
        else:
            if (vendor and not batch["vendor"]) or delivered:
                store.execute("ingest/update_batch", {"batch_id": batch_id, "vendor": vendor, "delivered": delivered})
            same_kind = [f for f in existing if f["kind"] == kind]
            if same_kind and mode == "new":
                raise ConflictError(
                    "Batch exists",
                    f"batch {batch_id!r} already holds {kind} data from "
                    f"{', '.join(f['file_name'] for f in same_kind)} (a different file)",
                    "use --replace to replace the batch's rows of this kind, or --append to add this file",
                )
            if same_kind and mode == "replace":
                removed_runs = _replace(store, batch_id, kind, same_kind)
        file_id = store.first("ingest/next_file_id")["file_id"]
        con.execute("CREATE OR REPLACE TEMP TABLE _bad (source_line BIGINT)")
        if bad_lines:
            con.executemany("INSERT INTO _bad VALUES (?)", [[x] for x in bad_lines])
        say(f"storing {n_rows - len(bad_lines):,} rows")
        _register_tokens(con)
        try:
            store.execute(f"ingest/insert_{kind}", {"batch_id": batch_id, "file_id": file_id})
        finally:
            with suppress(duckdb.Error):
                con.remove_function(TOKENS_FUNCTION)
        n_stored = store.first(f"ingest/count_file_{kind}", {"file_id": file_id})["n"]
        if problems:
            _quarantine(store, batch_id, file_id, problems)
        n_quarantined = len(bad_lines) + sum(1 for p in problems if p.line is None)
        source.check_unchanged()  # DuckDB read a Parquet file up to the INSERT
        sha256, size = source.digest()
        store.execute(
            "ingest/insert_file",
            {
                "file_id": file_id,
                "batch_id": batch_id,
                "kind": kind,
                "format": fmt,
                "file_name": path.name,
                "size_bytes": size,
                "sha256": sha256,
                "n_rows": n_rows,
                "n_stored": n_stored,
                "n_quarantined": n_quarantined,
                "qualitylab_version": __version__,
                "extra_columns": list(extras),
            },
        )
        scales.record(store, batch_id, scale_plan, file_id)  # after the files row: it infers from delivered files
        duplicates.mark(store, batch_id)  # the report's one duplicate rule, after --replace and the insert
        if on_stored is not None:
            on_stored(store)
    return IngestResult(
        batch_id,
        path.name,
        kind,
        "stored",
        file_id,
        n_rows,
        n_stored,
        n_quarantined,
        sha256,
        extras,
        tuple(problems),
        unit,
        removed_runs,
    )


def _names(names: list[str], limit: int = 20) -> str:
    """A list of column names for a message, cut after ``limit``."""
    shown = ", ".join(names[:limit])
    return shown + (f", … ({len(names) - limit:,} more)" if len(names) > limit else "") if names else "(none)"


def nothing_read(problems: list[RowProblem], unit: str) -> str:
    """The summary of a file none of whose rows could be read: its kinds of problems, where each starts."""
    kinds: dict[str, list[RowProblem]] = {}
    for p in problems:
        kinds.setdefault(re.split(r"[:(]", p.reason, maxsplit=1)[0].strip(), []).append(p)
    where = (lambda p: f"line {p.line}") if unit == "line" else (lambda p: f"{unit} {p.line}")
    parts = [f"{k} ({len(ps):,}x, first at {where(ps[0])})" for k, ps in kinds.items()]
    return "no row could be read: " + "; ".join(parts)


def _replace(store: Store, batch_id: str, kind: str, same_kind: list[dict]) -> tuple[str, ...]:
    """``--replace``: drop the batch's rows of ``kind`` — its delivered files and the judge runs
    computed on them (their verdicts or ratings and their provenance rows). The judge cache
    (``judge_calls``) is kept: it is keyed by what was sent, so a rerun reuses exactly the calls whose
    texts did not change; the removed runs' calls no longer back any run. Returns the runs' names."""
    runs = store.rows("ingest/judge_runs_reading", {"batch_id": batch_id, "kind": kind})
    for f in same_kind:
        if f["format"] != "judge-run":
            store.execute(f"ingest/delete_file_{kind}", {"file_id": f["file_id"]})
            store.execute("ingest/delete_file_quarantine", {"file_id": f["file_id"]})
            store.execute("ingest/delete_file", {"file_id": f["file_id"]})
    for r in runs:
        store.execute(f"ingest/delete_file_{r['kind']}", {"file_id": r["file_id"]})
        store.execute("judges/detach_run_calls", {"file_id": r["file_id"]})
        store.execute("ingest/delete_file", {"file_id": r["file_id"]})
    # a judge run that read the other kind's rows stays (e.g. single-answer grading of the
    # comparisons' responses when the ratings are replaced)
    return tuple(r["file_name"] for r in runs)


def _projection(spec: Kind, present: dict[str, str], extra_sql: str, line_expr: str) -> str:
    """The temp view ``_src``: every canonical column as VARCHAR (NULL when absent), extras as JSON.

    Identifiers come from the delivered file's header and go through :func:`quote_ident`;
    no value is ever formatted into SQL.
    """
    cols = [f"{line_expr} AS source_line"]
    for c in spec.names:
        if c in present:
            cols.append(f"CAST({quote_ident(present[c])} AS VARCHAR) AS {quote_ident(c)}")
        else:
            cols.append(f"CAST(NULL AS VARCHAR) AS {quote_ident(c)}")
    cols.append(f"{extra_sql} AS extra")
    return "CREATE OR REPLACE TEMP VIEW _src AS SELECT " + ", ".join(cols) + " FROM _file"


def _struct_json(extras: tuple[str, ...]) -> str:
    """Parquet: the extra columns, typed, as one JSON object per row."""
    if not extras:
        return "CAST(NULL AS JSON)"
    pack = ", ".join(f"{quote_ident(e)} := {quote_ident(e)}" for e in extras)
    return f"CAST(to_json(struct_pack({pack})) AS JSON)"


def _merged_extra(other: list[str], spelling: dict[str, str]) -> str:
    """Staged files: the row's ``_extra`` JSON plus the canonical columns of another kind (by the
    file's spelling), absent values left out; NULL when the row has none."""
    if not other:
        return f"CAST({EXTRA} AS JSON)"
    pack = ", ".join(f"{quote_ident(spelling[c])} := {quote_ident(c)}" for c in other)
    merged = f"json_merge_patch(coalesce({EXTRA}, '{{}}'), to_json(struct_pack({pack})))"
    return f"CAST(nullif(CAST({merged} AS VARCHAR), '{{}}') AS JSON)"


TOKENS_FUNCTION = "ql_whitespace_tokens"


def _register_tokens(con) -> None:
    """The SQL function ``ql_whitespace_tokens(text)``: whitespace-token counts (qualitylab.textstats),
    vectorised over each Arrow chunk DuckDB streams through the INSERT.

    The texts are read once, by the INSERT itself: no second pass over them and no per-row table of
    the whole file held in Python (memory stays bounded at any file size).
    """
    import duckdb

    from .textstats import whitespace_tokens

    con.create_function(
        TOKENS_FUNCTION,
        whitespace_tokens,
        [duckdb.sqltypes.VARCHAR],
        duckdb.sqltypes.INTEGER,
        type="arrow",
        null_handling="special",
    )


def _quarantine(store: Store, batch_id: str, file_id: int, problems: list[RowProblem]) -> None:
    con = store.con
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _problems (source_line BIGINT, column_name VARCHAR, reason VARCHAR, raw VARCHAR)"
    )
    con.executemany(
        "INSERT INTO _problems VALUES (?, ?, ?, ?)", [[p.line, p.column, p.reason, p.raw] for p in problems]
    )
    store.execute("ingest/insert_quarantine", {"batch_id": batch_id, "file_id": file_id})
    con.execute("DROP TABLE _problems")
