"""Re-delivered from a public set: the batch's comparisons that occur in the files named with
``--against [FORMAT=]FILE`` (report key ``redelivered_against``; issue 18 item 8).

Each against-file is read once by :mod:`qualitylab.against` (its distinct prompt + response pairs,
hashed like ``verdicts.pair_hash``); ``queries/hygiene/against_overlap.sql`` lists the comparisons of
the batch with one of those pairs (either order), the file's line and whether A and B are swapped.
Per file: ``n_overlap`` comparisons and ``share`` = n_overlap / the batch's comparisons with texts
(Wilson), the first ``max_rows`` rows. Across files ``n_overlap`` counts each comparison once.
Overlaps with another vendor's batches in the store are the hygiene check ``other_vendor_items``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..intervals import proportion
from ..results import Statistic

DEFINITION = (
    "comparisons of the batch whose prompt and pair of responses (either order; the ingest's pair_hash) occur "
    "in a public preference set named with --against [FORMAT=]FILE, read by the adapters; honeypots and rows "
    "without texts skipped; share = n_overlap / comparisons with texts (Wilson)"
)


@dataclass(frozen=True)
class AgainstFileResult:
    spec: str
    file_name: str
    format: str
    sha256: str
    size_bytes: int
    n_rows_read: int
    n_rows_skipped: int
    skipped: list[str]
    n_pairs: int
    n_overlap: int
    share: Statistic
    n_swapped: int
    rows: list[dict[str, Any]] = field(default_factory=list)
    truncated: bool = False


@dataclass(frozen=True)
class RedeliveredAgainst:
    status: str  # "measured" | "no --against file"
    n_comparisons: int  # the batch's comparisons with texts (the share's denominator)
    n_overlap: int  # comparisons found in any of the files
    passed: bool
    files: list[AgainstFileResult]
    definition: str = DEFINITION
    reason: str | None = None


def redelivered_against(store: Any, batch_id: str, specs: list[str], *, max_rows: int) -> RedeliveredAgainst:
    """The overlaps of ``batch_id`` with every against-file of ``specs`` (empty: not asked)."""
    from ..against import against_set

    counts = store.one("hygiene/against_denominator", {"batch_id": batch_id}) or {}
    n_cmp = int(counts.get("n_comparisons") or 0)
    if not specs:
        return RedeliveredAgainst(
            "no --against file", n_cmp, 0, True, [], reason="no public set named (report --against [FORMAT=]FILE)"
        )
    files: list[AgainstFileResult] = []
    found: set[str] = set()
    for spec in specs:
        a = against_set(spec)
        params = {
            "batch_id": batch_id,
            "pair_hashes": a.pair_hashes,
            "content_hashes": a.content_hashes,
            "lines": a.lines,
        }
        rows = store.rows("hygiene/against_overlap", params)
        found.update(r["comparison_id"] for r in rows)
        share = (
            proportion(len(rows), n_cmp, what="share re-delivered from the against-file")
            if n_cmp
            else Statistic.not_computable("the batch has no comparison with texts")
        )
        files.append(
            AgainstFileResult(
                a.spec,
                a.file_name,
                a.format,
                a.sha256,
                a.size_bytes,
                a.n_rows_read,
                a.n_rows_skipped,
                a.skipped,
                a.n_pairs,
                len(rows),
                share,
                sum(1 for r in rows if r["swapped"]),
                rows[:max_rows],
                len(rows) > max_rows,
            )
        )
    return RedeliveredAgainst("measured", n_cmp, len(found), not found, files)
