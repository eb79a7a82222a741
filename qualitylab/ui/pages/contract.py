"""Contract: the week-by-week plan against deliveries and decisions, the payable, the accepted data.

Decisions are recorded from the CLI only (``qualitylab decide`` needs ``--by`` and a report hash);
this page shows them, with the command that records one.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from qualitylab.errors import QualitylabError
from qualitylab.ui import data, widgets
from qualitylab.ui.links import criteria_block

KIND_LABELS = {"pairwise": "comparisons", "rating": "rated items", "ranking": "ranked prompts"}


def md(text: object) -> str:
    """Delivered text, Markdown-inert (ids and names come from delivered files): escape.markdown_text."""
    from qualitylab.escape import markdown_text

    return markdown_text(text)


def _contract_names() -> list[str]:
    return [r["name"] for r in data.query("contract/list")]


def _default_contract(names: list[str]) -> str:
    """The contract of the sidebar's batch when it is linked, else the first one."""
    batch_id = data.current_filters().batch_id
    if batch_id:
        link = data.query("contract/batch_link", batch_id=batch_id)
        if link and link[0]["contract_name"] in names:
            return link[0]["contract_name"]
    return names[0]


def render() -> None:
    st.title("Contract")
    batches = data.query("overview/batches")
    if not batches:
        widgets.empty_store()
        return
    names = _contract_names()
    if not names:
        st.info(
            "The store holds no contract. Add a plan of weekly deliveries with "
            "`qualitylab contract add FILE` (docs/contract.md), or load the sample with `qualitylab sample`."
        )
        _decisions_table(batches)
        return
    default = _default_contract(names)
    name = st.selectbox("Contract", names, index=names.index(default), key="contract_name")
    s = data.contract_status(name)
    c = s.contract
    st.caption(
        md(
            f"{c.name} version {c.version} · vendor {c.vendor or '(any)'} · {len(c.weeks)} weeks from {c.start} · "
            f"overlap {c.overlap} human annotators per unit"
            + (f" · gold share {c.gold_share:g}" if c.gold_share is not None else "")
            + f" · amounts in {c.currency} · as of {s.as_of} · contract sha256 {c.sha256[:12]}…"
        )
    )
    t = s.totals()
    cols = st.columns(6)
    cols[0].metric("Payable", f"{s.total('payable'):,}")
    cols[1].metric("Withheld", f"{s.total('withheld'):,}")
    cols[2].metric("Pending decision", f"{s.total('pending'):,}")
    cols[3].metric("Still due", f"{s.total('still_due'):,}")
    cols[4].metric("Weeks late", t["n_weeks_late"])
    cols[5].metric("Weeks short", t["n_weeks_short"])
    st.caption(
        "A unit is a delivered item (a new comparison, a rated item, a ranked prompt) with at least the promised "
        "overlap of retained human annotators and no defect; payable = min(accepted units, promised) x price; "
        "withheld = delivered units (up to the promise) that are not paid; still due = promised - paid - pending. "
        "Definitions and a worked example: docs/contract.md."
    )

    weeks = s.weeks
    verdicts = {}
    for w in weeks:
        for b in w.batches:
            verdicts[b.batch_id] = b.verdict or _verdict(b.batch_id)

    st.subheader("Promised vs delivered")
    kinds = [k for k in KIND_LABELS if any(k in w.kinds for w in weeks)]
    kind = st.radio("Kind", kinds, horizontal=True, key="contract_kind", format_func=lambda k: KIND_LABELS[k])
    st.plotly_chart(_volume_figure(weeks, kind), width="stretch")

    st.subheader("Week by week")
    widgets.table(pd.DataFrame(_week_rows(weeks, verdicts)), f"contract_{name}_weeks")
    short_cats = [{"week": w.plan.week, **cat} for w in weeks for cat in w.categories if cat["n_promised"] is not None]
    if short_cats:
        st.caption("Comparisons promised per category:")
        widgets.table(pd.DataFrame(short_cats), f"contract_{name}_categories")

    st.subheader("Gate metrics per week")
    _gate_metrics(weeks)

    st.subheader("Decisions of record")
    _decisions(weeks, verdicts)

    st.subheader("The accepted data")
    _export(name, weeks)


