"""Items: the comparisons behind a flag, a criterion or a hygiene row, and one item in full.

The URL carries the state (``items?batch=X&filter=NAME&value=V&item=ID``; main.py sets the
sidebar's batch from ``batch``), so every link from another page (``qualitylab.ui.links``) opens
this page pre-filtered and can be shared. Filters and their rows: ``qualitylab.items`` (the same
as ``qualitylab items``). Texts are shown in full in wrapping, scrolling blocks through
``escape.html_text``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from qualitylab.escape import html_text
from qualitylab.escape import markdown_text as md
from qualitylab.items.filters import FILTERS
from qualitylab.ui import data, widgets
from qualitylab.ui.links import item_column

PAGE_ROWS = 50
ALL = "(all)"
TEXT_STYLE = (
    "white-space: pre-wrap; overflow-wrap: break-word; word-break: normal; max-height: 32rem; "
    "overflow-y: auto; border: 1px solid rgba(128,128,128,0.35); border-radius: 0.4rem; padding: 0.6rem; "
    "margin-bottom: 0.6rem; line-height: 1.45;"
)


def _from_url() -> None:
    """Copy the URL's filter, value and item into the page's widgets once per distinct URL state."""
    qp = st.query_params
    state = (qp.get("batch"), qp.get("filter"), qp.get("value"), qp.get("item"))
    ss = st.session_state
    if ss.get("items_url_state") == state:
        return
    ss["items_url_state"] = state
    if state[1] in FILTERS:
        ss["items_filter"] = state[1]
        ss["items_value"] = state[2] if state[2] is not None else ALL
        ss["items_page"] = 1
    if state[3] is not None:
        ss["items_item"] = state[3]


def _to_url(batch_id: str, name: str, value: str | None, item: str | None) -> None:
    """Keep the URL in step with the page (shareable); remembered so it is not re-applied as a link."""
    params = {"batch": batch_id, "filter": name}
    if value is not None:
        params["value"] = value
    if item:
        params["item"] = item
    st.query_params.from_dict(params)
    st.session_state["items_url_state"] = (batch_id, name, value, item)
    st.session_state["flt_url_batch"] = batch_id  # main.py: not a new link


def text_block(text: str | None) -> None:
    """A delivered text in full, escaped, wrapping at word boundaries, scrolling when long."""
    body = "<em>(no text delivered)</em>" if text is None else html_text(text)
    st.html(f'<div class="ql-text" style="{TEXT_STYLE}">{body}</div>')


def _value_box(batch_id: str, name: str) -> str | None:
    spec = FILTERS[name]
    if spec.value is None:
        return None
    rows = data.query("items/annotators", batch_id=batch_id)
    if spec.value == "judge":
        ids = [r["annotator_id"] for r in rows if r["annotator_kind"] == "judge"]
    elif name in ("gold_failed", "adjudication_failed", "fast", "disagrees_with_majority"):
        ids = [r["annotator_id"] for r in rows if r["annotator_kind"] == "human"]
    else:
        ids = [r["annotator_id"] for r in rows]
    options = ids if spec.required else [ALL, *ids]
    current = st.session_state.get("items_value")
    if current is not None and current not in options:
        options.append(current)  # a shared link's value that this batch does not have: shown, not replaced
    if not options:
        st.info(f"Batch {md(batch_id)} has no {md(spec.value)} for this filter.")
        return None
    if st.session_state.get("items_value") not in options:
        st.session_state["items_value"] = options[0]
    value = st.selectbox(spec.value.capitalize(), options, key="items_value")
    return None if value == ALL else value


def render() -> None:
    st.title("Items")
    batch_id = st.session_state.get("batch_id")
    if not batch_id:
        widgets.empty_store()
        return
    _from_url()
    names = list(FILTERS)
    if st.session_state.get("items_filter") not in names:
        st.session_state["items_filter"] = "contested"
    c1, c2, c3 = st.columns([2, 2, 1])
    with c1:
        name = st.selectbox("Filter", names, key="items_filter", format_func=lambda n: f"{n}: {FILTERS[n].words}")
    with c2:
        value = _value_box(batch_id, name)
    if FILTERS[name].required and value is None:
        return
    with c3:
        page_no = int(st.number_input("Page", min_value=1, step=1, key="items_page"))
    _to_url(batch_id, name, value, st.session_state.get("items_item"))
    page = data.item_page(batch_id, name, value, offset=(page_no - 1) * PAGE_ROWS, limit=PAGE_ROWS)
    n = page.n_rows or 0
    shown = f"rows {page.offset + 1:,}-{page.offset + len(page.rows):,} of {n:,}" if page.rows else f"{n:,} rows"
    st.caption(
        f"**{md(name)}{'=' + md(value) if value is not None else ''}** in batch {md(batch_id)}: "
        f"{md(page.words)}. {shown} (query `{md(page.query)}`; the same as "
        f"`qualitylab items --batch … --filter {md(name)}`)."
    )
    if not page.rows:
        st.info("No items: nothing behind this filter in this batch." if page_no == 1 else "No rows on this page.")
        return
    df, config = item_column(pd.DataFrame(page.rows, columns=page.columns), batch_id, name, value)
    widgets.table(df, f"items_{name}", column_config=config)
    if "comparison_id" not in df.columns:
        return
    ids = list(dict.fromkeys(str(c) for c in df["comparison_id"]))
    if st.session_state.get("items_item") not in ids:
        url_item = st.session_state.get("items_item")
        if url_item:
            ids.insert(0, url_item)
        else:
            st.session_state["items_item"] = ids[0]
    cid = st.selectbox("Item", ids, key="items_item", help="A comparison of this page, or the one the link named.")
    _to_url(batch_id, name, value, cid)
    render_item(batch_id, cid)


def render_item(batch_id: str, comparison_id: str) -> None:
    it = data.item(batch_id, comparison_id)
    t, c = it.texts, it.consensus
    st.subheader(f"Comparison {md(comparison_id)}")
    st.caption(
        f"prompt_id {md(t['prompt_id'])} · model A {md(t['model_a'])} · model B {md(t['model_b'])} · "
        f"category {md(t['category'])} · {t['n_verdicts']} verdicts"
    )
    if t["n_texts"] > 1:
        st.warning(f"The rows of this comparison carry {t['n_texts']} different texts; the first row's are shown.")
    majority = c["majority"] or "no strict majority (contested)"
    st.markdown(
        f"**Consensus:** {md(majority)} — A {c['n_a']}, B {c['n_b']}, tie {c['n_tie']} of {c['n_human']} "
        "human verdicts" + (f"; gold label **{md(c['gold'])}**" if c["gold"] else "")
    )
    for adj in it.adjudications:
        st.markdown(
            f"**Adjudicated:** {md(adj['label'])} by {md(adj['adjudicated_by'])} ({md(adj['adjudicated_at'])})"
            + (f": {md(adj['note'])}" if adj.get("note") else "")
            + ("" if adj["current"] else " — *no longer applies: the texts changed since*")
        )
    adjudication_form(batch_id, comparison_id)
    st.markdown("**Prompt**")
    text_block(t["prompt"])
    a, b = st.columns(2)
    with a:
        st.markdown(f"**Response A** ({md(t['model_a'])}, {t['len_a_chars'] or 0:,} characters)")
        text_block(t["response_a"])
    with b:
        st.markdown(f"**Response B** ({md(t['model_b'])}, {t['len_b_chars'] or 0:,} characters)")
        text_block(t["response_b"])
    st.markdown("**Verdicts** (file and line as delivered)")
    widgets.table(pd.DataFrame(it.human_verdicts), "item_verdicts")
    if it.judge_verdicts:
        st.markdown("**Judge verdicts** (both orders: `shown_first`)")
        widgets.table(pd.DataFrame(it.judge_verdicts), "item_judges")
    if it.ratings:
        st.markdown("**Ratings** of the same prompt and models")
        widgets.table(pd.DataFrame(it.ratings), "item_ratings")
    if it.rankings:
        st.markdown("**Rankings** of the same prompt and models")
        widgets.table(pd.DataFrame(it.rankings), "item_rankings")
    st.markdown("**Provenance**")
    st.caption("; ".join(f"{md(p['file_name'])} lines {', '.join(str(x) for x in p['lines'])}" for p in it.provenance))


def adjudication_form(batch_id: str, comparison_id: str) -> None:
    """Record your own label on this item (append-only; the app's one write helper, ``data.write``)."""
    from qualitylab.errors import QualitylabError
    from qualitylab.items.adjudications import Adjudication, record
    from qualitylab.ui.main import show_error

    with st.expander("Adjudicate this item", expanded=False):
        with st.form("items_adjudicate", clear_on_submit=False):
            label = st.radio("Your label", ["A", "B", "tie"], index=None, horizontal=True, key="items_adj_label")
            reviewer = st.text_input("Reviewer (required)", key="items_adj_reviewer")
            note = st.text_area("Note", key="items_adj_note")
            submitted = st.form_submit_button("Record adjudication")
        st.caption(
            "Stored append-only with the SHA-256 of the texts (a later change of the texts voids it); it counts "
            "as post-hoc gold and takes precedence over the majority in `qualitylab export`. Same as "
            "`qualitylab adjudicate --batch … FILE --by NAME`."
        )
    if not submitted:
        return
    if not (reviewer or "").strip():
        st.error("A reviewer's name is required to record an adjudication.")
        return
    if label is None:
        st.error("Choose a label (A, B or tie).")
        return
    try:
        res = data.write(
            lambda db: record(
                db,
                batch_id,
                [Adjudication(comparison_id, label, note or "")],
                by=reviewer,
                source="app",
                wait_seconds=0,
            )
        )
    except QualitylabError as e:
        show_error(e)
        return
    st.success(md(res.summary()))
