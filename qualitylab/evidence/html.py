"""The self-contained HTML evidence pack: one file, plotly.js inlined once, nothing from the network.

Safety: every text that reaches the page goes through ``esc`` (:func:`qualitylab.escape.html_text`,
``html.escape`` with quotes); JSON inside ``<script>`` blocks goes through
:func:`qualitylab.escape.script_json`, which writes ``<``, ``>``, ``&``, U+2028 and U+2029 as
``\\uXXXX`` escapes, so no delivered text can close the script (``</script>``) or open a comment
(``<!--``). A Content-Security-Policy with a per-file nonce lets only the pack's own scripts run and
forbids every network load.
"""

from __future__ import annotations

import json
import math
import secrets
from collections.abc import Iterable
from importlib import resources
from string import Template
from typing import Any

from ..escape import html_text as esc
from ..escape import script_json
from ..numbers import fmt_number
from .tables import CRITERIA_SHOWN, SCREENING_SHOWN, Table

__all__ = ["esc", "script_json", "fmt", "table_html", "render_html"]

HTML_MAX_ROWS = 200  # rows per table in the page; the CSV files hold them all
OUTCOMES = {"PASS", "WARN", "REVIEW", "REJECT", "INSUFFICIENT_EVIDENCE", "SKIPPED", "ACCEPT"}
TEXT_COLUMNS = {"prompt", "response_a", "response_b", "response"}  # delivered texts, shown verbatim


def fmt(x: Any) -> str:
    """A cell as the pack shows it: whole numbers whole, other numbers by the one number formatter
    (:func:`qualitylab.numbers.fmt_number`: 3 significant digits, the sign kept: ``-0.0000293``, never
    ``-0.0000``); the CSV files keep full precision."""
    if x is None:
        return "—"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float):
        if math.isnan(x) or math.isinf(x):
            return "—"
        if x.is_integer():
            return f"{int(x):,}" if abs(x) >= 10_000 else str(int(x))
        return fmt_number(x)
    if isinstance(x, int):
        return f"{x:,}" if abs(x) >= 10_000 else str(x)
    return str(x)


def outcome_span(o: Any) -> str:
    cls = f"o-{o}" if o in OUTCOMES else ""
    return f'<span class="{cls}">{esc(o)}</span>'


def table_html(t: Table, *, columns: Iterable[str] | None = None, max_rows: int = HTML_MAX_ROWS) -> str:
    cols = list(columns or t.columns)
    total = t.n_total if t.n_total is not None else len(t.rows)
    parts = [
        f'<h3 id="t-{esc(t.name)}">{esc(t.title)}</h3>',
        f'<p class="note">{esc(t.description)}. {total:,} row(s)'
        + (f"; the first {min(max_rows, len(t.rows)):,} shown" if total > min(max_rows, len(t.rows)) else "")
        + f"; CSV: <code>{esc(t.name)}.csv</code>.</p>",
    ]
    if not t.rows:
        parts.append('<p class="note">(no rows)</p>')
        return "\n".join(parts)
    parts.append(
        '<div class="scroll"><table><thead><tr>' + "".join(f"<th>{esc(c)}</th>" for c in cols) + "</tr></thead><tbody>"
    )
    for r in t.rows[:max_rows]:
        cells = []
        for c in cols:
            v = r.get(c)
            if c in ("outcome", "verdict"):
                cells.append(f"<td>{outcome_span(v)}</td>")
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                cells.append(f'<td class="num">{esc(fmt(v))}</td>')
            elif c in TEXT_COLUMNS:
                cells.append(f'<td class="text">{esc(fmt(v))}</td>')
            else:
                cells.append(f"<td>{esc(fmt(v))}</td>")
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</tbody></table></div>")
    return "\n".join(parts)


def compact_table_html(t: Table, shown: Iterable[str]) -> str:
    """``t`` with the columns ``shown`` (those it has), then every column in a closed ``<details>`` block:
    a wide table fits the page and nothing is lost (the CSV holds every column too)."""
    cols = [c for c in shown if c in t.columns]
    rest = [c for c in t.columns if c not in cols]
    if not rest or not cols:
        return table_html(t)
    full = table_html(t).split("\n", 2)[-1]  # the table without its heading and note, said once above
    return (
        table_html(t, columns=cols)
        + f'\n<details class="wide"><summary>Every column ({len(t.columns)}: also {esc(", ".join(rest))})'
        + f"</summary>\n{full}\n</details>"
    )


