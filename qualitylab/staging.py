"""Staging records into DuckDB, and the rules every delivered column name must follow.

Records from the readers (:mod:`qualitylab.readers`) and the adapters are streamed in chunks into a
TEMP table: ``source_line``, one VARCHAR column per canonical column seen (the vocabulary of
:mod:`qualitylab.schema`, a few dozen names at most), and ``_extra``, the row's other keys as one
JSON object. A file with thousands of distinct keys therefore costs memory in proportion to its
size (one JSON text per row), never a column per key.

Column names (one rule for JSONL keys, CSV headers, Parquet columns and adapters' output):

- names are matched after ``strip().lower()``; two different names with the same match in one
  file (``preference`` and ``Preference``, in one row, across rows, or in a header) are refused:
  ``column 'Preference': duplicates 'preference'`` (the first spelling seen is the file's);
- empty names, names holding NUL or a lone surrogate, and the names qualitylab uses for itself
  (:data:`RESERVED`) are refused.

A name problem in a row refuses that row (or quarantines it); in a header or a Parquet schema it
refuses the file. A value that cannot be stored as text (a lone UTF-16 surrogate, e.g. from a JSON
``"\\ud800"`` escape) refuses its row, naming the column.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import pyarrow as pa

from .errors import RowProblem
from .schema import KINDS, quote_ident

CHUNK_ROWS = 50_000

#: every canonical column name of every kind: staged as their own column, all else goes to _extra
VOCABULARY: frozenset[str] = frozenset(c for k in KINDS.values() for c in k.names)
#: names qualitylab uses for itself while reading a file (DuckDB's Parquet row number, the line)
RESERVED: tuple[str, ...] = ("source_line", "file_row_number")
EXTRA = "_extra"

_SURROGATE = re.compile("[\ud800-\udfff]")


def column_key(name: str) -> str:
    """How column names are matched: ``" Preference "`` and ``"preference"`` are the same column."""
    return name.strip().lower()


def name_problem(name: str) -> tuple[str | None, str] | None:
    """(column to name, reason) when ``name`` may not be a column name, else None."""
    if not name.strip():
        return None, f"empty column name {name!r}" if name else "empty column name"
    if "\x00" in name:
        return None, f"column name {name!r} holds a NUL character"
    if _SURROGATE.search(name):
        return None, f"column name {ascii(name)} is not valid Unicode (a lone surrogate)"
    if column_key(name) in RESERVED:
        return name, f"is a name qualitylab uses internally ({', '.join(RESERVED)}); rename the column"
    return None


class ColumnNames:
    """The column names of one file so far: the first spelling of each match wins."""

    def __init__(self) -> None:
        self.by_key: dict[str, str] = {}  # column_key -> the name as first delivered
        self.route: dict[str, str | None] = {}  # delivered name -> canonical column, or None (an extra)

    def problems(self, names: Iterable[str], line: int | None) -> list[RowProblem]:
        """The problems of the names new to this file, without registering them."""
        out: list[RowProblem] = []
        keys: dict[str, str] = {}
        for name in names:
            if name in self.route:
                continue
            bad = name_problem(name)
            if bad is not None:
                out.append(RowProblem(line, bad[0], bad[1]))
                continue
            key = column_key(name)
            first = self.by_key.get(key, keys.get(key))
            if first is not None and first != name:
                out.append(RowProblem(line, name, f"duplicates {first!r}"))
            keys.setdefault(key, name)
        return out

    def add(self, names: Iterable[str]) -> tuple[list[str], list[str]]:
        """Register names (already checked): (canonical columns, other names) new to the file."""
        canonical: list[str] = []
        other: list[str] = []
        for name in names:
            if name in self.route:
                continue
            key = column_key(name)
            self.by_key.setdefault(key, name)
            self.route[name] = key if key in VOCABULARY else None
            (canonical if key in VOCABULARY else other).append(key if key in VOCABULARY else name)
        return canonical, other


def header_problems(names: list[str], line: int | None) -> list[RowProblem]:
    """Every problem of a header (CSV) or schema (Parquet): repeated names included."""
    out = ColumnNames().problems(names, line)
    seen: set[str] = set()
    for name in names:
        if name in seen and name.strip():
            out.append(RowProblem(line, name, "repeated column name"))
        seen.add(name)
    return out


@dataclass
class Staged:
    """What :func:`stage_records` staged."""

    columns: list[str] = field(default_factory=list)  # canonical columns seen, in order
    spelling: dict[str, str] = field(default_factory=dict)  # canonical column -> its name in the file
    extras: list[str] = field(default_factory=list)  # other keys, as delivered, in order of appearance
    problems: list[RowProblem] = field(default_factory=list)
    n_staged: int = 0

    @property
    def n_rows(self) -> int:
        """Rows of the file: staged ones and those with a problem."""
        return self.n_staged + len({p.line for p in self.problems})


def stage_records(
    con, records: Iterable[tuple[int, dict | None, RowProblem | None]], table: str = "_staging",
    progress: Callable[[int], None] | None = None,
) -> Staged:  # fmt: skip
    """Stream records into the TEMP table ``table`` (see the module docstring)."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} (source_line BIGINT, {EXTRA} VARCHAR)")
    out = Staged()
    names = ColumnNames()
    route = names.route
    lines: list[int] = []
    extra: list[str | None] = []
    buf: dict[str, list[str | None]] = {}
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

    def flush() -> None:
        if not lines:
            return
        try:
            chunk = _chunk(lines, extra, buf)
        except (UnicodeEncodeError, pa.ArrowException):
            out.problems.extend(_drop_unstorable(lines, extra, buf, out.spelling))
            if not lines:
                return
            chunk = _chunk(lines, extra, buf)
        con.register("_chunk", chunk)
        cols = ", ".join(quote_ident(c) for c in chunk.column_names)
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _chunk").fetchall()
        con.unregister("_chunk")
        out.n_staged += len(lines)
        lines.clear()
        extra.clear()
        for c in buf:
            buf[c] = []

    for line_no, obj, problem in records:
        if problem is not None or obj is None:
            if problem is not None:
                out.problems.append(problem)
            continue
        if not obj.keys() <= route.keys():
            bad = names.problems(obj, line_no)
            if bad:
                out.problems.extend(bad)
                continue
            new, other = names.add(obj)
            for name in new:
                out.columns.append(name)
                out.spelling[name] = next(k for k in obj if column_key(k) == name)
                con.execute(f"ALTER TABLE {table} ADD COLUMN {quote_ident(name)} VARCHAR")
                buf[name] = [None] * len(lines)
            out.extras.extend(other)
        row: dict[str, str | None] = {}
        more: dict[str, str | None] | None = None
        for k, v in obj.items():
            c = route[k]
            if c is None:
                if more is None:
                    more = {}
                more[k] = v
            else:
                row[c] = v
        for c, col in buf.items():
            col.append(row.get(c))
        extra.append(None if more is None else dumps(more))
        lines.append(line_no)
        if len(lines) >= CHUNK_ROWS:
            n = out.n_staged + len(lines)
            flush()
            if progress:
                progress(n)
    flush()
    if progress:
        progress(out.n_staged)
    return out


