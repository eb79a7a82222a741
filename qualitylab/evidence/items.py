"""The items behind each finding of the evidence pack (issue 17): not a count, the comparisons.

A **finding** is a gate criterion that did not pass, a flag of an annotator, or a failed hygiene
check. Each maps to items filters (:mod:`qualitylab.items.links`): low agreement to the split and
contested comparisons and to each flagged annotator's disagreements with everyone else; gold and
adjudication failures to the item, the expected and the given label; a bias flag to the verdicts
behind the rate. The pack lists the first :data:`ROWS_PER_FILTER` rows of each filter (the CSV
``finding_items.csv`` the same, with the filter's total) and shows the full texts of the first
:data:`TEXTS_PER_FINDING` comparisons of each finding in full-width blocks (``finding_texts.csv``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..gates.words import criterion_sentence, failing
from ..items.filters import FILTERS, items
from ..items.links import HYGIENE_CHECKS, criterion_filters, flag_filter
from ..numbers import fmt_number
from .tables import Table

ROWS_PER_FILTER = 20
TEXTS_PER_FINDING = 3
#: the row's column that holds the label the item was expected to get, by filter (None: no label)
EXPECTED = {
    "split": "majority",
    "contested": "majority",
    "queue": "majority",
    "disagrees_with_majority": "others_majority",
    "judge_disagrees": "majority",
    "gold_failed": "gold",
    "adjudication_failed": "adjudicated",
    "position_flag": "shown_first",
    "length_flag": None,
}
EXPECTED_WORDS = {
    "majority": "the human majority (none: contested)",
    "others_majority": "the other humans' majority",
    "gold": "the gold label",
    "adjudicated": "the adjudicated label",
    "shown_first": "the response shown first",
}
ITEM_COLUMNS = (
    "finding",
    "filter",
    "value",
    "n_filter_rows",
    "comparison_id",
    "annotator_id",
    "given",
    "expected",
    "expected_is",
    "file_name",
    "source_line",
    "detail",
)
TEXT_COLUMNS = ("finding", "comparison_id", "prompt_id", "model_a", "model_b", "prompt", "response_a", "response_b")


@dataclass(frozen=True)
class Finding:
    key: str  # anchor / CSV key: a criterion id, "<annotator>:<flag>" or "hygiene:<check>"
    words: str  # the finding in plain words, with its numbers
    outcome: str | None
    links: list[tuple[str, str | None]] = field(default_factory=list)


def _stat_words(c: dict[str, Any]) -> str:
    s = criterion_sentence(c)
    n = c.get("n")
    if n is not None and c.get("aggregate") != "count_where" and "n =" not in s:
        s += f" (n = {fmt_number(n, integer=True)})"
    return s


def findings(doc: dict[str, Any]) -> list[Finding]:
    """Every finding of the report with the items filters behind it, the strongest first: the
    criteria that did not pass (worst first), then each annotator flag, then failed hygiene checks."""
    out: list[Finding] = []
    seen: set[tuple[str, str | None]] = set()
    for c in failing(doc.get("gate") or {}):
        c = dict(c)
        links = criterion_filters(c, doc)
        out.append(Finding(str(c.get("id")), _stat_words(c), c.get("outcome"), links))
        seen.update(links)
    for r in doc.get("annotators") or []:
        for f in r.get("flags") or []:
            link = flag_filter(str(f.get("flag")), str(r.get("annotator_id")))
            if link is None:
                continue
            out.append(
                Finding(
                    f"{r.get('annotator_id')}:{f.get('flag')}",
                    f"annotator {r.get('annotator_id')} flagged {f.get('flag')}: {f.get('reason')}",
                    None,
                    [] if link in seen else [link],
                )
            )
            seen.add(link)
    checks = (doc.get("hygiene") or {}).get("checks") or {}
    for name in HYGIENE_CHECKS:
        c = checks.get(name) or {}
        if c.get("passed", True) or (name, None) in seen:
            continue
        out.append(Finding(f"hygiene:{name}", f"{c.get('title')}: {c.get('n_rows'):,} row(s)", None, [(name, None)]))
    return out


def _item_row(finding: Finding, name: str, value: str | None, total: int | None, r: dict[str, Any]) -> dict:
    exp_col = EXPECTED.get(name)
    given: Any = r.get("preference")
    if name in ("split", "contested", "queue"):
        given = f"A {r.get('n_a')} / B {r.get('n_b')} / tie {r.get('n_tie')}"
    if name == "length_flag":
        a, b = r.get("len_a_chars"), r.get("len_b_chars")
        longer = None if a is None or b is None else ("A" if a > b else "B")
        expected: Any = longer
        expected_is: str | None = "the longer response"
    else:
        expected = r.get(exp_col) if exp_col else None
        expected_is = EXPECTED_WORDS.get(exp_col or "")
    shown = {"comparison_id", "annotator_id", "preference", "file_name", "source_line", exp_col}
    detail = {k: v for k, v in r.items() if k not in shown}
    return {
        "finding": finding.key,
        "filter": name,
        "value": value,
        "n_filter_rows": total,
        "comparison_id": r.get("comparison_id"),
        "annotator_id": r.get("annotator_id"),
        "given": given,
        "expected": expected,
        "expected_is": expected_is,
        "file_name": r.get("file_name"),
        "source_line": r.get("source_line"),
        "detail": json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
    }


def finding_tables(store, batch_id: str, found: list[Finding]) -> tuple[Table, Table]:
    """(the items of every finding, the full texts of the first comparisons of each)."""
    rows: list[dict[str, Any]] = []
    texts: list[dict[str, Any]] = []
    for f in found:
        shown: list[str] = []
        for name, value in f.links:
            if name not in FILTERS:
                continue
            page = items(store, batch_id, name, value, limit=ROWS_PER_FILTER, count=True)
            for r in page.rows:
                rows.append(_item_row(f, name, value, page.n_rows, r))
                cid = r.get("comparison_id")
                if cid is not None and cid not in shown and len(shown) < TEXTS_PER_FINDING:
                    shown.append(str(cid))
        for cid in shown:
            t = store.one("items/item_texts", {"batch_id": batch_id, "comparison_id": cid}) or {}
            texts.append({"finding": f.key, "comparison_id": cid, **{k: t.get(k) for k in TEXT_COLUMNS[2:]}})
    return (
        Table(
            "finding_items",
            "Items behind each finding",
            f"the first {ROWS_PER_FILTER} rows of each finding's items filter (qualitylab items --filter NAME=VALUE; "
            "n_filter_rows = all of them): the comparison, who gave which label (given) and what was expected, with "
            "the delivered file and line",
            rows,
            header=ITEM_COLUMNS,
        ),
        Table(
            "finding_texts",
            "Texts of the first items of each finding",
            f"the prompt and both responses, in full, of the first {TEXTS_PER_FINDING} comparisons of each finding",
            texts,
            header=TEXT_COLUMNS,
        ),
    )