def _findings(doc: dict[str, Any], tables: dict[str, Table]) -> str:
    """A plain-language list of what the checks found, each linking to its rows."""
    items = []
    gate = doc.get("gate") or {}
    for c in gate.get("criteria", []):
        if c.get("outcome") not in ("PASS", "SKIPPED"):
            items.append(
                f"Criterion <b>{esc(c['id'])}</b> ({esc(c.get('title'))}): {outcome_span(c['outcome'])} "
                f"— {esc(c.get('reason'))}"
            )
    by_ann: dict[str, list[str]] = {}
    for r in tables["flagged_annotators"].rows:
        by_ann.setdefault(r["annotator_id"], []).append(f"{r['flag']}: {r['reason']}")
    for a, reasons in by_ann.items():
        items.append(
            f"Annotator <b>{esc(a)}</b> flagged — {esc('; '.join(reasons))} "
            f'(<a href="#t-annotator_examples">example rows</a>)'
        )
    for name, t in tables.items():
        if name.startswith("hygiene_") and name != "hygiene_examples":
            items.append(
                f"{esc(t.title)}: {t.n_total if t.n_total is not None else len(t.rows):,} offending row(s) "
                f'(<a href="#t-{esc(name)}">rows</a>)'
            )
    if not items:
        return "<p>Nothing was flagged: every criterion passed and every hygiene check found no rows.</p>"
    return "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


def _decision(tables: dict[str, Table]) -> str:
    """The decision of record under the verdict: the current decision in words, its history, and
    the annotators it excludes with their reasons."""
    t = tables.get("decision")
    if t is None or not t.rows:
        return (
            '<h2 id="decision">Decision of record</h2><p class="note">No decision recorded yet '
            "(<code>qualitylab decide</code>).</p>"
        )
    cur = t.rows[-1]
    words = (
        f"<b>{esc(cur['decision'])}</b> by {esc(cur['decided_by'])} on {esc(str(cur['decided_at'])[:10])} "
        f"(decision #{esc(cur['decision_id'])}; the gates said {esc(cur['gate_verdict'])})"
    )
    out = [
        '<h2 id="decision">Decision of record</h2>',
        f"<p>{words}: {esc(cur['note'])}</p>",
    ]
    if cur.get("override_reason"):
        out.append(f"<p>Override reason: {esc(cur['override_reason'])}</p>")
    out.append(table_html(t))
    ex = tables.get("decision_exclusions")
    if ex is not None and ex.rows:
        out.append(table_html(ex))
    units = tables.get("decision_units")
    if units is not None and units.rows:
        out.append(table_html(units))
    return "\n".join(out)


def _methods(doc: dict[str, Any]) -> str:
    m = doc.get("methods") or {}
    gate = doc.get("gate") or {}
    rows = [
        ("qualitylab version", m.get("qualitylab_version")),
        ("DuckDB version", m.get("duckdb_version")),
        ("store schema version", m.get("store_schema_version")),
        ("generated at", m.get("generated_at")),
        ("seed of every random draw", m.get("seed")),
        ("bootstrap resamples", m.get("bootstrap_resamples")),
        ("intervals", m.get("interval")),
        ("gate file", f"{gate.get('name')} — {gate.get('source')}"),
        ("gate file format", f"gates_version {gate.get('gates_version')}"),
        ("gate file SHA-256", gate.get("sha256")),
    ]
    hyg = (doc.get("hygiene") or {}).get("thresholds") or {}
    rows += [(f"hygiene threshold {k}", v) for k, v in hyg.items()]
    for key in ("position_bias", "length_bias"):
        d = (doc.get(key) or {}).get("definition")
        if d:
            rows.append((f"{key} definition", d))
    out = ["<table><tbody>"]
    out += [f"<tr><th>{esc(k)}</th><td>{esc(fmt(v))}</td></tr>" for k, v in rows]
    out.append("</tbody></table>")
    out.append(
        '<h3>Criteria: definitions and thresholds</h3><div class="scroll"><table><thead><tr><th>criterion</th>'
        "<th>metric</th>"
        "<th>rule</th><th>min n</th><th>severity</th><th>why</th></tr></thead><tbody>"
    )
    for c in gate.get("criteria", []):
        rule = f"{c['comparison']} {fmt(c['threshold'])}; {c['decide']} decides"
        if c.get("aggregate"):
            rule = f"{c['aggregate']}({c['where']}) " + rule
        out.append(
            f"<tr><td>{esc(c['id'])}</td><td><code>{esc(c['metric'])}</code></td><td>{esc(rule)}</td>"
            f'<td class="num">{esc(c["min_n"])}</td><td>{esc(c["severity"])}</td>'
            f'<td class="text">{esc(c.get("why"))}</td></tr>'
        )
    out.append("</tbody></table></div>")
    out.append(
        '<p class="note">Outcome rules: with <code>decide = interval</code> a criterion passes only when its '
        "whole 95% interval is on the right side of the threshold, fails (its severity: REJECT, REVIEW or "
        "WARN) when the whole interval is on the wrong side, and goes to REVIEW when the interval "
        "straddles the threshold; n below min n gives INSUFFICIENT_EVIDENCE. The verdict is the worst "
        "outcome over the criteria of severity reject or review, in the order ACCEPT &lt; REVIEW &lt; "
        "INSUFFICIENT_EVIDENCE &lt; REJECT.</p>"
    )
    return "\n".join(out)


