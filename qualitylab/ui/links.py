"""Links to the Items page, pre-filtered: the one place a page builds one.

A link is a relative URL of the Items page with query parameters (``items?batch=X&filter=NAME&value=V``,
``&item=ID`` for one comparison) that can be shared: opening it sets the sidebar's batch (main.py)
and the page's filter. Parameters are URL-encoded (``urllib.parse.urlencode``), link texts go
through :func:`qualitylab.escape.markdown_text`, so a delivered name can neither break the link
nor inject markup. Which filter stands behind a flag, criterion or hygiene check:
:mod:`qualitylab.items.links`.
"""

from __future__ import annotations

from urllib.parse import urlencode

from qualitylab.escape import markdown_text as md

ITEMS_PAGE = "items"  # the Items page's url_path (pages/__init__.py)


def items_url(batch_id: str, filter: str | None = None, value: str | None = None, *, item: str | None = None) -> str:
    """The shareable URL of the Items page showing ``filter`` (with ``value``) of ``batch_id``."""
    params = {"batch": batch_id}
    if filter:
        params["filter"] = filter
    if value is not None:
        params["value"] = value
    if item is not None:
        params["item"] = item
    return f"{ITEMS_PAGE}?{urlencode(params)}"


def items_link(label: str, batch_id: str, filter: str | None = None, value: str | None = None, **kw) -> str:
    """A Markdown link (``[label](items?...)``) to the Items page; ``label`` is escaped."""
    return f"[{md(label)}]({items_url(batch_id, filter, value, **kw)})"


def filter_label(filter: str, value: str | None) -> str:
    """How a link to a filter reads: ``position_flag=h04``."""
    return filter if value is None else f"{filter}={value}"


def links_line(batch_id: str, links: list[tuple[str, str | None]], prefix: str = "Items: ") -> str:
    """One Markdown line of links to the items of several (filter, value) pairs ('' when none)."""
    if not links:
        return ""
    return prefix + " · ".join(items_link(filter_label(f, v), batch_id, f, v) for f, v in links)


def criteria_lines(batch_id: str, report: dict, *, skip_passed: bool = False) -> list[str]:
    """One Markdown line per gate criterion with items behind it: its id, outcome and the links
    (``qualitylab.items.links.criterion_filters``); ``skip_passed`` leaves out criteria that passed."""
    from qualitylab.items.links import criterion_filters

    out = []
    for c in (report.get("gate") or {}).get("criteria") or []:
        if skip_passed and c.get("outcome") == "PASS":
            continue
        links = criterion_filters(c, report)
        if links:
            out.append(f"**{md(c.get('id'))}** ({md(c.get('outcome'))}): " + links_line(batch_id, links, prefix=""))
    return out


def flag_links(batch_id: str, annotator_id: str, flags: list[str]) -> str:
    """Links to the rows behind an annotator's screening flags ('' when none has items)."""
    from qualitylab.items.links import flag_filter

    links = [link for f in flags if (link := flag_filter(f, annotator_id))]
    return links_line(batch_id, list(dict.fromkeys(links)), prefix="")


def item_column(df, batch_id: str, filter: str | None = None, value: str | None = None):
    """``df`` with an ``open`` column of item links (when it has ``comparison_id``) and its column config."""
    if df.empty or "comparison_id" not in df.columns:
        return df, {}
    return _open_column(df, [items_url(batch_id, filter, value, item=str(c)) for c in df["comparison_id"]], "open item")


def annotator_column(df, batch_id: str, filter: str, column: str = "annotator_id"):
    """``df`` with an ``open`` column linking each row to ``filter=<its annotator>`` (when it has
    ``column``), and its column config: a per-annotator table's rows reach their items."""
    if df.empty or column not in df.columns:
        return df, {}
    return _open_column(df, [items_url(batch_id, filter, str(a)) for a in df[column]], "their items")


def criteria_block(batch_id: str, report: dict, title: str, *, skip_passed: bool = False) -> str:
    """A Markdown block: ``title`` and one bulleted :func:`criteria_lines` line per criterion with
    items ('' when none has any)."""
    lines = criteria_lines(batch_id, report, skip_passed=skip_passed)
    return f"{title}\n\n" + "\n".join(f"- {line}" for line in lines) if lines else ""


def _open_column(df, urls: list[str], text: str):
    import streamlit as st

    df = df.copy()
    df.insert(0, "open", urls)
    return df, {"open": st.column_config.LinkColumn("open", display_text=text, width="small")}