def _decisions_table(batches: list[dict]) -> None:
    """Every batch with its current decision of record (decisions need no contract)."""
    st.subheader("Decisions of record")
    current = {r["batch_id"]: r for r in data.query("decisions/current_all")}
    rows = []
    for b in batches:
        d = current.get(b["batch_id"])
        rows.append(
            {
                "batch_id": b["batch_id"],
                "vendor": b["vendor"],
                "delivered": b["delivered"],
                "decision": d["decision"] if d else None,
                "gate_verdict": d["gate_verdict"] if d else None,
                "decided_by": d["decided_by"] if d else None,
                "decided_at": d["decided_at"] if d else None,
                "excluded": ", ".join(d["excluded"] or []) if d else None,
                "note": d["note"] if d else None,
            }
        )
    widgets.table(pd.DataFrame(rows), "decisions")
    st.caption("Record a decision from the command line: `qualitylab decide --batch X --accept|--reject|"
               "--accept-partial --by NAME --note TEXT` (docs/contract.md).")  # fmt: skip


def _verdict(batch_id: str) -> str | None:
    try:
        gate = data.gate_json(batch_id)
    except QualitylabError:
        return None
    return str(gate["verdict"])


def _volume_figure(weeks, kind: str) -> go.Figure:
    xs = [f"week {w.plan.week}" + (" (cal.)" if w.plan.calibration else "") for w in weeks]
    got = [w.kinds.get(kind) for w in weeks]
    fig = go.Figure()
    fig.add_bar(name="promised", x=xs, y=[k.n_promised if k else 0 for k in got], marker_color="#9aa5b1")
    fig.add_bar(name="delivered (new)", x=xs, y=[k.n_delivered if k else 0 for k in got], marker_color="#4c78a8")
    fig.add_bar(name="units", x=xs, y=[k.n_units if k else 0 for k in got], marker_color="#72b7b2")
    fig.add_bar(name="paid (accepted, up to the promise)", x=xs, y=[k.n_payable if k else 0 for k in got],
                marker_color="#54a24b")  # fmt: skip
    for i, w in enumerate(weeks):
        if w.delivery in ("late", "overdue"):
            fig.add_annotation(
                x=xs[i], y=max((k.n_promised if k else 0) for k in got) * 1.05, text=f"{w.days_late} d late",
                showarrow=False, font=dict(color="#c0392b"),
            )  # fmt: skip
    fig.update_layout(barmode="group", height=380, yaxis_title=KIND_LABELS[kind], legend_orientation="h")
    return fig


def _week_rows(weeks, verdicts) -> list[dict]:
    rows = []
    for w in weeks:
        d = [b.decision for b in w.batches if b.decision is not None]
        rows.append(
            {
                "week": w.plan.week,
                "calibration": w.plan.calibration,
                "due": w.plan.due.isoformat(),
                "batches": ", ".join(b.batch_id for b in w.batches) or "—",
                "delivered": w.delivered.isoformat() if w.delivered else "—",
                "delivery": w.delivery,
                "days_late": w.days_late,
                "short": w.short,
                "verdict": ", ".join(str(verdicts.get(b.batch_id) or "—") for b in w.batches) or "—",
                "decision": "; ".join(x.describe() for x in d) or "—",
                **{
                    f"{k}_{f}": getattr(ks, f)
                    for k, ks in w.kinds.items()
                    for f in ("n_promised", "n_delivered", "n_units", "n_accepted", "n_still_due")
                },
                "gold_share": w.gold_share_delivered,
                "payable": float(w.total("payable")),
                "withheld": float(w.total("withheld")),
                "pending": float(w.total("pending")),
                "still_due": float(w.total("still_due")),
            }
        )
    return rows


