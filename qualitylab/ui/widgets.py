"""Small layout helpers shared by the pages (tables with downloads, empty states, statistics).

Text that is not a literal of the code (names, reasons, anything read from the store) goes through
:func:`qualitylab.escape.markdown_text` (``md``) before it reaches an element that renders Markdown
(text, captions, headings, alerts, metric and widget labels): it shows as the characters it is,
never as an image, link or markup (docs/security.md). Tables (``st.dataframe``) and select-box
options show plain text already. Delivered text in a plotly figure goes through
:func:`qualitylab.escape.html_text` (plotly renders a subset of HTML in labels).
"""

from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

from qualitylab.escape import dataframe_csv
from qualitylab.escape import markdown_text as md
from qualitylab.results import Statistic

#: columns shown with 2 significant digits (p- and q-values span many orders of magnitude)
SIGNIFICANT_DIGIT_COLUMNS = ("p_value", "q_value")


def table(df: pd.DataFrame, name: str, *, height: int | None = None, column_config: dict | None = None) -> None:
    """A sortable table with a CSV download button (the one CSV writer, :func:`qualitylab.escape.dataframe_csv`:
    full precision, formula-like text neutralised).

    p- and q-value columns (``*p_value``, ``*q_value``, ``*_p``, ``*_q``) are shown with 2 significant
    digits and stay numeric, so they sort as numbers; ``column_config`` adds or overrides Streamlit
    column configs.
    """
    if df.empty:
        st.caption(f"({md(name)}: no rows)")
        return
    config = {
        c: st.column_config.NumberColumn(format="%.2g")
        for c in df.columns
        if isinstance(c, str)
        and (c.endswith(SIGNIFICANT_DIGIT_COLUMNS) or c.endswith(("_p", "_q")))
        and pd.api.types.is_numeric_dtype(df[c])
    }
    config.update(column_config or {})
    st.dataframe(df, width="stretch", hide_index=True, height=height or "auto", column_config=config or None)
    st.download_button(
        f"Download {md(name)}.csv",
        functools.partial(dataframe_csv, df),  # written when clicked, not on every rerun
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"dl-{name}",
    )


def empty_store() -> None:
    st.info(
        "The store holds no batches yet. Ingest one with "
        "`qualitylab ingest FILE --batch NAME`, or load the sample data with `qualitylab sample`."
    )


def statistic(label: str, stat: Statistic, reading: str = "") -> None:
    """A metric with its interval and a one-line reading; 'not computable' says why."""
    if stat.value is None:
        st.metric(md(label), "—")
        st.caption(f"not computable: {md(stat.reason)}")
        return
    st.metric(md(label), f"{stat.value:.3f}")
    ci = f"95% CI [{stat.ci95_low:.3f}, {stat.ci95_high:.3f}], " if stat.ci95_low is not None else ""
    st.caption(md(f"{ci}n = {stat.n:,}" + (f". {reading}" if reading else "")))
