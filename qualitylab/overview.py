"""The batch overview: provenance, counts of each kind of row, label distribution, quarantine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .intervals import proportion
from .results import Statistic
from .schema import PREFERENCES
from .store import Store


@dataclass(frozen=True)
class Overview:
    batch: dict[str, Any]
    provenance: list[dict[str, Any]]
    counts: dict[str, int]
    label_distribution: dict[str, dict[str, Statistic]]
    quarantine: dict[str, Any] = field(default_factory=dict)

    @property
    def kinds(self) -> tuple[str, ...]:
        out = []
        if self.counts.get("n_judgments"):
            out.append("pairwise")
        if self.counts.get("n_ratings"):
            out.append("rating")
        if self.counts.get("n_ranking_rows"):
            out.append("ranking")
        return tuple(out)


def label_distribution(rows: list[dict[str, Any]]) -> dict[str, dict[str, Statistic]]:
    """``{all|human|judge: {A|B|tie: proportion}}`` from (annotator_kind, preference, n) rows."""
    groups: dict[str, dict[str, int]] = {"all": {p: 0 for p in PREFERENCES}}
    for r in rows:
        groups.setdefault(r["annotator_kind"], {p: 0 for p in PREFERENCES})
        groups[r["annotator_kind"]][r["preference"]] += r["n"]
        groups["all"][r["preference"]] += r["n"]
    out = {}
    for g, counts in groups.items():
        total = sum(counts.values())
        out[g] = {p: proportion(k, total, what=f"{g} verdicts") for p, k in counts.items()}
    return out


def compute_overview(store: Store, batch_id: str) -> Overview:
    store.require_batch(batch_id)
    p = {"batch_id": batch_id}
    batch = store.first("ingest/batch_row", p)
    counts = {}
    for q in ("overview/counts_pairwise", "overview/counts_rating", "overview/counts_ranking"):
        counts.update({k: int(v) for k, v in store.first(q, p).items()})
    by_reason = store.rows("overview/quarantine_summary", p)
    counts["n_quarantined"] = sum(f["n_quarantined"] for f in store.rows("overview/files", p))
    return Overview(
        batch=batch,
        provenance=store.rows("overview/files", p),
        counts=counts,
        label_distribution=label_distribution(store.rows("overview/label_distribution", p)),
        quarantine={"n_rows": counts["n_quarantined"], "by_reason": by_reason},
    )
