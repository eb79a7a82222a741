"""Trends: every gate metric per batch of a vendor with intervals, changes since last week, vendor vs vendor."""

from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from qualitylab.escape import html_text
from qualitylab.escape import markdown_text as md
from qualitylab.gates.trends import iso_week, metric_rows, vendor_vs_vendor, week_over_week
from qualitylab.ui import data, widgets
from qualitylab.ui.links import criteria_block

#: verdict -> (badge colour, Material icon): Debian's Chromium has no emoji font, Material icons ship with Streamlit
VERDICT_BADGES = {
    "ACCEPT": ("green", ":material/check_circle:"),
    "REVIEW": ("orange", ":material/visibility:"),
    "REJECT": ("red", ":material/block:"),
    "INSUFFICIENT_EVIDENCE": ("gray", ":material/help:"),
}


def _md_text(text: str) -> str:
    """``text`` safe inside a Markdown badge: brackets become parentheses (a badge's content cannot
    hold them), then :func:`qualitylab.escape.markdown_text`."""
    return md(str(text).replace("[", "(").replace("]", ")"))


def verdict_badges(verdicts: list[tuple[str, str]]) -> str:
    """One Markdown line of coloured badges, ``batch_id · verdict`` each, that wraps instead of truncating."""
    parts = []
    for batch_id, verdict in verdicts:
        color, icon = VERDICT_BADGES.get(verdict, ("gray", ":material/help:"))
        parts.append(f":{color}-badge[{icon} {_md_text(batch_id)} · {_md_text(verdict)}]")
    return " ".join(parts)


def _rows_for(batches: list[dict]) -> list[dict]:
    rows: list[dict] = []
    for b in batches:
        rows += metric_rows(b, data.gate_json(b["batch_id"]))
    return rows


def _err(pts, key="value"):
    return dict(
        type="data",
        visible=True,
        array=[(p["ci95_high"] - p[key]) if p.get("ci95_high") is not None else 0 for p in pts],
        arrayminus=[(p[key] - p["ci95_low"]) if p.get("ci95_low") is not None else 0 for p in pts],
    )


#: a change beyond noise, by direction (widgets.CHANGE_COLOURS, the tables' colours too); unchanged points are blue
CHANGE_COLOURS = widgets.CHANGE_COLOURS
UNCHANGED_COLOUR = "#0969da"


def change_colour(row: dict) -> str:
    """Green for a change beyond noise towards passing, red away from it, blue when unchanged."""
    if not row.get("changed"):
        return UNCHANGED_COLOUR
    return CHANGE_COLOURS.get(row.get("direction") or "", "#8250df")


def direction_column():
    """The ``direction`` column: better / worse in words (coloured by widgets.table, like the charts' points)."""
    return st.column_config.TextColumn("direction", help="better: towards passing the criterion; worse: away from it")


def vendor_and_batch(batches: list[dict], vendors: list[str]) -> tuple[str, str | None]:
    """The sidebar's vendor (else the sidebar batch's vendor, else the first vendor) and the sidebar's batch."""
    flt = data.current_filters()
    current = next((b for b in batches if b["batch_id"] == flt.batch_id), None)
    vendor = flt.vendor if flt.vendor in vendors else (current or {}).get("vendor") or vendors[0]
    return vendor, flt.batch_id


def _criterion_chart(pts: list[dict], title: str) -> go.Figure:
    fig = go.Figure()
    fig.add_scatter(
        x=[html_text(p["batch_id"]) for p in pts],
        y=[p["value"] for p in pts],
        mode="lines+markers",
        error_y=_err(pts),
        name="value (95% CI)",
        marker=dict(size=10, color=[change_colour(p) for p in pts]),
    )
    thr = pts[0].get("threshold")
    if thr is not None:
        fig.add_hline(
            y=thr,
            line_dash="dash",
            line_color="#57606a",
            annotation_text=html_text(f"threshold {pts[0].get('comparison')} {thr:g}"),
        )
    wrapped = "<br>".join(html_text(line) for line in textwrap.wrap(title, 70)[:3])  # no clipped titles
    fig.update_layout(
        title=dict(text=wrapped, font=dict(size=13)),
        height=300 + 16 * wrapped.count("<br>"),
        margin=dict(l=10, r=10, t=40 + 16 * wrapped.count("<br>"), b=30),
        xaxis_title="batch (by delivery date)",
        showlegend=False,
    )
    return fig


