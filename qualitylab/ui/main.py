"""App layout: page config, global filters in the sidebar, routing with ``st.navigation``.

Pages only lay out results; they get them from ``qualitylab.ui.data`` (cached calls into the core).
"""

from __future__ import annotations

import streamlit as st

from qualitylab.ui import data
from qualitylab.ui.pages import PAGES


def sidebar_filters() -> None:
    """Global filters, kept in ``st.session_state`` so they persist across pages."""
    batches = data.query("overview/batches")
    st.sidebar.caption(f"Store: `{data.db_path()}`")
    if not batches:
        st.session_state["batch_id"] = None
        return
    vendors = sorted({b["vendor"] or "(no vendor)" for b in batches})
    vendor = st.sidebar.selectbox("Vendor", ["(all)"] + vendors, key="vendor")
    names = [b["batch_id"] for b in batches if vendor == "(all)" or (b["vendor"] or "(no vendor)") == vendor]
    if st.session_state.get("batch_id") not in names:
        st.session_state["batch_id"] = names[-1] if names else None
    st.sidebar.selectbox("Batch", names, key="batch_id")
    st.sidebar.selectbox("Annotator kind", ["human", "judge", "all"], key="annotator_kind")


def run() -> None:
    st.set_page_config(page_title="qualitylab", page_icon="🔎", layout="wide")
    sidebar_filters()
    nav = st.navigation([st.Page(render, title=title, url_path=slug, icon=icon)
                         for slug, title, icon, render in PAGES])
    nav.run()
