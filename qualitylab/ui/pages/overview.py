"""Overview: choose a batch, see its provenance, counts and label distribution."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from qualitylab.schema import PREFERENCES
from qualitylab.ui import data, widgets


def render() -> None:
    st.title("Overview")
    batches = data.query("overview/batches")
    if not batches:
        widgets.empty_store()
        return
    st.subheader("Batches")
    widgets.table(pd.DataFrame(batches), "batches")
    batch_id = st.session_state.get("batch_id")
    if not batch_id:
        st.info("Choose a batch in the sidebar.")
        return
    ov = data.sections(batch_id, "overview")
    st.header(f"Batch {batch_id}")
    _verdict_line(batch_id)
    c = ov["counts"]
    cols = st.columns(5)
    cols[0].metric("Judgments", f"{c['n_judgments']:,}")
    cols[1].metric("Comparisons", f"{c['n_comparisons']:,}")
    cols[2].metric("Annotators", f"{c['n_annotators']:,}")
    cols[3].metric("Ratings", f"{c['n_ratings']:,}")
    cols[4].metric("Quarantined rows", f"{c['n_quarantined']:,}")
    if not any(c[k] for k in ("n_judgments", "n_ratings", "n_ranking_rows")):
        st.warning("This batch holds no stored rows (everything may be in quarantine).")

    dist = ov["label_distribution"]
    if c["n_judgments"]:
        st.subheader("Label distribution")
        st.caption("Share of verdicts with each label, with Wilson 95% intervals.")
        fig = go.Figure()
        for group, stats in dist.items():
            if group == "all" or not any(s.n for s in stats.values()):
                continue
            xs = list(PREFERENCES)
            ys = [stats[p].value or 0 for p in xs]
            err_hi = [(stats[p].ci95_high or 0) - (stats[p].value or 0) for p in xs]
            err_lo = [(stats[p].value or 0) - (stats[p].ci95_low or 0) for p in xs]
            fig.add_bar(name=group, x=xs, y=ys,
                        error_y=dict(type="data", array=err_hi, arrayminus=err_lo))
        fig.update_layout(barmode="group", yaxis_title="share of verdicts", yaxis_range=[0, 1], height=360)
        st.plotly_chart(fig, width="stretch")
        rows = [{"annotator_kind": g, "preference": p, "n": s.n and round((s.value or 0) * s.n),
                 "share": s.fmt()} for g, stats in dist.items() for p, s in stats.items()]
        widgets.table(pd.DataFrame(rows), "label_distribution")

    st.subheader("Provenance")
    widgets.table(pd.DataFrame(ov["provenance"]), "provenance")
    if ov["quarantine"]["n_rows"]:
        st.subheader("Quarantine")
        st.caption("Rows refused at ingest, kept with their reasons.")
        widgets.table(pd.DataFrame(ov["quarantine"]["by_reason"]), "quarantine")


def _verdict_line(batch_id: str) -> None:
    """The acceptance verdict under the built-in gates, with what decided it (Evidence page: details)."""
    gate = data.sections(batch_id, "gate")["gate"]
    decided = [r for r in gate.criteria if r.criterion.id in gate.deciding]
    why = _md_escape("; ".join(f"{r.criterion.id}: {r.reason}" for r in decided))
    text = f"Verdict: **{gate.verdict}** (`qualitylab check` exit {int(gate.exit_code)})" + (f" — {why}" if why else "")
    {"ACCEPT": st.success, "REVIEW": st.warning, "REJECT": st.error}.get(gate.verdict, st.info)(text)
    st.caption("Built-in acceptance gates (docs/gates.md); every criterion and the evidence pack are on the "
               "Evidence page, the week-by-week picture on Trends.")


def _md_escape(text: str) -> str:
    """Markdown-inert text (reasons may quote annotator ids from a delivered file)."""
    return "".join("\\" + ch if ch in "\\`*_{}[]()#+-.!|<>~" else ch for ch in text)
