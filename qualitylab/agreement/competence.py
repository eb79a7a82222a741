"""The report key ``annotator_competence``: Dawid-Skene and one-coin fits over the batch's human
preference verdicts (numeric core: :mod:`qualitylab.agreement.dawid_skene`; docs/agreement.md).

Per model: the label priors, iterations and convergence, the posterior labels' counts (and how many
differ from the strict majority), and per annotator the competence (P(answer = true label)) with a
95% interval and the confusion matrix. The interval: a seeded bootstrap over comparisons (items
drawn with replacement, each replicate's EM started at the full fit; min(report resamples,
``MAX_DS_BOOT``) replicates) up to ``ANALYTIC_ABOVE_ITEMS`` comparisons; above, the Wilson interval of
the competence at n = the annotator's answers (treats the posteriors as known: narrower).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..intervals import wilson_fraction
from ..results import Statistic
from .dawid_skene import bootstrap_competence, dawid_skene

ANALYTIC_ABOVE_ITEMS = 100_000
MIN_COMPETENCE = 0.5  # low_competence: the whole 95% interval below this (report option min_competence)
MAX_DS_BOOT = 200
LABELS = ("A", "B", "tie")


def _factorize(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """(sorted distinct values, each value's index among them) of a list or a pyarrow array of ids:
    ``np.unique(..., return_inverse=True)`` (Python's order of str), but only the distinct ids are
    sorted (pyarrow's hash unique / index_in for an Arrow column; a dict otherwise), not every
    answer's id as an object array (784k answers: 2.9 -> 0.2 CPU-s)."""
    if hasattr(values, "dictionary_encode"):  # a pyarrow Array / ChunkedArray (the report's query)
        import pyarrow as pa
        import pyarrow.compute as pc

        distinct = sorted(pc.unique(values).to_pylist())
        codes = pc.index_in(values, value_set=pa.array(distinct, type=values.type)).to_numpy(zero_copy_only=False)
        out = np.empty(len(distinct), dtype=object)
        out[:] = distinct
        return out, codes.astype(np.int64)
    distinct = sorted(set(values))
    index = {v: i for i, v in enumerate(distinct)}
    out = np.empty(len(distinct), dtype=object)
    out[:] = distinct
    return out, np.array([index[v] for v in values], dtype=np.int64)


def encode(rows: dict[str, Any]) -> dict[str, Any]:
    """Integer codes of the answers (columns comparison_id, annotator_id, preference: lists or
    pyarrow arrays)."""
    items, item = _factorize(rows["comparison_id"])
    anns, ann = _factorize(rows["annotator_id"])
    used, lab = _factorize(rows["preference"])
    labels = [lab_ for lab_ in LABELS if lab_ in set(used)]
    recode = np.array([labels.index(u) for u in used], dtype=np.int64)
    return {
        "items": items,
        "item": item,
        "annotators": anns,
        "annotator": ann,
        "labels": labels,
        "label": recode[lab] if len(lab) else lab,
    }


def posterior_labels(rows: dict[str, list]) -> dict[str, str]:
    """comparison_id -> Dawid-Skene posterior label (argmax; ties: A before B before tie)."""
    if not rows["comparison_id"]:
        return {}
    enc = encode(rows)
    fit = dawid_skene(
        enc["item"], enc["annotator"], enc["label"], len(enc["items"]), len(enc["annotators"]), len(enc["labels"])
    )
    best = np.argmax(fit.posteriors, axis=1)
    return {str(c): enc["labels"][int(b)] for c, b in zip(enc["items"], best, strict=True)}


def _majority(enc) -> np.ndarray:
    k = len(enc["labels"])
    counts = np.column_stack(
        [np.bincount(enc["item"], weights=(enc["label"] == j), minlength=len(enc["items"])) for j in range(k)]
    )
    n = counts.sum(1)
    best = counts.argmax(1)
    return np.where(counts.max(1) * 2 > n, best, -1)


def compute_competence(
    rows: dict[str, list], *, n_boot: int, seed: int, min_competence: float = MIN_COMPETENCE
) -> dict[str, Any]:
    if not rows["comparison_id"]:
        return {"reason": "not computable: the batch has no human pairwise verdicts"}
    enc = encode(rows)
    n_items, n_ann, k = len(enc["items"]), len(enc["annotators"]), len(enc["labels"])
    if k < 2:
        return {"reason": f"not computable: every human verdict is {enc['labels'][0]!r} (one label)"}
    n_answers = np.bincount(enc["annotator"], minlength=n_ann)
    # distinct comparisons per annotator (a repeat on one comparison is one item)
    pairs = np.sort(enc["annotator"] * n_items + enc["item"])
    first = np.r_[True, pairs[1:] != pairs[:-1]] if len(pairs) else np.zeros(0, dtype=bool)
    items_of = np.bincount(pairs[first] // n_items, minlength=n_ann)
    majority = _majority(enc)
    reps = 0 if n_items > ANALYTIC_ABOVE_ITEMS else min(n_boot, MAX_DS_BOOT)
    out: dict[str, Any] = {
        "labels": enc["labels"],
        "n_items": n_items,
        "n_answers": int(len(enc["item"])),
        "n_annotators": n_ann,
        "min_competence": min_competence,
    }
    for name, one_coin in (("dawid_skene", False), ("one_coin", True)):
        fit = dawid_skene(enc["item"], enc["annotator"], enc["label"], n_items, n_ann, k, one_coin=one_coin)
        boot = (
            bootstrap_competence(
                enc["item"], enc["annotator"], enc["label"], n_items, n_ann, k, fit, n_boot=reps, seed=seed
            )
            if reps
            else None
        )
        if boot is not None:
            method = (
                f"percentile bootstrap over comparisons ({reps} replicates, seed {seed}; each replicate's EM "
                "started at the full fit)"
            )
        else:
            method = (
                f"Wilson at n = the annotator's answers (more than {ANALYTIC_ABOVE_ITEMS:,} comparisons: no bootstrap; "
                "treats the posteriors as known)"
            )
        best = np.argmax(fit.posteriors, axis=1)
        per = []
        for a in range(n_ann):
            c = float(fit.competence[a])
            if boot is not None:
                col = boot[:, a]
                col = col[np.isfinite(col)]
                lo, hi = (float(np.percentile(col, 2.5)), float(np.percentile(col, 97.5))) if len(col) else (None, None)
            else:
                lo, hi = wilson_fraction(c, float(n_answers[a]))
            low = hi is not None and hi < min_competence
            per.append(
                {
                    "annotator_id": str(enc["annotators"][a]),
                    "n": int(items_of[a]),
                    "low_competence": bool(low),
                    "low_competence_reason": (
                        f"competence {c:.2f} with 95% interval [{lo:.2f}, {hi:.2f}] entirely below {min_competence:g}"
                        if low
                        else None
                    ),
                    "n_answers": int(n_answers[a]),
                    "n_items": int(items_of[a]),
                    "competence": Statistic(c, lo, hi, int(items_of[a]), method=method),
                    "confusion": {
                        t: {o: float(fit.errors[a, j, i]) for j, o in enumerate(enc["labels"])}
                        for i, t in enumerate(enc["labels"])
                    },
                }
            )
        has_major = majority >= 0
        out[name] = {
            "priors": {lab: float(fit.priors[i]) for i, lab in enumerate(enc["labels"])},
            "iterations": fit.iterations,
            "converged": fit.converged,
            "evidence_lower_bound": fit.loss_history[-1] if fit.loss_history else None,
            "posterior_label_counts": {lab: int((best == i).sum()) for i, lab in enumerate(enc["labels"])},
            "n_items_with_majority": int(has_major.sum()),
            "n_posterior_differs_from_majority": int((best[has_major] != majority[has_major]).sum()),
            "per_annotator": per,
        }
    out["method"] = (
        "Dawid & Skene (1979) EM as crowd-kit 1.4.2 implements it (majority-vote start, n_iter 100, tol 1e-5 on the "
        "evidence lower bound per answer); one_coin: Zhang et al. (2016). competence = sum_k prior_k e[k, k]"
    )
    return out


def _columns(table: Any) -> dict[str, Any]:
    """A pyarrow table's columns by name (encode reads them without making Python lists)."""
    return {name: table.column(name) for name in table.column_names}


def competence(ctx) -> dict[str, Any]:
    """The section's result (memoised: the screening table reads it)."""
    return ctx.memo(
        "agreement.competence",
        lambda: compute_competence(
            _columns(ctx.store.arrow("agreement/ds_answers", {"batch_id": ctx.batch_id})),
            n_boot=ctx.n_boot,
            seed=ctx.seed,
            min_competence=float(ctx.options.get("min_competence", MIN_COMPETENCE)),
        ),
    )