def _first_screen(doc: dict[str, Any], found: list[Any]) -> str:
    """What a vendor sees first: the verdict, the two or three strongest reasons in words, and a
    link to the items of each (``#items-<i>``, the section below)."""
    verdict = doc.get("verdict") or "INSUFFICIENT_EVIDENCE"
    v_cls = f"v-{verdict}" if verdict in OUTCOMES else ""
    reasons = [(i, f) for i, f in enumerate(found) if f.outcome is not None][:3] or list(enumerate(found))[:3]
    out = [f'<div class="first"><p><span class="verdict {v_cls}">{esc(verdict)}</span></p>']
    if reasons:
        out.append("<p><b>Why</b> (the strongest reasons):</p><ol>")
        for i, f in reasons:
            link = f' — <a href="#items-{i}">the items</a>' if f.links else ""
            tag = f"{outcome_span(f.outcome)}: " if f.outcome else ""
            out.append(f"<li>{tag}{esc(f.words)}{link}</li>")
        out.append("</ol>")
    else:
        out.append("<p>Every criterion passed and nothing was flagged.</p>")
    out.append("</div>")
    return "".join(out)


def _text_block(label: str, text: Any) -> str:
    body = '<span class="note">(no text delivered)</span>' if text is None else esc(text)
    return f'<div class="tb-label">{esc(label)}</div><div class="textblock">{body}</div>'


def _finding_items(found: list[Any], tables: dict[str, Table]) -> str:
    """Each finding with the rows of its items (given vs expected label, file and line) and the full
    texts of its first comparisons in full-width blocks."""
    if not found:
        return '<p class="note">No finding: nothing to list.</p>'
    items_t, texts_t = tables.get("finding_items"), tables.get("finding_texts")
    rows = items_t.rows if items_t is not None else []
    texts = texts_t.rows if texts_t is not None else []
    cols = ["filter", "value", "comparison_id", "annotator_id", "given", "expected", "expected_is", "file_name",
            "source_line"]  # fmt: skip
    out = []
    for i, f in enumerate(found):
        out.append(f'<h3 id="items-{i}">{outcome_span(f.outcome) + ": " if f.outcome else ""}{esc(f.words)}</h3>')
        mine = [r for r in rows if r["finding"] == f.key]
        if not f.links:
            out.append('<p class="note">No item-level rows behind this finding (it is a batch-level number).</p>')
            continue
        totals = {(r["filter"], r["value"]): r["n_filter_rows"] for r in mine}
        filters = "; ".join(
            f"<code>{esc(name)}{'=' + esc(v) if v is not None else ''}</code>: {fmt(totals.get((name, v), 0))} row(s)"
            for name, v in f.links
        )
        out.append(
            '<p class="note">Items filters (<code>qualitylab items --filter NAME=VALUE</code>, '
            f"the app's Items page): {filters}; the first {len(mine):,} below, all of them in "
            "<code>finding_items.csv</code>.</p>"
        )
        if mine:
            out.append(table_html(Table(f"items-{i}", "Items", "one row per item", mine), columns=cols))
        for t in (t for t in texts if t["finding"] == f.key):
            out.append(
                f'<div class="item"><p><b>Comparison {esc(t["comparison_id"])}</b> · prompt_id {esc(t["prompt_id"])}'
                f" · A = {esc(t['model_a'])} · B = {esc(t['model_b'])}</p>"
                + _text_block("Prompt", t["prompt"])
                + _text_block("Response A", t["response_a"])
                + _text_block("Response B", t["response_b"])
                + "</div>"
            )
    return "\n".join(out)