def _gate_metrics(weeks) -> None:
    """Each week's gate criteria (under the week's own gate file): value, interval, outcome."""
    pts: dict[str, list[dict]] = {}
    rows = []
    for w in weeks:
        for b in w.batches:
            try:
                gate = data.gate_json(b.batch_id)
            except QualitylabError as e:
                st.caption(md(f"{b.batch_id}: {e.title}: {e.message}"))
                continue
            for cr in gate["criteria"]:
                rows.append(
                    {
                        "week": w.plan.week,
                        "batch_id": b.batch_id,
                        "criterion": cr["id"],
                        "outcome": cr["outcome"],
                        "value": cr["value"],
                        "ci95_low": cr["ci95_low"],
                        "ci95_high": cr["ci95_high"],
                        "threshold": cr["threshold"],
                        "gates": gate["name"],
                    }
                )
                if cr["value"] is not None:
                    pts.setdefault(cr["id"], []).append({"x": f"week {w.plan.week}", **cr})
    if not rows:
        st.caption("No linked batch yet.")
        return
    choices = sorted(pts)
    default = "human_agreement" if "human_agreement" in choices else (choices[0] if choices else None)
    if default is not None:
        crit = st.selectbox("Criterion", choices, index=choices.index(default), key="contract_criterion")
        fig = go.Figure()
        p = pts[crit]
        err = dict(
            type="data",
            array=[(x["ci95_high"] - x["value"]) if x["ci95_high"] is not None else 0 for x in p],
            arrayminus=[(x["value"] - x["ci95_low"]) if x["ci95_low"] is not None else 0 for x in p],
        )
        colors = {"PASS": "#54a24b", "WARN": "#e0a800", "REVIEW": "#f58518", "REJECT": "#c0392b"}
        fig.add_scatter(
            x=[x["x"] for x in p],
            y=[x["value"] for x in p],
            error_y=err,
            mode="markers+lines",
            marker=dict(size=11, color=[colors.get(x["outcome"], "#888") for x in p]),
            text=[x["outcome"] for x in p],
            name=crit,
        )
        for x in p:
            fig.add_shape(
                type="line", x0=x["x"], x1=x["x"], y0=x["threshold"], y1=x["threshold"], line=dict(color="#999")
            )
        fig.add_scatter(
            x=[x["x"] for x in p],
            y=[x["threshold"] for x in p],
            mode="markers",
            marker=dict(symbol="line-ew-open", size=22, color="#555"),
            name="threshold (the week's gate file)",
        )
        fig.update_layout(height=340, yaxis_title=crit, legend_orientation="h")
        st.plotly_chart(fig, width="stretch")
    widgets.table(pd.DataFrame(rows), "contract_gate_metrics")
    for week, batch_id in dict.fromkeys((r["week"], r["batch_id"]) for r in rows):
        title = f"Items behind the criteria of week {week} ({md(batch_id)}) that did not pass:"
        block = criteria_block(batch_id, data.report_json(batch_id), title, skip_passed=True)
        if block:
            st.markdown(block)


