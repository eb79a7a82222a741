"""Per-judge results for a batch: the judges/*.sql aggregates through :mod:`.metrics`.

Position and length bias (p_first, p_prefer_longer) are the bias area's, computed once per report
(``qualitylab.bias.section.position_for`` / ``length_for``) and passed in here, never recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..intervals import proportion
from ..results import Statistic
from ..store import Store
from . import metrics as m


@dataclass(frozen=True)
class JudgeResult:
    """One judge against the humans of the batch (keys of ``judges.<annotator_id>`` in the JSON)."""

    annotator_id: str
    n_verdicts: int
    n_comparisons: int
    n_both_orders: int
    n_majority_comparisons: int
    accuracy_vs_majority: Statistic
    macro_f1_vs_majority: Statistic
    cohen_kappa_vs_majority: Statistic
    gwet_ac1_vs_majority: Statistic
    macro_precision_vs_majority: Statistic
    macro_recall_vs_majority: Statistic
    confusion: dict[str, dict[str, int]]
    agreement_with_ties: Statistic
    agreement_without_ties: Statistic
    human_agreement_with_ties: Statistic
    human_agreement_without_ties: Statistic
    position_consistency: Statistic
    p_biased_first: Statistic
    p_biased_second: Statistic
    p_inconsistent_other: Statistic
    conservative: dict[str, Any]
    p_first: Statistic
    preferred_slot: str
    p_prefer_longer: Statistic
    human_p_prefer_longer: Statistic
    by_contested: dict[str, dict[str, Any]]
    unparsed: dict[str, Any]
    ratings: dict[str, dict[str, Any]] = field(default_factory=dict)
    reason: str | None = None  # why no verdict metric is computable (a judge with no parsed verdict)
    definitions: dict[str, str] = field(default_factory=dict)


DEFINITIONS = {
    "majority": "strict human majority: the label given by more than half of the comparison's human "
    "verdicts (tie is a label); comparisons without one are left out of *_vs_majority",
    "accuracy_vs_majority": "share of the judge's verdicts (both orders count) equal to the majority; Wilson, "
    "on the effective sample size of comparisons as clusters when a comparison holds two verdicts (both orders)",
    "cohen_kappa_vs_majority": "Cohen's kappa of judge verdict vs majority (sklearn on the confusion "
    "matrix); 95% percentile bootstrap over comparisons",
    "macro_f1_vs_majority": "macro F1 over the labels present, majority as truth (sklearn); bootstrap",
    "macro_precision_vs_majority": "macro precision over the labels present, majority as truth (sklearn); bootstrap",
    "macro_recall_vs_majority": "macro recall over the labels present, majority as truth (sklearn); bootstrap",
    "gwet_ac1_vs_majority": "Gwet's AC1 of judge vs majority as two raters (the agreement area's gwet_ac), over "
    "the labels present; 95% percentile bootstrap over comparisons",
    "clusters": "both orders are one item: every bootstrap resamples comparisons, and pooled proportions "
    "(accuracy, p_unparsed) use the comparisons as clusters",
    "agreement_with_ties": "MT-Bench: every judge verdict paired with every human verdict on the same "
    "comparison, share of equal pairs; bootstrap over comparisons",
    "agreement_without_ties": "the same with pairs where either side says tie dropped",
    "human_agreement_with_ties": "the ceiling: every pair of human verdicts on the judge's comparisons",
    "position_consistency": "share of comparisons judged in both orders whose two verdicts agree; Wilson",
    "conservative": "MT-Bench's conservative verdict: consistent -> that verdict, inconsistent -> tie",
    "p_first": "bias area: among non-tie judge verdicts with shown_first recorded, share preferring "
    "the response shown first",
    "p_prefer_longer": "bias area: among non-tie verdicts whose responses differ by > 30 characters, "
    "share preferring the longer",
    "ratings": "per aspect, items rated by the judge and by humans: Spearman's rho of the judge's score "
    "vs the humans' mean score (Fisher-z interval) and the mean difference judge - humans (t interval)",
}


def _slot(p_first: Statistic) -> str:
    if p_first.value is None or p_first.ci95_low is None:
        return "unknown"
    if p_first.ci95_low is not None and p_first.ci95_low > 0.5:
        return "first"
    if p_first.ci95_high is not None and p_first.ci95_high < 0.5:
        return "second"
    return "none detected"


def _rate(table, annotator_id: str, reason: str) -> Statistic:
    """A judge's row of a bias area per-annotator table as a Statistic."""
    if table is None:
        return Statistic.not_computable(reason)
    for r in table.by_annotator:
        if r.annotator_id == annotator_id:
            return r.statistic
    return Statistic.not_computable(f"no {table.annotator_kind} row for {annotator_id}")


