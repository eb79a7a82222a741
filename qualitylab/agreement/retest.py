"""Test-retest agreement: one annotator judging the same item on two occasions.

A *retest* is a repeat that differs in file, ``created_at`` or batch (queries ``agreement/retest_*``:
exact duplicate rows are one row, also across batches — the same row delivered twice is a
re-delivery, not a second judgment; repeats within one file at one time are one occasion). Over
the (annotator, item) units with two occasions: the share of units whose two values are equal
(Wilson interval), and Cohen's kappa of occasion 1 vs occasion 2 (preferences) or ICC(A,1), the
two-way absolute-agreement ICC with the occasions as the two "raters" (ratings; Koo & Li 2016 for
test-retest). Without retests: ``reason`` says why (and counts the same-occasion repeats).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..intervals import proportion
from ..results import Statistic
from ..store import Store
from . import coefficients as co

DEFINITION = (
    "repeats of one annotator on one item that differ in file, created_at or batch (same vendor, same texts); "
    "exact duplicate rows count once, repeats within one file at one time are one occasion; "
    "occasion 1 vs occasion 2 in time order"
)


def _summary(rows: list[dict[str, Any]], what: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    pairs = [r for r in rows if r["differs_in"] is not None]
    same_occasion = sum(1 for r in rows if r["differs_in"] is None)
    differs: dict[str, int] = {}
    for r in pairs:
        differs[r["differs_in"]] = differs.get(r["differs_in"], 0) + 1
    base: dict[str, Any] = {
        "n_units": len(pairs),
        "n_annotators": len({r["annotator_id"] for r in pairs}),
        "differs_in": dict(sorted(differs.items())),
        "n_same_occasion_repeats": same_occasion,
        "definition": DEFINITION,
    }
    if not pairs:
        base["reason"] = (
            f"no annotator {what} the same item on two occasions (in different files, at different "
            "created_at times or in different batches)"
            + (f"; {same_occasion} repeat(s) within one file at one time are not a retest" if same_occasion else "")
        )
    return pairs, base


def preference_retest(store: Store, batch_id: str, values: list[float]) -> dict[str, Any]:
    """``{n_units, n_annotators, differs_in, n_same_occasion_repeats, agreement, kappa, definition[, reason]}``."""
    rows = store.rows("agreement/retest_preferences", {"batch_id": batch_id})
    pairs, out = _summary(rows, "judged")
    nc = Statistic.not_computable(out.get("reason", ""))
    if not pairs:
        return {**out, "agreement": nc, "kappa": nc}
    v1 = np.array([r["value_1"] for r in pairs], dtype=float)
    v2 = np.array([r["value_2"] for r in pairs], dtype=float)
    vals = np.unique(np.concatenate([np.asarray(values, dtype=float), v1, v2]))
    table = np.zeros((vals.size, vals.size))
    np.add.at(table, (np.searchsorted(vals, v1), np.searchsorted(vals, v2)), 1)
    kappa = co.cohen_kappa(table, vals, min_items=10, names=("occasion 1", "occasion 2"))
    agree = int((v1 == v2).sum())
    return {**out, "agreement": proportion(agree, len(pairs), what="retest units"), "kappa": kappa}


def rating_retest(store: Store, batch_id: str, aspect: str) -> dict[str, Any]:
    """``{n_units, ..., agreement (exact), mean_abs_difference, icc (ICC(A,1)), definition[, reason]}``."""
    from . import icc

    rows = store.rows("agreement/retest_ratings", {"batch_id": batch_id, "aspect": aspect})
    pairs, out = _summary(rows, "rated")
    nc = Statistic.not_computable(out.get("reason", ""))
    if not pairs:
        return {**out, "agreement": nc, "mean_abs_difference": None, "icc": None}
    x = np.array([[r["score_1"], r["score_2"]] for r in pairs], dtype=float)
    agree = int((x[:, 0] == x[:, 1]).sum())
    res: dict[str, Any] = {
        **out,
        "agreement": proportion(agree, len(pairs), what="retest units"),
        "mean_abs_difference": float(np.abs(x[:, 0] - x[:, 1]).mean()),
    }
    if len(pairs) < 2 or np.ptp(x) == 0:
        res["icc"] = None
        res["icc_reason"] = "fewer than 2 retest units" if len(pairs) < 2 else "every retest score is the same"
    else:
        res["icc"] = icc.twoway(x)[0].to_dict()  # ICC(A,1): occasion 1 vs occasion 2
    return res
