"""Hygiene: each check with its offending rows (zero rows = pass), downloadable as evidence."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from qualitylab.ui import data, widgets
from qualitylab.ui.links import item_column, items_link

FULL_ROWS_MAX = 50_000  # beyond this, the page shows the report's first rows only


def render() -> None:
    st.title("Hygiene")
    batch_id = st.session_state.get("batch_id")
    if not batch_id:
        widgets.empty_store()
        return
    h = data.sections(batch_id, "hygiene")["hygiene"]
    st.caption(
        "Each check is one query returning the offending rows: zero rows = pass, and the rows "
        "are the evidence to send to the vendor. Thresholds: "
        + ", ".join(f"{k} = {v}" for k, v in h.thresholds.items())
        + "."
    )
    c1, c2 = st.columns(2)
    c1.metric("Checks failed", f"{len(h.failed)} of {len(h.checks)}")
    c2.metric("Offending rows", f"{sum(c.n_rows for c in h.checks.values()):,}")
    for name, check in h.checks.items():
        icon = ":material/check_circle:" if check.passed else ":material/error:"
        st.subheader(f"{icon} {check.title}")
        st.caption(f"{check.description}. Query `{check.query}`: {check.n_rows:,} offending rows.")
        if check.passed:
            continue
        st.markdown("Items: " + items_link(f"{name} ({check.n_rows:,} rows)", batch_id, name))
        rows = check.rows
        if check.truncated and check.n_rows <= FULL_ROWS_MAX:
            rows = data.query(check.query, **check.params)
        elif check.truncated:
            st.caption(f"Showing the first {len(rows):,}; the JSON report counts all of them.")
        df, config = item_column(pd.DataFrame(rows), batch_id, name)
        widgets.table(df, f"hygiene_{name}", column_config=config)
