"""Bias: position (p_first) and length (p_prefer_longer) bias as funnel plots, the randomisation
audit, the length regressions and the ratings' correlation with length."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from qualitylab.escape import html_text
from qualitylab.escape import markdown_text as md
from qualitylab.intervals import Z95
from qualitylab.ui import data, widgets
from qualitylab.ui.links import links_line


def funnel(rows, rate: str, title: str) -> go.Figure:
    """Per-annotator rates against n, with the 0.5 line and the 95% band of an unbiased annotator
    (0.5 +- 1.96 * 0.5 / sqrt(n)); flagged annotators (BH q < 0.05) in red."""
    pts = [r for r in rows if r.value is not None and r.n > 0]
    fig = go.Figure()
    if pts:
        n_max = max(r.n for r in pts)
        ns = sorted({max(1, int(n_max * i / 200)) for i in range(1, 201)} | {1, 2, 3, 5, 10})
        hi = [min(1.0, 0.5 + Z95 * 0.5 / math.sqrt(n)) for n in ns]
        lo = [max(0.0, 0.5 - Z95 * 0.5 / math.sqrt(n)) for n in ns]
        fig.add_scatter(x=ns, y=hi, mode="lines", line=dict(color="grey", dash="dot"), name="95% band (unbiased)")
        fig.add_scatter(x=ns, y=lo, mode="lines", line=dict(color="grey", dash="dot"), showlegend=False)
        fig.add_hline(y=0.5, line=dict(color="black", width=1))
        for flagged, color, name in ((False, "#1f77b4", "not flagged"), (True, "#d62728", "flagged (q < 0.05)")):
            sel = [r for r in pts if r.flagged == flagged]
            if sel:
                fig.add_scatter(
                    x=[r.n for r in sel],
                    y=[r.value for r in sel],
                    mode="markers+text",
                    text=[html_text(r.annotator_id) for r in sel],
                    textposition="top center",
                    marker=dict(color=color, size=10),
                    name=name,
                    customdata=[[r.ci95_low, r.ci95_high, r.q_value] for r in sel],
                    hovertemplate="%{text}: %{y:.3f} [%{customdata[0]:.3f}, %{customdata[1]:.3f}]"
                    "<br>n = %{x}<br>q = %{customdata[2]:.2g}<extra></extra>",
                )
    fig.update_layout(
        title=title, xaxis_title="n (eligible non-tie verdicts)", yaxis_title=rate, yaxis_range=[0, 1], height=420
    )
    return fig


def rate_frame(rows) -> pd.DataFrame:
    return pd.DataFrame([r.to_dict() for r in rows])


def _rate_links(batch_id: str, rates, filter: str) -> None:
    """Links to the verdicts behind each annotator's rate, flagged annotators first."""
    ordered = sorted(rates, key=lambda r: (not r.flagged, r.annotator_id))
    line = links_line(batch_id, [(filter, r.annotator_id) for r in ordered], "")
    if line:
        st.markdown(f"Verdicts behind each rate (flagged first): {line}")


def render() -> None:
    st.title("Bias")
    batch_id = st.session_state.get("batch_id")
    if not batch_id:
        widgets.empty_store()
        return
    res = data.sections(batch_id, "position_bias", "length_bias")
    pos, lng = res["position_bias"], res["length_bias"]
    st.caption(
        "Human annotators. Each point is one annotator; the dotted band is where 95% of unbiased "
        "annotators with that n fall. Judges' bias is on the judge pages and in Annotators."
    )
    kind = data.current_filters().annotator_kind
    if kind == "judge":
        st.info(
            "The sidebar's annotator kind is **judge**: this page measures human annotators only. Each judge's "
            "position and length bias is on the Judge vs human page."
        )
    if pos.status == "no verdicts" and lng.status == "no verdicts" and not lng.ratings:
        st.info(f"Batch {md(batch_id)} holds no human pairwise verdicts: nothing to measure here.")
        return

    st.header("Position bias")
    if pos.status == "position unknown":
        st.warning(
            "Position unknown: this batch never recorded `shown_first`, so position bias cannot "
            "be measured. This is not evidence of no bias: ask the vendor for the display order."
        )
    else:
        widgets.statistic(
            "p_first (batch)",
            pos.p_first,
            "0.5 = no preference for the first-shown response; read with the funnel below.",
        )
        st.plotly_chart(funnel(pos.by_annotator, "p_first", "p_first by annotator"), width="stretch")
        widgets.table(rate_frame(pos.by_annotator), "position_bias_by_annotator")
        _rate_links(batch_id, pos.by_annotator, "position_flag")
        st.subheader("Randomisation audit")
        audit = pos.randomisation
        widgets.statistic(
            "Share of verdicts showing A first",
            audit.p_shown_a,
            "should be near 0.5; a skew makes p_first and A/B rates hard to read.",
        )
        if audit.balanced is False:
            st.warning(f"shown_first is not balanced (binomial p = {audit.p_value:.2g}).")
        widgets.table(rate_frame(audit.by_annotator), "shown_first_by_annotator")
        widgets.table(rate_frame(audit.by_model), "shown_first_by_model")

    st.header("Length bias")
    if lng.status != "measured":
        st.info(f"Length bias: {md(lng.p_prefer_longer.reason)}")
    else:
        widgets.statistic(
            "p_prefer_longer (batch)",
            lng.p_prefer_longer,
            f"non-tie verdicts whose responses differ by > {lng.min_diff_chars} characters; 0.5 = length-neutral.",
        )
        st.plotly_chart(funnel(lng.by_annotator, "p_prefer_longer", "p_prefer_longer by annotator"), width="stretch")
        widgets.table(rate_frame(lng.by_annotator), "length_bias_by_annotator")
        _rate_links(batch_id, lng.by_annotator, "length_flag")
        st.subheader("Logistic regression of the preference on the length difference")
        st.caption(
            "Coefficient = change in log-odds of preferring A per standard deviation of "
            "(len_a - len_b); > 0 means the longer response wins more often."
        )
        rows = [
            {
                "fit": name,
                "coef": f.coef,
                "odds_ratio": f.odds_ratio,
                "p_value": f.p_value,
                "sd_units": f.sd_units,
                "method": f.method,
            }
            for name, f in lng.regression.items()
        ]
        widgets.table(pd.DataFrame(rows), "length_regression")
    if lng.ratings:
        st.subheader("Ratings vs length")
        st.caption(
            "Spearman's rho of score with response length (Fisher-z 95% interval); "
            "> 0 means raters score longer responses higher."
        )
        widgets.table(
            pd.DataFrame(
                [
                    {"annotator_kind": r.annotator_kind, "aspect": r.aspect, "rho": r.rho, "n": r.rho.n}
                    for r in lng.ratings
                    if kind == "all" or r.annotator_kind == kind
                ]
            ),
            "ratings_vs_length",
        )