def judge_results(
    store: Store, batch_id: str, *, seed: int, n_boot: int, position=None, length=None, human_length=None
) -> dict[str, JudgeResult]:
    """``{annotator_id: JudgeResult}`` for every judge with verdicts in the batch.

    ``position`` / ``length`` / ``human_length``: the bias area's PositionBias (judges) and
    LengthBias (judges, humans) for this batch, or None when that area is not available.
    """
    p = {"batch_id": batch_id}
    judges = store.rows("judges/judges", p)
    ratings = _group(store.rows("judges/rating_agreement", p))
    known = {j["annotator_id"] for j in judges}
    judges += [
        {"annotator_id": a, "n_verdicts": 0, "n_comparisons": 0, "n_both_orders": 0}
        for a in sorted(set(ratings) - known)
    ]
    if not judges:
        return {}
    patterns = _group(store.rows("judges/patterns", p))
    orders = _group(store.rows("judges/order_patterns", p))
    outputs = _group(store.rows("judges/output_patterns", p))
    calls: dict[Any, Any] = {}
    for r in store.rows("judges/unparsed_calls", p):
        c = calls.setdefault(r["annotator_id"], {"n_calls": 0, "n_unparsed": 0, "n_failed": 0})
        for k in c:
            c[k] += int(r[k])
    quarantined = {r["annotator_id"]: int(r["n_quarantined"]) for r in store.rows("judges/unparsed_quarantine", p)}
    human_longer = (
        human_length.p_prefer_longer
        if human_length is not None
        else Statistic.not_computable("bias area not available")
    )
    out = {}
    for j in judges:
        a = j["annotator_id"]
        pat = m.Patterns.from_rows(patterns.get(a, []))
        maj = m.majority_metrics(pat, n_boot=n_boot, seed=seed)
        agr = m.mtbench_agreement(pat, n_boot=n_boot, seed=seed)
        o = m.OrderPatterns.from_rows(orders.get(a, []))
        pos = m.position_metrics(o)
        cons_p = o.conservative()
        cons_maj = m.majority_metrics(cons_p, n_boot=n_boot, seed=seed)
        cons_agr = m.mtbench_agreement(cons_p, n_boot=n_boot, seed=seed)
        p_first = _rate(position, a, "bias area not available")
        if position is not None and position.status != "measured":
            p_first = Statistic.not_computable(position.p_first.reason or position.status)
        c = calls.get(a, {"n_calls": 0, "n_unparsed": 0, "n_failed": 0})
        n_q = quarantined.get(a, 0)
        n_unparsed = c["n_unparsed"] + n_q
        out[a] = JudgeResult(
            annotator_id=a,
            n_verdicts=int(j["n_verdicts"]),
            n_comparisons=int(j["n_comparisons"]),
            n_both_orders=int(j["n_both_orders"]),
            n_majority_comparisons=maj["n_majority_comparisons"],
            accuracy_vs_majority=maj["accuracy_vs_majority"],
            macro_f1_vs_majority=maj["macro_f1_vs_majority"],
            cohen_kappa_vs_majority=maj["cohen_kappa_vs_majority"],
            gwet_ac1_vs_majority=maj["gwet_ac1_vs_majority"],
            macro_precision_vs_majority=maj["macro_precision_vs_majority"],
            macro_recall_vs_majority=maj["macro_recall_vs_majority"],
            confusion=maj["confusion"],
            agreement_with_ties=agr["agreement_with_ties"],
            agreement_without_ties=agr["agreement_without_ties"],
            human_agreement_with_ties=agr["human_agreement_with_ties"],
            human_agreement_without_ties=agr["human_agreement_without_ties"],
            position_consistency=pos["position_consistency"],
            p_biased_first=pos["p_biased_first"],
            p_biased_second=pos["p_biased_second"],
            p_inconsistent_other=pos["p_inconsistent_other"],
            conservative={
                "n_comparisons": pos["n_both_orders"],
                "accuracy_vs_majority": cons_maj["accuracy_vs_majority"],
                "cohen_kappa_vs_majority": cons_maj["cohen_kappa_vs_majority"],
                "agreement_with_ties": cons_agr["agreement_with_ties"],
                "agreement_without_ties": cons_agr["agreement_without_ties"],
            },
            p_first=p_first,
            preferred_slot=_slot(p_first),
            p_prefer_longer=_rate(length, a, "bias area not available"),
            human_p_prefer_longer=human_longer,
            by_contested=m.by_contested(pat, n_boot=n_boot, seed=seed),
            unparsed={
                "n_unparsed_runner": c["n_unparsed"],
                "n_failed_calls": c["n_failed"],
                "n_quarantined_ingest": n_q,
                "n_unparsed": n_unparsed,
                "p_unparsed": _p_unparsed(outputs.get(a, []), n_q, n_unparsed, int(j["n_verdicts"])),
            },
            ratings={r["aspect"]: rating_agreement(r) for r in ratings.get(a, [])},
            reason=_no_verdicts_reason(int(j["n_verdicts"]), c, n_q, bool(ratings.get(a))),
            definitions=DEFINITIONS,
        )
    return out


