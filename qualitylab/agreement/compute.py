"""SQL glue: run the ``agreement/*`` aggregations for a batch and feed the numeric core.

Only human annotators enter. The queries return value-count *patterns* (tiny, whatever the batch
size) and per-pair confusion cells; everything else is :mod:`.coefficients`. The category set of
every coefficient is the batch's scale (:func:`qualitylab.scales.batch_scale`): the labels offered
and the declared (or inferred) score ranges, used or not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import comb
from typing import Any

import numpy as np

from ..intervals import proportion
from ..results import Statistic
from ..scales import BatchScale, RangeScale
from ..store import Store
from . import coefficients as co

#: a pair of annotators needs this many shared items before its Cohen's kappa is reported
#: (below it the asymptotic standard error is meaningless and one item moves kappa by > 0.1)
MIN_PAIR_ITEMS = 10
#: Cohen's kappa pairs are listed among at most this many annotators (1,225 pairs): the pair table is
#: quadratic in the annotators (5,000 on one comparison = 12.5M pairs, a 613 MB report at 2,000).
#: Beyond it: the annotators with the most items (and at least MIN_PAIR_ITEMS), and the block says
#: what was left out (``cohen_kappa_pairs_left_out``); every annotator stays in ``annotators``.
MAX_PAIR_ANNOTATORS = 50

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
    categories: tuple[str, ...] = ()  # the scale's categories, in order (every chance term counts them)
    per_category_kappa: dict[str, Statistic] = field(default_factory=dict)
    pairs_left_out: dict[str, Any] | None = None  # what the kappa pair table leaves out, and why
    icc: dict[str, Any] | None = None  # ratings only (agreement/icc.py)
    test_retest: dict[str, Any] | None = None  # repeats by one annotator (agreement/retest.py)

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
        d["categories"] = list(self.categories)
        d["per_category_kappa"] = self.per_category_kappa
        d["cohen_kappa_pairs"] = self.cohen_kappa_pairs
        d["cohen_kappa_pairs_left_out"] = self.pairs_left_out
        d["label_distribution"] = self.label_distribution
        if self.icc is not None:
            d["icc"] = self.icc
        if self.test_retest is not None:
            d["test_retest"] = self.test_retest
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
    max_pair_annotators: int = MAX_PAIR_ANNOTATORS
    gold: dict[str, Any] | None = None  # batch-level gold accuracy (section.batch_gold)

    def to_dict(self) -> dict[str, Any]:
        pref = self.preference.to_dict()
        pref["strength_scale"] = self.strength_scale.to_dict() if self.strength_scale else None
        return {
            "preference": pref,
            "ratings": {a: r.to_dict() for a, r in self.ratings.items()},
            "annotators": self.annotators,
            "min_pair_items": self.min_pair_items,
            "max_pair_annotators": self.max_pair_annotators,
            "gold": self.gold,
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


def on_scale(p: co.ValuePatterns | None, values: tuple[float, ...]) -> co.ValuePatterns | None:
    """``p`` on the scale's categories: unused ones added with count 0, and categories that the scale
    does not offer and nobody used dropped (a tie column on a binary scale). Observed values are
    never dropped (validation at ingest keeps them inside a declared scale)."""
    if p is None:
        return None
    used = p.values[p.marginal(pairable_only=False) > 0]
    keep = np.isin(p.values, values) | np.isin(p.values, used)
    q = co.ValuePatterns(p.values[keep], p.counts[:, keep], p.n_items)
    return q.with_categories(values)


def kappa_pairs(a1, a2, v1, v2, n, values, weights: tuple[str, ...]) -> list[dict[str, Any]]:
    """``[{annotator_1, annotator_2, n, kappa[, kappa_linear, kappa_quadratic]}]`` from confusion cells.

    A pair where one annotator gave a single label on every shared item is not computable (kappa
    would be 0 with a zero-width interval): the reason names that annotator.
    """
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
    results = {w: co.cohen_kappa_parts(tables, vals, w) for w in weights}
    first = results[weights[0]]
    out = []
    for i, key in enumerate(uniq):
        x, y = str(names[key // names.size]), str(names[key % names.size])
        constant = [
            f"annotator {who}" for who, used in ((x, first.row_labels[i]), (y, first.col_labels[i])) if used == 1
        ]
        row: dict[str, Any] = {"annotator_1": x, "annotator_2": y, "n": int(first.n[i])}
        for w in weights:
            k = results[w]
            name = "kappa" if w == "unweighted" else f"kappa_{w}"
            row[name] = co.kappa_statistic(
                float(k.kappa[i]),
                float(k.se[i]),
                int(k.n[i]),
                min_items=MIN_PAIR_ITEMS,
                se_h0=float(k.se_h0[i]),
                constant=constant,
            )
        out.append(row)
    return out


def pair_annotators(candidates: list[dict[str, Any]], n_annotators: int) -> tuple[list[str] | None, dict | None]:
    """Whose pairs to compute: None (everyone) up to MAX_PAIR_ANNOTATORS annotators, else the
    MAX_PAIR_ANNOTATORS with the most items among those with at least MIN_PAIR_ITEMS (ties by id),
    with a ``left out`` note that says how many annotators and possible pairs are not listed."""
    if n_annotators <= MAX_PAIR_ANNOTATORS:
        return None, None
    eligible = sorted(
        (c for c in candidates if c["n_items"] >= MIN_PAIR_ITEMS), key=lambda c: (-c["n_items"], c["annotator_id"])
    )
    chosen = [c["annotator_id"] for c in eligible[:MAX_PAIR_ANNOTATORS]]
    n_out = n_annotators - len(chosen)
    note = {
        "n_annotators": n_annotators,
        "n_annotators_in_pairs": len(chosen),
        "n_annotators_left_out": n_out,
        "n_pairs_possible": comb(n_annotators, 2),
        "n_pairs_left_out": comb(n_annotators, 2) - comb(len(chosen), 2),
        "reason": (
            f"{n_annotators:,} human annotators: Cohen's kappa pairs are listed only among the "
            f"{len(chosen):,} with the most items (at most {MAX_PAIR_ANNOTATORS}, each with at least "
            f"{MIN_PAIR_ITEMS} items; {len(eligible):,} have that many), so {n_out:,} annotators and "
            f"{comb(n_annotators, 2) - comb(len(chosen), 2):,} of {comb(n_annotators, 2):,} possible pairs are "
            "left out; every annotator's agreement with the others' majority is in agreement.annotators"
        ),
    }
    return chosen, note


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
    pairs_left_out: dict[str, Any] | None = None,
) -> ScaleAgreement:
    """All coefficients for one kind of value, or 'not computable' with the reason."""

    def name(v: float) -> str:
        return (labels or {}).get(float(v), co._fmt_value(v))

    categories = () if p is None else tuple(name(v) for v in p.values)
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
            categories,
            {c: nc for c in categories},
            pairs_left_out,
        )
    assert p is not None
    alphas = {}
    for lv in levels:
        if lv == "ratio" and (p.values < 0).any():
            alphas[lv] = Statistic.not_computable("the ratio level needs values >= 0")
        else:
            alphas[lv] = co.krippendorff_alpha(p, lv, n_boot=n_boot, seed=seed)
    marg = p.marginal()
    total = int(marg.sum())
    dist = {name(v): proportion(int(c), total, what="pairable values") for v, c in zip(p.values, marg, strict=True)}
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
        categories=categories,
        per_category_kappa={name(v): s for v, s in co.per_category_kappa(p).items()},
        pairs_left_out=pairs_left_out,
    )


def _columns(tbl) -> dict[str, np.ndarray]:
    return {c: tbl.column(c).to_numpy(zero_copy_only=False) for c in tbl.column_names}


def preference_values(scale: BatchScale | None) -> tuple[float, ...]:
    """The preference codes of the batch's labels: (B, A) = (0, 2) on a binary scale, else (0, 1, 2)."""
    if scale is not None and scale.preference is not None and scale.preference.binary:
        return (0.0, 2.0)
    return tuple(PREFERENCE_CODES)


