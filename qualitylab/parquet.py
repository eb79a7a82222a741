"""Delivered Parquet files, read by DuckDB itself: the column names checked, unreadable files told apart.

The file is hashed once (:mod:`qualitylab.delivered`) and read by DuckDB through the view
``_file`` (``read_parquet`` with ``file_row_number``); its "line" is the 1-based row. Before that,
the schema's top-level names are checked by the one rule for column names (:mod:`qualitylab.staging`)
from the file's own footer, so DuckDB's renaming of a repeated name (``Preference`` ->
``Preference_1``) never hides a collision. A DuckDB error while the file is read is attributed to
the file only when the file cannot be read on its own (:func:`parquet_refusal`).
"""

from __future__ import annotations

import os

import duckdb

from .delivered import Delivered
from .errors import InvalidInputError, RowProblem
from .staging import column_key, header_problems
from .store import DEFAULT_MEMORY_LIMIT, NO_EXTENSIONS


def _message(e: duckdb.Error, source: Delivered) -> str:
    """DuckDB's message, first paragraph, with the file's path shown as its name."""
    msg = str(e).split("\n\n", 1)[0].strip()
    return msg.replace(str(source.path.resolve()), source.name).replace(str(source.path), source.name)


def _refuse(source: Delivered, reason: str) -> InvalidInputError:
    return InvalidInputError(source.name, [RowProblem(None, None, reason)], "row", whole_file=True)


def top_level_names(con: duckdb.DuckDBPyConnection, source: Delivered) -> list[str]:
    """The schema's top-level column names as the file holds them (``parquet_schema``: the root,
    then every element depth first, each with its number of children)."""
    try:
        rows = con.execute(
            "SELECT name, coalesce(num_children, 0) FROM parquet_schema($p)", {"p": str(source.path.resolve())}
        ).fetchall()
    except duckdb.Error as e:
        raise _refuse(source, f"not a readable Parquet file: {_message(e, source)}") from None
    names: list[str] = []
    i = 1
    for _ in range(rows[0][1] if rows else 0):
        names.append(rows[i][0])
        pending = 1
        while pending:
            pending += rows[i][1] - 1
            i += 1
    return names


def parquet_view(con: duckdb.DuckDBPyConnection, source: Delivered) -> tuple[dict[str, str], tuple[str, ...], int]:
    """Create the view ``_file`` over the file; returns (column key -> name as delivered, (), rows)."""
    names = top_level_names(con, source)
    if problems := header_problems(names, None):
        raise InvalidInputError(source.name, problems, "row", whole_file=True)
    path = str(source.path.resolve())
    try:
        con.read_parquet(path, file_row_number=True).create_view("_file", replace=True)
        n_rows = con.execute("SELECT count(*) FROM _file").fetchall()[0][0]
    except duckdb.Error as e:
        raise _refuse(source, f"not a readable Parquet file: {_message(e, source)}") from None
    return {column_key(n): n for n in names}, (), n_rows


def parquet_refusal(source: Delivered, error: duckdb.Error) -> InvalidInputError | None:
    """After ``error`` while ingesting ``source``: the refusal of the file when DuckDB cannot read the
    file by itself (a damaged page, text that is not UTF-8), else None (the error is not the file's).

    Runs only on the error path, on its own in-memory connection: every column of every row is
    decoded once. Out-of-memory errors are never the file's.
    """
    if isinstance(error, duckdb.OutOfMemoryException | duckdb.InterruptException):
        return None
    try:
        limit = os.environ.get("QUALITYLAB_MEMORY_LIMIT") or DEFAULT_MEMORY_LIMIT
        with duckdb.connect(config={**NO_EXTENSIONS, "memory_limit": limit}) as con:
            con.execute(
                "SELECT bit_xor(hash(COLUMNS(*))) FROM read_parquet($p)", {"p": str(source.path.resolve())}
            ).fetchall()
    except duckdb.Error as e:
        return _refuse(source, f"cannot read the Parquet file: {_message(e, source)}")
    return None
