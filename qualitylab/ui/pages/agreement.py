"""Agreement: how much the human annotators agree, raw and beyond chance, with intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from qualitylab.escape import html_text
from qualitylab.escape import markdown_text as md
from qualitylab.numbers import fmt_number
from qualitylab.results import Statistic
from qualitylab.ui import data, widgets
from qualitylab.ui.links import links_line

READINGS = {
    "percent_agreement": "Share of agreeing pairs of verdicts per item. No chance correction: it is "
    "high whenever one label dominates.",
    "krippendorff_alpha": "1 perfect, 0 chance, < 0 systematic disagreement. Krippendorff: >= 0.800 "
    "reliable, >= 0.667 tentative; thresholds depend on context, and alpha is "
    "unstable on few overlapping items.",
    "fleiss_kappa": "Chance-corrected with the pooled label shares; it falls when labels are skewed "
    "even if raw agreement is high (the kappa paradox).",
    "gwet_ac1": "Chance-corrected, less sensitive to skewed label shares than kappa; a large gap "
    "between AC1 and kappa signals the paradox, not bad annotators.",
    "gwet_ac2": "AC1 with quadratic weights: near-misses on the scale count as partial agreement.",
}
LABELS = {
    "percent_agreement": "Percent agreement (raw)",
    "krippendorff_alpha": "Krippendorff's alpha",
    "fleiss_kappa": "Fleiss' kappa",
    "gwet_ac1": "Gwet's AC1",
    "gwet_ac2": "Gwet's AC2 (quadratic)",
}


def _coefficients(sa) -> list[tuple[str, str, Statistic]]:
    """(key, label, Statistic) in display order: raw agreement first, then chance-corrected."""
    out = [("percent_agreement", LABELS["percent_agreement"], sa.percent_agreement)]
    alpha = sa.krippendorff_alpha
    if isinstance(alpha, dict):
        out += [("krippendorff_alpha", f"Krippendorff's alpha ({lv})", s) for lv, s in alpha.items()]
    else:
        out.append(("krippendorff_alpha", "Krippendorff's alpha (nominal)", alpha))
    out += [("fleiss_kappa", LABELS["fleiss_kappa"], sa.fleiss_kappa), ("gwet_ac1", LABELS["gwet_ac1"], sa.gwet_ac1)]
    if sa.gwet_ac2 is not None:
        out.append(("gwet_ac2", LABELS["gwet_ac2"], sa.gwet_ac2))
    return out


def coefficient_chart(coefs) -> go.Figure:
    ok = [(label, s) for _, label, s in coefs if s.value is not None]
    fig = go.Figure()
    if ok:
        fig.add_scatter(
            x=[s.value for _, s in ok],
            y=[html_text(label) for label, _ in ok],
            mode="markers",
            error_x=dict(
                type="data",
                symmetric=False,
                array=[(s.ci95_high - s.value) if s.ci95_high is not None else 0 for _, s in ok],
                arrayminus=[(s.value - s.ci95_low) if s.ci95_low is not None else 0 for _, s in ok],
            ),
            marker=dict(size=11),
            name="estimate with 95% interval",
        )
    fig.add_vline(x=0, line_dash="dot", annotation_text="chance")
    fig.update_layout(
        xaxis_title="coefficient",
        xaxis_range=[-0.2, 1.05],
        height=80 + 45 * max(1, len(ok)),
        yaxis=dict(autorange="reversed"),
        margin=dict(l=10, r=10, t=30, b=40),
    )
    return fig


#: the colour of a pair whose kappa was not computed: outside the RdBu scale, so never read as kappa = 0 (white)
NOT_COMPUTED_COLOUR = "#8c959f"


def kappa_heatmap(pairs) -> go.Figure | None:
    """Cohen's kappa per pair of annotators on RdBu (-1 red ... 0 white ... 1 blue); a pair whose kappa
    was not computed (too few shared items, one label only) is a grey cell reading "n/c", in its own
    legend entry, never the white of kappa = 0."""
    names = sorted({p["annotator_1"] for p in pairs} | {p["annotator_2"] for p in pairs})
    if len(names) < 2:
        return None
    idx = {n: i for i, n in enumerate(names)}
    z = np.full((len(names), len(names)), np.nan)
    missing = np.full(z.shape, np.nan)
    text = np.full(z.shape, "", dtype=object)
    label = np.full(z.shape, "", dtype=object)
    for p in pairs:
        i, j = idx[p["annotator_1"]], idx[p["annotator_2"]]
        k = p["kappa"]
        if k.value is not None:
            z[i, j] = z[j, i] = k.value
            text[i, j] = text[j, i] = html_text(f"kappa {fmt_number(k.value)}, n={p['n']}")
        else:
            missing[i, j] = missing[j, i] = 1.0
            label[i, j] = label[j, i] = "n/c"
            text[i, j] = text[j, i] = html_text(f"not computed, n={p['n']}: {k.reason}")
    xs, ys = [html_text(n) for n in names], [html_text(n) for n in names]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=xs,
            y=ys,
            zmin=-1,
            zmax=1,
            colorscale="RdBu",
            customdata=text,
            colorbar=dict(title="kappa"),
            hovertemplate="%{y} vs %{x}: %{customdata}<extra></extra>",
            name="kappa",
        )
    )
    if not np.isnan(missing).all():
        fig.add_trace(
            go.Heatmap(
                z=missing,
                x=xs,
                y=ys,
                zmin=0,
                zmax=1,
                colorscale=[[0, NOT_COMPUTED_COLOUR], [1, NOT_COMPUTED_COLOUR]],
                showscale=False,
                text=label,
                texttemplate="%{text}",
                customdata=text,
                hovertemplate="%{y} vs %{x}: %{customdata}<extra></extra>",
                name="not computed",
                showlegend=True,
            )
        )
        fig.update_layout(legend=dict(orientation="h", y=-0.12))
    fig.update_layout(height=min(900, 160 + 28 * len(names)), yaxis=dict(autorange="reversed"))
    return fig


def tests_frame(coefs) -> pd.DataFrame:
    """One row per coefficient: value, interval, se, z, two-sided p (H0: 0) and the variance formulas."""
    rows = []
    for _, label, s in coefs:
        rows.append(
            {
                "coefficient": label,
                "value": s.value,
                "ci95": s if s.value is not None else widgets.not_computable(s.reason),
                "se": s.se,
                "z": s.z,
                "p_value": s.p_value,
                "variance_method": s.variance_method,
            }
        )
    return pd.DataFrame(rows)


def per_category_frame(per) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "category": c,
                "kappa": s.value,
                "ci95": s if s.value is not None else widgets.not_computable(s.reason),
                "z": s.z,
                "p_value": s.p_value,
            }
            for c, s in per.items()
        ]
    )


def icc_frame(icc) -> pd.DataFrame:
    rows = []
    for block in ("oneway", "twoway"):
        for r in icc.get(block, []):
            rows.append(
                {
                    "form": r["form"],
                    "what": r["description"],
                    "value": r["value"],
                    "ci95_low": r["ci95_low"],
                    "ci95_high": r["ci95_high"],
                    "n_items": r["n"],
                    "k": r["k"],
                    "F": r["F"],
                    "p_value": r["p_value"],
                }
            )
    return pd.DataFrame(rows)


def pairs_frame(pairs) -> pd.DataFrame:
    rows = []
    for p in pairs:
        row = {"annotator_1": p["annotator_1"], "annotator_2": p["annotator_2"], "n": p["n"]}
        for k in ("kappa", "kappa_linear", "kappa_quadratic"):
            if k in p:
                row[k] = p[k].value
                row[f"{k}_ci"] = p[k]
        rows.append(row)
    return pd.DataFrame(rows)


def annotators_frame(rows) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "annotator_id": r["annotator_id"],
                "n_items": r["n_items"],
                "n_verdicts": r["n_verdicts"],
                "agreement_with_majority": r["agreement_with_majority"].value,
                "agreement_ci": r["agreement_with_majority"],
                "n_majority_items": r["n_majority_items"],
                "gold_accuracy": r["gold_accuracy"].value,
                "gold_ci": r["gold_accuracy"],
                "n_gold": r["n_gold"],
                "adjudication_accuracy": r["adjudication_accuracy"].value,
                "adjudication_ci": r["adjudication_accuracy"].fmt(),
                "n_adjudicated": r["n_adjudicated"],
            }
            for r in rows
        ]
    )


def render() -> None:
    st.title("Agreement")
    batch_id = st.session_state.get("batch_id")
    if not batch_id:
        widgets.empty_store()
        return
    res = data.sections(batch_id, "agreement")["agreement"]
    blocks = {"Preference (A / B / tie)": res.preference}
    if res.strength_scale is not None:
        blocks["Strength scale (B +3 ... tie 0 ... A +3)"] = res.strength_scale
    blocks.update({f"Ratings: {aspect}": sa for aspect, sa in res.ratings.items()})
    st.caption(
        "Human annotators only (judges are compared with humans on the Judge vs human page). "
        "Items with fewer than two human values are not pairable and are excluded. "
        f"Alpha intervals: bootstrap over items, {res.n_boot} resamples, seed {res.seed}; "
        "the others: Gwet's linearised standard errors."
    )
    aspect = data.current_filters().aspect  # the sidebar's rating aspect picks the default block
    default = f"Ratings: {aspect}" if aspect and f"Ratings: {aspect}" in blocks else list(blocks)[0]
    choice = st.radio(
        "Data", list(blocks), index=list(blocks).index(default), horizontal=True, key="agreement_block", format_func=md
    )
    sa = blocks[choice]
    cols = st.columns(4)
    cols[0].metric("Annotators", f"{sa.n_annotators:,}")
    cols[1].metric("Items", f"{sa.n_items:,}")
    cols[2].metric("Pairable items", f"{sa.n_pairable_items:,}")
    cols[3].metric("Excluded (one value)", f"{sa.n_excluded_items:,}")
    if sa.reason:
        st.warning(f"Not computable: {md(sa.reason)}.")
        return

    if sa is res.preference:
        st.markdown("Items behind these numbers: " + links_line(batch_id, [("split", None), ("contested", None)], ""))
    st.subheader("Coefficients")
    st.caption(
        "Raw agreement first, then chance-corrected coefficients: a high raw agreement next to a "
        "low kappa usually means one label dominates (the kappa paradox), not careless annotators."
    )
    coefs = _coefficients(sa)
    grid = st.columns(min(4, len(coefs)))
    for i, (key, label, stat) in enumerate(coefs):
        with grid[i % len(grid)]:
            widgets.statistic(label, stat, READINGS[key])
    st.plotly_chart(coefficient_chart(coefs), width="stretch")
    st.caption(
        "Scale: " + md(", ".join(sa.categories)) + " (the batch's declared or inferred scale: every chance term "
        "counts these categories, used or not; see the report's methods.scale)."
    )
    with st.expander("Tests: standard error, z and p (H0: coefficient = 0)"):
        widgets.table(tests_frame(coefs), f"agreement_tests_{choice.split()[0].lower()}")

    st.subheader("Per-category kappa")
    st.caption(
        "Fleiss' kappa of each label against all the others: is the disagreement about one label "
        "(e.g. ties) or about the others?"
    )
    widgets.table(per_category_frame(sa.per_category_kappa), f"per_category_kappa_{choice.split()[0].lower()}")

    if sa.icc is not None:
        st.subheader("Intraclass correlation")
        block = sa.icc.get("block")
        st.caption(
            "One-way ICC(1) / ICC(1,k) over every item with two or more raters (raters may differ by item); "
            "the two-way forms only on the complete block"
            + (f" ({block['n_items']} items x {block['n_raters']} raters)" if block else "")
            + ". F test of H0: ICC = 0."
        )
        for key in ("oneway_reason", "twoway_reason"):
            if sa.icc.get(key):
                st.caption(f"Not computable: {md(sa.icc[key])}.")
        if sa.icc.get("oneway") or sa.icc.get("twoway"):
            widgets.table(icc_frame(sa.icc), f"icc_{choice.split()[-1].lower()}")

    if sa.test_retest is not None:
        st.subheader("Test-retest")
        rt = sa.test_retest
        if rt.get("reason"):
            st.caption(f"Not computable: {md(rt['reason'])}.")
        else:
            left, right = st.columns(2)
            with left:
                widgets.statistic("Same value on both occasions", rt["agreement"])
            with right:
                if "kappa" in rt:
                    widgets.statistic("Cohen's kappa, occasion 1 vs 2", rt["kappa"])
                elif rt.get("icc"):
                    st.metric("ICC(A,1), occasion 1 vs 2", fmt_number(rt["icc"]["value"]))
                    st.caption(
                        f"95% CI [{fmt_number(rt['icc']['ci95_low'])}, {fmt_number(rt['icc']['ci95_high'])}], "
                        f"n = {rt['icc']['n']:,}"
                    )
            st.caption(f"{rt['n_units']:,} repeats by {rt['n_annotators']:,} annotator(s): {md(rt['definition'])}.")

    st.subheader("Marginal label distribution")
    st.caption(
        "Share of pairable values with each label (Wilson 95% intervals). Chance agreement, "
        "and so every chance-corrected coefficient, depends on it."
    )
    dist = sa.label_distribution
    fig = go.Figure(
        go.Bar(
            x=[html_text(c) for c in dist],
            y=[s.value for s in dist.values()],
            error_y=dict(
                type="data",
                symmetric=False,
                array=[s.ci95_high - s.value for s in dist.values()],
                arrayminus=[s.value - s.ci95_low for s in dist.values()],
            ),
        )
    )
    fig.update_layout(yaxis_title="share of pairable values", yaxis_range=[0, 1], height=320)
    st.plotly_chart(fig, width="stretch")

    st.subheader("Cohen's kappa between annotators")
    st.caption(
        f"Each pair on the items both judged (their first verdict each); pairs with fewer than "
        f"{res.min_pair_items} shared items are not computed. Kappa has the same paradox as Fleiss' "
        "kappa; a pair well below the others points at one of the two."
    )
    if sa.pairs_left_out:
        st.info(md(sa.pairs_left_out["reason"]))
    heat = kappa_heatmap(sa.cohen_kappa_pairs)
    if heat is not None:
        st.plotly_chart(heat, width="stretch")
        n_nc = sum(1 for p in sa.cohen_kappa_pairs if p["kappa"].value is None)
        if n_nc:
            st.caption(
                f"Grey cells marked n/c: {n_nc} pair(s) whose kappa was not computed (hover for the reason); "
                "white is kappa = 0 (chance)."
            )
    widgets.table(pairs_frame(sa.cohen_kappa_pairs), f"kappa_pairs_{choice.split()[0].lower()}")

    if sa is res.preference:
        st.subheader("Per annotator")
        st.caption(
            "Agreement with the strict majority of the other human annotators on the same "
            "comparison (items without a strict majority are not scored), and accuracy on "
            "honeypot (gold) items, each with a Wilson 95% interval. Few items make wide intervals."
        )
        widgets.table(annotators_frame(res.annotators), "annotator_agreement")
        st.markdown(
            "Disagreements with the others' majority: "
            + links_line(batch_id, [("disagrees_with_majority", r["annotator_id"]) for r in res.annotators], "")
        )
        if any(r.get("n_gold") for r in res.annotators):
            st.markdown(
                "Gold misses: "
                + links_line(
                    batch_id, [("gold_failed", r["annotator_id"]) for r in res.annotators if r.get("n_gold")], ""
                )
            )
