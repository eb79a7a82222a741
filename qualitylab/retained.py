"""What counts: the retained human rows of a set of batches under their decisions' exclusions.

One definition, read by the contract (units, payable) and the export (the accepted dataset):

* a **verdict** is retained when it is stored (not quarantined), not an exact-duplicate copy
  (the report's one duplicate rule: the stored ``duplicate_copy``, qualitylab/duplicates.py),
  a human's, not by an annotator the decision excludes, and
  on a comparison that is new and usable: not re-delivered from an earlier batch of the vendor,
  not with identical responses, not with an empty response (the hygiene checks' own queries say
  which, so an item is dropped exactly when the report lists it);
* a **rating** likewise (no re-delivery or identical-response rule: those are pairwise notions;
  an empty rated response drops the row); a **ranking row** likewise, without item rules.

Every dropped row has exactly one reason (the first that applies, in the order of
:data:`VERDICT_REASONS` and friends), so counts in and out add up.

Usage: ``with scoped(store, Scope(batches, excluded)):`` then the temp views ``_ql_verdict_rows``,
``_ql_rating_rows``, ``_ql_ranking_rows`` (each stored row with its ``drop_reason``, NULL =
retained) are there for the named queries under ``queries/contract/`` and ``queries/export/``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from .store import Store

#: why a stored or delivered verdict row is not in the accepted data, in the order applied
VERDICT_REASONS = (
    "quarantined",
    "duplicate_copy",
    "judge",
    "excluded_annotator",
    "redelivered",
    "identical_responses",
    "empty_responses",
)
RATING_REASONS = ("quarantined", "duplicate_copy", "judge", "excluded_annotator", "empty_response")
RANKING_REASONS = ("quarantined", "duplicate_copy", "judge", "excluded_annotator")

#: comparison-level reasons and the hygiene check (report key and query) each comes from
ITEM_CHECKS = (
    ("redelivered", "hygiene/redelivered_items"),
    ("identical_responses", "hygiene/identical_responses"),
    ("empty_responses", "hygiene/empty_responses"),
)

_TEMP_VIEWS = (
    "_ql_verdict_rows",
    "_ql_rating_rows",
    "_ql_ranking_rows",
    "_ql_verdicts",
    "_ql_ratings",
    "_ql_rankings",
)
_TEMP_TABLES = ("_ql_item_flags",)
_REGISTERED = ("_ql_scope", "_ql_excluded", "_ql_hygiene")


@dataclass(frozen=True)
class Scope:
    """The batches to read and, per batch, the annotator ids its decision excludes."""

    batches: tuple[str, ...]
    excluded: Mapping[str, Sequence[str]] = field(default_factory=dict)


@contextmanager
def scoped(store: Store, scope: Scope) -> Iterator[Store]:
    """Create the temp views of ``scope`` on ``store``'s connection; drop them afterwards."""
    import pyarrow as pa

    con = store.con
    con.register("_ql_scope", pa.table({"batch_id": pa.array(list(scope.batches), pa.string())}))
    pairs = [(b, a) for b in scope.batches for a in scope.excluded.get(b, ())]
    con.register(
        "_ql_excluded",
        pa.table(
            {
                "batch_id": pa.array([b for b, _ in pairs], pa.string()),
                "annotator_id": pa.array([a for _, a in pairs], pa.string()),
            }
        ),
    )
    flags: list[tuple[str, str, str]] = []
    for b in scope.batches:
        for reason, query in ITEM_CHECKS:
            ids = store.arrow(query, {"batch_id": b}).column("comparison_id").to_pylist()
            flags += [(b, c, reason) for c in ids]
    con.register(
        "_ql_hygiene",
        pa.table(
            {
                "batch_id": pa.array([f[0] for f in flags], pa.string()),
                "comparison_id": pa.array([f[1] for f in flags], pa.string()),
                "reason": pa.array([f[2] for f in flags], pa.string()),
            }
        ),
    )
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE _ql_item_flags AS " + _body("retained/item_flags")).fetchall()
        for name in (
            "retained/verdicts_view",
            "retained/ratings_view",
            "retained/rankings_view",
            "retained/verdict_rows_view",
            "retained/rating_rows_view",
            "retained/ranking_rows_view",
        ):
            store.execute(name)
        yield store
    finally:
        for v in _TEMP_VIEWS:
            con.execute(f"DROP VIEW IF EXISTS {v}").fetchall()
        for t in _TEMP_TABLES:
            con.execute(f"DROP TABLE IF EXISTS {t}").fetchall()
        for r in _REGISTERED:
            con.unregister(r)


def _body(name: str) -> str:
    """A named SELECT without its comment header (to wrap in CREATE TABLE ... AS)."""
    from .store import sql

    return "\n".join(line for line in sql(name).splitlines() if not line.lstrip().startswith("--"))
