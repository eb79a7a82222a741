"""The buyer's adjudications as they apply now: one definition, read by the agreement area
(accuracy against adjudication), the items view, the export (label precedence) and the snapshot.

An adjudication (table ``adjudications``, schema v13; written by ``qualitylab adjudicate`` and the
app's Items page through :mod:`qualitylab.items.adjudications`) is stored with the SHA-256 of the
comparison's texts (``queries/adjudications/texts_sha256.sql``). A comparison's **current**
adjudication is its latest one whose fingerprint still equals the comparison's present texts: an
adjudication of texts that were since replaced (``ingest --replace``) no longer applies, and is
reported as stale, never silently kept.
"""

from __future__ import annotations

from typing import Any

from .store import Store


def has_table(store: Store) -> bool:
    return bool(
        store.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'adjudications'"
        ).fetchall()[0][0]
    )


def texts_sha256(store: Store, batch_id: str, comparison_ids: list[str]) -> dict[str, str]:
    """comparison_id -> the fingerprint of its present texts (missing comparisons are left out)."""
    if not comparison_ids:
        return {}
    rows = store.records("adjudications/texts_sha256", {"batch_id": batch_id, "comparison_ids": comparison_ids})
    return {r["comparison_id"]: r["texts_sha256"] for r in rows}


def latest(store: Store, batch_id: str) -> list[dict[str, Any]]:
    """Each adjudicated comparison's latest adjudication, with ``current`` (it applies to the present
    texts) and ``n_adjudications``."""
    if not has_table(store):
        return []
    rows = store.records("adjudications/latest", {"batch_id": batch_id})
    now = texts_sha256(store, batch_id, [r["comparison_id"] for r in rows])
    for r in rows:
        r["current"] = now.get(r["comparison_id"]) == r["texts_sha256"]
    return rows


def current(store: Store, batch_id: str) -> dict[str, str]:
    """comparison_id -> adjudicated label, for the comparisons whose latest adjudication is current."""
    return {r["comparison_id"]: r["label"] for r in latest(store, batch_id) if r["current"]}


def of_item(store: Store, batch_id: str, comparison_id: str) -> list[dict[str, Any]]:
    """Every adjudication of one comparison, oldest first, each with ``current``."""
    if not has_table(store):
        return []
    sha = texts_sha256(store, batch_id, [comparison_id]).get(comparison_id)
    return store.rows(
        "adjudications/item", {"batch_id": batch_id, "comparison_id": comparison_id, "texts_sha256": sha or ""}
    )


def accuracy_counts(store: Store, batch_id: str) -> dict[str, dict[str, int]]:
    """annotator_id -> {n_adjudicated, n_adjudicated_correct} for every human annotator of the batch
    (``queries/adjudications/accuracy.sql``; zeros without adjudications)."""
    adj = current(store, batch_id)
    ids = sorted(adj)
    rows = store.rows(
        "adjudications/accuracy", {"batch_id": batch_id, "comparison_ids": ids, "labels": [adj[c] for c in ids]}
    )
    return {
        r["annotator_id"]: {
            "n_adjudicated": int(r["n_adjudicated"]),
            "n_adjudicated_correct": int(r["n_adjudicated_correct"]),
        }
        for r in rows
    }
