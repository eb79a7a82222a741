"""SQL glue: run the ``agreement/*`` aggregations for a batch and feed the numeric core.

Only human annotators enter. The queries return value-count *patterns* (tiny, whatever the batch
size) and per-pair confusion cells; everything else is :mod:`.coefficients`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..intervals import proportion
from ..results import Statistic
from ..store import Store
from . import coefficients as co

#: a pair of annotators needs this many shared items before its Cohen's kappa is reported
#: (below it the asymptotic standard error is meaningless and one item moves kappa by > 0.1)
MIN_PAIR_ITEMS = 10

PREFERENCE_CODES = {0.0: "B", 1.0: "tie", 2.0: "A"}  # as coded in the SQL
STRENGTH_SCALE = tuple(float(v) for v in range(-3, 4))  # B significantly better .. A significantly better


@dataclass(frozen=True)
class ScaleAgreement:
    """Every coefficient over one kind of value (preference labels, strength scale, an aspect)."""

    n_annotators: int
    n_items: int
    n_pairable_items: int
    n_excluded_items: int
    n_pairable_values: int
    percent_agreement: Statistic
    krippendorff_alpha: Any  # Statistic, or {level: Statistic}
    fleiss_kappa: Statistic
    gwet_ac1: Statistic
    gwet_ac2: Statistic | None = None
    cohen_kappa_pairs: list[dict[str, Any]] = field(default_factory=list)
    label_distribution: dict[str, Statistic] = field(default_factory=dict)
    levels: tuple[str, ...] = ()
    reason: str | None = None  # why nothing could be computed, when so

    def to_dict(self) -> dict[str, Any]:
        d = {
            k: getattr(self, k)
            for k in (
                "n_annotators",
                "n_items",
                "n_pairable_items",
                "n_excluded_items",
                "n_pairable_values",
                "percent_agreement",
                "krippendorff_alpha",
                "fleiss_kappa",
                "gwet_ac1",
            )
        }
        if self.gwet_ac2 is not None:
            d["gwet_ac2"] = self.gwet_ac2
        d["cohen_kappa_pairs"] = self.cohen_kappa_pairs
        d["label_distribution"] = self.label_distribution
        if self.reason:
            d["reason"] = self.reason
        return d


@dataclass(frozen=True)
class AgreementResult:
    """The ``agreement`` key of the report."""

    preference: ScaleAgreement
    strength_scale: ScaleAgreement | None
    ratings: dict[str, ScaleAgreement]
    annotators: list[dict[str, Any]]
    min_pair_items: int = MIN_PAIR_ITEMS
    seed: int | None = None
    n_boot: int = 0

    def to_dict(self) -> dict[str, Any]:
        pref = self.preference.to_dict()
        pref["strength_scale"] = self.strength_scale.to_dict() if self.strength_scale else None
        return {
            "preference": pref,
            "ratings": {a: r.to_dict() for a, r in self.ratings.items()},
            "annotators": self.annotators,
            "min_pair_items": self.min_pair_items,
            "bootstrap": {"seed": self.seed, "resamples": self.n_boot, "over": "items"},
        }


# ---------------------------------------------------------------------------------------------


def patterns_from_wide(tbl, values) -> co.ValuePatterns | None:
    """A ValuePatterns from a pyarrow table with n_items then one count column per value, in order."""
    if tbl.num_rows == 0:
        return None
    names = tbl.column_names
    if names[0] != "n_items" or len(names) != len(values) + 1:
        raise ValueError(f"expected n_items and {len(values)} count columns, got {names}")
    counts = np.column_stack([tbl.column(c).to_numpy().astype(float) for c in names[1:]])
    return co.ValuePatterns(np.asarray(values, dtype=float), counts, tbl.column("n_items").to_numpy().astype(float))


def kappa_pairs(a1, a2, v1, v2, n, values, weights: tuple[str, ...]) -> list[dict[str, Any]]:
    """``[{annotator_1, annotator_2, n, kappa[, kappa_linear, kappa_quadratic]}]`` from confusion cells."""
    if len(n) == 0:
        return []
    names, codes = np.unique(
        np.concatenate([np.asarray(a1, dtype=object).astype(str), np.asarray(a2, dtype=object).astype(str)]),
        return_inverse=True,
    )
    c1, c2 = codes[: len(n)], codes[len(n) :]
    uniq, idx = np.unique(c1.astype(np.int64) * names.size + c2, return_inverse=True)
    vals = np.asarray(values, dtype=float)
    tables = np.zeros((uniq.size, vals.size, vals.size))
    np.add.at(tables, (idx, np.searchsorted(vals, v1), np.searchsorted(vals, v2)), np.asarray(n, float))
    results = {w: co.cohen_kappa_tables(tables, vals, w) for w in weights}
    out = []
    for i, key in enumerate(uniq):
        x, y = str(names[key // names.size]), str(names[key % names.size])
        row: dict[str, Any] = {"annotator_1": x, "annotator_2": y, "n": int(results[weights[0]][2][i])}
        for w in weights:
            k, se, nn = results[w]
            name = "kappa" if w == "unweighted" else f"kappa_{w}"
            row[name] = co.kappa_statistic(float(k[i]), float(se[i]), int(nn[i]), min_items=MIN_PAIR_ITEMS)
        out.append(row)
    return out


def scale_agreement(
    p: co.ValuePatterns | None,
    n_annotators: int,
    *,
    levels: tuple[str, ...],
    ac2: bool,
    pairs: list[dict[str, Any]],
    labels: dict[float, str] | None,
    seed: int,
    n_boot: int,
) -> ScaleAgreement:
    """All coefficients for one kind of value, or 'not computable' with the reason."""
    reason = None
    if p is None or p.n_items_total == 0:
        reason = "no human values"
    elif n_annotators < 2:
        reason = "only one human annotator: inter-annotator agreement needs two or more"
    elif p.n_pairable_items == 0:
        reason = "no overlapping items: no item has values from two or more human annotators"
    if reason is not None:
        nc = Statistic.not_computable(reason)
        n_items = 0 if p is None else p.n_items_total
        n_pair = 0 if p is None else p.n_pairable_items
        alpha = nc if levels == ("nominal",) else {lv: nc for lv in levels}
        return ScaleAgreement(
            n_annotators,
            n_items,
            n_pair,
            n_items - n_pair,
            0 if p is None else p.n_pairable_values,
            nc,
            alpha,
            nc,
            nc,
            nc if ac2 else None,
            pairs,
            {},
            levels,
            reason,
        )
    assert p is not None  # reason is set when p is None
    alphas = {}
    for lv in levels:
        if lv == "ratio" and (p.values < 0).any():
            alphas[lv] = Statistic.not_computable("the ratio level needs values >= 0")
        else:
            alphas[lv] = co.krippendorff_alpha(p, lv, n_boot=n_boot, seed=seed)
    marg = p.marginal()
    total = int(marg.sum())
    dist = {
        (labels or {}).get(float(v), co._fmt_value(v)): proportion(int(c), total, what="pairable values")
        for v, c in zip(p.values, marg, strict=True)
    }
    return ScaleAgreement(
        n_annotators=n_annotators,
        n_items=p.n_items_total,
        n_pairable_items=p.n_pairable_items,
        n_excluded_items=p.n_items_total - p.n_pairable_items,
        n_pairable_values=p.n_pairable_values,
        percent_agreement=co.percent_agreement(p),
        krippendorff_alpha=alphas["nominal"] if levels == ("nominal",) else alphas,
        fleiss_kappa=co.fleiss_kappa(p),
        gwet_ac1=co.gwet_ac(p),
        gwet_ac2=co.gwet_ac(p, "quadratic") if ac2 else None,
        cohen_kappa_pairs=pairs,
        label_distribution=dist,
        levels=levels,
    )


def compute_agreement(
    store: Store, batch_id: str, *, seed: int, n_boot: int, annotators: list[dict[str, Any]] | None = None
) -> AgreementResult:
    """The batch's human agreement: preference labels, strength scale, each rating aspect."""
    params = {"batch_id": batch_id}
    counts = {r["what"]: r for r in store.rows("agreement/counts", params)}

    # -- pairwise preference (A / B / tie, nominal) ------------------------------------------
    pref_p = patterns_from_wide(store.arrow("agreement/preference_patterns", params), list(PREFERENCE_CODES))
    pairs_tbl = store.arrow("agreement/preference_pairs", params)
    cols = {c: pairs_tbl.column(c).to_numpy(zero_copy_only=False) for c in pairs_tbl.column_names}
    pref_pairs = kappa_pairs(
        cols["annotator_1"],
        cols["annotator_2"],
        cols["value_1"],
        cols["value_2"],
        cols["n"],
        list(PREFERENCE_CODES),
        ("unweighted",),
    )
    preference = scale_agreement(
        pref_p,
        int(counts["preference"]["n_annotators"]),
        levels=("nominal",),
        ac2=False,
        pairs=pref_pairs,
        labels=PREFERENCE_CODES,
        seed=seed,
        n_boot=n_boot,
    )

    # -- signed 7-point strength scale, where strength is recorded ------------------------------
    strength = None
    if counts["strength"]["n_values"]:
        s_p = patterns_from_wide(store.arrow("agreement/strength_patterns", params), STRENGTH_SCALE)
        has = (
            ~(np.isnan(cols["scale_1"].astype(float)) | np.isnan(cols["scale_2"].astype(float)))
            if pairs_tbl.num_rows
            else np.zeros(0, bool)
        )
        s_pairs = (
            kappa_pairs(
                cols["annotator_1"][has],
                cols["annotator_2"][has],
                cols["scale_1"][has],
                cols["scale_2"][has],
                cols["n"][has],
                STRENGTH_SCALE,
                ("unweighted", "linear", "quadratic"),
            )
            if pairs_tbl.num_rows
            else []
        )
        strength = scale_agreement(
            s_p,
            int(counts["strength"]["n_annotators"]),
            levels=("nominal", "ordinal", "interval"),
            ac2=True,
            pairs=s_pairs,
            labels={v: f"{int(v):+d}" if v else "0" for v in STRENGTH_SCALE},
            seed=seed,
            n_boot=n_boot,
        )

    # -- ratings, per aspect -----------------------------------------------------------------------
    ratings: dict[str, ScaleAgreement] = {}
    rp = store.arrow("agreement/rating_patterns", params)
    rq = store.arrow("agreement/rating_pairs", params)
    if rp.num_rows:
        r_cols = {c: rp.column(c).to_numpy(zero_copy_only=False) for c in rp.column_names}
        q_cols = {c: rq.column(c).to_numpy(zero_copy_only=False) for c in rq.column_names}
        for aspect in sorted(set(r_cols["aspect"].tolist())):
            sel = r_cols["aspect"] == aspect
            p = co.ValuePatterns.from_long(
                r_cols["pattern"][sel], r_cols["n_items"][sel], r_cols["value"][sel], r_cols["n"][sel]
            )
            qs = q_cols["aspect"] == aspect if rq.num_rows else np.zeros(0, bool)
            pairs = (
                kappa_pairs(
                    q_cols["annotator_1"][qs],
                    q_cols["annotator_2"][qs],
                    q_cols["value_1"][qs],
                    q_cols["value_2"][qs],
                    q_cols["n"][qs],
                    p.values,
                    ("unweighted", "linear", "quadratic"),
                )
                if rq.num_rows
                else []
            )
            n_ann = int(counts.get(f"rating:{aspect}", {"n_annotators": 0})["n_annotators"])
            ratings[aspect] = scale_agreement(
                p, n_ann, levels=co.LEVELS, ac2=True, pairs=pairs, labels=None, seed=seed, n_boot=n_boot
            )

    return AgreementResult(preference, strength, ratings, annotators or [], MIN_PAIR_ITEMS, seed, n_boot)
