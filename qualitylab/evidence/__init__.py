"""The vendor evidence pack: one self-contained HTML file and the same tables as CSV files.

``qualitylab report --batch NAME --html FILE --evidence DIR`` calls :func:`write_evidence` with the
batch's JSON report; the verdict, criteria, flagged annotators, hygiene rows, methods and
provenance all come from that document, plus example delivered rows (with file and line) fetched
for what was flagged, and the vendor's trend up to this batch.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..escape import write_csv
from .tables import Table, evidence_tables

__all__ = [
    "Table",
    "evidence_tables",
    "write_evidence",
    "write_csv_tables",
    "build_html",
    "vendor_trend_rows",
    "check_outputs",
]


def _nearest_existing(p: Path) -> Path:
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def _probe_directory(d: Path, what: str, given: str | Path) -> None:
    """A UsageError unless a file can really be created in ``d`` (or, when ``d`` does not exist
    yet, in its nearest existing ancestor, where it would be created)."""
    base = _nearest_existing(d)
    if not base.is_dir():
        raise UsageError(f"Cannot write {what}", f"{given}: {base} is a file, not a directory", "give another path")
    try:
        with tempfile.NamedTemporaryFile(dir=base, prefix=".qualitylab-probe-"):
            pass
    except OSError as e:
        raise UsageError(
            f"Cannot write {what}", f"{given}: {e.strerror or e} ({base})", "give a writable path"
        ) from None


def check_outputs(html: str | Path | None = None, evidence_dir: str | Path | None = None) -> None:
    """Before any computation: a UsageError (exit 2) with the reason unless ``html`` names a file
    that can be written and ``evidence_dir`` a directory (existing or to be made) that can."""
    if html:
        p = Path(html)
        if p.is_dir():
            raise UsageError("Cannot write --html", f"{html} is a directory", "give a file name, e.g. pack.html")
        _probe_directory(p.parent, "--html", html)
        if p.exists():
            try:
                with open(p, "ab"):
                    pass
            except OSError as e:
                raise UsageError("Cannot write --html", f"{html}: {e.strerror or e}", "give a writable path") from None
    if evidence_dir:
        d = Path(evidence_dir)
        if d.exists() and not d.is_dir():
            raise UsageError(
                "Cannot write --evidence", f"{evidence_dir} is a file, not a directory", "give a directory"
            )
        _probe_directory(d, "--evidence", evidence_dir)


def _write_text_atomic(p: Path, text: str) -> None:
    """Write through a temporary file beside ``p`` and rename it: never a half-written file."""
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_csv_tables(tables: list[Table], directory: str | Path) -> list[Path]:
    """Each table as ``DIR/<name>.csv`` through the one CSV writer (:func:`qualitylab.escape.write_csv`:
    formula-like text neutralised, numbers at full precision); UTF-8, always with a header row (an
    empty table's header comes from ``Table.header``)."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    out = []
    for t in tables:
        p = d / f"{t.name}.csv"
        with open(p, "w", newline="", encoding="utf-8") as f:
            write_csv(f, t.columns or ["(no columns)"], t.rows)
        out.append(p)
    return out


def vendor_trend_rows(store, doc: dict[str, Any], gates: str | None = None) -> list[dict[str, Any]] | None:
    """The vendor's gate metrics up to this batch (None for a batch without a vendor): each batch under
    its own gate file (its contract week's, else the built-in gates), or under ``gates`` (the
    ``--gates FILE`` the report was asked for) for all. The gate source in ``doc`` is a description
    ("contract X v1 week 4: gates.toml"), never read as a path."""
    from ..gates.trends import vendor_trends

    batch = doc.get("batch") or {}
    if not batch.get("vendor"):
        return None
    m = doc.get("methods") or {}
    return vendor_trends(
        store,
        batch["vendor"],
        until=batch["batch_id"],
        gates=gates,
        seed=m.get("seed"),
        n_boot=m.get("bootstrap_resamples"),
    )


def build_html(doc: dict[str, Any], tables: list[Table], trends: list[dict[str, Any]] | None) -> str:
    from .charts import evidence_figures
    from .html import render_html

    return render_html(doc, tables, evidence_figures(doc, trends))


def write_evidence(
    store,
    batch_id: str,
    doc: dict[str, Any],
    *,
    html: str | Path | None = None,
    evidence_dir: str | Path | None = None,
    trends: bool = True,
    gates: str | None = None,
) -> dict[str, Any]:
    """Write the HTML pack to ``html`` and/or the CSV tables to ``evidence_dir``; returns what was written.
    ``gates`` is the explicit gate file the report was computed with (None: each batch's own)."""
    check_outputs(html, evidence_dir)
    tr = vendor_trend_rows(store, doc, gates) if trends else None
    tables = evidence_tables(store, batch_id, doc, tr)
    written: dict[str, Any] = {}
    try:
        if evidence_dir:
            written["csv"] = write_csv_tables(tables, evidence_dir)
        if html:
            p = Path(html)
            _write_text_atomic(p, build_html(doc, tables, tr))
            written["html"] = p
    except OSError as e:
        what = f"{e.filename}: " if e.filename else ""
        raise UsageError("Cannot write the evidence", f"{what}{e.strerror or e}", "give a writable path") from None
    return written
