"""The vendor evidence pack: one self-contained HTML file and the same tables as CSV files.

``qualitylab report --batch NAME --html FILE --evidence DIR`` calls :func:`write_evidence` with the
batch's JSON report; the verdict, criteria, flagged annotators, hygiene rows, methods and
provenance all come from that document, plus example delivered rows (with file and line) fetched
for what was flagged, and the vendor's trend up to this batch.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..escape import write_csv
from .tables import Table, evidence_tables

__all__ = ["Table", "evidence_tables", "write_evidence", "write_csv_tables", "build_html", "vendor_trend_rows"]


def write_csv_tables(tables: list[Table], directory: str | Path) -> list[Path]:
    """Each table as ``DIR/<name>.csv`` through the one CSV writer (:func:`qualitylab.escape.write_csv`:
    formula-like text neutralised, numbers at full precision); UTF-8, a header row when the table
    has columns (an empty table keeps an empty file)."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    out = []
    for t in tables:
        p = d / f"{t.name}.csv"
        with open(p, "w", newline="", encoding="utf-8") as f:
            if t.columns:
                write_csv(f, t.columns, t.rows)
        out.append(p)
    return out


def vendor_trend_rows(store, doc: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The vendor's gate metrics up to this batch (None for a batch without a vendor)."""
    from ..gates.trends import vendor_trends

    batch = doc.get("batch") or {}
    if not batch.get("vendor"):
        return None
    m = doc.get("methods") or {}
    source = (doc.get("gate") or {}).get("source", "")
    gates = None if source.startswith("built-in") else source or None
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
) -> dict[str, Any]:
    """Write the HTML pack to ``html`` and/or the CSV tables to ``evidence_dir``; returns what was written."""
    tr = vendor_trend_rows(store, doc) if trends else None
    tables = evidence_tables(store, batch_id, doc, tr)
    written: dict[str, Any] = {}
    if evidence_dir:
        written["csv"] = write_csv_tables(tables, evidence_dir)
    if html:
        p = Path(html)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(build_html(doc, tables, tr), encoding="utf-8")
        written["html"] = p
    return written
