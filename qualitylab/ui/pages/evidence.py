"""Evidence: the batch's verdict and criteria, the evidence tables as CSV, and the HTML evidence pack."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import streamlit as st

from qualitylab.escape import markdown_text as md
from qualitylab.evidence.tables import CRITERIA_SHOWN
from qualitylab.ui import data, widgets
from qualitylab.ui.links import criteria_block


@st.cache_data(show_spinner="Building the evidence pack…", max_entries=8)
def _pack(
    stamp, batch_id: str, seed: int, n_boot: int, _doc: dict, _trends: list | None
) -> tuple[str, dict[str, bytes], list[dict]]:
    """(HTML, {name.csv: bytes}, tables) for one batch. ``_doc`` and ``_trends`` come from the app's cached
    reports (``data.report_json``, ``data.vendor_trend_rows``) and are determined by the hashed arguments;
    only the example tables read the (read-only) store."""
    import tempfile
    from pathlib import Path

    from qualitylab.evidence import build_html, evidence_tables, write_csv_tables

    with data.read_store(stamp[0]) as store:
        tables = evidence_tables(store, batch_id, _doc, _trends)
    page = build_html(_doc, tables, _trends)
    with tempfile.TemporaryDirectory() as d:
        csvs = {p.name: p.read_bytes() for p in write_csv_tables(tables, Path(d))}
    return (
        page,
        csvs,
        [
            {"name": t.name, "title": t.title, "description": t.description, "rows": t.rows, "n_total": t.n_total}
            for t in tables
        ],
    )


def render() -> None:
    st.title("Evidence")
    batches = data.query("overview/batches")
    if not batches:
        widgets.empty_store()
        return
    batch_id = st.session_state.get("batch_id")
    if not batch_id:
        st.info("Choose a batch in the sidebar.")
        return
    gate = data.gate_json(batch_id)
    st.subheader(f"Batch {md(batch_id)}: {md(gate['verdict'])}")
    st.caption(
        f"Gate file: {md(gate['name'])} ({md(gate['source'])}); exit code of `qualitylab check`: "
        f"{gate['exit_code']}." + (f" Decided by {md(', '.join(gate['deciding']))}." if gate["deciding"] else "")
    )
    data.snapshot_notice(batch_id)
    d = data.decision(batch_id)
    st.markdown(
        "Decision of record: "
        + (f"**{md(d.describe())}** — {md(d.note)}" if d is not None else "none yet (`qualitylab decide`)")
        + " (the evidence pack names it, with the annotators it excludes and why)."
    )
    from qualitylab.gates.words import criterion_sentence

    widgets.table(
        pd.DataFrame(
            [{"in_words": criterion_sentence(c), **{k: c.get(k) for k in CRITERIA_SHOWN}} for c in gate["criteria"]]
        ),
        f"criteria_{batch_id}",
        columns=["id", "outcome", "in_words", *(k for k in CRITERIA_SHOWN if k not in ("id", "outcome"))][:10],
    )
    block = criteria_block(batch_id, data.report_json(batch_id), "**Items behind each criterion**")
    if block:
        st.markdown(block)

    st.subheader("Evidence pack")
    st.caption(
        "One self-contained HTML file a vendor can open offline (charts included, nothing loaded from "
        "the network), and the same tables as CSV files: the flagged annotators and the hygiene "
        "findings with example rows (file and line), the screening table, the vendor's trend, "
        "methods and provenance. Same as `qualitylab report --batch NAME --html FILE --evidence DIR`."
    )
    key = f"evidence_built_{batch_id}"
    if st.button("Build the evidence pack", key=f"build-{batch_id}"):
        st.session_state[key] = True
    if not st.session_state.get(key):
        return
    seed = st.session_state.get("seed")
    n_boot = st.session_state.get("n_boot")
    from qualitylab.report import DEFAULT_N_BOOT, DEFAULT_SEED

    doc = data.report_json(batch_id)
    trends = data.vendor_trend_rows(doc)
    page, csvs, tables = data.retry_busy(
        lambda: _pack(data.store_stamp(), batch_id, seed or DEFAULT_SEED, n_boot or DEFAULT_N_BOOT, doc, trends)
    )
    c1, c2 = st.columns(2)
    c1.download_button(
        "Download the HTML evidence pack",
        page.encode("utf-8"),
        file_name=f"evidence-{batch_id}.html",
        mime="text/html",
        key=f"dl-html-{batch_id}",
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in csvs.items():
            z.writestr(name, content)
    c2.download_button(
        "Download every table (CSV, zip)",
        buf.getvalue(),
        file_name=f"evidence-{batch_id}.zip",
        mime="application/zip",
        key=f"dl-zip-{batch_id}",
    )
    for t in tables:
        if t["name"] == "criteria":
            continue
        st.markdown(f"**{md(t['title'])}** — {md(t['description'])}")
        if t["n_total"] is not None and t["n_total"] > len(t["rows"]):
            st.caption(f"{t['n_total']:,} rows; the report keeps the first {len(t['rows']):,}.")
        widgets.table(pd.DataFrame(t["rows"]), f"{t['name']}_{batch_id}")
