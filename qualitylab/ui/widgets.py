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
import json
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from qualitylab.escape import dataframe_csv
from qualitylab.escape import markdown_text as md
from qualitylab.numbers import MISSING, fmt_number, fmt_statistic
from qualitylab.results import Statistic

#: columns shown with 2 significant digits (p- and q-values span many orders of magnitude)
SIGNIFICANT_DIGIT_COLUMNS = ("p_value", "q_value")
#: a table with more columns than this shows the first ones and a "Columns" choice
MAX_COLUMNS = 10
#: a table with at most this many rows is drawn tall enough to show every row (no inner scroll)
FULL_HEIGHT_ROWS = 30
ROW_PX = 35
#: outcomes that put a row first (worst first), and the columns that say a row is flagged
OUTCOME_ORDER = {"REJECT": 0, "INSUFFICIENT_EVIDENCE": 1, "REVIEW": 2, "WARN": 3}
FLAG_COLUMNS = ("flagged", "changed", "shifted")
#: a change beyond noise by its direction (qualitylab.gates.trends.direction): towards passing its criterion
#: (better) or away (worse). The colour of the Trends charts' points and of a table's direction cells.
CHANGE_COLOURS = {"better": "#1a7f37", "worse": "#cf222e"}
#: the background of a changed row's direction / difference cells (light tints of CHANGE_COLOURS)
CHANGE_BACKGROUNDS = {"better": "#dafbe1", "worse": "#ffebe9"}
DIRECTION_CELLS = ("direction", "difference")


def is_statistic(x: Any) -> bool:
    """A Statistic, or its JSON form (a mapping with ``value`` and ``ci95_low``/``ci95_high``/``n``)."""
    if isinstance(x, Statistic):
        return True
    return isinstance(x, Mapping) and "value" in x and ("ci95_low" in x or "n" in x)


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA or x is pd.NaT


def cell_text(x: Any, column: str = "") -> Any:
    """What a page shows for one cell: numbers with 3 significant digits (``fmt_number``; 2 for p- and
    q-values; whole for counts ``n`` / ``n_*``), a statistic as ``value [low, high]``, lists and mappings
    as short text, a missing value as an em dash — never "None", "nan" or a dictionary."""
    if _missing(x):
        return MISSING
    if isinstance(x, bool):
        return "yes" if x else "no"
    if is_statistic(x):
        return fmt_statistic(x)
    if isinstance(x, Mapping):
        return "; ".join(f"{k}: {cell_text(v)}" for k, v in x.items()) or MISSING
    if isinstance(x, (list, tuple, set)):
        return ", ".join(str(cell_text(v)) for v in x) or MISSING
    if isinstance(x, (int, float)) or hasattr(x, "dtype"):
        try:
            return number_text(float(x), column, integer=isinstance(x, int))
        except (TypeError, ValueError):
            return str(x)
    return str(x)


def _is_p_column(column: str) -> bool:
    return column.endswith(SIGNIFICANT_DIGIT_COLUMNS) or column.endswith(("_p", "_q"))


def _is_count_column(column: str) -> bool:
    return column == "n" or column.startswith("n_") or column.endswith(("_n", "_count", "_rows"))


def number_text(x: Any, column: str = "", *, integer: bool = False) -> str:
    """One number as pages show it (:func:`qualitylab.numbers.fmt_number`, by the column's kind)."""
    if _is_p_column(column):
        return fmt_number(x, 2)
    return fmt_number(x, integer=integer or _is_count_column(column))


def csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The table as its CSV download holds it: full precision; a statistic column ``c`` becomes ``c``
    (the value), ``c_ci95_low``, ``c_ci95_high``; mappings and lists as JSON; missing cells empty."""
    out: dict[str, Any] = {}
    for c in df.columns:
        col = df[c]
        if col.dtype == object and any(is_statistic(v) for v in col):

            def part(v, k):
                if not is_statistic(v):
                    return v if k == "value" else None
                return getattr(v, k) if isinstance(v, Statistic) else v.get(k)

            out[c] = [part(v, "value") for v in col]
            out[f"{c}_ci95_low"] = [part(v, "ci95_low") for v in col]
            out[f"{c}_ci95_high"] = [part(v, "ci95_high") for v in col]
        elif col.dtype == object:
            out[c] = [
                json.dumps(v, default=str, ensure_ascii=False) if isinstance(v, (Mapping, list, tuple)) else v
                for v in col
            ]
        else:
            out[c] = col
    return pd.DataFrame(out)


def flagged_first(df: pd.DataFrame) -> pd.DataFrame:
    """Rows that need a look first (stable within): outcome REJECT < INSUFFICIENT < REVIEW < WARN <
    the rest, then rows whose ``flagged`` / ``changed`` / ``shifted`` is true, or whose ``passed``
    is false, or whose ``flag_names`` / ``flags`` is not empty."""
    if df.empty:
        return df
    key = pd.Series(0, index=df.index, dtype="int64")
    if "outcome" in df.columns:
        key += df["outcome"].map(lambda o: OUTCOME_ORDER.get(o, len(OUTCOME_ORDER)) if isinstance(o, str) else 9) * 10
    flag = pd.Series(False, index=df.index)
    for c in FLAG_COLUMNS:
        if c in df.columns:
            flag |= df[c].map(lambda v: v is True or (isinstance(v, (int, float)) and not _missing(v) and v == 1))
    if "passed" in df.columns:
        flag |= df["passed"].map(lambda v: v is False)
    for c in ("flag_names", "flags"):
        if c in df.columns:
            flag |= df[c].map(lambda v: bool(v) if isinstance(v, (list, tuple, str)) else False)
    key += (~flag).astype("int64")
    if (key == key.iloc[0]).all():
        return df
    return df.loc[key.sort_values(kind="stable").index]


def display_frame(df: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    """(the frame a page shows, its Styler formatters): object cells as text (:func:`cell_text`),
    numeric columns kept numeric (they sort as numbers) and formatted by :func:`number_text`."""
    shown: dict[str, Any] = {}
    formats: dict[str, Any] = {}
    for c in df.columns:
        col = df[c]
        name = str(c)
        if pd.api.types.is_bool_dtype(col):
            shown[c] = col
        elif pd.api.types.is_numeric_dtype(col):
            shown[c] = col
            integer = pd.api.types.is_integer_dtype(col)
            formats[c] = functools.partial(_fmt_cell, column=name, integer=integer)
        else:
            shown[c] = [cell_text(v, name) for v in col]
    return pd.DataFrame(shown, index=df.index), formats


def _fmt_cell(x: Any, *, column: str, integer: bool) -> str:
    return number_text(x, column, integer=integer)


def direction_styles(df: pd.DataFrame) -> pd.DataFrame | None:
    """CSS per cell (a Styler's ``apply(axis=None)``): a changed row's ``direction`` and ``difference``
    cells in :data:`CHANGE_COLOURS` (green better, red worse) on a light tint; ``None`` without a
    ``direction`` column. A row is changed when its ``changed`` is true (every row, without the column)."""
    if "direction" not in df.columns:
        return None
    css = pd.DataFrame("", index=df.index, columns=df.columns)
    for i in df.index:
        if "changed" in df.columns and df.at[i, "changed"] is not True and df.at[i, "changed"] != 1:
            continue
        d = df.at[i, "direction"]
        if d in CHANGE_COLOURS:
            for c in DIRECTION_CELLS:
                if c in df.columns:
                    css.at[i, c] = f"color: {CHANGE_COLOURS[d]}; background-color: {CHANGE_BACKGROUNDS[d]}"
    return css


#: pixels per character and padding of a column (the grid's 14 px font), and the widest a column gets
CHAR_PX, PAD_PX, MIN_PX, MAX_PX = 8, 26, 56, 420
#: a table with a text longer than its column wraps it: rows this tall (Streamlit wraps text in rows taller
#: than 4rem = 64 px) hold WRAP_LINES lines; a longer text is also written in full under the table
WRAP_ROW_PX, WRAP_LINES = 68, 3


def column_px(header: str, cells: list[str]) -> int:
    """A column wide enough for its header and its longest shown cell (so a number is never cut on
    the left, losing its sign), at most :data:`MAX_PX` (longer texts are cut with an ellipsis; the
    full text is in the cell's tooltip and the CSV)."""
    longest = max([len(header), *(len(c) for c in cells[:2000])])
    return max(MIN_PX, min(MAX_PX, CHAR_PX * longest + PAD_PX))


def line_chars() -> int:
    """Characters of one line of a column at its widest (:data:`MAX_PX`)."""
    return (MAX_PX - PAD_PX) // CHAR_PX


def long_texts(shown: pd.DataFrame, formats: dict[str, Any]) -> dict[str, list[int]]:
    """Text columns -> positions of their cells longer than one line of the widest column."""
    out: dict[str, list[int]] = {}
    for c in shown.columns:
        if c in formats or pd.api.types.is_bool_dtype(shown[c]):
            continue
        at = [i for i, v in enumerate(shown[c]) if isinstance(v, str) and len(v) > line_chars()]
        if at:
            out[str(c)] = at
    return out


def table(
    df: pd.DataFrame,
    name: str,
    *,
    height: int | None = None,
    column_config: dict | None = None,
    columns: list[str] | None = None,
) -> None:
    """A sortable table with a CSV download button.

    Pages pass the values themselves (numbers, Statistic objects, lists): the page shows them through
    one formatter (:func:`cell_text` / :func:`number_text`: 3 significant digits, the sign kept, counts
    whole, p- and q-values with 2, missing as "—"), numeric columns stay numeric so they sort as
    numbers; the CSV download (the one CSV writer, :func:`qualitylab.escape.dataframe_csv`) keeps full
    precision, a statistic as value, ci95_low and ci95_high. Rows that need a look come first
    (:func:`flagged_first`). A table of more than :data:`MAX_COLUMNS` columns shows ``columns`` (default:
    the first ones) and a "Columns" choice. A text longer than its column (at most :data:`MAX_PX`) wraps:
    the rows are :data:`WRAP_ROW_PX` tall (:data:`WRAP_LINES` lines); one longer than that is also
    written in full, full width, under the table ("Full texts"). A changed row's direction and
    difference are coloured by direction (:func:`direction_styles`). ``column_config`` adds or
    overrides Streamlit column configs.
    """
    if df.empty:
        st.caption(f"({md(name)}: no rows)")
        return
    df = flagged_first(df.reset_index(drop=True))
    shown, formats = display_frame(df)
    config: dict[str, Any] = {}
    for c in shown.columns:
        if pd.api.types.is_bool_dtype(shown[c]):
            continue
        cells = [formats[c](v) for v in shown[c]] if c in formats else [str(v) for v in shown[c]]
        px = column_px(str(c), cells)
        kind = st.column_config.NumberColumn if c in formats else st.column_config.TextColumn
        config[c] = kind(width=px)
    config.update(column_config or {})
    order = None
    all_cols = [str(c) for c in shown.columns]
    if len(all_cols) > MAX_COLUMNS:
        default = [c for c in (columns or all_cols[:MAX_COLUMNS]) if c in all_cols]
        with st.popover(f"Columns ({len(all_cols)})", help="Choose the columns to show; the CSV holds every one."):
            order = st.multiselect(f"Columns of {md(name)}", all_cols, default=default, key=f"cols-{name}")
        order = order or default
    n = len(shown)
    visible = set(order or all_cols)
    long = {c: at for c, at in long_texts(shown, formats).items() if c in visible}
    row_px = WRAP_ROW_PX if long else None
    if height is None and n <= FULL_HEIGHT_ROWS:
        height = ROW_PX + (row_px or ROW_PX) * n + 3
    colours = direction_styles(df)
    styled: Any = shown.style.format(formats, na_rep=MISSING) if formats or colours is not None else shown
    if colours is not None:
        styled = styled.apply(lambda _: colours, axis=None)
    st.dataframe(
        styled,
        width="stretch",
        hide_index=True,
        height=height or "auto",
        column_config=config or None,
        column_order=order,
        placeholder=MISSING,
        row_height=row_px,
    )
    _full_texts(shown, long, name)
    st.download_button(
        f"Download {md(name)}.csv",
        functools.partial(dataframe_csv, csv_frame(df)),  # written when clicked, not on every rerun
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"dl-{name}",
    )


def _full_texts(shown: pd.DataFrame, long: dict[str, list[int]], name: str) -> None:
    """The cells too long for :data:`WRAP_LINES` wrapped lines, in full and full width (escaped)."""
    first = str(shown.columns[0])
    cells = [
        (i, c, shown[c].iloc[i])
        for c, at in long.items()
        for i in at
        if len(shown[c].iloc[i]) > WRAP_LINES * line_chars()
    ]
    if not cells:
        return
    with st.expander(f"Full texts of {md(name)} ({len(cells):,} cell(s) longer than {WRAP_LINES} lines)"):
        for i, c, text in sorted(cells)[:200]:
            row = shown[first].iloc[i] if c != first else f"row {i + 1}"
            st.markdown(f"**{md(str(row))}** · `{md(c)}`: {md(text)}")
        if len(cells) > 200:
            st.caption(f"The first 200 of {len(cells):,}; the CSV holds every text.")


def empty_store() -> None:
    st.info(
        "The store holds no batches yet. Ingest one with "
        "`qualitylab ingest FILE --batch NAME`, or load the sample data with `qualitylab sample`."
    )


def statistic(label: str, stat: Statistic, reading: str = "") -> None:
    """A metric with its interval and a one-line reading; 'not computable' says why."""
    if stat.value is None:
        st.metric(md(label), MISSING)
        st.caption(md(not_computable(stat.reason)))
        return
    st.metric(md(label), fmt_number(stat.value))
    ci = (
        f"95% CI [{fmt_number(stat.ci95_low)}, {fmt_number(stat.ci95_high)}], "
        if stat.ci95_low is not None and stat.ci95_high is not None
        else ""
    )
    st.caption(md(f"{ci}n = {stat.n:,}" + (f". {reading}" if reading else "")))


def not_computable(reason: str | None) -> str:
    """``not computable: reason`` said once, whatever the reason already starts with."""
    text = str(reason or "no reason given").strip()
    while text.lower().startswith("not computable"):
        text = text[len("not computable") :].lstrip(" :—-")
    return f"not computable: {text or 'no reason given'}"
