"""Label, strength and Likert distributions; straight-lining; week-over-week shift (docs/bias.md).

Everything is computed from value counts aggregated in SQL (queries/bias/*_counts.sql, *_runs.sql);
the functions here are small and pure.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..intervals import proportion
from ..overview import label_distribution
from ..results import Statistic
from ..schema import PREFERENCES
from ..store import Store

RUN_P_MAX = 1e-3  # a run this unlikely (iid, annotator's own label shares) is flagged
MIN_ENTROPY_BITS = 0.5  # label entropy below this (about 90% one label) is flagged
SHIFT_ALPHA = 0.05


def entropy_bits(counts: Iterable[float]) -> float | None:
    """Shannon entropy H = -sum_i p_i log2 p_i of a distribution given by counts (p_i = c_i / sum c).

    Range 0 (always the same answer) .. log2(K) for K equally used answers (1.585 bits for A/B/tie).
    None for no observations. Reference: Shannon (1948).

    >>> entropy_bits([5, 5])
    1.0
    """
    c = np.asarray(list(counts), dtype=float)
    if (c < 0).any():
        raise ValueError("counts must be >= 0")
    total = c.sum()
    if total == 0:
        return None
    p = c[c > 0] / total
    return float(-(p * np.log2(p)).sum()) + 0.0


def run_probability(longest_run: int, n: int, p: float) -> float | None:
    """P(a run of at least L equal answers somewhere in n iid answers with P(answer) = p).

    Poisson (clump) approximation: the expected number of runs of length >= L is
    lambda = p^L * (1 + (n - L) * (1 - p)), and P = 1 - exp(-lambda) (Feller 1968, XIII.7; Schilling
    1990, College Math. J. 21:196-207). Small values mean the run is unlikely for this annotator's
    own label shares: straight-lining. Range 0..1 (capped at 1).
    """
    if n <= 0 or longest_run <= 0:
        return None
    if not 0 <= p <= 1:
        raise ValueError(f"p must be a probability, got {p}")
    if longest_run > n:
        raise ValueError(f"a run of {longest_run} cannot occur in {n} answers")
    if p == 1:
        return 1.0  # one answer only: the run is certain (low entropy flags that case)
    lam = p**longest_run * (1 + (n - longest_run) * (1 - p))
    return float(min(1.0, 1 - math.exp(-lam)))


@dataclass(frozen=True)
class ChiSquareShift:
    """Chi-square test of homogeneity between this batch's and the previous batch's counts."""

    distribution: str  # labels | strength | likert
    group: str  # annotator kind, or kind/aspect for Likert
    chi2: float | None
    dof: int | None
    p_value: float | None
    cramers_v: float | None
    n_current: int
    n_previous: int
    current: dict[str, int]
    previous: dict[str, int]
    shifted: bool
    reason: str | None = None


def chi_square_shift(
    current: Mapping[Any, int],
    previous: Mapping[Any, int],
    *,
    distribution: str,
    group: str,
    alpha: float = SHIFT_ALPHA,
) -> ChiSquareShift:
    """Pearson chi-square of the 2 x K table (this batch, previous batch) x categories.

    chi2 = sum (O - E)^2 / E with E from the margins; dof = K - 1 over the categories seen in either
    batch; no continuity correction; Cramér's V = sqrt(chi2 / n) (2 rows). ``shifted`` when p < alpha.
    The chi-square approximation is poor when expected counts fall below about 5.
    Reference: scipy.stats.chi2_contingency.
    """
    from scipy.stats import chi2_contingency

    keys = sorted({*current, *previous}, key=lambda k: (str(type(k)), k))
    cur = {str(k): int(current.get(k, 0)) for k in keys}
    prev = {str(k): int(previous.get(k, 0)) for k in keys}
    n_c, n_p = sum(cur.values()), sum(prev.values())
    cols = [k for k in cur if cur[k] + prev[k] > 0]

    def nc(reason):
        return ChiSquareShift(distribution, group, None, None, None, None, n_c, n_p, cur, prev, False, reason)

    if n_c == 0 or n_p == 0:
        return nc("no observations in " + ("this batch" if n_c == 0 else "the previous batch"))
    if len(cols) < 2:
        return nc("only one category used in both batches: nothing can shift")
    table = np.array([[cur[k] for k in cols], [prev[k] for k in cols]], dtype=float)
    chi2, p, dof, _ = chi2_contingency(table, correction=False)
    v = math.sqrt(chi2 / table.sum())
    return ChiSquareShift(distribution, group, float(chi2), int(dof), float(p), v, n_c, n_p, cur, prev, bool(p < alpha))


@dataclass(frozen=True)
class Distributions:
    labels: dict[str, dict[str, Statistic]]  # {kind: {A|B|tie: share}}
    tie_rate: dict[str, Statistic]  # {kind: share of ties}
    by_annotator: list[dict[str, Any]]
    by_model_pair: list[dict[str, Any]]
    strength: dict[str, Any]
    likert: dict[str, Any]
    straight_lining: list[dict[str, Any]]
    shift: dict[str, Any] = field(default_factory=dict)


def label_tables(
    label_rows: list[dict],
    run_rows: list[dict],
    *,
    run_p_max: float = RUN_P_MAX,
    min_entropy_bits: float = MIN_ENTROPY_BITS,
    min_items: int = 0,
):
    """Per-kind label shares, per-annotator label table and straight-lining rows from
    ``bias/label_counts_by_annotator`` and ``bias/label_runs`` rows (pure)."""
    per: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: {p: 0 for p in PREFERENCES})
    for r in label_rows:
        per[(r["annotator_kind"], r["annotator_id"])][r["preference"]] += int(r["n"])
    kind_rows = [
        {"annotator_kind": k, "preference": p, "n": c} for (k, _), counts in per.items() for p, c in counts.items()
    ]
    labels = label_distribution(kind_rows)
    tie_rate = {g: v["tie"] for g, v in labels.items()}
    runs = {(r["annotator_kind"], r["annotator_id"]): r for r in run_rows}
    table, lining = [], []
    for (kind, ann), counts in sorted(per.items()):
        n = sum(counts.values())
        h = entropy_bits(counts.values())
        table.append(
            {
                "annotator_id": ann,
                "annotator_kind": kind,
                "n": n,
                **{f"n_{p}": counts[p] for p in PREFERENCES},
                "tie_rate": proportion(counts["tie"], n, what="tie rate"),
                "entropy_bits": h,
            }
        )
        run = runs.get((kind, ann))
        longest = int(run["longest_run"]) if run else 0
        label = run["longest_run_label"] if run else None
        p_run = run_probability(longest, n, counts[label] / n) if run and n and label is not None else None
        reasons = []
        if n >= max(min_items, 1):
            if h is not None and h < min_entropy_bits:
                reasons.append(f"label entropy {h:.2f} bits < {min_entropy_bits} (one answer dominates)")
            if p_run is not None and p_run < run_p_max:
                reasons.append(
                    f"run of {longest} x {label} (P = {p_run:.1e} < {run_p_max:g} "
                    "given the annotator's own label shares)"
                )
        lining.append(
            {
                "annotator_id": ann,
                "annotator_kind": kind,
                "n": n,
                "entropy_bits": h,
                "longest_run": longest,
                "longest_run_label": label,
                "p_run": p_run,
                "flagged": bool(reasons),
                "reasons": reasons,
            }
        )
    return labels, tie_rate, table, lining


def model_pair_table(rows: list[dict]) -> list[dict[str, Any]]:
    """Per (kind, model_1, model_2): shares of model_1 wins, model_2 wins and ties (pure)."""
    per: dict[tuple, dict[str, int]] = defaultdict(lambda: {"model_1": 0, "model_2": 0, "tie": 0})
    for r in rows:
        per[(r["annotator_kind"], r["model_1"], r["model_2"])][r["outcome"]] += int(r["n"])
    out = []
    for (kind, m1, m2), c in sorted(per.items()):
        n = sum(c.values())
        out.append(
            {
                "annotator_kind": kind,
                "model_1": m1,
                "model_2": m2,
                "n": n,
                "p_model_1": proportion(c["model_1"], n),
                "p_model_2": proportion(c["model_2"], n),
                "p_tie": proportion(c["tie"], n),
            }
        )
    return out


def strength_tables(rows: list[dict], values: Iterable[int] = (0, 1, 2, 3)) -> dict[str, Any]:
    """Strength shares per annotator kind, and counts and mean per annotator (pure). ``values``: the
    batch's strength range (qualitylab/scales.py; default the 0-3 vocabulary): every value of it is
    listed, used or not (an empty category shows as 0)."""
    by_kind: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    by_ann: dict[tuple, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        by_kind[r["annotator_kind"]][int(r["strength"])] += int(r["n"])
        by_ann[(r["annotator_kind"], r["annotator_id"])][int(r["strength"])] += int(r["n"])
    kinds = {}
    for kind, c in sorted(by_kind.items()):
        n = sum(c.values())
        kinds[kind] = {"n": n, "shares": {str(s): proportion(c.get(s, 0), n) for s in sorted({*values, *c})}}
    anns = [
        {
            "annotator_kind": k,
            "annotator_id": a,
            "n": sum(c.values()),
            "mean": sum(s * m for s, m in c.items()) / sum(c.values()),
            "counts": {str(s): c.get(s, 0) for s in sorted({*values, *c})},
        }
        for (k, a), c in sorted(by_ann.items())
    ]
    return {"by_kind": kinds, "by_annotator": anns, "_counts": {k: dict(c) for k, c in by_kind.items()}}


def _score_key(s: float) -> str:
    return str(int(s)) if float(s).is_integer() else str(s)


def likert_tables(
    rows: list[dict], run_rows: list[dict], scales: dict[str, tuple[float, ...]] | None = None
) -> dict[str, Any]:
    """Likert score distributions per (kind, aspect) and per (kind, aspect, annotator), with each
    annotator's score entropy and longest run of the same score (pure). ``scales``: per aspect the
    values of its declared or inferred scale (qualitylab/scales.py): every one is listed in
    ``counts``, used or not (an empty category shows as 0; ``_counts``, for the shift tests, keeps
    the observed scores only)."""
    by_aspect: dict[tuple, dict[float, int]] = defaultdict(lambda: defaultdict(int))
    by_ann: dict[tuple, dict[float, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        by_aspect[(r["annotator_kind"], r["aspect"])][float(r["score"])] += int(r["n"])
        by_ann[(r["annotator_kind"], r["aspect"], r["annotator_id"])][float(r["score"])] += int(r["n"])
    runs = {(r["annotator_kind"], r["aspect"], r["annotator_id"]): r for r in run_rows}

    def summary(c, aspect):
        n = sum(c.values())
        mean = sum(s * m for s, m in c.items()) / n
        keys = sorted({*(scales or {}).get(aspect, ()), *c})
        return {"n": n, "mean": mean, "counts": {_score_key(s): c.get(s, 0) for s in keys}}

    aspects = [{"annotator_kind": k, "aspect": a, **summary(c, a)} for (k, a), c in sorted(by_aspect.items())]
    anns = []
    for (k, a, ann), c in sorted(by_ann.items()):
        run = runs.get((k, a, ann))
        anns.append(
            {
                "annotator_kind": k,
                "aspect": a,
                "annotator_id": ann,
                **summary(c, a),
                "entropy_bits": entropy_bits(c.values()),
                "longest_run": int(run["longest_run"]) if run else None,
            }
        )
    return {
        "by_aspect": aspects,
        "by_annotator": anns,
        "_counts": {f"{k}/{a}": {_score_key(s): m for s, m in c.items()} for (k, a), c in by_aspect.items()},
    }


def _raw_counts(store: Store, batch_id: str) -> dict[str, dict[str, dict]]:
    """{distribution: {group: {category: n}}} of one batch, for the shift tests."""
    out: dict[str, dict[str, dict]] = {"labels": defaultdict(lambda: defaultdict(int))}
    for r in store.rows("bias/label_counts_by_annotator", {"batch_id": batch_id}):
        out["labels"][r["annotator_kind"]][r["preference"]] += int(r["n"])
    out["strength"] = {
        k: {str(s): n for s, n in c.items()}
        for k, c in strength_tables(store.rows("bias/strength_counts", {"batch_id": batch_id}))["_counts"].items()
    }
    out["likert"] = likert_tables(store.rows("bias/likert_counts", {"batch_id": batch_id}), [])["_counts"]
    return out


def shift_tests(
    current: dict, previous: list[tuple[str, dict]], *, alpha: float = SHIFT_ALPHA
) -> list[tuple[str | None, ChiSquareShift]]:
    """One chi-square test per (distribution, group) of the current batch (or of the latest earlier
    batch). ``previous``: ``(batch_id, counts)`` of earlier batches, latest first; each group is
    compared with the latest earlier batch that has it. Returns (that batch id or None, test)."""
    tests = []
    for dist in ("labels", "strength", "likert"):
        cur = current.get(dist, {})
        latest = previous[0][1].get(dist, {}) if previous else {}
        for group in sorted({*cur, *latest}):
            found: tuple[Any, dict[str, Any]] = next(
                ((b, c[dist][group]) for b, c in previous if c.get(dist, {}).get(group)), (None, {})
            )
            tests.append(
                (found[0], chi_square_shift(cur.get(group, {}), found[1], distribution=dist, group=group, alpha=alpha))
            )
    return tests


def week_over_week(store: Store, batch_id: str, *, alpha: float = SHIFT_ALPHA) -> dict[str, Any]:
    """Shift of each distribution vs the previous batch of the same vendor (by delivered date); a
    distribution the previous batch lacks (e.g. Likert ratings delivered every other week) is
    compared with the latest earlier batch of the vendor that has it."""
    earlier = store.rows("bias/earlier_batches", {"batch_id": batch_id})
    if not earlier:
        return {
            "status": "no previous batch",
            "previous_batch_id": None,
            "tests": [],
            "reason": "no earlier batch of the same vendor with a delivered date",
        }
    current = _raw_counts(store, batch_id)
    wanted = {(d, g) for d, groups in current.items() for g in groups}
    previous = []
    for b in earlier:  # latest first; stop once every group has a match
        counts = _raw_counts(store, b["batch_id"])
        previous.append((b["batch_id"], counts))
        wanted -= {(d, g) for d, groups in counts.items() for g, c in groups.items() if c}
        if not wanted:
            break
    tests = [dict(previous_batch_id=b, **vars(t)) for b, t in shift_tests(current, previous, alpha=alpha)]
    return {
        "status": "measured",
        "previous_batch_id": earlier[0]["batch_id"],
        "previous_delivered": earlier[0]["delivered"],
        "tests": tests,
    }


def distributions(
    store: Store,
    batch_id: str,
    *,
    run_p_max: float = RUN_P_MAX,
    min_entropy_bits: float = MIN_ENTROPY_BITS,
    min_items: int = 0,
    alpha: float = SHIFT_ALPHA,
    scale: Any = None,
) -> Distributions:
    """All distributions of the batch (one aggregate query each). ``scale``: the batch's
    :class:`qualitylab.scales.BatchScale`; its strength range and rating scales list their unused
    categories with count 0 (default: the 0-3 strength vocabulary, the observed scores)."""
    p = {"batch_id": batch_id}
    labels, tie_rate, table, lining = label_tables(
        store.rows("bias/label_counts_by_annotator", p),
        store.rows("bias/label_runs", p),
        run_p_max=run_p_max,
        min_entropy_bits=min_entropy_bits,
        min_items=min_items,
    )
    s_values: Iterable[int] = (0, 1, 2, 3)
    if scale is not None and scale.strength is not None and scale.strength.grid():
        s_values = [int(v) for v in scale.strength.grid()]
    strength = strength_tables(store.rows("bias/strength_counts", p), s_values)
    strength.pop("_counts")
    r_scales = {a: r.values() for a, r in scale.ratings.items()} if scale is not None else None
    likert = likert_tables(store.rows("bias/likert_counts", p), store.rows("bias/likert_runs", p), r_scales)
    likert.pop("_counts")
    return Distributions(
        labels,
        tie_rate,
        table,
        model_pair_table(store.rows("bias/label_counts_by_model_pair", p)),
        strength,
        likert,
        lining,
        week_over_week(store, batch_id, alpha=alpha),
    )