def strength_values(scale: BatchScale | None) -> tuple[float, ...]:
    """The signed strength scale of the batch's strength range (default -3..3)."""
    if scale is not None and scale.strength is not None and scale.strength.grid():
        return scale.strength.signed_values()
    return STRENGTH_SCALE


def compute_agreement(
    store: Store,
    batch_id: str,
    *,
    seed: int,
    n_boot: int,
    annotators: list[dict[str, Any]] | None = None,
    scale: BatchScale | None = None,
) -> AgreementResult:
    """The batch's human agreement: preference labels, strength scale, each rating aspect."""
    from . import retest

    params = {"batch_id": batch_id}
    counts = {r["what"]: r for r in store.rows("agreement/counts", params)}
    candidates: dict[str, list[dict[str, Any]]] = {}
    for r in store.rows("agreement/pair_candidates", params):
        candidates.setdefault(r["what"], []).append(r)

    # -- pairwise preference (A / B / tie, nominal) ------------------------------------------
    pref_p = on_scale(
        patterns_from_wide(store.arrow("agreement/preference_patterns", params), list(PREFERENCE_CODES)),
        preference_values(scale),
    )
    n_pref = int(counts["preference"]["n_annotators"])
    chosen, left_out = pair_annotators(candidates.get("preference", []), n_pref)
    pairs_tbl = store.arrow("agreement/preference_pairs", {**params, "annotators": chosen})
    cols = _columns(pairs_tbl)
    pref_values = list(pref_p.values) if pref_p is not None else list(PREFERENCE_CODES)
    pref_pairs = kappa_pairs(
        cols["annotator_1"],
        cols["annotator_2"],
        cols["value_1"],
        cols["value_2"],
        cols["n"],
        pref_values,
        ("unweighted",),
    )
    preference = scale_agreement(
        pref_p,
        n_pref,
        levels=("nominal",),
        ac2=False,
        pairs=pref_pairs,
        labels=PREFERENCE_CODES,
        seed=seed,
        n_boot=n_boot,
        pairs_left_out=left_out,
    )
    preference = _with(preference, test_retest=retest.preference_retest(store, batch_id, pref_values))

    # -- signed strength scale, where strength is recorded ------------------------------------------
    strength = None
    if counts["strength"]["n_values"]:
        s_values = strength_values(scale)
        s_p = on_scale(patterns_from_wide(store.arrow("agreement/strength_patterns", params), STRENGTH_SCALE), s_values)
        s_pairs: list[dict[str, Any]] = []
        if pairs_tbl.num_rows:
            has = ~(np.isnan(cols["scale_1"].astype(float)) | np.isnan(cols["scale_2"].astype(float)))
            s_pairs = kappa_pairs(
                cols["annotator_1"][has],
                cols["annotator_2"][has],
                cols["scale_1"][has],
                cols["scale_2"][has],
                cols["n"][has],
                list(s_p.values) if s_p is not None else s_values,
                ("unweighted", "linear", "quadratic"),
            )
        strength = scale_agreement(
            s_p,
            int(counts["strength"]["n_annotators"]),
            levels=("nominal", "ordinal", "interval"),
            ac2=True,
            pairs=s_pairs,
            labels={v: f"{int(v):+d}" if v else "0" for v in (s_p.values if s_p is not None else s_values)},
            seed=seed,
            n_boot=n_boot,
            pairs_left_out=left_out,
        )

    # -- ratings, per aspect -----------------------------------------------------------------------
    ratings: dict[str, ScaleAgreement] = {}
    rp = store.arrow("agreement/rating_patterns", params)
    if rp.num_rows:
        r_cols = _columns(rp)
        icc_rows = {r["aspect"]: r for r in store.rows("agreement/icc_oneway", params)}
        for aspect in sorted(set(r_cols["aspect"].tolist())):
            sel = r_cols["aspect"] == aspect
            p = co.ValuePatterns.from_long(
                r_cols["pattern"][sel], r_cols["n_items"][sel], r_cols["value"][sel], r_cols["n"][sel]
            )
            rng: RangeScale | None = scale.ratings.get(aspect) if scale is not None else None
            if rng is not None:
                p = p.with_categories(rng.values(p.values))
            n_ann = int(counts.get(f"rating:{aspect}", {"n_annotators": 0})["n_annotators"])
            chosen, left_out = pair_annotators(candidates.get(f"rating:{aspect}", []), n_ann)
            q_cols = _columns(store.arrow("agreement/rating_pairs", {**params, "aspect": aspect, "annotators": chosen}))
            pairs = kappa_pairs(
                q_cols["annotator_1"],
                q_cols["annotator_2"],
                q_cols["value_1"],
                q_cols["value_2"],
                q_cols["n"],
                p.values,
                ("unweighted", "linear", "quadratic"),
            )
            sa = scale_agreement(
                p,
                n_ann,
                levels=co.LEVELS,
                ac2=True,
                pairs=pairs,
                labels=None,
                seed=seed,
                n_boot=n_boot,
                pairs_left_out=left_out,
            )
            ratings[aspect] = _with(
                sa,
                icc=aspect_icc(store, batch_id, aspect, icc_rows.get(aspect)),
                test_retest=retest.rating_retest(store, batch_id, aspect),
            )

    return AgreementResult(preference, strength, ratings, annotators or [], MIN_PAIR_ITEMS, seed, n_boot)


