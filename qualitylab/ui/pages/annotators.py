"""Annotators: the screening table, one row per annotator, every flag with its reason."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from qualitylab.escape import html_text
from qualitylab.escape import markdown_text as md
from qualitylab.ui import data, widgets
from qualitylab.ui.links import flag_links


def _v(stat):
    return None if stat is None else stat.value


def frame(rows) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "annotator_id": r.annotator_id,
                "annotator_kind": r.annotator_kind,
                "n": r.n,
                "n_items": r.n_items,
                "n_ratings": r.n_ratings,
                "agreement": _v(r.agreement_with_majority),
                "agreement_ci": r.agreement_with_majority,
                "gold_accuracy": _v(r.gold_accuracy),
                "gold_ci": r.gold_accuracy,
                "adjudication_accuracy": _v(r.adjudication_accuracy),
                "adjudication_ci": r.adjudication_accuracy,
                "competence": _v(r.competence),
                "competence_ci": r.competence,
                "p_first": _v(r.p_first),
                "p_first_q": r.p_first_q,
                "p_prefer_longer": _v(r.p_prefer_longer),
                "p_prefer_longer_q": r.p_prefer_longer_q,
                "tie_rate": _v(r.tie_rate),
                "entropy_bits": r.entropy_bits,
                "longest_run": r.longest_run,
                "median_seconds": r.median_seconds,
                "flags": ", ".join(f.flag for f in r.flags),
                "reasons": "; ".join(f"{f.flag}: {f.reason}" for f in r.flags),
            }
            for r in rows
        ]
    )


def _err(stats) -> dict:
    return {
        "type": "data",
        "symmetric": False,
        "array": [(s.ci95_high - s.value) if s.ci95_high is not None else 0 for s in stats],
        "arrayminus": [(s.value - s.ci95_low) if s.ci95_low is not None else 0 for s in stats],
    }


def quality_chart(rows) -> go.Figure | None:
    """Agreement with the others' majority against gold accuracy, one point per annotator, 95% intervals."""
    pts = [r for r in rows if r.agreement_with_majority.value is not None and r.gold_accuracy.value is not None]
    if not pts:
        return None
    fig = go.Figure()
    for flagged, color, name in ((False, "#1f77b4", "not flagged"), (True, "#d62728", "flagged")):
        sel = [r for r in pts if r.flagged == flagged]
        if sel:
            a = [r.agreement_with_majority for r in sel]
            g = [r.gold_accuracy for r in sel]
            fig.add_scatter(
                x=[s.value for s in a],
                y=[s.value for s in g],
                mode="markers+text",
                text=[html_text(r.annotator_id) for r in sel],
                textposition="top center",
                name=name,
                marker=dict(color=color, size=10),
                error_x=_err(a),
                error_y=_err(g),
                hovertemplate="%{text}: agreement %{x:.3f}, gold %{y:.3f}<extra></extra>",
            )
    fig.update_layout(
        xaxis_title="agreement with the others' majority",
        yaxis_title="gold accuracy",
        xaxis_range=[0, 1.05],
        yaxis_range=[0, 1.05],
        height=420,
    )
    return fig


def render() -> None:
    st.title("Annotators")
    batch_id = st.session_state.get("batch_id")
    if not batch_id:
        widgets.empty_store()
        return
    rows = data.sections(batch_id, "annotators")["annotators"]
    kind = st.session_state.get("annotator_kind", "human")
    rows = [r for r in rows if kind == "all" or r.annotator_kind == kind]
    if not rows:
        st.info(f"Batch {md(batch_id)} has no {'' if kind == 'all' else md(kind) + ' '}annotators.")
        return
    flagged = [r for r in rows if r.flagged]
    c1, c2 = st.columns(2)
    c1.metric("Annotators", len(rows))
    c2.metric("Flagged", len(flagged))
    st.caption(
        "Agreement = share of items where the annotator matches the other humans' majority; gold = "
        "accuracy on honeypots; competence = Dawid-Skene P(answer = the true label), from a model of every "
        "human's confusion matrix fitted on the batch (humans only); p_first / p_prefer_longer with BH "
        "q-values across the batch's annotators. "
        "Flags say why; thresholds depend on the task (see docs/bias.md)."
    )
    if flagged:
        st.subheader("Flags")
        for r in flagged:
            st.markdown(
                f"**{md(r.annotator_id)}** — "
                + "; ".join(f"`{md(f.flag)}`: {md(f.reason)}" for f in r.flags)
                + (
                    f" — items: {links}"
                    if (links := flag_links(batch_id, r.annotator_id, [f.flag for f in r.flags]))
                    else ""
                )
            )
    fig = quality_chart(rows)
    if fig is not None:
        st.subheader("Agreement and gold accuracy")
        st.caption(
            "One point per annotator with 95% Wilson intervals (annotators without gold items are left "
            "out). Low on both axes = careless or rushed; low agreement with high gold = the others may "
            "be the problem, or the items are hard."
        )
        st.plotly_chart(fig, width="stretch")
    st.subheader("Screening table")
    widgets.table(frame(rows), "annotators")
    assisted = data.sections(batch_id, "llm_assisted")["llm_assisted"]
    if assisted.status == "measured" and kind in ("human", "all"):
        st.subheader("Agreement with the LLM judges")
        st.caption(
            "Per human annotator and judge, on the same comparisons: agreement with the judge vs with the "
            "other humans' majority. Flagged (llm_assisted: possibly pasting a model's verdicts) when the "
            "difference is significant (BH q < 0.05) and its whole 95% interval is above min_effect."
        )
        widgets.table(pd.DataFrame([p.to_dict() for p in assisted.pairs]), "llm_assisted_pairs")