def render() -> None:
    st.title("Trends")
    batches = data.query("overview/batches")
    if not batches:
        widgets.empty_store()
        return
    vendors = sorted({b["vendor"] for b in batches if b.get("vendor")})
    if not vendors:
        st.info("No batch names a vendor: ingest with `--vendor NAME` to follow a vendor week by week.")
        return
    vendor, batch_id = vendor_and_batch(batches, vendors)
    st.caption(
        f"Vendor **{md(vendor)}**, batch **{md(batch_id or '—')}** (sidebar: choose the vendor and the batch there)."
    )
    mine = [b for b in batches if b.get("vendor") == vendor]
    mine.sort(key=lambda b: (str(b.get("delivered")), b["batch_id"]))
    rows = week_over_week(_rows_for(mine))
    st.caption(
        "Every acceptance-gate metric per batch, with its 95% interval. A change since the vendor's "
        "previous batch is tested (two-proportion z for proportions, else the difference of the two "
        "estimates with standard errors from their intervals); a change with Benjamini-Hochberg "
        "q < 0.05 across the metrics of that week is marked green when it moved towards passing, red "
        "when away. Caution: thresholds depend on the contract; a trend over few batches is noisy."
    )

    st.subheader("Verdict per batch")
    verdicts = list({r["batch_id"]: r["verdict"] for r in rows}.items())
    st.markdown(verdict_badges(verdicts))
    data.snapshot_notice([b["batch_id"] for b in mine])

    st.subheader("Gate metrics over time")
    crit_ids = list(dict.fromkeys(r["criterion"] for r in rows))
    with_ci = [c for c in crit_ids if any(r["criterion"] == c and r["ci95_low"] is not None for r in rows)]
    chosen = st.multiselect("Criteria", crit_ids, default=with_ci or crit_ids, key="trends_criteria")
    grid = st.columns(2)
    for i, cid in enumerate(chosen):
        pts = [r for r in rows if r["criterion"] == cid and r["value"] is not None]
        if not pts:
            grid[i % 2].caption(f"{md(cid)}: not computable in any batch")
            continue
        with grid[i % 2]:
            st.plotly_chart(_criterion_chart(pts, f"{cid}: {pts[0]['title']}"), width="stretch", key=f"tr-{cid}")

    st.subheader("Changed since last week")
    names = [b["batch_id"] for b in mine]
    pick = batch_id if batch_id in names else names[-1]
    if batch_id not in names:
        st.caption(f"The sidebar's batch is not one of {md(vendor)}'s: showing its latest, {md(pick)}.")
    step = [r for r in rows if r["batch_id"] == pick and r["previous_batch_id"]]
    if not step:
        st.info(f"{md(pick)} is the vendor's first batch: there is no previous week to compare with.")
    else:
        better = [r["criterion"] for r in step if r["changed"] and r.get("direction") == "better"]
        worse = [r["criterion"] for r in step if r["changed"] and r.get("direction") != "better"]
        head = f"**{md(pick)}** against **{md(step[0]['previous_batch_id'])}**: "
        if not (better or worse):
            st.markdown(head + "no metric changed beyond noise")
        else:
            st.markdown(
                head
                + "; ".join(
                    part
                    for part in (
                        f":red[worse: {_md_text(', '.join(worse))}]" if worse else "",
                        f":green[better: {_md_text(', '.join(better))}]" if better else "",
                    )
                    if part
                )
            )
        widgets.table(
            pd.DataFrame(
                [
                    {
                        k: r[k]
                        for k in (
                            "criterion",
                            "previous_value",
                            "value",
                            "difference",
                            "direction",
                            "z",
                            "p_value",
                            "q_value",
                            "test",
                            "changed",
                        )
                    }
                    for r in step
                ]
            ),
            f"changes_{pick}",
            column_config={"direction": direction_column()},
        )
    block = criteria_block(str(pick), data.report_json(str(pick)), f"Items behind each criterion of **{md(pick)}**:")
    if block:
        st.markdown(block)
    with st.expander("Every batch and metric (with the week-over-week tests)"):
        widgets.table(pd.DataFrame(rows).drop(columns=["title"]), f"trends_{vendor}")

    st.subheader("Vendor against vendor")
    others = [v for v in vendors if v != vendor]
    if not others:
        st.info("Only one vendor in the store: nothing to compare with.")
        return
    rivals = st.multiselect("Compare with", others, key="trends_rivals")
    if not rivals:
        st.caption("Choose vendors to compare over the same ISO weeks (their batches' reports are computed then).")
        return
    theirs = [b for b in batches if b.get("vendor") in rivals]
    all_rows = [r for r in rows] + _rows_for(theirs)
    crit = st.selectbox("Criterion", crit_ids, key="trends_vs_criterion")
    fig = go.Figure()
    for v in [vendor, *rivals]:
        pts = sorted(
            [
                dict(r, week=iso_week(r["delivered"]))
                for r in all_rows
                if r["vendor"] == v and r["criterion"] == crit and r["value"] is not None
            ],
            key=lambda r: str(r["delivered"]),
        )
        if pts:
            fig.add_scatter(
                x=[p["week"] for p in pts],
                y=[p["value"] for p in pts],
                mode="lines+markers",
                name=html_text(v),
                error_y=_err(pts),
            )
    fig.update_layout(height=360, xaxis_title="ISO week of delivery", yaxis_title=html_text(crit))
    st.plotly_chart(fig, width="stretch", key="tr-vs")
    widgets.table(pd.DataFrame(vendor_vs_vendor(all_rows)), "vendor_vs_vendor")
