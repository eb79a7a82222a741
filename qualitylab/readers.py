"""Reading delivered files: JSONL, CSV and JSON arrays record by record, with exact line numbers.

Every reader takes a :class:`~qualitylab.delivered.Delivered` file, reads it once (the sha256 is
taken of those bytes, gzip read directly) and yields ``(number, row | None, RowProblem | None)``
records; a row is ``{column name as delivered: text or None}``. A problem in one row refuses that
row (or quarantines it); a problem that makes the rest of the file unreadable (a bad CSV header,
damaged gzip data, a JSON array that does not parse) refuses the whole file
(:class:`~qualitylab.errors.InvalidInputError`). The rules for column names are in
:mod:`qualitylab.staging`, which streams the records into DuckDB. Parquet is read by DuckDB itself
(``qualitylab.ingest``).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .delivered import DamagedData, Delivered
from .errors import InvalidInputError, RowProblem, UsageError
from .staging import header_problems

TEXT_FORMATS = ("jsonl", "csv")
FILE_FORMATS = TEXT_FORMATS + ("parquet",)
SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}

#: the longest CSV field read (characters); a longer one refuses the file (it is most often an
#: unclosed quote that swallowed the rest of the file). Python's default is 131,072.
CSV_FIELD_LIMIT = 1 << 24
csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))

Record = tuple[int, dict | None, RowProblem | None]

_UNDECODABLE = re.compile("[\udc80-\udcff]")  # what errors="surrogateescape" makes of a byte that is not UTF-8


def format_from_suffix(path: Path) -> str:
    """The file format from the name; a ``.gz`` after the suffix is skipped (gzip is read directly)."""
    p = path.with_suffix("") if path.suffix.lower() == ".gz" else path
    fmt = SUFFIXES.get(p.suffix.lower())
    if fmt is None or (fmt == "parquet" and p is not path):
        raise UsageError(
            "Unknown file type",
            f"{path.name}: cannot tell the format from '{''.join(path.suffixes[-2:]) or path.suffix}'",
            "use a .jsonl, .csv or .parquet file (.jsonl.gz and .csv.gz are read directly), "
            "or name a format with --format",
        )
    return fmt


# -- JSON: duplicate keys refused, depth bounded by the parser -------------------------------------
class DuplicateKey(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    d = dict(pairs)
    if len(d) != len(pairs):
        seen: set[str] = set()
        for k, _ in pairs:
            if k in seen:
                raise DuplicateKey(k)
            seen.add(k)
    return d


#: the decoder of every delivered JSON value: an object with a key twice is an error, not "last wins"
JSON = json.JSONDecoder(object_pairs_hook=_no_duplicates)
_LENIENT = json.JSONDecoder()
NESTED_TOO_DEEPLY = "JSON nested too deeply to read"


def duplicate_key_reason(key: str) -> str:
    return f"duplicate key {key!r}"


def as_text(value: Any) -> str | None:
    """A JSON value as row text: strings as they are, anything else as its JSON."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


# -- JSONL -------------------------------------------------------------------------------------------
def iter_jsonl_objects(source: Delivered) -> Iterator[Record]:
    """Each non-blank line's JSON object as parsed (values keep their JSON types)."""
    line_no = 0
    stream = source.stream()
    try:
        for raw in stream:
            line_no += 1
            record = _jsonl_line(line_no, raw)
            if record[1] is not None or record[2] is not None:  # a blank line is no record
                yield record
    except DamagedData as e:
        raise source.problem(f"{e}; the lines before it were read, the rest cannot be", line_no + 1) from None


def _jsonl_line(line_no: int, raw: bytes) -> Record:
    try:
        text = raw.decode("utf-8-sig" if line_no == 1 else "utf-8")
    except UnicodeDecodeError as e:
        return line_no, None, RowProblem(line_no, None, f"not valid UTF-8 ({e.reason})", e.start + 1)
    if not text.strip():
        return line_no, None, None
    try:
        obj = JSON.decode(text)
    except DuplicateKey as e:
        return line_no, None, RowProblem(line_no, None, duplicate_key_reason(e.key), raw=text.rstrip("\r\n"))
    except json.JSONDecodeError as e:
        return line_no, None, RowProblem(line_no, None, f"malformed JSON: {e.msg}", e.colno, text.rstrip("\r\n"))
    except RecursionError:
        return line_no, None, RowProblem(line_no, None, NESTED_TOO_DEEPLY)
    if not isinstance(obj, dict):
        return line_no, None, RowProblem(line_no, None, f"expected a JSON object, found {type(obj).__name__}")
    return line_no, obj, None


def iter_jsonl(source: Delivered) -> Iterator[Record]:
    """Canonical rows of a JSONL file: every value as text (non-strings as their JSON)."""
    for line_no, obj, problem in iter_jsonl_objects(source):
        if obj is None:
            yield line_no, None, problem
            continue
        try:
            yield line_no, {k: as_text(v) for k, v in obj.items()}, None
        except RecursionError:
            yield line_no, None, RowProblem(line_no, None, NESTED_TOO_DEEPLY)


# -- JSON arrays (public formats) ----------------------------------------------------------------------
_WS = re.compile(r"[ \t\n\r]*")


