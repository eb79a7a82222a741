"""The report's one rule for exact duplicate rows (docs/report-json.md, "Duplicate rows").

A stored row identical to an earlier row of its batch in every delivered column (texts compared
through ``content_hash`` for verdicts, as text for ratings and rankings; NULLs equal; earlier =
lower ``file_id``, ``source_line``) is a **duplicate copy**: a delivery defect, not a second
opinion. It stays stored — ``hygiene.duplicate_rows`` lists it and ``provenance`` counts it — and
every statistic of the report (agreement, label shares, bias, screening, judges, signals, gates)
and the contract and export skip it, through the stored column ``duplicate_copy`` (schema v12).

:func:`mark` keeps that column current; it runs in the transaction of every write of a batch's
rows (ingest, ``--replace``, ``qualitylab judge``).
"""

from __future__ import annotations

from .store import Store

_KINDS = ("pairwise", "rating", "ranking")


def mark(store: Store, batch_id: str) -> None:
    """Recompute ``duplicate_copy`` of ``batch_id``'s verdicts, ratings and rankings (only changed
    rows are written; a batch without duplicates costs one hash aggregation per table)."""
    for kind in _KINDS:
        store.execute(f"ingest/mark_duplicates_{kind}", {"batch_id": batch_id})
