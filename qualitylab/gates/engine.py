"""Evaluate acceptance criteria against a JSON report (the document of ``report.build_report``).

The engine reads only the report document, never the store or the metric modules: a metric the
report does not hold (its area is not built, or it could not be computed) gives the criterion
INSUFFICIENT_EVIDENCE with the reason (or SKIPPED when the criterion says ``if_missing = "skip"``).

Outcome of one criterion with comparison ``>=`` and threshold t (``<=`` mirrors it):

* ``n < min_n`` -> INSUFFICIENT_EVIDENCE;
* ``decide = "interval"``: PASS when ci95_low >= t (the whole interval clears t); FAIL when
  ci95_high < t (the whole interval misses it); otherwise the interval straddles t -> REVIEW;
* ``decide = "ci95_low" | "ci95_high" | "value"``: that one number is compared -> PASS or FAIL;
* FAIL becomes the severity's outcome: reject -> REJECT, review -> REVIEW, warn -> WARN;
  a straddle becomes REVIEW (WARN for severity warn).

The batch verdict is the worst outcome over the criteria whose severity is not ``warn``, in the
order ACCEPT < REVIEW < INSUFFICIENT_EVIDENCE < REJECT (warn criteria never change the verdict).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..errors import ExitCode
from .config import Criterion, Gates

PASS, WARN, REVIEW, REJECT = "PASS", "WARN", "REVIEW", "REJECT"
INSUFFICIENT, SKIPPED = "INSUFFICIENT_EVIDENCE", "SKIPPED"
ACCEPT = "ACCEPT"
VERDICTS = (ACCEPT, REVIEW, INSUFFICIENT, REJECT)  # in order of severity
_RANK = {PASS: 0, REVIEW: 1, INSUFFICIENT: 2, REJECT: 3}
EXIT_CODES = {
    ACCEPT: ExitCode.OK,
    REVIEW: ExitCode.REVIEW,
    REJECT: ExitCode.REJECT,
    INSUFFICIENT: ExitCode.INSUFFICIENT_EVIDENCE,
}
_FAIL_OUTCOME = {"reject": REJECT, "review": REVIEW, "warn": WARN}
_STRADDLE_OUTCOME = {"reject": REVIEW, "review": REVIEW, "warn": WARN}


@dataclass(frozen=True)
class Measurement:
    """The number a criterion reads: a statistic, a plain number, or a count over rows."""

    path: str
    value: float | None
    ci95_low: float | None = None
    ci95_high: float | None = None
    n: int | None = None
    reason: str | None = None  # why value is None
    method: str | None = None  # the interval's method, as the report names it (e.g. "wilson")


@dataclass(frozen=True)
class CriterionResult:
    criterion: Criterion
    outcome: str
    reason: str
    measurement: Measurement | None
    matches: tuple[CriterionResult, ...] = ()

    @property
    def counts_for_verdict(self) -> bool:
        return self.criterion.severity != "warn" and self.outcome != SKIPPED

    def to_dict(self) -> dict[str, Any]:
        c, m = self.criterion, self.measurement
        d = {
            "id": c.id,
            "title": c.title,
            "metric": c.metric,
            "comparison": c.comparison,
            "threshold": c.threshold,
            "decide": c.decide,
            "min_n": c.min_n,
            "severity": c.severity,
            "outcome": self.outcome,
            "reason": self.reason,
            "path": m.path if m else None,
            "value": _num(m.value) if m else None,
            "ci95_low": _num(m.ci95_low) if m else None,
            "ci95_high": _num(m.ci95_high) if m else None,
            "n": m.n if m else None,
            "method": m.method if m else None,
            "counts_for_verdict": self.counts_for_verdict,
        }
        if c.aggregate:
            d["aggregate"], d["where"] = c.aggregate, c.where
            if c.min_effect is not None:
                d["min_effect"] = c.min_effect
        if c.denominator:
            d["denominator"] = c.denominator
        if c.why:
            d["why"] = c.why
        if self.matches:
            d["matches"] = [r.to_dict() for r in self.matches]
        return d


@dataclass(frozen=True)
class GateResult:
    verdict: str
    gates: Gates
    criteria: tuple[CriterionResult, ...]
    deciding: tuple[str, ...] = field(default=())  # ids of the criteria that set the verdict

    @property
    def exit_code(self) -> ExitCode:
        return EXIT_CODES[self.verdict]

    def to_dict(self) -> dict[str, Any]:
        outcomes = [r.outcome for r in self.criteria]
        return {
            **self.gates.to_dict(),
            "verdict": self.verdict,
            "exit_code": int(self.exit_code),
            "deciding": list(self.deciding),
            "n_criteria": {o: outcomes.count(o) for o in (PASS, WARN, REVIEW, INSUFFICIENT, REJECT, SKIPPED)},
            "criteria": [r.to_dict() for r in self.criteria],
        }


def _num(x):
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


# -- reading the report -----------------------------------------------------------------------------


def resolve(doc: Any, path: str) -> tuple[list[tuple[str, Any]], str | None]:
    """Every ``(concrete path, node)`` that ``path`` names in ``doc``; ``*`` matches every key.

    Returns ([], reason) when nothing matches, the reason naming the first missing part.
    """
    parts = path.split(".")
    found: list[tuple[list[str], Any]] = [([], doc)]
    for i, part in enumerate(parts):
        nxt: list[tuple[list[str], Any]] = []
        for where, node in found:
            if part == "*":
                if isinstance(node, dict):
                    nxt += [(where + [str(k)], v) for k, v in node.items()]
                elif isinstance(node, list):
                    nxt += [(where + [str(j)], v) for j, v in enumerate(node)]
            elif isinstance(node, dict) and part in node:
                nxt.append((where + [part], node[part]))
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                nxt.append((where + [part], node[int(part)]))
        if not nxt:
            here = ".".join(parts[:i]) or "(top level)"
            if i == 0:
                return [], (
                    f"the report has no '{part}' section (its area is not built, or it computed nothing for this batch)"
                )
            if part == "*":
                return [], f"'{here}' is empty"
            keys = sorted({str(k) for _, n in found if isinstance(n, dict) for k in n})
            shown = ", ".join(keys[:12]) + (", ..." if len(keys) > 12 else "")
            return [], f"the report has no '{part}' under '{here}'" + (f" (it has: {shown})" if keys else "")
        found = nxt
    return [(".".join(w), node) for w, node in found], None


def measure(node: Any, path: str, crit: Criterion, doc: Any) -> Measurement:
    """Read one report node as a Measurement (statistic object, plain number, or rows + aggregate)."""
    if crit.aggregate:
        if not isinstance(node, list):
            return Measurement(
                path, None, reason=f"'{path}' is not a list of rows, so {crit.aggregate} cannot count '{crit.where}'"
            )
        # rows that carry a numeric n of 0 were not tested (e.g. an annotator without eligible verdicts)
        rows = [
            row
            for row in node
            if isinstance(row, dict) and not (isinstance(row.get("n"), (int, float)) and row.get("n") == 0)
        ]
        n = len(rows)
        if crit.min_effect is not None:  # the criterion's own effect size, on the rows' own intervals
            from ..bias.rates import reflag

            k = sum(1 for row in rows if reflag(row, crit.min_effect))
        else:
            k = sum(1 for row in rows if row_matches(row, crit.where))
        if crit.aggregate == "count_where":
            return Measurement(path, float(k), n=n)
        if n == 0:
            return Measurement(path, None, n=0, reason=f"'{path}' has no rows")
        from ..intervals import wilson

        lo, hi = wilson(k, n)
        return Measurement(path, k / n, lo, hi, n, method="wilson")
    if crit.denominator:
        if isinstance(node, bool) or not isinstance(node, (int, float)):
            return Measurement(
                path, None, reason=f"'{path}' is not a count, so it cannot be divided by '{crit.denominator}'"
            )
        hits, why = resolve(doc, crit.denominator)
        total = hits[0][1] if hits else None
        if isinstance(total, bool) or not isinstance(total, (int, float)):
            return Measurement(path, None, reason=f"denominator: {why or repr(crit.denominator) + ' is not a count'}")
        k, n = int(node), int(total)
        if n <= 0 or not 0 <= k <= n:
            return Measurement(
                path,
                None,
                n=max(n, 0),
                reason=f"{k} of {n}: not a proportion (need 0 <= count <= {crit.denominator} > 0)",
            )
        from ..intervals import wilson

        lo, hi = wilson(k, n)
        return Measurement(path, k / n, lo, hi, n, method="wilson")
    if isinstance(node, dict) and "value" in node:
        v, n_node = node.get("value"), node.get("n")
        if v is None:
            return Measurement(path, None, n=n_node, reason=node.get("reason") or "not computable (no reason given)")
        return Measurement(
            path,
            float(v),
            _num(node.get("ci95_low")),
            _num(node.get("ci95_high")),
            None if n_node is None else int(n_node),
            method=node.get("method"),
        )
    if isinstance(node, (int, float)) and not isinstance(node, bool):
        n_of: int | None = None
        if crit.n_metric:
            hits, _ = resolve(doc, crit.n_metric)
            if hits and isinstance(hits[0][1], (int, float)):
                n_of = int(hits[0][1])
        return Measurement(path, float(node), n=n_of)
    if node is None:
        return Measurement(path, None, reason=f"'{path}' is null in the report")
    return Measurement(path, None, reason=f"'{path}' is not a statistic or a number (it is a {type(node).__name__})")


def row_matches(row: dict[str, Any], where: str | None) -> bool:
    """``where = "field"``: the field is true; ``"field=value"``: it equals value, or holds it (a list)."""
    if where is None:
        return False
    field_, sep, want = where.partition("=")
    got = row.get(field_.strip())
    if not sep:
        return bool(got)
    want = want.strip()
    if isinstance(got, (list, tuple)):
        return want in {str(x) for x in got}
    return got is not None and str(got) == want


# -- judging one measurement ------------------------------------------------------------------------


def _fmt(x: float | None) -> str:
    if x is None:
        return "—"
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:.4f}" if abs(x) < 1000 else f"{x:,.1f}"


def judge(m: Measurement, crit: Criterion) -> tuple[str, str]:
    """(outcome, reason) of one measurement against one criterion (rules in the module docstring)."""
    if m.value is None:
        outcome = SKIPPED if crit.if_missing == "skip" else INSUFFICIENT
        return outcome, f"not computable: {m.reason}"
    if crit.aggregate and m.n == 0 and crit.min_n:
        return INSUFFICIENT, f"no row of '{m.path}' was tested (the list is empty, or every row has n = 0)"
    if crit.min_n and (m.n is None or m.n < crit.min_n):
        got = "unknown" if m.n is None else f"{m.n:,}"
        return INSUFFICIENT, f"n = {got} is below min_n = {crit.min_n:,}"
    t, ge = crit.threshold, crit.comparison == ">="
    ok = (lambda x: x >= t) if ge else (lambda x: x <= t)
    fail_outcome = _FAIL_OUTCOME[crit.severity]
    has_interval = m.ci95_low is not None and m.ci95_high is not None
    decide = crit.decide
    note = ""
    if decide != "value" and not has_interval:
        decide = "value"
        if crit.aggregate != "count_where":
            note = " (no interval reported: the estimate decides)"
    if decide == "interval":
        lo, hi = m.ci95_low, m.ci95_high
        inner, outer = (lo, hi) if ge else (hi, lo)  # the bound that must clear t, the one that may
        shown = f"{_fmt(m.value)}, 95% CI [{_fmt(lo)}, {_fmt(hi)}]"
        if crit.denominator and m.n:
            shown = f"{round(m.value * m.n):,} of {m.n:,} = " + shown
        if ok(inner):
            return PASS, f"{shown}: the whole interval is {crit.comparison} {t:g}"
        if not ok(outer):
            side = "below" if ge else "above"
            return fail_outcome, f"{shown}: the whole interval is {side} {t:g}"
        return _STRADDLE_OUTCOME[crit.severity], f"{shown} straddles {t:g}: not decided either way"
    x = {"ci95_low": m.ci95_low, "ci95_high": m.ci95_high, "value": m.value}[decide]
    if crit.aggregate == "count_where":
        shown = f"{int(m.value)} of {m.n:,} rows have '{crit.where}'"
    else:
        shown = f"{'estimate' if decide == 'value' else decide} {_fmt(x)}"
    if ok(x):
        return PASS, f"{shown} ({crit.comparison} {t:g}){note}"
    return fail_outcome, f"{shown} ({'<' if ge else '>'} {t:g}){note}"


def evaluate_criterion(crit: Criterion, doc: dict[str, Any]) -> CriterionResult:
    hits, why_missing = resolve(doc, crit.metric)
    if not hits:
        outcome = SKIPPED if crit.if_missing == "skip" else INSUFFICIENT
        return CriterionResult(crit, outcome, f"missing: {why_missing}", None)
    results = []
    for path, node in hits:
        m = measure(node, path, crit, doc)
        outcome, reason = judge(m, crit)
        results.append(CriterionResult(crit, outcome, reason, m))
    if len(results) == 1 and "*" not in crit.metric:
        return results[0]
    worst = max(results, key=_severity_key)
    reason = f"{worst.measurement.path if worst.measurement else crit.metric}: {worst.reason}" + (
        f" (the worst of {len(results)} matches)" if len(results) > 1 else ""
    )
    return CriterionResult(crit, worst.outcome, reason, worst.measurement, tuple(results))


def _severity_key(r: CriterionResult) -> int:
    return {SKIPPED: -1, PASS: 0, WARN: 1, REVIEW: 2, INSUFFICIENT: 3, REJECT: 4}[r.outcome]


def evaluate(gates: Gates, doc: dict[str, Any]) -> GateResult:
    """Every criterion's outcome and the batch verdict (the worst outcome that counts)."""
    results = tuple(evaluate_criterion(c, doc) for c in gates.criteria)
    counted = [r for r in results if r.counts_for_verdict]
    blocking = [r for r in results if r.criterion.severity != "warn"]
    if blocking and not counted:  # every criterion that could decide was skipped
        verdict, deciding = INSUFFICIENT, tuple(r.criterion.id for r in blocking)
    elif not counted:  # a gate file of warnings only
        verdict, deciding = ACCEPT, ()
    else:
        worst = max(_RANK[r.outcome] for r in counted)
        verdict = ACCEPT if worst == 0 else next(k for k, v in _RANK.items() if v == worst)
        deciding = tuple(r.criterion.id for r in counted if _RANK[r.outcome] == worst) if worst else ()
    return GateResult(verdict, gates, results, deciding)