def _chunk(lines: list[int], extra: list[str | None], buf: dict[str, list[str | None]]) -> pa.Table:
    data = {"source_line": pa.array(lines, pa.int64()), EXTRA: pa.array(extra, pa.string())}
    for c, col in buf.items():
        col.extend([None] * (len(lines) - len(col)))
        data[c] = pa.array(col, pa.string())
    return pa.table(data)


def _drop_unstorable(
    lines: list[int], extra: list[str | None], buf: dict[str, list[str | None]], spelling: dict[str, str]
) -> Iterator[RowProblem]:
    """Remove (in place) the rows of a chunk holding text that is not valid Unicode; their problems."""
    keep = []
    for i, line in enumerate(lines):
        values = {spelling[c]: col[i] for c, col in buf.items() if i < len(col) and col[i] is not None}
        packed = extra[i]
        if packed is not None:
            values.update(json.loads(packed))
        found = [(k, m) for k, v in values.items() if isinstance(v, str) and (m := _SURROGATE.search(v))]
        if not found:
            keep.append(i)
            continue
        k, m = found[0]
        yield RowProblem(
            line,
            k,
            f"{ascii(m.group())[1:-1]} at character {m.start() + 1} is a lone surrogate, not valid Unicode",
            raw=json.dumps(values, ensure_ascii=True),
        )
    lines[:] = [lines[i] for i in keep]
    extra[:] = [extra[i] for i in keep]
    for col in buf.values():
        col[:] = [col[i] for i in keep if i < len(col)]
