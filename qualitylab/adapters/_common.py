"""Helpers shared by the adapters: reading a public file's objects, turning values into row text.

Not an adapter (registers nothing). Every adapter yields ``(number, row | None, RowProblem | None)``
records whose row values are ``str`` or ``None`` (ingest stages them as VARCHAR and validates them).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from ..delivered import Delivered
from ..errors import InvalidInputError, RowProblem, UsageError
from ..readers import Record, iter_csv, iter_json_array, iter_jsonl_objects

#: what a (number, object, problem) triple from :func:`iter_objects` looks like
SourceRecord = tuple[int, dict | None, RowProblem | None]

_SURROGATE = re.compile("[\ud800-\udfff]")


def text(value: Any) -> str | None:
    """A row value as text: ``None`` stays ``None``; lists and dicts become JSON; lone UTF-16
    surrogates (left by some JSON encoders upstream) become U+FFFD so the text can be stored."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        if _SURROGATE.search(value):
            value = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        return value
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    return text(json.dumps(value, ensure_ascii=False, default=str))


def row(**values: Any) -> dict[str, str | None]:
    """A canonical row: every value as text, ``None`` values left out (absent = not recorded)."""
    return {k: text(v) for k, v in values.items() if v is not None}


def with_extras(
    canonical: dict[str, str | None], more: dict[str, Any], kind: str = "pairwise"
) -> dict[str, str | None]:
    """The canonical row plus the source's other columns as extra columns (``None`` left out).

    A source column whose name is a canonical column name of ``kind`` (and so would be read as one)
    is kept as ``upstream_<name>``.
    """
    from ..schema import KINDS

    names = KINDS[kind].names
    out = dict(canonical)
    for k, v in more.items():
        if v is None:
            continue
        k = text(k) or ""  # a key with a lone surrogate gets U+FFFD like any text
        name = k if k not in names and k not in out else f"upstream_{k}"
        out[name] = text(v)
    return out


def raw(obj: Any) -> str:
    """The source object as JSON, for a problem's ``raw`` (kept in quarantine)."""
    return text(json.dumps(obj, ensure_ascii=False, default=str)) or ""


def extras(obj: dict, used: set[str] | tuple[str, ...]) -> dict[str, Any]:
    """The source's columns that no canonical column took: kept as extra columns, never dropped."""
    return {k: v for k, v in obj.items() if k not in used}


def maybe_json(value: Any) -> Any:
    """A nested value that arrived JSON-encoded (a CSV cell, a JSONL string) decoded; else as is."""
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def seeded_bit(key: str, salt: str) -> int:
    """0 or 1 from sha256(salt + key): a deterministic, documented coin for balancing A/B."""
    return hashlib.sha256(f"{salt}\x00{key}".encode("utf-8", "surrogatepass")).digest()[0] & 1


def short_hash(*parts: str) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()[:16]


#: one record's rows from its object: ``convert(number, object, where)`` gives a row, every row of the record,
#: or the record's problem (``where`` is "record N of FILE", for messages)
Convert = Callable[[int, dict, str], "dict[str, str | None] | list[dict[str, str | None]] | RowProblem"]


def per_record(delivered: Delivered, convert: Convert) -> Iterator[Record]:
    """The adapter's records: each object of the file through ``convert``. Every row of one record carries the
    record's number (refused or stored together); a record that did not parse keeps its reader's problem."""
    for n, obj, problem in iter_objects(delivered):
        if obj is None:
            yield n, None, problem
            continue
        out = convert(n, obj, f"record {n} of {delivered.path.name}")
        if isinstance(out, RowProblem):
            yield n, None, out
        elif isinstance(out, list):
            for r in out:
                yield n, r, None
        else:
            yield n, out, None


def iter_objects(source: Delivered) -> Iterator[SourceRecord]:
    """The objects of a public file, by suffix (a ``.gz`` after it is read directly), each with its
    1-based position in the file.

    The number is the record's: element N of a JSON array, line N of a JSONL file, data row N of a
    CSV file (the header not counted; nested values arrive JSON-encoded, see :func:`maybe_json`;
    empty cells are missing values), row N of a Parquet file. Keys twice in one object, text that
    is not UTF-8 and the rest are the canonical readers' problems (:mod:`qualitylab.readers`).
    """
    suffix = source.suffix
    if suffix == ".json":
        for i, obj, problem in iter_json_array(source):
            if problem is not None or isinstance(obj, dict):
                yield i, obj, problem
            else:
                yield i, None, RowProblem(i, None, f"expected a JSON object, found {type(obj).__name__}", raw=raw(obj))
    elif suffix in (".jsonl", ".ndjson"):
        yield from iter_jsonl_objects(source)
    elif suffix == ".csv":
        n = 0
        for line, obj, problem in iter_csv(source):
            n += 1
            if obj is None:
                why = problem or RowProblem(n, None, "unreadable row")
                yield n, None, RowProblem(n, why.column, f"{why.reason} (line {line})", raw=why.raw)
            else:
                yield n, {k: maybe_json(v) if v != "" else None for k, v in obj.items()}, None
    elif suffix in (".parquet", ".pq"):
        yield from _parquet_objects(source)
    else:
        raise UsageError(
            "Unknown file type",
            f"{source.name}: cannot read '{source.suffix}' files for this format",
            "use a .json (array), .jsonl, .csv or .parquet file (.gz read directly)",
        )


def _parquet_objects(source: Delivered) -> Iterator[SourceRecord]:
    """Rows of a Parquet file through pyarrow (random access: hashed apart, see qualitylab.delivered)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    n = 0
    try:
        for batch in pq.ParquetFile(source.path).iter_batches(batch_size=5_000):
            for obj in batch.to_pylist():
                n += 1
                yield n, obj, None
    except (pa.ArrowException, OSError, UnicodeDecodeError) as e:
        raise InvalidInputError(
            source.name,
            [RowProblem(None, None, f"cannot read the Parquet file after row {n}: {e}")],
            "record",
            whole_file=True,
        ) from None


# ---- chat transcripts as lists of {role, content} -------------------------------------------


def messages(value: Any) -> list[dict] | None:
    """A conversation as a list of {role, content} dicts, or None when it is not one."""
    value = maybe_json(value)
    if hasattr(value, "tolist"):  # numpy arrays from pandas-written Parquet
        value = value.tolist()
    if not isinstance(value, list) or not all(isinstance(m, dict) and "role" in m for m in value):
        return None
    return value


def contents(msgs: list[dict], role: str) -> list[str]:
    return [text(m.get("content")) or "" for m in msgs if m.get("role") == role]