def aspect_icc(store: Store, batch_id: str, aspect: str, oneway: dict[str, Any] | None) -> dict[str, Any]:
    """``{oneway: [ICC(1), ICC(1,k)], twoway: [...], block: {n_items, n_raters, raters}, reason?}``.

    One-way over every item with two or more human raters (raters may differ by item); the two-way
    forms only on the complete block (``agreement/icc_block``), with its n. A form that cannot be
    computed is absent and the matching ``*_reason`` says why.
    """
    from . import icc

    out: dict[str, Any] = {"oneway": [], "twoway": [], "block": None}
    if oneway is None or oneway["n_items"] < 2:
        n = 0 if oneway is None else oneway["n_items"]
        out["oneway_reason"] = f"{n} item(s) with two or more human raters: the one-way ICC needs at least 2"
    elif not oneway["ss_within"] > 0 and not oneway["ss_between"] > 0:
        out["oneway_reason"] = "every rating is the same score: the ICC is undefined"
    else:
        out["oneway"] = [
            r.to_dict()
            for r in icc.oneway(
                oneway["n_items"], oneway["n_ratings"], oneway["sum_m2"], oneway["ss_between"], oneway["ss_within"]
            )
        ]
    tbl = store.arrow("agreement/icc_block", {"batch_id": batch_id, "aspect": aspect})
    if tbl.num_rows == 0:
        out["twoway_reason"] = "no item has two or more human raters: no complete block"
        return out
    c = _columns(tbl)
    n_items, k = int(c["n_items"][0]), int(c["n_raters"][0])
    raters = sorted(set(c["annotator_id"].tolist()))
    out["block"] = {"n_items": n_items, "n_raters": k, "raters": raters}
    if n_items < 2:
        out["twoway_reason"] = (
            f"the largest complete block (the same {k} raters on every item) has {n_items} item: "
            "the two-way forms need at least 2"
        )
        return out
    _, item = np.unique(c["item_id"].astype(str), return_inverse=True)
    col = np.searchsorted(np.array(raters), c["annotator_id"].astype(str))
    x = np.full((n_items, k), np.nan)
    x[item, col] = c["score"].astype(float)
    if np.ptp(x) == 0:
        out["twoway_reason"] = "every rating in the block is the same score: the ICC is undefined"
        return out
    out["twoway"] = [r.to_dict() for r in icc.twoway(x)]
    return out


def _with(sa: ScaleAgreement, **changes: Any) -> ScaleAgreement:
    import dataclasses

    return dataclasses.replace(sa, **changes)