def _no_verdicts_reason(n_verdicts: int, calls: dict, n_quarantined: int, has_ratings: bool) -> str | None:
    """Why nothing can be computed for a judge with no stored verdict (None when it has some)."""
    if n_verdicts or has_ratings:
        return None
    parts = []
    if calls["n_unparsed"]:
        parts.append(f"{calls['n_unparsed']} output(s) unparsed")
    if calls["n_failed"]:
        parts.append(f"{calls['n_failed']} call(s) failed beyond retries")
    if n_quarantined:
        parts.append(f"{n_quarantined} row(s) quarantined at ingest")
    what = ", ".join(parts) or "no output"
    return f"not computable: the judge has no parsed verdict in this batch ({what})"


def _p_unparsed(patterns: list[dict], n_quarantined: int, n_unparsed: int, n_verdicts: int) -> Statistic:
    """Unparsed share of the judge's outputs, clustered by comparison (both orders are one item);
    quarantined rows, whose comparison is not recorded, count as clusters of one."""
    from ..intervals import clustered_proportion

    y = [int(r["n_unparsed"]) for r in patterns] + [1]
    m = [int(r["n_outputs"]) for r in patterns] + [1]
    w = [int(r["n"]) for r in patterns] + [n_quarantined]
    if sum(a * b for a, b in zip(m, w, strict=True)) != n_unparsed + n_verdicts:
        # outputs the patterns cannot place (e.g. verdicts of a run whose cache was removed): unclustered
        return proportion(n_unparsed, n_unparsed + n_verdicts, what="judge outputs")
    return clustered_proportion(y, m, w, what="judge outputs")


def rating_agreement(row: dict) -> dict[str, Any]:
    """Spearman's rho (the bias area's Fisher-z interval) and the mean difference judge - humans with
    its t interval, mean +- t(0.975, n - 1) * sd / sqrt(n), from a judges/rating_agreement row."""
    from scipy import stats

    from ..bias.length import spearman_interval

    n = int(row["n_items"])
    mean, sd = row["mean_difference"], row["sd_difference"]
    if n < 2 or sd is None or not np.isfinite(sd):
        diff = Statistic.not_computable(f"need at least 2 items rated by both, have {n}", n)
    else:
        half = float(stats.t.ppf(0.975, n - 1)) * sd / np.sqrt(n)
        diff = Statistic(float(mean), float(mean - half), float(mean + half), n, method="t")
    return {"n_items": n, "spearman": spearman_interval(row["spearman"], n), "mean_difference": diff}


def _group(rows: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in rows:
        out.setdefault(r["annotator_id"], []).append(r)
    return out