def render_html(doc: dict[str, Any], tables: list[Table], figures: list[tuple[str, str, Any]]) -> str:
    """The whole page. ``figures`` are (div id, heading, plotly figure); plotly.js is inlined once."""
    import plotly.io as pio
    from plotly.offline import get_plotlyjs

    from .items import findings

    by_name = {t.name: t for t in tables}
    found = findings(doc)
    batch = doc.get("batch") or {}
    verdict = doc.get("verdict") or "INSUFFICIENT_EVIDENCE"
    gate = doc.get("gate") or {}
    v_cls = f"v-{verdict}" if verdict in OUTCOMES else ""
    title = f"Evidence pack: batch {batch.get('batch_id')}"
    body = [
        f"<h1>{esc(title)}</h1>",
        f'<p class="meta">vendor <b>{esc(batch.get("vendor") or "—")}</b> · delivered '
        f"{esc(batch.get('delivered') or '—')} · generated {esc((doc.get('methods') or {}).get('generated_at'))} "
        f"by qualitylab {esc((doc.get('methods') or {}).get('qualitylab_version'))}</p>",
        _first_screen(doc, found),
        '<nav><a href="#verdict">Verdict</a><a href="#decision">Decision</a><a href="#findings">Findings</a>'
        '<a href="#items">Items</a>'
        '<a href="#charts">Charts</a>'
        '<a href="#tables">Evidence tables</a><a href="#methods">Methods</a>'
        '<a href="#provenance">Provenance</a></nav>',
        f'<h2 id="verdict">Verdict</h2><p><span class="verdict {v_cls}">{esc(verdict)}</span> '
        f"&nbsp;exit code {esc(gate.get('exit_code'))}"
        + (f" — decided by {esc(', '.join(gate.get('deciding') or []))}" if gate.get("deciding") else "")
        + "</p>",
        table_html(by_name["criteria"], columns=CRITERIA_SHOWN),
        _decision(by_name),
        '<h2 id="findings">Findings</h2>',
        _findings(doc, by_name),
        '<h2 id="items">Items behind each finding</h2>',
        _finding_items(found, by_name),
        '<h2 id="charts">Charts</h2>',
    ]
    fig_specs = []
    for div, heading, fig in figures:
        body.append(f'<h3>{esc(heading)}</h3><div id="{esc(div)}" class="chart"></div>')
        fig_specs.append({"div": div, "figure": json.loads(pio.to_json(fig, validate=False))})
    if not figures:
        body.append('<p class="note">(no chart: the report holds no statistic to draw)</p>')
    body.append('<h2 id="tables">Evidence tables</h2>')
    skip = {
        "criteria",
        "provenance",
        "quarantine",
        "decision",
        "decision_exclusions",
        "decision_units",
        "finding_items",
        "finding_texts",
    }
    body += [
        table_html(t, columns=[c for c in t.columns if c not in TEXT_COLUMNS])
        if t.name in ("annotator_examples", "hygiene_examples")  # texts: full-width blocks under "Items"
        else compact_table_html(t, SCREENING_SHOWN)
        if t.name == "annotators"  # 40-odd columns, ~5,000 px wide in full
        else table_html(t)
        for t in tables
        if t.name not in skip
    ]
    body += [
        '<h2 id="methods">Methods</h2>',
        _methods(doc),
        '<h2 id="provenance">Provenance</h2>',
        table_html(by_name["provenance"]),
        table_html(by_name["quarantine"]),
        '<p class="note">The full JSON report is embedded in this file '
        '(<code>&lt;script id="ql-report" type="application/json"&gt;</code>).</p>',
    ]
    template = Template(resources.files("qualitylab").joinpath("templates/evidence.html").read_text(encoding="utf-8"))
    return template.substitute(
        nonce=secrets.token_hex(16),
        version=esc((doc.get("methods") or {}).get("qualitylab_version")),
        title=esc(title),
        plotlyjs=get_plotlyjs(),
        body="\n".join(body),
        figures_json=script_json(fig_specs),
        report_json=script_json(doc),
    )
