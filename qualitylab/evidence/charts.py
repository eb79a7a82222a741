"""The evidence pack's charts as plotly figures (only HTML rendering and the UI import plotly).

Text that came from a delivered file (annotator ids, batch names) is HTML-escaped before it goes into
a figure: plotly.js renders a subset of HTML in labels, so ``<b>`` in an id must stay text.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from ..escape import html_text

OUTCOME_COLOURS = {
    "PASS": "#1a7f37",
    "WARN": "#9a6700",
    "REVIEW": "#9a6700",
    "REJECT": "#cf222e",
    "INSUFFICIENT_EVIDENCE": "#57606a",
    "SKIPPED": "#8c959f",
}


def label(x: Any) -> str:
    """Delivered text as a plotly label: HTML-escaped so it is shown, never interpreted."""
    return html_text(x)


def _err(rows, key_v="value", lo="ci95_low", hi="ci95_high"):
    plus = [(r[hi] - r[key_v]) if r.get(hi) is not None and r.get(key_v) is not None else 0 for r in rows]
    minus = [(r[key_v] - r[lo]) if r.get(lo) is not None and r.get(key_v) is not None else 0 for r in rows]
    return dict(type="data", array=plus, arrayminus=minus, visible=True)


def criteria_figure(criteria: list[dict[str, Any]]) -> go.Figure | None:
    """Each criterion's value with its 95% interval (a forest plot) and its threshold (diamond)."""
    rows = [c for c in criteria if c.get("value") is not None and c.get("ci95_low") is not None]
    if not rows:
        return None
    ys = [label(c["id"]) for c in rows]
    fig = go.Figure()
    fig.add_scatter(
        x=[c["value"] for c in rows],
        y=ys,
        mode="markers",
        name="value, 95% CI",
        marker=dict(size=11, color=[OUTCOME_COLOURS.get(c["outcome"], "#333") for c in rows]),
        error_x=_err(rows),
        text=[label(c["outcome"]) for c in rows],
        hovertemplate="%{y}: %{x:.3f} (%{text})<extra></extra>",
    )
    fig.add_scatter(
        x=[c["threshold"] for c in rows],
        y=ys,
        mode="markers",
        name="threshold",
        marker=dict(symbol="diamond-open", size=13, color="#333"),
    )
    fig.update_layout(
        height=120 + 48 * len(rows),
        margin=dict(l=10, r=10, t=30, b=40),
        xaxis_title="value (95% interval); colour = outcome",
        yaxis=dict(automargin=True),
    )
    return fig


def rates_figure(rows: list[dict[str, Any]], rate: str, title: str) -> go.Figure | None:
    """A funnel plot: each annotator's rate against its n, with the 0.5 line and 95% bands for an
    unbiased annotator (0.5 +- 1.96 sqrt(0.25 / n)); flagged annotators in red."""
    rows = [r for r in rows if r.get(rate) is not None and r.get("n")]
    if not rows:
        return None
    import numpy as np

    n_max = max(r["n"] for r in rows)
    ns = np.linspace(max(2, min(r["n"] for r in rows) * 0.8), n_max * 1.1, 60)
    band = 1.959964 * np.sqrt(0.25 / ns)
    fig = go.Figure()
    fig.add_scatter(x=ns, y=0.5 + band, mode="lines", line=dict(dash="dot", color="#8c959f"), name="95% band")
    fig.add_scatter(x=ns, y=0.5 - band, mode="lines", line=dict(dash="dot", color="#8c959f"), showlegend=False)
    fig.add_hline(y=0.5, line_color="#57606a")
    fig.add_scatter(
        x=[r["n"] for r in rows],
        y=[r[rate] for r in rows],
        mode="markers+text",
        text=[label(r.get("annotator_id")) for r in rows],
        textposition="top center",
        marker=dict(size=10, color=["#cf222e" if r.get("flagged") else "#0969da" for r in rows]),
        error_y=_err(rows, rate),
        name=label(rate),
    )
    fig.update_layout(
        title=label(title),
        height=380,
        margin=dict(l=10, r=10, t=40, b=40),
        xaxis_title="n (non-tie verdicts)",
        yaxis_title=label(rate),
        yaxis_range=[0, 1],
    )
    return fig


def label_figure(dist: dict[str, dict[str, Any]]) -> go.Figure | None:
    groups = [g for g in dist if g != "all" and any((s or {}).get("n") for s in dist[g].values())]
    if not groups:
        return None
    fig = go.Figure()
    for g in groups:
        labels = list(dist[g])
        rows = [dist[g][p] for p in labels]
        fig.add_bar(
            name=label(g), x=[label(p) for p in labels], y=[r.get("value") or 0 for r in rows], error_y=_err(rows)
        )
    fig.update_layout(
        barmode="group",
        height=320,
        yaxis_title="share of verdicts",
        yaxis_range=[0, 1],
        margin=dict(l=10, r=10, t=30, b=40),
    )
    return fig


def trends_figure(rows: list[dict[str, Any]], current: str) -> go.Figure | None:
    """Each gate metric with an interval across the vendor's batches; the current batch circled."""
    with_ci = [r for r in rows if r.get("ci95_low") is not None]
    if len({r["batch_id"] for r in with_ci}) < 2:
        return None
    fig = go.Figure()
    for crit in dict.fromkeys(r["criterion"] for r in with_ci):
        pts = [r for r in with_ci if r["criterion"] == crit]
        fig.add_scatter(
            x=[label(r["batch_id"]) for r in pts],
            y=[r["value"] for r in pts],
            mode="lines+markers",
            name=label(crit),
            error_y=_err(pts),
        )
    cur = [r for r in with_ci if r["batch_id"] == current]
    if cur:
        fig.add_scatter(
            x=[label(current)] * len(cur),
            y=[r["value"] for r in cur],
            mode="markers",
            marker=dict(size=18, symbol="circle-open", color="#1b1b1f"),
            name="this batch",
        )
    fig.update_layout(
        height=380,
        margin=dict(l=10, r=10, t=30, b=40),
        yaxis_title="value (95% interval)",
        xaxis_title="batch (by delivery date)",
    )
    return fig


def evidence_figures(doc: dict[str, Any], trends: list[dict[str, Any]] | None) -> list[tuple[str, str, go.Figure]]:
    """(div id, heading, figure) for every chart the data allows, in page order."""
    out = []
    crit = criteria_figure((doc.get("gate") or {}).get("criteria") or [])
    if crit is not None:
        out.append(("fig-criteria", "Criteria: value, 95% interval and threshold", crit))
    if trends:
        tr = trends_figure(trends, (doc.get("batch") or {}).get("batch_id") or "")
        if tr is not None:
            out.append(("fig-trends", "Gate metrics over the vendor's batches", tr))
    for key, rate, title in (
        ("position_bias", "p_first", "Position bias: p_first by annotator"),
        ("length_bias", "p_prefer_longer", "Length bias: p_prefer_longer by annotator"),
    ):
        fig = rates_figure((doc.get(key) or {}).get("by_annotator") or [], rate, title)
        if fig is not None:
            out.append((f"fig-{key}", title, fig))
    lab = label_figure(doc.get("label_distribution") or {})
    if lab is not None:
        out.append(("fig-labels", "Label distribution (share of verdicts, Wilson 95% intervals)", lab))
    return out
