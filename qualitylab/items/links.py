"""Which items filter is behind a flag, a criterion or a hygiene check (one map, read by the app's
links and the evidence pack).

* an annotator's screening flag -> :data:`FLAG_FILTERS` (``position_bias`` -> ``position_flag=A``, ...);
* a hygiene check -> the filter of the same name (its report key);
* a gate criterion -> :func:`criterion_filters`: from its metric path and the report document,
  the (filter, value) pairs of its items (an agreement criterion: the split and contested
  comparisons; a per-annotator count: each counted annotator's rows; a hygiene share: the check's
  rows; a judge criterion: each judge's disagreements with the humans).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..bias.hygiene import CHECKS

#: screening flag (``annotators[].flags[].flag``) -> the filter listing the rows behind it (value = the annotator)
FLAG_FILTERS: dict[str, str] = {
    "position_bias": "position_flag",
    "length_bias": "length_flag",
    "fast": "fast",
    "low_gold_accuracy": "gold_failed",
    "low_adjudication_accuracy": "adjudication_failed",
    "low_agreement": "disagrees_with_majority",
    "llm_assisted": "disagrees_with_majority",  # where the annotator left the people (for the judge)
    "low_competence": "disagrees_with_majority",  # the verdicts that pull the Dawid-Skene competence down
    "straight_lining": "annotator",
    "few_items": "annotator",
}

HYGIENE_CHECKS = tuple(s.name for s in CHECKS)

Link = tuple[str, str | None]  # (filter name, value or None)


def flag_filter(flag: str, annotator_id: str) -> Link | None:
    """The (filter, value) of an annotator's screening flag, or None for a flag without items."""
    name = FLAG_FILTERS.get(flag)
    return (name, annotator_id) if name else None


def hygiene_filter(check: str) -> Link | None:
    return (check, None) if check in HYGIENE_CHECKS else None


def _flagged(rows: Any, where: str) -> list[str]:
    """Annotator ids of the rows a count_where criterion counts (``flagged`` or ``flag_names=X``)."""
    out = []
    for r in rows or []:
        if not isinstance(r, Mapping):
            continue
        if where == "flagged" and r.get("flagged"):
            out.append(str(r.get("annotator_id")))
        elif where.startswith("flag_names=") and where.split("=", 1)[1] in (r.get("flag_names") or []):
            out.append(str(r.get("annotator_id")))
    return out


def criterion_filters(criterion: Mapping[str, Any], report: Mapping[str, Any]) -> list[Link]:
    """The items behind one gate criterion (a ``gate.criteria[]`` object of the JSON report), as
    (filter, value) pairs; [] when the criterion has no item-level rows (e.g. a share of ties)."""
    metric = str(criterion.get("metric") or "")
    where = str(criterion.get("where") or "")
    parts = metric.split(".")
    if parts[0] == "agreement":
        return [("contested", None), ("split", None)]
    if metric in ("position_bias.by_annotator", "length_bias.by_annotator"):
        name = "position_flag" if parts[0] == "position_bias" else "length_flag"
        section = report.get(parts[0]) or {}
        rows = section.get("by_annotator") if isinstance(section, Mapping) else None
        return [(name, a) for a in _flagged(rows, where or "flagged")]
    if metric == "annotators":
        flag = where.split("=", 1)[1] if where.startswith("flag_names=") else None
        rows = report.get("annotators")
        out: list[Link] = []
        for a in _flagged(rows, where or "flagged"):
            if flag is not None:
                link = flag_filter(flag, a)
                if link:
                    out.append(link)
            else:
                out += [link for f in _row_flags(rows, a) if (link := flag_filter(f, a))]
        return out
    if parts[0] == "hygiene" and len(parts) >= 3 and parts[1] == "checks":
        if parts[2] == "*":
            checks = (report.get("hygiene") or {}).get("checks") or {}
            return [(c, None) for c in HYGIENE_CHECKS if not (checks.get(c) or {}).get("passed", True)]
        return [(parts[2], None)] if parts[2] in HYGIENE_CHECKS else []
    if parts[0] == "judges":
        judges = report.get("judges") or {}
        names = list(judges) if parts[1:2] == ["*"] or len(parts) < 2 else [parts[1]]
        return [("judge_disagrees", j) for j in names if j in judges]
    if parts[0] in ("quarantine",) or metric == "counts.n_quarantined":
        return [("quarantined", None)]
    return []


def _row_flags(rows: Any, annotator_id: str) -> list[str]:
    for r in rows or []:
        if isinstance(r, Mapping) and str(r.get("annotator_id")) == annotator_id:
            return [str(f) for f in r.get("flag_names") or []]
    return []
