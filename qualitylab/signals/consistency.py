"""Do ratings and preferences tell the same story? Within a task, across tasks, and transitivity.

- Within a task: a pairwise verdict that also carries rating_a and rating_b.
- Across tasks: rating rows and rankings linked to pairwise verdicts by (prompt_id, model).
- Transitivity: cyclic triads in one annotator's verdicts over three or more models of a prompt.

Counting happens in SQL (queries/signals/*.sql); the functions below finish the numbers and are pure.
Definitions: docs/signals.md.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..intervals import proportion
from ..results import Statistic
from .correlation import rank_correlations
from .resample import clustered_proportion

#: a preference of at least this strength (Llama 2 scale: 2 = "better") is "strong"
STRONG_STRENGTH = 2
#: a rating gap of at least this many scale points is "large"
LARGE_GAP = 2.0
#: the share of cyclic triads expected when every verdict is a coin flip (Kendall & Babington Smith 1940)
RANDOM_CYCLIC_SHARE = 0.25

LINKING_RULE = (
    "a pairwise verdict on (prompt_id, model_a, model_b) is linked to the rating rows and "
    "ranking rows of the same batch with the same prompt_id and model = model_a, resp. "
    "model_b; rows without prompt_id or model are not linked; a verdict with "
    "model_a = model_b is not linked"
)


@dataclass(frozen=True)
class WithinTask:
    """Verdicts carrying rating_a and rating_b: does the preferred response get the higher rating?"""

    direction_agreement: Statistic
    rating_tie_strong_preference: Statistic
    preference_tie_rating_gap: Statistic
    calibration: dict[str, Statistic]  # kendall_tau_b, spearman of |rating gap| vs strength
    n_verdicts: int = 0
    annotator_id: str | None = None


@dataclass(frozen=True)
class AcrossTasks:
    """Implied preferences from another signal compared with the direct verdicts on the same pair."""

    source: str  # mean_ratings | annotator_ratings | rankings
    direction_agreement: Statistic
    same_annotator_agreement: Statistic
    verdict_tie_share: Statistic  # linked verdicts that are ties where the source decides
    implied_tie_share: Statistic  # non-tie verdicts where the source is tied
    n_linked: int = 0
    n_prompts: int = 0
    per_annotator: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Transitivity:
    cyclic_triad_share: Statistic
    n_annotators_3plus: int
    random_cyclic_share: float
    per_annotator: list[dict[str, Any]] = field(default_factory=list)


def _cells(rows: Iterable[dict[str, Any]]) -> dict[str, np.ndarray]:
    rows = list(rows)
    keys = ("preference", "rating_sign", "rating_gap", "strength", "n")
    if rows and not set(keys) <= set(rows[0]):
        raise ValueError(f"within-task cells need the columns {keys} (see signals/within_task_table)")
    out = {k: np.array([r[k] for r in rows], dtype=object) for k in keys}
    out["n"] = out["n"].astype(float)
    out["rating_gap"] = out["rating_gap"].astype(float)
    out["rating_sign"] = out["rating_sign"].astype(float)
    out["has_strength"] = np.array([s is not None for s in out["strength"]], dtype=bool)
    out["strength_num"] = np.array([-1 if s is None else s for s in out["strength"]], dtype=float)
    return out


def within_task(
    rows: Iterable[dict[str, Any]],
    *,
    strong_strength: int = STRONG_STRENGTH,
    large_gap: float = LARGE_GAP,
    annotator_id: str | None = None,
) -> WithinTask:
    """Ratings versus preferences inside one task, from ``signals/within_task_table`` cells.

    - direction_agreement: among non-tie verdicts whose ratings differ, the share preferring the
      higher-rated response (1 = ratings and preferences always point the same way; 0.5 = unrelated).
    - rating_tie_strong_preference: among verdicts with rating_a = rating_b, the share that still
      prefer one response with strength >= ``strong_strength``.
    - preference_tie_rating_gap (the reverse): among verdicts with no real preference (a tie, or
      strength 0 = negligible / unsure), the share whose ratings differ by >= ``large_gap`` points.
    - calibration: Kendall tau-b and Spearman rho between |rating_a - rating_b| and strength over
      verdicts with a strength (Fisher-z intervals). Positive = bigger gaps come with stronger
      preferences, as they should.

    Proportions have Wilson intervals (verdicts treated as independent).
    """
    c = _cells(rows)
    n_total = int(c["n"].sum())
    pref, sign, n = c["preference"], c["rating_sign"], c["n"]
    decided = (pref != "tie") & (sign != 0)
    agree = decided & (((pref == "A") & (sign > 0)) | ((pref == "B") & (sign < 0)))
    direction = proportion(n[agree].sum(), n[decided].sum(), what="non-tie verdicts whose rating_a and rating_b differ")
    any_strength = bool((c["has_strength"] & (n > 0)).any())
    rating_tie = sign == 0
    if not any_strength:
        strong_tie = Statistic.not_computable("no verdict with ratings carries a strength")
    else:
        strong = rating_tie & (pref != "tie") & (c["strength_num"] >= strong_strength)
        strong_tie = proportion(n[strong].sum(), n[rating_tie].sum(), what="verdicts with rating_a = rating_b")
    weak = (pref == "tie") | (c["has_strength"] & (c["strength_num"] == 0))
    gap = weak & (c["rating_gap"] >= large_gap)
    reverse = proportion(n[gap].sum(), n[weak].sum(), what="tie or strength-0 verdicts with ratings")
    hs = c["has_strength"] & (n > 0)
    if not hs.any():
        calibration = {
            k: Statistic.not_computable("no verdict with ratings carries a strength")
            for k in ("kendall_tau_b", "spearman")
        }
    else:
        calibration = rank_correlations(
            c["rating_gap"][hs], c["strength_num"][hs], n[hs], what="verdicts with ratings and a strength"
        )
    return WithinTask(direction, strong_tie, reverse, calibration, n_total, annotator_id)


def within_task_by_annotator(rows: Iterable[dict[str, Any]], **kw) -> list[WithinTask]:
    """:func:`within_task` for each annotator_id of the cells."""
    groups: dict[str, list] = defaultdict(list)
    for r in rows:
        groups[r["annotator_id"]].append(r)
    return [within_task(g, annotator_id=a, **kw) for a, g in sorted(groups.items())]


def _frame(rows) -> pd.DataFrame:
    """Rows (a DataFrame, an Arrow table or a list of dicts) as a DataFrame."""
    if isinstance(rows, pd.DataFrame):
        return rows
    if hasattr(rows, "to_pandas"):
        return rows.to_pandas()
    return pd.DataFrame(list(rows))


def _by(frame: pd.DataFrame, key: str) -> dict[str, np.ndarray]:
    """The count columns (n_*) summed per value of ``key``: arrays with one entry per value."""
    if frame.empty:
        return {}
    cols = [c for c in frame.columns if c.startswith("n_")]
    g = frame.groupby(key, sort=True)[cols].sum()
    return {c: g[c].to_numpy(dtype=float) for c in cols}


def _agreement(d: dict[str, np.ndarray], what: str, *, same: bool = False) -> Statistic:
    if not d or d.get("n_linked", np.zeros(0)).sum() == 0:
        return Statistic.not_computable(f"no {what} linked to a pairwise verdict")
    k = d["n_agree_same" if same else "n_agree"]
    n = d["n_decided_same" if same else "n_decided"]
    if n.sum() == 0:
        return Statistic.not_computable(
            f"no non-tie verdict {'by the same annotator ' if same else ''}with a non-tie {what}"
        )
    return clustered_proportion(k, n, what=what, unit="prompt_id")


def across_tasks(source: str, prompt_rows, annotator_rows, *, what: str) -> AcrossTasks:
    """Direct verdicts versus the preferences implied by another signal on the same prompt and models.

    Rows are DataFrames, Arrow tables or lists of dicts.
    prompt_rows: rows with a prompt_id and the count columns, summed per prompt_id for the overall
    comparison (mean ratings: ``signals/mean_ratings_vs_verdicts``; rankings: the annotator rows);
    annotator_rows: one row per (annotator_id, prompt_id) with the ``*_same`` columns (None when
    the source has no annotators, as for mean ratings).

    direction_agreement = sum(n_agree) / sum(n_decided): among linked pairs where both the verdict
    and the implied preference pick a side, the share picking the same side; interval Wilson with a
    design effect for clustering by prompt_id. same_annotator_agreement restricts to verdicts by the
    annotator who gave the rating / ranking. 0.5 = unrelated; 1 = always the same side.
    """
    pr = _by(_frame(prompt_rows), "prompt_id")
    overall = _agreement(pr, what)
    if annotator_rows is None:
        same = Statistic.not_computable(f"not applicable: {what} pool all annotators")
        annot = pd.DataFrame()
    else:
        annot = _frame(annotator_rows)
        same = _agreement(_by(annot, "prompt_id"), what, same=True)
    n_linked = int(pr["n_linked"].sum()) if pr else 0
    if pr and n_linked:
        vt = proportion(
            pr["n_verdict_tie"].sum(),
            pr["n_verdict_tie"].sum() + pr["n_decided"].sum(),
            what=f"linked verdicts where the {what} picks a side",
        )
        it = proportion(
            pr["n_rating_tie"].sum(), pr["n_rating_tie"].sum() + pr["n_decided"].sum(), what="linked non-tie verdicts"
        )
    else:
        vt = it = Statistic.not_computable(f"no {what} linked to a pairwise verdict")
    per = []
    for a, g in [] if annot.empty else annot.groupby("annotator_id", sort=True):
        d = _by(g, "prompt_id")
        per.append(
            {
                "annotator_id": a,
                "direction_agreement": _agreement(d, what),
                "same_annotator_agreement": _agreement(d, what, same=True),
                "n_linked": int(d["n_linked"].sum()),
            }
        )
    return AcrossTasks(source, overall, same, vt, it, n_linked, int(len(pr.get("n_linked", []))), per)


def transitivity(rows: list[dict[str, Any]]) -> Transitivity:
    """Cyclic triads in each annotator's pairwise verdicts (``signals/transitivity`` rows).

    cyclic_triad_share = cyclic triads / complete triads, where a triad is three models of one
    prompt whose three pairs the annotator decided (x > y > z > x is cyclic). 0 = perfectly
    transitive; 0.25 is what coin-flip verdicts give (Kendall & Babington Smith 1940). Wilson
    intervals treat triads as independent (they share edges, so the intervals are optimistic).
    """
    if not rows:
        return Transitivity(
            Statistic.not_computable("no annotator's pairwise verdicts cover three or more models of one prompt"),
            0,
            RANDOM_CYCLIC_SHARE,
            [],
        )
    per = [
        {
            "annotator_id": r["annotator_id"],
            "n_prompts_3plus": int(r["n_prompts_3plus"]),
            "n_triads": int(r["n_triads"]),
            "n_cyclic": int(r["n_cyclic"]),
            "cyclic_triad_share": proportion(r["n_cyclic"], r["n_triads"], what="complete triads"),
        }
        for r in rows
    ]
    k = sum(p["n_cyclic"] for p in per)
    n = sum(p["n_triads"] for p in per)
    overall = proportion(k, n, what="complete triads (all three pairs decided)")
    return Transitivity(overall, len(per), RANDOM_CYCLIC_SHARE, per)
