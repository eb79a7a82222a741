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
    kind = st.session_state.get("annotator_kind", "human")
    has_labels = any(r["n"] for r in d.by_annotator)
    if not has_labels and not d.likert["by_aspect"]:
        st.info(f"Batch {md(batch_id)} holds no pairwise verdicts and no ratings: no distributions to show.")
        return

    if has_labels:
        st.header("Labels")
        cols = st.columns(max(1, len(d.tie_rate)))
        for col, (group, stat) in zip(cols, d.tie_rate.items(), strict=True):
            with col:
                widgets.statistic(f"Tie rate ({group})", stat, "context-dependent: compare with earlier weeks.")
        rows = [r for r in d.by_annotator if kind == "all" or r["annotator_kind"] == kind]
        if rows:
            st.plotly_chart(_share_bars(rows), width="stretch")
        widgets.table(pd.DataFrame([{**r, "tie_rate": r["tie_rate"].fmt()} for r in rows]), "labels_by_annotator")
        if d.by_model_pair:
            st.subheader("By model pair")
            st.caption(
                "Outcome from the point of view of model_1 (pairs in sorted order, so A/B placement does not matter)."
            )
            widgets.table(
                pd.DataFrame(
                    [{**r, **{k: r[k].fmt() for k in ("p_model_1", "p_model_2", "p_tie")}} for r in d.by_model_pair]
                ),
                "labels_by_model_pair",
            )

        st.subheader("Straight-lining")
        st.caption(
            "Label entropy (bits; 1.58 = A, B and tie equally used) and the longest run of the same "
            "answer in working order; P = chance of such a run given the annotator's own label shares."
        )
        widgets.table(
            pd.DataFrame(
                [
                    {**r, "reasons": "; ".join(r["reasons"])}
                    for r in d.straight_lining
                    if kind == "all" or r["annotator_kind"] == kind
                ]
            ),
            "straight_lining",
        )

    if d.strength["by_kind"]:
        st.header("Strength (0-3)")
        fig = go.Figure()
        for group, s in d.strength["by_kind"].items():
            fig.add_bar(name=group, x=list(s["shares"]), y=[v.value or 0 for v in s["shares"].values()])
        fig.update_layout(barmode="group", xaxis_title="strength", yaxis_title="share", height=320)
        st.plotly_chart(fig, width="stretch")
        widgets.table(
            pd.DataFrame(d.strength["by_annotator"]).assign(counts=lambda f: f["counts"].astype(str)),
            "strength_by_annotator",
        )

    if d.likert["by_aspect"]:
        st.header("Likert ratings")
        aspect = data.current_filters().aspect
        shown = [
            r
            for r in d.likert["by_aspect"]
            if (aspect is None or r["aspect"] == aspect) and (kind == "all" or r["annotator_kind"] == kind)
        ] or d.likert["by_aspect"]
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
            if (aspect is None or r.get("aspect", aspect) == aspect)
            and (kind == "all" or r.get("annotator_kind", kind) == kind)
        ] or d.likert["by_annotator"]
        widgets.table(pd.DataFrame(rows).assign(counts=lambda f: f["counts"].astype(str)), "likert_by_annotator")

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
                ]
            ),
            "distribution_shift",
        )