def _decisions(weeks, verdicts) -> None:
    any_batch = False
    for w in weeks:
        for b in w.batches:
            any_batch = True
            hist = data.decision_history(b.batch_id)
            cur = hist[-1] if hist else None
            head = f"week {w.plan.week} · {b.batch_id} · verdict {verdicts.get(b.batch_id) or '—'} · "
            head += cur.describe() if cur is not None else "no decision"
            with st.expander(md(head), expanded=False):
                if cur is not None:
                    st.markdown(md(f"Note: {cur.note}"))
                    if cur.override_reason:
                        st.markdown(md(f"Override reason: {cur.override_reason}"))
                    for r in cur.exclusion_reasons:
                        st.markdown(md(f"Excluded {r['annotator_id']}: {r['reason']}"))
                    widgets.table(
                        pd.DataFrame(
                            [
                                {
                                    "decision_id": d.decision_id,
                                    "decision": d.decision,
                                    "gate_verdict": d.gate_verdict,
                                    "decided_by": d.decided_by,
                                    "decided_at": d.decided_at,
                                    "excluded": ", ".join(d.excluded),
                                    "note": d.note,
                                    "override_reason": d.override_reason,
                                    "report_sha256": d.report_sha256,
                                    "supersedes": d.supersedes,
                                }
                                for d in hist
                            ]
                        ),
                        f"decisions_{b.batch_id}",
                    )
                st.caption("Decisions are recorded from the command line (they need a reviewer's name and the report):")
                st.code(
                    f"qualitylab decide --batch {b.batch_id} --accept|--reject|--accept-partial "
                    "[--exclude-annotator ID | --exclude-flagged] --by NAME --note TEXT [--override-reason TEXT]",
                    language="bash",
                )
    if not any_batch:
        st.caption("No batch is linked to this contract yet: `qualitylab contract link --batch X --contract NAME "
                   "--week N`, or `ingest --contract NAME --week N`.")  # fmt: skip


def _export(name: str, weeks) -> None:
    accepted = [b.batch_id for w in weeks for b in w.batches if b.decision is not None and b.decision.accepts]
    if not accepted:
        st.caption("No batch of this contract is accepted yet: there is nothing to export.")
        return
    c1, c2, c3 = st.columns(3)
    fmt = c1.selectbox("Format", ["dpo", "pairwise", "ratings"], key="export_format")
    suffix = c2.selectbox("File type", [".parquet", ".jsonl"], key="export_suffix")
    scope = c3.selectbox("Batches", ["every accepted batch of the contract", *accepted], key="export_scope")
    keep_ties = st.checkbox("dpo: keep ties (with is_tie)", key="export_keep_ties") if fmt == "dpo" else False
    batch = None if scope.startswith("every") else scope
    file_name = data.export_file_name(f"{batch or name}-{fmt}", suffix)
    try:
        body, manifest_bytes, manifest = data.export_files(
            batch=batch, contract=None if batch else name, fmt=fmt, name=file_name, keep_ties=keep_ties
        )
    except QualitylabError as e:
        st.warning(md(f"{e.title}: {e.message}"))
        return
    st.download_button(
        md(f"Download {file_name} ({manifest['n_rows']:,} rows)"),
        body,
        file_name=file_name,
        mime="application/octet-stream",
        key="dl-export",
    )
    st.download_button(
        md(f"Download {file_name}.manifest.json"),
        manifest_bytes,
        file_name=f"{file_name}.manifest.json",
        mime="application/json",
        key="dl-export-manifest",
    )
    import shlex

    scope_arg = f"--batch {shlex.quote(batch)}" if batch else f"--contract {shlex.quote(name)}"
    st.caption("The same files (byte for byte) as:")
    st.code(
        f"qualitylab export {scope_arg} --format {fmt}{' --keep-ties' if keep_ties else ''} --out {file_name}",
        language="bash",
    )
    counts = manifest["counts"]
    unit = "ratings" if fmt == "ratings" else "verdicts"
    out = counts[unit]["out"]
    st.caption(
        md(
            f"{counts[unit]['in']:,} stored {unit} in, {counts[unit]['retained']:,} retained; left out: "
            + ", ".join(f"{k} {v:,}" for k, v in out.items() if v)
            + (
                f". Comparisons: {counts['comparisons']['written']:,} written; "
                + ", ".join(f"{k} {v:,}" for k, v in counts["comparisons"]["out"].items() if v)
                if "comparisons" in counts
                else ""
            )
            + ". The same as `qualitylab export`; the manifest lists the decisions and hashes it came from."
        )
    )
