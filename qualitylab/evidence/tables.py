"""The evidence tables of a batch: what the HTML pack shows and ``--evidence DIR`` writes as CSV.

Every table comes from the JSON report (the gate, the hygiene checks, the annotator screening, the
bias tables, provenance) — nothing is recomputed here — plus example rows fetched for the flagged
annotators and the comparisons the hygiene checks found (``queries/gates/examples_by_*.sql``), so a
vendor sees the delivered rows themselves, with file and line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

EXAMPLES_PER_ANNOTATOR = 10
EXAMPLE_COMPARISONS_PER_CHECK = 10
EXAMPLE_ROWS_PER_COMPARISON = 3
EXAMPLE_MAX_CHARS = 300
#: hygiene checks whose rows name comparisons, so their delivered rows can be shown
COMPARISON_CHECKS = (
    "duplicate_rows",
    "identical_responses",
    "empty_responses",
    "redelivered_items",
    "other_vendor_items",
)


@dataclass(frozen=True)
class Table:
    """One evidence table: a CSV file name, a title, what one row means, and the rows."""

    name: str
    title: str
    description: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    n_total: int | None = None  # rows that exist when ``rows`` holds only the first ones
    header: tuple[str, ...] = ()  # the columns when there are no rows (a CSV has a header even when empty)

    @property
    def columns(self) -> list[str]:
        return list(dict.fromkeys([*self.header, *(k for r in self.rows for k in r)]))


def _flat(value: Any) -> Any:
    """A cell for CSV/HTML: statistics become ``value``, lists and dicts compact JSON."""
    if isinstance(value, dict) and "value" in value and "ci95_low" in value:
        return value.get("value")
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def flatten(row: dict[str, Any]) -> dict[str, Any]:
    """Statistic cells ``x`` become ``x``, ``x_ci95_low``, ``x_ci95_high``, ``x_n`` columns."""
    out: dict[str, Any] = {}
    for k, v in row.items():
        if isinstance(v, dict) and "value" in v and "ci95_low" in v:
            out[k] = v.get("value")
            out[f"{k}_ci95_low"] = v.get("ci95_low")
            out[f"{k}_ci95_high"] = v.get("ci95_high")
            out[f"{k}_n"] = v.get("n")
            if v.get("reason"):
                out[f"{k}_reason"] = v["reason"]
        else:
            out[k] = _flat(v)
    return out


CRITERION_COLUMNS = (
    "id",
    "title",
    "outcome",
    "severity",
    "metric",
    "path",
    "value",
    "ci95_low",
    "ci95_high",
    "n",
    "comparison",
    "threshold",
    "decide",
    "min_n",
    "reason",
    "why",
)


#: the criteria columns a person reads first, in this order: the evidence pack's verdict table and the app's
#: Evidence page (which puts the criterion in words first); the CSV has every column of CRITERION_COLUMNS
CRITERIA_SHOWN = (
    "id",
    "outcome",
    "severity",
    "value",
    "ci95_low",
    "ci95_high",
    "n",
    "comparison",
    "threshold",
    "decide",
    "min_n",
    "reason",
)

#: the screening columns the evidence pack shows first (the rest, 40-odd, under "Every column"; all in the CSV)
SCREENING_SHOWN = (
    "annotator_id",
    "annotator_kind",
    "n",
    "flagged",
    "flags",
    "agreement_with_majority",
    "gold_accuracy",
    "p_first",
    "p_prefer_longer",
    "median_seconds",
)


def criteria_table(doc: dict[str, Any]) -> Table:
    gate = doc.get("gate") or {}
    rows = [{k: c.get(k) for k in CRITERION_COLUMNS} for c in gate.get("criteria", [])]
    return Table(
        "criteria",
        "Acceptance criteria",
        "one row per criterion of the gate file: the number it read, its interval, the threshold and the outcome",
        rows,
        header=CRITERION_COLUMNS,
    )


def annotator_tables(doc: dict[str, Any]) -> tuple[Table, Table]:
    """(every annotator's screening row, one row per flag of a flagged annotator)."""
    rows = doc.get("annotators") or []
    screening = [
        flatten(
            {k: v for k, v in r.items() if k not in ("flags", "flag_names", "flagged")}
            | {"flagged": r.get("flagged"), "flags": ", ".join(r.get("flag_names") or [])}
        )
        for r in rows
    ]
    flagged = [
        {
            "annotator_id": r["annotator_id"],
            "annotator_kind": r.get("annotator_kind"),
            "n": r.get("n"),
            "flag": f.get("flag"),
            "reason": f.get("reason"),
        }
        for r in rows
        for f in (r.get("flags") or [])
    ]
    return (
        Table(
            "annotators",
            "Annotator screening",
            "one row per annotator: every screening signal beside its flags",
            screening,
        ),
        Table(
            "flagged_annotators",
            "Flagged annotators",
            "one row per flag of an annotator, with the reason quoting the number and the threshold",
            flagged,
            header=("annotator_id", "annotator_kind", "n", "flag", "reason"),
        ),
    )


def bias_tables(doc: dict[str, Any]) -> list[Table]:
    out = []
    for key, rate, title in (
        ("position_bias", "p_first", "Position bias by annotator"),
        ("length_bias", "p_prefer_longer", "Length bias by annotator"),
    ):
        sec = doc.get(key) or {}
        rows = [flatten(r) for r in sec.get("by_annotator") or []]
        out.append(
            Table(
                f"{key}_by_annotator",
                title,
                f"one row per annotator: {rate} with its Wilson 95% interval, binomial p-value "
                "against 0.5 and Benjamini-Hochberg q-value; flagged when q < 0.05",
                rows,
            )
        )
    return out


def hygiene_tables(doc: dict[str, Any]) -> list[Table]:
    """One table per failed hygiene check, with the offending rows the report holds."""
    checks = ((doc.get("hygiene") or {}).get("checks")) or {}
    out = []
    for name, c in checks.items():
        if c.get("passed", True):
            continue
        out.append(
            Table(
                f"hygiene_{name}",
                c.get("title") or name,
                f"{c.get('description') or ''} (query {c.get('query')})".strip(),
                [flatten(r) for r in c.get("rows") or []],
                c.get("n_rows"),
            )
        )
    return out


def example_tables(store, batch_id: str, doc: dict[str, Any]) -> tuple[Table, Table]:
    """Delivered rows of the flagged annotators and of the comparisons the hygiene checks found."""
    flagged = sorted({r["annotator_id"] for r in doc.get("annotators") or [] if r.get("flagged")})
    ann_rows = (
        store.rows(
            "gates/examples_by_annotator",
            {
                "batch_id": batch_id,
                "annotator_ids": flagged,
                "per_annotator": EXAMPLES_PER_ANNOTATOR,
                "max_chars": EXAMPLE_MAX_CHARS,
            },
        )
        if flagged
        else []
    )
    checks = ((doc.get("hygiene") or {}).get("checks")) or {}
    found: dict[str, str] = {}
    for name in COMPARISON_CHECKS:
        c = checks.get(name) or {}
        ids = list(dict.fromkeys(r["comparison_id"] for r in c.get("rows") or [] if r.get("comparison_id")))
        for cid in ids[:EXAMPLE_COMPARISONS_PER_CHECK]:
            found.setdefault(cid, name)
    cmp_rows = (
        store.rows(
            "gates/examples_by_comparison",
            {
                "batch_id": batch_id,
                "comparison_ids": list(found),
                "per_comparison": EXAMPLE_ROWS_PER_COMPARISON,
                "max_chars": EXAMPLE_MAX_CHARS,
            },
        )
        if found
        else []
    )
    cmp_rows = [{"check": found.get(r["comparison_id"]), **r} for r in cmp_rows]
    cmp_rows.sort(key=lambda r: (COMPARISON_CHECKS.index(r["check"]), r["comparison_id"], r["source_line"]))
    return (
        Table(
            "annotator_examples",
            "Example rows of the flagged annotators",
            f"the first {EXAMPLES_PER_ANNOTATOR} delivered verdicts of each flagged annotator, with file "
            f"and line; texts cut to {EXAMPLE_MAX_CHARS} characters",
            ann_rows,
            header=(
                "annotator_id",
                "file_name",
                "source_line",
                "comparison_id",
                "shown_first",
                "preference",
                "gold",
                "seconds",
                "len_a_chars",
                "len_b_chars",
                "prompt",
                "response_a",
                "response_b",
            ),  # fmt: skip
        ),
        Table(
            "hygiene_examples",
            "Example rows of the comparisons found by the hygiene checks",
            f"up to {EXAMPLE_ROWS_PER_COMPARISON} delivered verdicts of up to "
            f"{EXAMPLE_COMPARISONS_PER_CHECK} comparisons per check, with file and line; texts cut to "
            f"{EXAMPLE_MAX_CHARS} characters",
            cmp_rows,
            header=(
                "check",
                "comparison_id",
                "file_name",
                "source_line",
                "annotator_id",
                "preference",
                "seconds",
                "prompt",
                "response_a",
                "response_b",
            ),  # fmt: skip
        ),
    )


def trend_table(rows: list[dict[str, Any]]) -> Table:
    cols = (
        "batch_id",
        "vendor",
        "delivered",
        "verdict",
        "criterion",
        "value",
        "ci95_low",
        "ci95_high",
        "n",
        "outcome",
        "previous_batch_id",
        "difference",
        "z",
        "p_value",
        "q_value",
        "test",
        "changed",
    )
    return Table(
        "trends",
        "Gate metrics over the vendor's batches",
        "one row per batch and criterion, with the change since the vendor's previous batch and its "
        "test (docs/gates.md, 'Trends')",
        [{k: r.get(k) for k in cols} for r in rows],
        header=cols,
    )


def decision_tables(store, batch_id: str) -> list[Table]:
    """The decision of record (every decision on the batch, the current one last) and the
    annotators it excludes, with the reason and how many of their verdicts are left out."""
    from ..decisions import history

    decisions = history(store, batch_id)
    rows = [
        {
            "decision_id": d.decision_id,
            "decision": d.decision,
            "current": d is decisions[-1],
            "gate_verdict": d.gate_verdict,
            "decided_by": d.decided_by,
            "decided_at": d.decided_at,
            "note": d.note,
            "override_reason": d.override_reason,
            "excluded": ", ".join(d.excluded),
            "report_sha256": d.report_sha256,
            "gates_sha256": d.gates_sha256,
            "contract": None
            if d.contract_name is None
            else f"{d.contract_name} v{d.contract_version} week {d.contract_week}",
            "supersedes": d.supersedes,
        }
        for d in decisions
    ]
    current = decisions[-1] if decisions else None
    counts = {r["annotator_id"]: r for r in store.rows("decisions/annotator_rows", {"batch_id": batch_id})}
    excl = [
        {
            "annotator_id": r["annotator_id"],
            "reason": r["reason"],
            "n_verdicts": int((counts.get(r["annotator_id"]) or {}).get("n_verdicts") or 0),
            "n_ratings": int((counts.get(r["annotator_id"]) or {}).get("n_ratings") or 0),
            "n_ranking_rows": int((counts.get(r["annotator_id"]) or {}).get("n_ranking_rows") or 0),
        }
        for r in (current.exclusion_reasons if current is not None and current.in_force else ())
    ]
    units = _units_table(store, batch_id)
    return [
        Table(
            "decision",
            "Decision of record",
            "one row per decision on the batch (append-only; the last is current): who decided what, on which "
            "report (sha256) and gate verdict, and why",
            rows,
            header=(
                "decision_id",
                "decision",
                "current",
                "gate_verdict",
                "decided_by",
                "decided_at",
                "note",
                "override_reason",
                "excluded",
                "report_sha256",
                "gates_sha256",
                "contract",
                "supersedes",
            ),  # fmt: skip
        ),
        Table(
            "decision_exclusions",
            "Annotators excluded by the decision",
            "one row per excluded annotator: why, and how many of their rows are not accepted (not paid, "
            "not in the accepted dataset)",
            excl,
            header=("annotator_id", "reason", "n_verdicts", "n_ratings", "n_ranking_rows"),
        ),
        *([units] if units is not None else []),
    ]


def _units_table(store, batch_id: str) -> Table | None:
    """A linked batch's units per kind under its current decision: accepted, and not accepted with why
    (contract.status.batch_units; docs/contract.md, 'Units and money')."""
    from ..contract.status import batch_units

    u = batch_units(store, batch_id)
    if u is None:
        return None
    where = f"contract {u['contract']} v{u['version']} week {u['week']}, overlap {u['overlap']}"
    return Table(
        "decision_units",
        f"Units accepted and not ({where})",
        "one row per kind: items delivered; not units because re-delivered (sent before), defective (identical "
        "or empty responses) or below the overlap (too few distinct human annotators); units that fall below "
        "the overlap without the excluded annotators, or of a rejected batch; units accepted (paid up to the "
        "promise); an item both defective and below the overlap is one item that is not a unit",
        u["kinds"],
    )


def evidence_tables(
    store, batch_id: str, doc: dict[str, Any], trends: list[dict[str, Any]] | None = None
) -> list[Table]:
    """Every evidence table of the batch, in the order the HTML pack shows them."""
    ov_q = (doc.get("quarantine") or {}).get("by_reason") or []
    annotators, flagged = annotator_tables(doc)
    ann_examples, hyg_examples = example_tables(store, batch_id, doc)
    from .items import finding_tables, findings

    found_items, found_texts = finding_tables(store, batch_id, findings(doc))
    tables = [
        criteria_table(doc),
        *decision_tables(store, batch_id),
        found_items,
        found_texts,
        flagged,
        ann_examples,
        *hygiene_tables(doc),
        hyg_examples,
        annotators,
        *bias_tables(doc),
    ]
    if trends is not None:
        tables.append(trend_table(trends))
    tables += [
        Table(
            "provenance",
            "Provenance: delivered files",
            "one row per delivered file: name, size, SHA-256, rows stored and quarantined",
            [flatten(r) for r in doc.get("provenance") or []],
        ),
        Table(
            "quarantine",
            "Quarantined rows by reason",
            "rows refused at ingest, counted per file, column and reason",
            [flatten(r) for r in ov_q],
            header=("file_name", "column_name", "reason", "n", "first_line"),
        ),
    ]
    return tables
