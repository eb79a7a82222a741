"""Reading delivered files: JSONL and CSV line by line (exact line numbers), Parquet through DuckDB.

Text formats are streamed in chunks into a temporary staging table of VARCHAR columns with a
``source_line`` column, so memory stays bounded and every problem names its line. Parquet is
read by DuckDB directly (``file_row_number``); its "line" is the 1-based row.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pyarrow as pa

from .errors import RowProblem, UsageError

TEXT_FORMATS = ("jsonl", "csv")
FILE_FORMATS = TEXT_FORMATS + ("parquet",)
SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}

CHUNK_ROWS = 50_000

Record = tuple[int, dict | None, RowProblem | None]


def format_from_suffix(path: Path) -> str:
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise UsageError(
            "Unknown file type",
            f"{path.name}: cannot tell the format from '{path.suffix}'",
            "use a .jsonl, .csv or .parquet file, or name a format with --format",
        )
    return fmt


def _as_text(value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def iter_jsonl_objects(path: Path) -> Iterator[Record]:
    """Each non-blank line's JSON object as parsed (values keep their JSON types)."""
    with open(path, "rb") as f:
        for line_no, raw in enumerate(f, start=1):
            try:
                text = raw.decode("utf-8-sig" if line_no == 1 else "utf-8")
            except UnicodeDecodeError as e:
                yield line_no, None, RowProblem(line_no, None, f"not valid UTF-8 ({e.reason})", e.start + 1)
                continue
            if not text.strip():
                continue
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as e:
                yield line_no, None, RowProblem(line_no, None, f"malformed JSON: {e.msg}", e.colno, text.rstrip("\r\n"))
                continue
            if not isinstance(obj, dict):
                yield line_no, None, RowProblem(line_no, None, f"expected a JSON object, found {type(obj).__name__}")
                continue
            yield line_no, obj, None


def iter_jsonl(path: Path) -> Iterator[Record]:
    """Canonical rows of a JSONL file: every value as text (non-strings as their JSON)."""
    for line_no, obj, problem in iter_jsonl_objects(path):
        yield line_no, None if obj is None else {str(k): _as_text(v) for k, v in obj.items()}, problem


def iter_csv(path: Path) -> Iterator[Record]:
    try:
        f = open(path, encoding="utf-8-sig", newline="")
        f.read()
        f.seek(0)
    except UnicodeDecodeError as e:
        with open(path, "rb") as fb:
            head = fb.read(e.start)
        line = head.count(b"\n") + 1
        yield line, None, RowProblem(line, None, f"not valid UTF-8 ({e.reason})")
        return
    with f:
        reader = csv.reader(f)
        try:
            header = next(reader)
        except StopIteration:
            return
        header = [h.strip() for h in header]
        seen = set()
        for h in header:
            if not h or h in seen:
                yield 1, None, RowProblem(1, h or None, "empty or repeated column name in the header")
                return
            seen.add(h)
        prev_end = reader.line_num
        n = len(header)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as e:
                yield prev_end + 1, None, RowProblem(prev_end + 1, None, f"malformed CSV: {e}")
                prev_end = reader.line_num
                continue
            start = prev_end + 1
            prev_end = reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) != n:
                yield (
                    start,
                    None,
                    RowProblem(start, None, f"malformed CSV: expected {n} fields, found {len(row)}", raw=",".join(row)),
                )
                continue
            yield start, dict(zip(header, row, strict=True)), None


def csv_header(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        try:
            return [h.strip() for h in next(csv.reader(f))]
        except (StopIteration, UnicodeDecodeError, csv.Error):
            return []


def stage_records(
    con, records: Iterable[Record], table: str = "_staging", progress: Callable[[int], None] | None = None
) -> tuple[list[str], list[RowProblem], int]:
    """Stream records into a TEMP table of VARCHAR columns; returns (columns, syntax problems, n rows).

    Columns are added as they first appear (JSONL objects need not share keys).
    """
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} (source_line BIGINT)")
    columns: list[str] = []
    known: set[str] = set()
    problems: list[RowProblem] = []
    n_rows = 0
    lines: list[int] = []
    buf: dict[str, list] = {}

    def flush():
        if not lines:
            return
        data = {"source_line": pa.array(lines, pa.int64())}
        for c in columns:
            col = buf[c]
            col.extend([None] * (len(lines) - len(col)))
            data[c] = pa.array(col, pa.string())
        con.register("_chunk", pa.table(data))
        cols = ", ".join(["source_line"] + [_q(c) for c in columns])
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _chunk").fetchall()
        con.unregister("_chunk")
        lines.clear()
        for c in columns:
            buf[c] = []

    for line_no, obj, problem in records:
        if obj is None:  # a record either parsed or has its problem
            if problem is not None:
                problems.append(problem)
            continue
        n_rows += 1
        for k in obj:
            if k not in known:
                known.add(k)
                columns.append(k)
                con.execute(f"ALTER TABLE {table} ADD COLUMN {_q(k)} VARCHAR")
                buf[k] = [None] * len(lines)
        for c in columns:
            buf[c].append(obj.get(c))
        lines.append(line_no)
        if len(lines) >= CHUNK_ROWS:
            flush()
            if progress:
                progress(n_rows)
    flush()
    if progress:
        progress(n_rows)
    return columns, problems, n_rows + len({p.line for p in problems})


def _q(name: str) -> str:
    from .schema import quote_ident

    return quote_ident(name)
