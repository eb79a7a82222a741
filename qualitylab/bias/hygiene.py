"""Data hygiene: each check is ONE query (queries/hygiene/*.sql) returning the offending rows.

Zero rows = pass; the rows are the evidence a vendor sees. Thresholds are report options
(``ctx.options``): ``fast_seconds`` (default 5) and ``min_items`` (default 20); see docs/bias.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..store import Store

FAST_SECONDS = 5.0  # a verdict on two responses given in under 5 s cannot have read them
MIN_ITEMS = 20  # fewer items than this: per-annotator rates and agreement are noise
MAX_ROWS = 1000  # offending rows kept in the report per check (n_rows counts them all)


@dataclass(frozen=True)
class CheckSpec:
    name: str
    query: str
    title: str
    description: str


CHECKS: tuple[CheckSpec, ...] = (
    CheckSpec(
        "duplicate_rows",
        "hygiene/duplicate_rows",
        "Exact duplicate rows",
        "verdicts identical in every delivered column; one row per group of copies",
    ),
    CheckSpec(
        "identical_responses",
        "hygiene/identical_responses",
        "Response A equals response B",
        "comparisons whose two responses are the same text",
    ),
    CheckSpec(
        "empty_responses",
        "hygiene/empty_responses",
        "Empty or whitespace-only responses",
        "comparisons with a blank response",
    ),
    CheckSpec(
        "redelivered_items",
        "hygiene/redelivered_items",
        "Items re-delivered from earlier batches",
        "comparisons with the same prompt and responses as one in an earlier batch (honeypots excepted)",
    ),
    CheckSpec(
        "other_vendor_items",
        "hygiene/other_vendor_items",
        "Items another vendor delivered too",
        "comparisons with the same prompt and responses as one in a batch of another vendor (honeypots excepted)",
    ),
    CheckSpec(
        "fast_verdicts",
        "hygiene/fast_verdicts",
        "Verdicts faster than the threshold",
        "human verdicts given in less than fast_seconds seconds",
    ),
    CheckSpec(
        "few_items",
        "hygiene/few_items",
        "Annotators with too few items",
        "annotators with fewer than min_items comparisons in the batch's verdicts",
    ),
)


@dataclass(frozen=True)
class CheckResult:
    name: str
    title: str
    description: str
    query: str
    params: dict[str, Any]
    n_rows: int  # offending rows (all of them)
    passed: bool
    rows: list[dict[str, Any]] = field(default_factory=list)  # the first max_rows of them
    truncated: bool = False


@dataclass(frozen=True)
class Hygiene:
    checks: dict[str, CheckResult]
    thresholds: dict[str, Any]

    @property
    def failed(self) -> list[str]:
        return [n for n, c in self.checks.items() if not c.passed]

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_failed": len(self.failed),
            "failed": self.failed,
            "thresholds": self.thresholds,
            "checks": self.checks,
        }


def check_params(spec: CheckSpec, batch_id: str, *, fast_seconds: float, min_items: int) -> dict[str, Any]:
    p: dict[str, Any] = {"batch_id": batch_id}
    if spec.name == "fast_verdicts":
        p.update(annotator_kind="human", min_seconds=float(fast_seconds))
    if spec.name == "few_items":
        p["min_items"] = int(min_items)
    return p


def run_check(store: Store, spec: CheckSpec, params: dict[str, Any], *, max_rows: int = MAX_ROWS) -> CheckResult:
    """Run one check: count its offending rows and keep the first ``max_rows`` of them."""
    rel = store.relation(spec.query, params)
    n = int(rel.aggregate("count(*) AS n").fetchall()[0][0])
    rows = rel.limit(max_rows).to_arrow_table().to_pylist() if n else []
    return CheckResult(spec.name, spec.title, spec.description, spec.query, params, n, n == 0, rows, n > len(rows))


def hygiene(
    store: Store,
    batch_id: str,
    *,
    fast_seconds: float = FAST_SECONDS,
    min_items: int = MIN_ITEMS,
    max_rows: int = MAX_ROWS,
) -> Hygiene:
    """Every hygiene check of the batch (see :data:`CHECKS`)."""
    if fast_seconds < 0:
        raise ValueError(f"fast_seconds must be >= 0, got {fast_seconds}")
    if min_items < 0:
        raise ValueError(f"min_items must be >= 0, got {min_items}")
    if max_rows < 0:
        raise ValueError(f"max_rows must be >= 0, got {max_rows}")
    checks = {
        s.name: run_check(
            store, s, check_params(s, batch_id, fast_seconds=fast_seconds, min_items=min_items), max_rows=max_rows
        )
        for s in CHECKS
    }
    return Hygiene(checks, {"fast_seconds": fast_seconds, "min_items": min_items, "max_rows": max_rows})


def offending_rows(
    store: Store, batch_id: str, name: str, *, fast_seconds: float = FAST_SECONDS, min_items: int = MIN_ITEMS
):
    """All offending rows of one check as a pyarrow Table (for downloads of more than max_rows)."""
    spec = {s.name: s for s in CHECKS}.get(name)
    if spec is None:
        raise ValueError(f"unknown hygiene check {name!r}; one of {', '.join(s.name for s in CHECKS)}")
    return store.arrow(spec.query, check_params(spec, batch_id, fast_seconds=fast_seconds, min_items=min_items))