def decode_utf8(source: Delivered, data: bytes) -> str:
    """The whole content as text; a byte that is not UTF-8 refuses the file naming its line and char."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        char = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise source.problem(f"not valid UTF-8 ({e.reason})", line, char) from None


def read_all(source: Delivered) -> bytes:
    try:
        return source.stream().read()
    except DamagedData as e:
        raise source.problem(str(e)) from None


def iter_json_array(source: Delivered) -> Iterator[Record]:
    """The elements of a file holding one JSON array, numbered from 1. An element with a duplicate
    key is a problem of that element; anything that stops the array from parsing refuses the file."""
    text = decode_utf8(source, read_all(source))

    def where(pos: int) -> tuple[int, int]:
        return text.count("\n", 0, pos) + 1, pos - (text.rfind("\n", 0, pos) + 1) + 1

    def refuse(reason: str, pos: int) -> InvalidInputError:
        line, char = where(pos)
        return source.problem(reason, line, char)

    pos = _WS.match(text, 0).end()  # type: ignore[union-attr]
    if text[pos : pos + 1] != "[":
        found = "nothing" if pos >= len(text) else f"{text[pos : pos + 1]!r}"
        raise refuse(f"expected a JSON array ('['), found {found}", pos)
    pos += 1
    i = 0
    while True:
        pos = _WS.match(text, pos).end()  # type: ignore[union-attr]
        if text[pos : pos + 1] == "]" and i == 0:
            pos += 1
            break
        i += 1
        try:
            obj, end = JSON.raw_decode(text, pos)
            yield i, obj, None
        except DuplicateKey as e:
            obj, end = _LENIENT.raw_decode(text, pos)
            yield i, None, RowProblem(i, None, duplicate_key_reason(e.key), raw=text[pos:end][:10_000])
        except json.JSONDecodeError as e:
            raise refuse(f"malformed JSON in element {i}: {e.msg}", e.pos) from None
        except RecursionError:
            raise refuse(f"element {i}: {NESTED_TOO_DEEPLY}", pos) from None
        pos = _WS.match(text, end).end()  # type: ignore[union-attr]
        sep = text[pos : pos + 1]
        pos += 1
        if sep == "]":
            break
        if sep != ",":
            raise refuse(f"malformed JSON after element {i}: expected ',' or ']'", pos - 1)
    rest = _WS.match(text, pos).end()  # type: ignore[union-attr]
    if rest != len(text):
        raise refuse("malformed JSON: extra data after the array", rest)


# -- CSV ---------------------------------------------------------------------------------------------
def iter_csv(source: Delivered) -> Iterator[Record]:
    """Rows of a CSV file with a header line, each numbered by the line it starts on.

    Quoting is strict: a quote that closes a field must be followed by the delimiter or the end
    of the line, and a quoted field still open at the end of the file is an unclosed quote (the
    rest of the file would otherwise be swallowed into one cell).
    """
    text = io.TextIOWrapper(source.stream(), encoding="utf-8-sig", errors="surrogateescape", newline="")
    undecodable: dict[int, tuple[int, int]] = {}  # line -> (char, byte) of its first byte that is not UTF-8
    n_lines = 0

    def lines() -> Iterator[str]:
        nonlocal n_lines
        for line in text:
            n_lines += 1
            if not line.isascii() and (m := _UNDECODABLE.search(line)):
                undecodable[n_lines] = (m.start() + 1, ord(m.group()) - 0xDC00)
            yield line

    def bad_encoding(first: int, last: int) -> RowProblem | None:
        for ln in range(first, last + 1):
            if ln in undecodable:
                char, byte = undecodable[ln]
                return RowProblem(ln, None, f"not valid UTF-8 (byte 0x{byte:02X})", char)
        return None

    reader = csv.reader(lines(), strict=True)
    try:
        try:
            header = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise source.problem(f"malformed CSV header: {_csv_reason(e)}", 1) from None
        if undecodable and (p := bad_encoding(1, reader.line_num)):
            raise InvalidInputError(
                source.name, [RowProblem(p.line, None, p.reason + " in the header", p.char)], whole_file=True
            )
        header = [h.strip() for h in header]
        if problems := header_problems(header, line=1):
            raise InvalidInputError(source.name, problems, whole_file=True)
        prev_end = reader.line_num
        n = len(header)
        while True:
            start = prev_end + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as e:
                msg = str(e)
                if "field limit" in msg:  # the parser lost its place: nothing after this can be trusted
                    raise source.problem(_csv_reason(e), start) from None
                if "unexpected end of data" in msg:  # the file ended inside a quoted field
                    yield start, None, RowProblem(start, None, _csv_reason(e))
                    break
                yield start, None, RowProblem(start, None, f"malformed CSV: {msg}")
                prev_end = reader.line_num
                continue
            prev_end = reader.line_num
            if undecodable and (p := bad_encoding(start, prev_end)):
                yield start, None, p
                continue
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
    except DamagedData as e:
        raise source.problem(f"{e}; the lines before it were read, the rest cannot be", n_lines + 1) from None


def _csv_reason(e: csv.Error) -> str:
    msg = str(e)
    if "unexpected end of data" in msg:
        return "unclosed quote: a quoted field starts in this row and is still open at the end of the file"
    if "field limit" in msg:
        return (
            f"a field is longer than {CSV_FIELD_LIMIT:,} characters: most often an unclosed quote that "
            "swallowed the rest of the file"
        )
    return msg
