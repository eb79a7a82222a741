"""Recording adjudications: the buyer's own label on a comparison (issue 17).

From a file (``qualitylab adjudicate --batch X FILE --by NAME``; columns ``comparison_id``,
``label``, ``note``; CSV or JSONL by the suffix) or from the app's Items page (a required Reviewer).
Both go through :func:`record`: one transaction, append-only (``queries/adjudications/insert.sql``),
each row stored with the SHA-256 of the comparison's present texts, so an adjudication stops
applying when the texts change (:mod:`qualitylab.adjudicated`). A file with any bad row is refused
whole (exit 3, every problem as ``file:line: column 'name': reason``), nothing stored.
"""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..errors import InvalidInputError, NotFoundError, RowProblem, UsageError
from ..schema import PREFERENCES
from ..store import Store, one_writer, open_store, transaction

COLUMNS = ("comparison_id", "label", "note")
MAX_NOTE_CHARS = 10_000


@dataclass(frozen=True)
class Adjudication:
    comparison_id: str
    label: str  # A | B | tie
    note: str = ""
    line: int | None = None  # the file's line (None: from the app)


@dataclass
class AdjudicationFileError(InvalidInputError):
    """An adjudication file was refused; nothing was stored."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.hint = "fix the rows listed above and run `qualitylab adjudicate` again"


@dataclass(frozen=True)
class Recorded:
    batch_id: str
    source: str
    adjudicated_by: str
    rows: list[Adjudication] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"recorded {len(self.rows)} adjudication(s) of batch {self.batch_id!r} by {self.adjudicated_by!r} "
            f"from {self.source}"
        )


def _label(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    for p in PREFERENCES:
        if text.lower() == p.lower():
            return p
    return None


def check_row(raw: dict, line: int | None) -> tuple[Adjudication | None, list[RowProblem]]:
    """One row (a mapping of column -> value) as an :class:`Adjudication`, or its problems."""
    problems = []
    keys = {str(k).strip().lower(): k for k in raw}
    for k in keys:
        if k not in COLUMNS:
            problems.append(RowProblem(line, k, f"unknown column (the columns are {', '.join(COLUMNS)})"))
    cid = raw.get(keys.get("comparison_id", "comparison_id"))
    if cid is None or str(cid).strip() == "":
        problems.append(RowProblem(line, "comparison_id", "missing"))
    label = _label(raw.get(keys.get("label", "label")))
    if label is None:
        got = raw.get(keys.get("label", "label"))
        problems.append(RowProblem(line, "label", f"{got!r} is not one of A, B, tie"))
    note = raw.get(keys.get("note", "note"))
    note = "" if note is None else str(note)
    if len(note) > MAX_NOTE_CHARS:
        problems.append(RowProblem(line, "note", f"{len(note)} characters, more than {MAX_NOTE_CHARS}"))
    if problems:
        return None, problems
    return Adjudication(str(cid), str(label), note, line), []


def read_file(path: str | os.PathLike[str]) -> list[Adjudication]:
    """The rows of an adjudication file (``.csv`` or ``.jsonl``); :class:`AdjudicationFileError`
    listing every bad row (a comparison given twice included) when any is bad."""
    p = Path(path)
    if not p.is_file():
        raise NotFoundError("No such file", str(p), "give the adjudication file (CSV or JSONL) to read")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise AdjudicationFileError(p.name, [RowProblem(None, None, f"not valid UTF-8 ({e.reason})")]) from e
    rows: list[tuple[int, dict]] = []
    problems: list[RowProblem] = []
    suffix = p.suffix.lower()
    if suffix == ".jsonl":
        for i, text_line in enumerate(text.splitlines(), 1):
            if not text_line.strip():
                continue
            try:
                obj = json.loads(text_line)
            except json.JSONDecodeError as e:
                problems.append(RowProblem(i, None, f"not JSON: {e.msg}", char=e.colno))
                continue
            if not isinstance(obj, dict):
                problems.append(RowProblem(i, None, "not a JSON object"))
                continue
            rows.append((i, obj))
    elif suffix == ".csv":
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        try:
            header = next(reader, None)
            if header is None:
                raise AdjudicationFileError(p.name, [RowProblem(None, None, "empty file: no header")])
            header = [h.strip() for h in header]
            for rec in reader:
                n = reader.line_num
                if not any(c.strip() for c in rec):
                    continue
                if len(rec) != len(header):
                    problems.append(RowProblem(n, None, f"{len(rec)} fields, the header has {len(header)}"))
                    continue
                rows.append((n, dict(zip(header, rec, strict=True))))
        except csv.Error as e:
            problems.append(RowProblem(reader.line_num, None, f"bad CSV: {e}"))
    else:
        raise UsageError(
            "Unknown file kind",
            f"{p.name}: not .csv or .jsonl",
            "give a .csv or .jsonl file with columns " + ", ".join(COLUMNS),
        )
    out: list[Adjudication] = []
    seen: dict[str, int] = {}
    for line, raw in rows:
        adj, probs = check_row(raw, line)
        problems += probs
        if adj is None:
            continue
        if adj.comparison_id in seen:
            problems.append(
                RowProblem(
                    line,
                    "comparison_id",
                    f"{adj.comparison_id!r} is adjudicated twice (line {seen[adj.comparison_id]})",
                )
            )
            continue
        seen[adj.comparison_id] = line
        out.append(adj)
    if problems:
        raise AdjudicationFileError(p.name, problems)
    if not out:
        raise AdjudicationFileError(p.name, [RowProblem(None, None, "no adjudication in the file")])
    return out


def record_in(store: Store, batch_id: str, rows: list[Adjudication], *, by: str, source: str) -> Recorded:
    """Append ``rows`` inside the caller's transaction; refused whole when a comparison is not in the
    batch (:class:`AdjudicationFileError`), the batch is unknown (exit 5) or decided (exit 4)."""
    from ..adjudicated import texts_sha256

    if not by or not by.strip():
        raise UsageError("No reviewer", "an adjudication needs the reviewer's name", "give --by NAME")
    store.require_batch(batch_id)
    store.require_open_batch(batch_id, "adjudicate")
    shas = texts_sha256(store, batch_id, [r.comparison_id for r in rows])
    missing = [r for r in rows if r.comparison_id not in shas]
    if missing:
        raise AdjudicationFileError(
            source,
            [
                RowProblem(r.line, "comparison_id", f"{r.comparison_id!r} is not a comparison of batch {batch_id!r}")
                for r in missing
            ],
        )
    for r in rows:
        store.execute(
            "adjudications/insert",
            {
                "batch_id": batch_id,
                "comparison_id": r.comparison_id,
                "label": r.label,
                "note": r.note,
                "adjudicated_by": by.strip(),
                "texts_sha256": shas[r.comparison_id],
                "source": source,
                "source_line": r.line,
                "qualitylab_version": __version__,
            },
        )
    return Recorded(batch_id, source, by.strip(), rows)


def record(
    db: str | os.PathLike[str] | None,
    batch_id: str,
    rows: list[Adjudication],
    *,
    by: str,
    source: str,
    wait_seconds=10.0,
) -> Recorded:
    """Open the store for writing, append ``rows`` in one transaction, close it."""
    with open_store(db, wait_seconds=wait_seconds) as store, one_writer(store.path), transaction(store):
        return record_in(store, batch_id, rows, by=by, source=source)


def adjudicate_file(db, batch_id: str, path: str | os.PathLike[str], *, by: str) -> Recorded:
    """``qualitylab adjudicate``: read and check the file first (nothing opened when it is bad), then record."""
    if not by or not by.strip():
        raise UsageError("No reviewer", "an adjudication needs the reviewer's name", "give --by NAME")
    rows = read_file(path)
    return record(db, batch_id, rows, by=by, source=Path(path).name)
