"""App layout: page config, global filters in the sidebar, routing with ``st.navigation``.

Pages only lay out results; they get them from ``qualitylab.ui.data`` (cached calls into the core).

Global filters persist across pages with Streamlit's documented pattern: each widget's value is
copied to a non-widget key (``flt_<name>``) on every run, and restored from it before the widget is
drawn. Streamlit deletes a widget's key after a run that did not draw it (an exception, an empty
store, a batch without ratings hiding the aspect box); the ``flt_`` copy survives. Pages read the
widget keys (``batch_id``, ``vendor``, ``aspect``, ``annotator_kind``) or, better,
``data.current_filters()``.
"""

from __future__ import annotations

import streamlit as st

from qualitylab.errors import QualitylabError
from qualitylab.escape import markdown_text as md
from qualitylab.ui import data
from qualitylab.ui.pages import PAGES

KINDS = ["human", "judge", "all"]
NO_VENDOR = "(no vendor)"
INGEST_ICON = ":material/upload_file:"  # Material icons, not emoji (see pages/__init__.py)


def _restore(name: str) -> None:
    """Before drawing filter ``name``: put its persisted value back into the widget key if it was dropped."""
    keep = data.persisted_key(name)
    if name not in st.session_state and keep in st.session_state:
        st.session_state[name] = st.session_state[keep]


def _persist(name: str) -> None:
    st.session_state[data.persisted_key(name)] = st.session_state.get(name)


def default_batch(batches: list[dict]) -> str | None:
    """The latest delivered batch (``batches`` come in delivery order, undated last), else the last one."""
    dated = [b for b in batches if b.get("delivered") is not None]
    return (dated or batches or [{"batch_id": None}])[-1]["batch_id"]


def sidebar_filters() -> None:
    """Global filters in the sidebar: vendor, batch, aspect, annotator kind (persisting across pages)."""
    url_batch = st.query_params.get("batch")  # a shared link (ui/links.py) names the batch: select it once
    if url_batch and st.session_state.get("flt_url_batch") != url_batch:
        st.session_state["flt_url_batch"] = url_batch
        data.select_batch(url_batch)
    if st.session_state.pop("flt_force", False):  # data.select_batch()
        for name in ("vendor", "batch_id"):
            st.session_state[name] = st.session_state.get(data.persisted_key(name))
    batches = data.query("overview/batches")
    sb = st.sidebar
    sb.caption(f"Store: {md(data.db_path())} (read-only)")
    if not batches:
        st.session_state["batch_id"] = None
        return
    vendors = sorted({b["vendor"] or NO_VENDOR for b in batches})
    _restore("vendor")
    if st.session_state.get("vendor") not in [data.ALL, *vendors]:
        st.session_state["vendor"] = data.ALL
    vendor = sb.selectbox(
        "Vendor", [data.ALL] + vendors, key="vendor", help="Which vendor's batches to list under Batch."
    )
    _persist("vendor")
    names = [b["batch_id"] for b in batches if vendor == data.ALL or (b["vendor"] or NO_VENDOR) == vendor]
    _restore("batch_id")
    if st.session_state.get("batch_id") not in names:
        st.session_state["batch_id"] = default_batch([b for b in batches if b["batch_id"] in names])
    sb.selectbox(
        "Batch", names, key="batch_id", help="Batches in delivery order; the default is the latest delivered one."
    )
    _persist("batch_id")

    batch_id = st.session_state.get("batch_id")
    aspects = data.batch_aspects(batch_id) if batch_id else []
    if aspects:
        _restore("aspect")
        if st.session_state.get("aspect") not in [data.ALL, *aspects]:
            st.session_state["aspect"] = data.ALL
        sb.selectbox(
            "Rating aspect",
            [data.ALL] + aspects,
            key="aspect",
            help="Rating pages show this aspect (all = each aspect in turn).",
        )
        _persist("aspect")
    else:
        sb.caption("Rating aspect: this batch holds no ratings.")
    _restore("annotator_kind")
    if st.session_state.get("annotator_kind") not in KINDS:
        st.session_state["annotator_kind"] = data.FILTERS["annotator_kind"]
    sb.selectbox(
        "Annotator kind",
        KINDS,
        key="annotator_kind",
        help="human annotators, LLM judges, or both, where a page can separate them.",
    )
    _persist("annotator_kind")


def all_pages() -> list[tuple]:
    """(url slug, title, icon, render) of the report pages and the store pages, in navigation order."""
    from qualitylab.ui.pages import upload

    return [*PAGES, ("ingest", "Ingest", INGEST_ICON, upload.render)]


def show_error(e: QualitylabError) -> None:
    """A library error as the CLI shows it: title, message, hint (no traceback: it is not a bug)."""
    st.error(f"**{md(e.title)}**" + (f": {md(e.message)}" if e.message else ""))
    if e.hint:
        st.caption(f"hint: {md(e.hint)}")


def run() -> None:
    st.set_page_config(page_title="qualitylab", page_icon=":material/search:", layout="wide")
    try:
        sidebar_filters()
    except QualitylabError as e:  # e.g. a store that needs migrating, or a newer one
        show_error(e)
        st.stop()
    from qualitylab.ui.pages import upload

    nav = st.navigation(
        {
            "Report": [st.Page(render, title=title, url_path=slug, icon=icon) for slug, title, icon, render in PAGES],
            "Store": [st.Page(upload.render, title="Ingest", url_path="ingest", icon=INGEST_ICON)],
        }
    )
    try:
        nav.run()
    except QualitylabError as e:
        show_error(e)
