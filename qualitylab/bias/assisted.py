"""LLM-assisted annotation: a human who agrees with an LLM judge more than with the other humans.

Issue 18 item 8: a vendor's annotator who pastes a model's verdicts agrees with that model far more
than with the other people on the same comparisons. For human annotator h and judge j of the batch,
on the comparisons C where h has a verdict, j has at least one verdict and the other human
annotators have a strict majority (leave-one-out, as agreement with majority is,
``queries/bias/llm_assisted.sql``): for comparison i in C let n_i = j's verdicts on i (2 when it
judged both orders), k_i = those equal to h's verdict, y_i = 1 when h's verdict equals the others'
majority, N = |C|.

- ``agreement_with_judge`` r_J = sum k_i / sum n_i, Wilson on the cluster effective n (comparisons
  as clusters: :func:`qualitylab.intervals.clustered_proportion`; plain Wilson with one order);
- ``agreement_with_humans`` r_H = sum y_i / N, Wilson (this is agreement with majority restricted to
  the judge's comparisons);
- ``difference`` D = r_J - r_H, paired on the same comparisons. Its 95% interval is Wald on the
  linearised (Taylor) variance of the two ratio estimators with comparisons as the independent
  units: var(D) = sum_i ((k_i - r_J n_i) / sum n - (y_i - r_H) / N)^2.
  With one judge verdict per comparison this is the Wald interval for the difference of paired
  proportions, [(b + c) - (b - c)^2 / N] / N^2 (Agresti 2013, Categorical Data Analysis, 3rd ed.,
  section 11.1.1; b, c the discordant counts).
- the test of H0: D = 0 is a score test: z = D / sqrt(sum_i (k_i / sum n - y_i / N)^2); with one
  judge verdict per comparison z^2 = (b - c)^2 / (b + c), McNemar's statistic without continuity
  correction (statsmodels ``mcnemar(exact=False, correction=False)``); p two-sided normal.

**Flag** (the bias flags' minimum-effect rule, issue 14 item 6): ``flagged`` = BH q < 0.05 AND the
difference's whole 95% interval above ``min_effect`` (report option, default 0.05, recorded in
``methods.flag_rule``): the annotator agrees with the judge clearly more than with the people, by
more than a reviewer's smallest effect. Only that direction flags (agreeing more with the humans
is what an honest annotator does). Multiplicity family: Benjamini-Hochberg over every (human
annotator, judge) pair of the batch with N > 0, one family per batch. ``flag_basis`` is
``"difference"`` (a gate's own ``min_effect`` re-flags such rows: ``bias.rates.reflag``). An
annotator is flagged when any of its pairs is (screening flag ``llm_assisted``: "possibly pasting
a model's verdicts").

A judge that is simply better than the humans raises an honest annotator's agreement with it too,
but by less than its agreement with the others' majority; read the numbers with the judge's own
accuracy (``judges``). Renaming annotators, reordering rows and swapping A and B consistently
leave every number unchanged (verdicts are compared for equality).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..intervals import Z95, bh_qvalues, clustered_proportion, proportion
from ..results import Statistic
from .rates import MIN_EFFECT, difference_flag

FLAG = "llm_assisted"
FLAG_WORDS = "possibly pasting a model's verdicts"
DEFINITION = (
    "per human annotator and LLM judge, on the comparisons where the judge has a verdict and the other "
    "humans a strict majority (leave-one-out, first verdicts): agreement with the judge (every judge verdict, "
    "both orders; Wilson on the cluster effective n, comparisons as clusters) vs agreement with the others' "
    "majority (Wilson); difference judge - humans, paired, Wald on the linearised variance with comparisons as "
    "units; score test (McNemar without continuity correction for one order); flagged = BH q < 0.05 over every "
    "(annotator, judge) pair of the batch AND the difference's whole interval above min_effect: possibly pasting "
    "a model's verdicts"
)


@dataclass(frozen=True)
class AssistedPair:
    """One human annotator against one judge (a row of ``llm_assisted.pairs``)."""

    annotator_id: str
    judge_id: str
    n_comparisons: int
    n_judge_verdicts: int
    agreement_with_judge: Statistic
    agreement_with_humans: Statistic
    difference: Statistic
    p_value: float | None
    q_value: float | None
    flagged: bool
    min_effect: float = MIN_EFFECT

    def to_dict(self) -> dict[str, Any]:
        d = self.difference
        return {
            "annotator_id": self.annotator_id,
            "judge_id": self.judge_id,
            "n": self.n_comparisons,
            "n_judge_verdicts": self.n_judge_verdicts,
            "agreement_with_judge": self.agreement_with_judge,
            "agreement_with_humans": self.agreement_with_humans,
            "difference": d.value,
            "ci95_low": d.ci95_low,
            "ci95_high": d.ci95_high,
            "p_value": self.p_value,
            "q_value": self.q_value,
            "flagged": self.flagged,
            "flag_basis": "difference",
            "min_effect": self.min_effect,
        }


@dataclass(frozen=True)
class LlmAssisted:
    """The report key ``llm_assisted``: every (annotator, judge) pair and one row per annotator."""

    status: str  # "measured" | "no judges" | "no comparisons"
    n_judges: int
    n_annotators: int
    pairs: list[AssistedPair]
    by_annotator: list[dict[str, Any]]
    definition: str = DEFINITION
    multiplicity_family: str = "Benjamini-Hochberg over every (human annotator, judge) pair of the batch with n > 0"
    reason: str | None = None
    flagged: list[str] = field(default_factory=list)


def _difference(y: np.ndarray, m: np.ndarray, a: np.ndarray, w: np.ndarray) -> tuple[Statistic, float | None]:
    """D = sum(w y) / sum(w m) - sum(w a) / sum(w); Wald interval on the linearised variance; score p."""
    n_j = float(w @ m)
    n_c = float(w.sum())
    r_j = float(w @ y) / n_j
    r_h = float(w @ a) / n_c
    d = r_j - r_h
    resid = (y - r_j * m) / n_j - (a - r_h) / n_c
    var = float(w @ resid**2)
    se = math.sqrt(var)
    lo, hi = (max(-1.0, d - Z95 * se), min(1.0, d + Z95 * se)) if se > 0 else (d, d)
    var0 = float(w @ (y / n_j - a / n_c) ** 2)
    if var0 > 0:
        from scipy.stats import norm

        p: float | None = float(2 * norm.sf(abs(d) / math.sqrt(var0)))
    else:  # the annotator agrees with the judge exactly where it agrees with the people
        p = 1.0
    z_out = d / math.sqrt(var0) if var0 > 0 else 0.0
    return (
        Statistic(
            d,
            lo,
            hi,
            int(n_c),
            method="paired difference, Wald on the linearised variance (comparisons as units)",
            se=se,
            z=z_out,
            p_value=p,
            variance_method="interval: linearised (Taylor) variance of the two ratio estimators, comparisons as "
            "units; test: score variance under H0 (McNemar without continuity correction for one judge order)",
            se_h0=math.sqrt(var0),
        ),
        p,
    )


def assisted_pairs(rows: Iterable[dict[str, Any]], *, min_effect: float = MIN_EFFECT) -> list[AssistedPair]:
    """Pure: ``bias/llm_assisted`` rows -> one :class:`AssistedPair` per (annotator, judge), BH over all.

    ``rows``: ``{annotator_id, judge_id, n_judge, k_judge, agrees_majority, n_comparisons}``.

    >>> rows = [dict(annotator_id="h", judge_id="j", n_judge=1, k_judge=1, agrees_majority=False, n_comparisons=40),
    ...         dict(annotator_id="h", judge_id="j", n_judge=1, k_judge=1, agrees_majority=True, n_comparisons=60)]
    >>> p = assisted_pairs(rows)[0]
    >>> round(p.difference.value, 2), p.flagged
    (0.4, True)
    """
    if not 0 <= min_effect < 0.5:
        raise ValueError(f"min_effect must be in [0, 0.5), got {min_effect}")
    groups: dict[tuple[str, str], list[tuple[int, int, int, int]]] = {}
    for r in rows:
        n, k, c = int(r["n_judge"]), int(r["k_judge"]), int(r["n_comparisons"])
        if n <= 0 or k < 0 or k > n or c < 0:
            raise ValueError(f"need 0 <= k_judge <= n_judge, n_judge > 0 and n_comparisons >= 0; got {r}")
        key = (str(r["annotator_id"]), str(r["judge_id"]))
        groups.setdefault(key, []).append((k, n, int(bool(r["agrees_majority"])), c))
    keys = sorted(groups)
    stats = []
    for key in keys:
        g = np.array(groups[key], dtype=float)
        y, m, a, w = g[:, 0], g[:, 1], g[:, 2], g[:, 3]
        what = f"agreement of {key[0]} with judge {key[1]}"
        judge = clustered_proportion(y, m, w, what=what)
        humans = proportion(int(w @ a), int(w.sum()), what="agreement with the others' majority")
        diff, p = _difference(y, m, a, w)
        stats.append((key, int(w.sum()), int(w @ m), judge, humans, diff, p))
    qs = bh_qvalues([s[6] for s in stats])
    return [
        AssistedPair(
            a, j, n_c, n_v, judge, humans, diff, p, q, difference_flag(q, diff.ci95_low, min_effect), min_effect
        )
        for ((a, j), n_c, n_v, judge, humans, diff, p), q in zip(stats, qs, strict=True)
    ]


def summarise(pairs: list[AssistedPair], n_judges: int) -> LlmAssisted:
    """One row per annotator: its flagged pair with the largest difference, else its largest difference."""
    if n_judges == 0:
        return LlmAssisted("no judges", 0, 0, [], [], reason="the batch has no LLM judge verdicts to compare with")
    if not pairs:
        return LlmAssisted(
            "no comparisons",
            n_judges,
            0,
            [],
            [],
            reason="no comparison has both a judge verdict and a strict majority of at least two other humans",
        )
    best: dict[str, AssistedPair] = {}
    for p in pairs:
        cur = best.get(p.annotator_id)
        key = (p.flagged, p.difference.value if p.difference.value is not None else -2.0)
        if cur is None or key > (cur.flagged, cur.difference.value if cur.difference.value is not None else -2.0):
            best[p.annotator_id] = p
    rows = []
    for a in sorted(best):
        p = best[a]
        rows.append(
            p.to_dict()
            | {
                "n_judges": sum(1 for x in pairs if x.annotator_id == a),
                "flagged_judges": sorted(x.judge_id for x in pairs if x.annotator_id == a and x.flagged),
            }
        )
    flagged = [r["annotator_id"] for r in rows if r["flagged"]]
    return LlmAssisted("measured", n_judges, len(rows), pairs, rows, flagged=flagged)


def flag_reason(row: dict[str, Any]) -> str:
    """The screening flag's reason, quoting the numbers and the rule."""
    j, h = row["agreement_with_judge"], row["agreement_with_humans"]
    return (
        f"agrees with judge {row['judge_id']} {j.value:.2f} [{j.ci95_low:.2f}, {j.ci95_high:.2f}] vs with the other "
        f"humans' majority {h.value:.2f} [{h.ci95_low:.2f}, {h.ci95_high:.2f}] on the same {row['n']} comparisons: "
        f"difference {row['difference']:.2f} [{row['ci95_low']:.2f}, {row['ci95_high']:.2f}], BH q = "
        f"{row['q_value']:.1e} < 0.05, interval above {row['min_effect']:g}: {FLAG_WORDS}"
    )


def llm_assisted(store: Any, batch_id: str, *, min_effect: float = MIN_EFFECT) -> LlmAssisted:
    """The ``llm_assisted`` result of a batch (one query, ``bias/llm_assisted``)."""
    rows = store.rows("bias/llm_assisted", {"batch_id": batch_id})
    judges = store.one("bias/llm_assisted_judges", {"batch_id": batch_id})
    n_judges = int(judges["n_judges"]) if judges else 0
    return summarise(assisted_pairs(rows, min_effect=min_effect), n_judges)
