"""Public preference sets a batch is checked against: ``--against [FORMAT=]FILE`` (issue 18 item 8).

A vendor that delivers comparisons copied from a public preference set (HH-RLHF, UltraFeedback,
MT-Bench, PandaLM, ...) sells data the buyer already has. The buyer names the file; each comparison
of the batch whose prompt and pair of responses (either order) also occur in it is reported as
re-delivered, with the file's line where it occurs.

The file is read by the readers and adapters ingest uses (``FORMAT`` = a public format of
``qualitylab.adapters``, or ``jsonl`` / ``csv`` / ``parquet`` for canonical pairwise rows; without
``FORMAT=`` the canonical format from the suffix), so a hostile file fails the same way: a file that
cannot be read as a whole is refused (exit 3) naming file, line and column; rows the adapter cannot
map (an unparsed judge output, say) are skipped and counted (``n_rows_skipped``, the first reasons in
``skipped``): the texts of a comparison recur on its other rows. A file with no row holding a prompt
and two responses is refused. Pairs are hashed exactly as ingest hashes ``pair_hash``
(``queries/hygiene/against_pairs.sql``, on a private in-memory DuckDB). The file's SHA-256 joins the
report snapshot's fingerprint (part ``against``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .delivered import Delivered, file_digest
from .errors import InvalidInputError, NotFoundError, RowProblem, UsageError
from .readers import FILE_FORMATS, Record, format_from_suffix, iter_csv, iter_jsonl

TEXTS = ("prompt", "response_a", "response_b")
MAX_SKIPPED_SHOWN = 5


@dataclass(frozen=True)
class AgainstSet:
    """The distinct prompt + response pairs of one against-file."""

    spec: str  # as given on the command line
    file_name: str
    format: str
    sha256: str
    size_bytes: int
    n_rows_read: int
    n_rows_skipped: int
    skipped: list[str] = field(default_factory=list)  # the first problems, file:line: column: reason
    pair_hashes: list[int] = field(default_factory=list)  # order-insensitive, as verdicts.pair_hash
    content_hashes: list[int] = field(default_factory=list)  # the file's order, as verdicts.content_hash
    lines: list[int] = field(default_factory=list)  # first line (record, row) of each pair in the file
    unit: str = "line"

    @property
    def n_pairs(self) -> int:
        return len(self.pair_hashes)


def parse_spec(spec: str) -> tuple[str, Path]:
    """``[FORMAT=]FILE`` -> (format, path). FORMAT is a public format (``--format``'s names) or
    jsonl / csv / parquet; without it the suffix decides (a name with '=' that is not a format is a path)."""
    from .adapters import ADAPTERS

    head, sep, tail = spec.partition("=")
    if sep and (head in ADAPTERS or head in FILE_FORMATS):
        fmt, path = head, Path(tail)
    else:
        path = Path(spec)
        fmt = format_from_suffix(path)
    if not path.is_file():
        raise NotFoundError(
            "No against-file",
            f"{path} does not exist",
            "give --against [FORMAT=]FILE a public preference set the adapters read (docs/adapters.md), "
            "e.g. --against chosen-rejected=hh-rlhf-test.jsonl.gz",
        )
    return fmt, path


def spec_digest(spec: str) -> dict[str, Any]:
    """The fingerprint part of one against-file: its format and the SHA-256 and size of its bytes."""
    fmt, path = parse_spec(spec)
    sha, size = file_digest(path)
    return {"format": fmt, "sha256": sha, "size_bytes": size}


def _records(fmt: str, source: Delivered) -> tuple[Iterator[Record], str]:
    from .adapters import ADAPTERS

    if fmt == "jsonl":
        return iter_jsonl(source), "line"
    if fmt == "csv":
        return iter_csv(source), "line"
    adapter = ADAPTERS[fmt]
    if adapter.kind != "pairwise":
        raise UsageError(
            "Not a pairwise format", f"--against {fmt}=...: the format holds {adapter.kind} rows", "name a pairwise set"
        )
    return adapter.read(source), adapter.unit


def _parquet_rows(source: Delivered) -> Iterator[Record]:
    import duckdb

    from .parquet import parquet_view
    from .staging import column_key

    with duckdb.connect() as con:
        present, _, _ = parquet_view(con, source)
        cols = [present[c] for c in TEXTS if c in present]
        if len(cols) < len(TEXTS):
            missing = [c for c in TEXTS if c not in present]
            raise InvalidInputError(
                source.name,
                [
                    RowProblem(None, c, "column is missing: an against-file needs the prompt and both responses")
                    for c in missing
                ],
                "row",
                whole_file=True,
                fix="give a file with prompt, response_a and response_b columns, or name its public format",
            )
        quoted = ", ".join('"' + c.replace('"', '""') + '"' for c in cols)
        cur = con.execute(f"SELECT file_row_number + 1, {quoted} FROM _file ORDER BY file_row_number")  # noqa: S608 - names from the file's schema, quoted
        while batch := cur.fetchmany(10_000):
            for n, *vals in batch:
                yield int(n), {column_key(c): v for c, v in zip(cols, vals, strict=True)}, None


def _texts(row: dict[str, Any]) -> tuple[str, str, str] | None:
    from .staging import column_key

    keyed = {column_key(k): v for k, v in row.items()}
    vals = [keyed.get(c) for c in TEXTS]
    if any(v is None for v in vals):
        return None
    return str(vals[0]), str(vals[1]), str(vals[2])


def read_against(spec: str) -> AgainstSet:
    """Read one against-file (see the module docstring) into its distinct pairs."""
    fmt, path = parse_spec(spec)
    source = Delivered(path)
    if fmt == "parquet":
        records: Iterable[Record] = _parquet_rows(source)
        unit = "row"
    else:
        records, unit = _records(fmt, source)
    prompts: list[str] = []
    a_texts: list[str] = []
    b_texts: list[str] = []
    lines: list[int] = []
    problems: list[RowProblem] = []
    n_read = 0
    for number, row, problem in records:
        n_read += 1
        if problem is not None or row is None:
            problems.append(problem or RowProblem(number, None, "the row could not be read"))
            continue
        texts = _texts(row)
        if texts is None:
            problems.append(RowProblem(number, "prompt", "no prompt and two responses in this row"))
            continue
        prompts.append(texts[0])
        a_texts.append(texts[1])
        b_texts.append(texts[2])
        lines.append(int(number))
    sha, size = source.digest()
    source.check_unchanged()
    if not lines:
        raise InvalidInputError(
            path.name,
            problems[:20] or [RowProblem(None, None, "the file holds no rows")],
            unit,
            summary="no row with a prompt and two responses could be read from the against-file",
            whole_file=True,
            fix="name the file's public format (--against FORMAT=FILE, formats in docs/adapters.md) or give "
            "canonical pairwise rows with prompt, response_a and response_b",
        )
    pair, content, first = _hash_pairs(prompts, a_texts, b_texts, lines)
    return AgainstSet(
        spec,
        path.name,
        fmt,
        sha,
        size,
        n_read,
        len(problems),
        [p.format(path.name, unit) for p in problems[:MAX_SKIPPED_SHOWN]],
        pair,
        content,
        first,
        unit,
    )


def _hash_pairs(
    prompts: list[str], a: list[str], b: list[str], lines: list[int]
) -> tuple[list[int], list[int], list[int]]:
    """DuckDB's hashes of each distinct pair (the ingest's pair_hash and content_hash), first line each."""
    import duckdb
    import pyarrow as pa

    from .store import sql

    table = pa.table({"prompt": prompts, "response_a": a, "response_b": b, "line": lines})
    with duckdb.connect() as con:
        con.register("against_rows", table)
        res = con.execute(sql("hygiene/against_pairs")).fetchall()
    return [int(r[0]) for r in res], [int(r[1]) for r in res], [int(r[2]) for r in res]


@lru_cache(maxsize=8)
def _cached(spec: str, sha256: str) -> AgainstSet:
    return read_against(spec)


def against_set(spec: str) -> AgainstSet:
    """:func:`read_against`, once per file content in a process (the app and a report with several
    sections read it once); a file whose bytes changed is read again."""
    return _cached(spec, spec_digest(spec)["sha256"])
