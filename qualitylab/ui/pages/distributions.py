"""Distributions: labels, ties, strength and Likert scores per batch, annotator and model pair;
straight-lining; the shift from the vendor's previous batch."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from qualitylab.escape import html_text
from qualitylab.escape import markdown_text as md
from qualitylab.intervals import wilson
from qualitylab.schema import PREFERENCES
from qualitylab.ui import data, widgets
from qualitylab.ui.links import links_line


def _share_bars(by_annotator: list[dict]) -> go.Figure:
    fig = go.Figure()
    ids = [html_text(r["annotator_id"]) for r in by_annotator]
    for p in PREFERENCES:
        fig.add_bar(name=p, x=ids, y=[r[f"n_{p}"] / r["n"] if r["n"] else 0 for r in by_annotator])
    fig.update_layout(barmode="stack", yaxis_title="share of the annotator's verdicts", yaxis_range=[0, 1], height=360)
    return fig


def render() -> None:
    st.title("Distributions")
    batch_id = st.session_state.get("batch_id")
    if not batch_id:
        widgets.empty_store()
        return
    d = data.sections(batch_id, "distributions")["distributions"]
    kind = data.current_filters().annotator_kind

    def mine(k: str | None) -> bool:  # the sidebar's annotator kind, on every chart and table of the page
        return kind == "all" or k == kind

    st.caption(
        f"Annotator kind **{md(kind)}** (sidebar): every chart and table below"
        + ("" if kind == "all" else f" shows {md(kind)} rows only")
        + "."
    )
    has_labels = any(r["n"] for r in d.by_annotator)
    if not has_labels and not d.likert["by_aspect"]:
        st.info(f"Batch {md(batch_id)} holds no pairwise verdicts and no ratings: no distributions to show.")
        return

    if has_labels:
        st.header("Labels")
        tie_rates = dict(d.tie_rate) if kind == "all" else {g: s for g, s in d.tie_rate.items() if g == kind}
        cols = st.columns(max(1, len(tie_rates)))
        for col, (group, stat) in zip(cols, tie_rates.items(), strict=False):
            with col:
                widgets.statistic(f"Tie rate ({group})", stat, "context-dependent: compare with earlier weeks.")
        rows = [r for r in d.by_annotator if mine(r["annotator_kind"])]
        if rows:
            st.plotly_chart(_share_bars(rows), width="stretch")
        widgets.table(pd.DataFrame([dict(r) for r in rows]), "labels_by_annotator")
        pairs = [r for r in d.by_model_pair if mine(r["annotator_kind"])]
        if pairs:
            st.subheader("By model pair")
            st.caption(
                "Outcome from the point of view of model_1 (pairs in sorted order, so A/B placement does not matter)."
            )
            widgets.table(
                pd.DataFrame([dict(r) for r in pairs]),
                "labels_by_model_pair",
            )

        st.subheader("Straight-lining")
        st.caption(
            "Label entropy (bits; 1.58 = A, B and tie equally used) and the longest run of the same "
            "answer in working order; P = chance of such a run given the annotator's own label shares."
        )
        widgets.table(
            pd.DataFrame(
                [{**r, "reasons": "; ".join(r["reasons"])} for r in d.straight_lining if mine(r["annotator_kind"])]
            ),
            "straight_lining",
        )
        flagged = [r["annotator_id"] for r in d.straight_lining if r["reasons"]]
        if flagged:
            st.markdown("Verdicts in working order: " + links_line(batch_id, [("annotator", a) for a in flagged], ""))

    strength_kinds = {g: v for g, v in d.strength["by_kind"].items() if mine(g)}
    if strength_kinds:
        st.header("Strength (0-3)")
        fig = go.Figure()
        for group, s in strength_kinds.items():
            fig.add_bar(name=group, x=list(s["shares"]), y=[v.value or 0 for v in s["shares"].values()])
        fig.update_layout(barmode="group", xaxis_title="strength", yaxis_title="share", height=320)
        st.plotly_chart(fig, width="stretch")
        widgets.table(
            pd.DataFrame([r for r in d.strength["by_annotator"] if mine(r["annotator_kind"])]),
            "strength_by_annotator",
        )

    aspect = data.current_filters().aspect
    shown = [
        r for r in d.likert["by_aspect"] if (aspect is None or r["aspect"] == aspect) and mine(r["annotator_kind"])
    ]
    if d.likert["by_aspect"] and not shown:
        st.header("Likert ratings")
        st.info(f"No {md(kind)} ratings" + (f" of {md(aspect)}" if aspect else "") + " in this batch (sidebar).")
    elif shown:
        st.header("Likert ratings")
        st.caption(
            "Share of ratings with each score, Wilson 95% intervals"
            + (f"; aspect {md(aspect)} (sidebar)" if aspect else "")
            + ". A pile-up on one score or on the scale's ends is worth a look at the raters below."
        )
        fig = go.Figure()
        for r in shown:
            total = r["n"]
            cis = [wilson(v, total) for v in r["counts"].values()]
            ys = [v / total for v in r["counts"].values()]
            fig.add_bar(
                name=html_text(f"{r['aspect']} ({r['annotator_kind']})"),
                x=[html_text(c) for c in r["counts"]],
                y=ys,
                error_y=dict(
                    type="data",
                    symmetric=False,
                    array=[hi - y for (_, hi), y in zip(cis, ys, strict=True)],
                    arrayminus=[y - lo for (lo, _), y in zip(cis, ys, strict=True)],
                ),
            )
        fig.update_layout(barmode="group", xaxis_title="score", yaxis_title="share of ratings", height=340)
        st.plotly_chart(fig, width="stretch")
        rows = [
            r
            for r in d.likert["by_annotator"]
            if (aspect is None or r.get("aspect", aspect) == aspect) and mine(r.get("annotator_kind", kind))
        ]
        widgets.table(pd.DataFrame(rows), "likert_by_annotator")

    st.header("Shift from the previous batch")
    shift = d.shift
    if not shift.get("tests"):
        st.info(f"No comparison: {md(shift.get('reason', 'nothing to compare'))}.")
    else:
        st.caption(
            f"Against {md(shift['previous_batch_id'])} (the same vendor's previous delivery; a distribution "
            "it lacks is compared with the latest earlier batch that has it). Pearson chi-square on the "
            "counts; p < 0.05 marks a shift worth a look, not a defect."
        )
        widgets.table(
            pd.DataFrame(
                [
                    {
                        **{
                            k: t[k]
                            for k in (
                                "distribution",
                                "group",
                                "previous_batch_id",
                                "chi2",
                                "dof",
                                "p_value",
                                "cramers_v",
                                "shifted",
                                "n_current",
                                "n_previous",
                            )
                        },
                        "current": str(t["current"]),
                        "previous": str(t["previous"]),
                        "note": t["reason"] or "",
                    }
                    for t in shift["tests"]
                    if mine(str(t["group"]).split("/")[0])
                ]
            ),
            "distribution_shift",
        )
