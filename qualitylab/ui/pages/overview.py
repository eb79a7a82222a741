"""Overview: choose a batch, see its provenance, counts and label distribution."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from qualitylab.escape import html_text
from qualitylab.escape import markdown_text as md
from qualitylab.numbers import fmt_interval
from qualitylab.schema import PREFERENCES
from qualitylab.ui import data, widgets
from qualitylab.ui.links import criteria_block, items_link


def render() -> None:
    st.title("Overview")
    batches = data.query("overview/batches")
    if not batches:
        widgets.empty_store()
        return
    st.subheader("Batches")
    verdicts = data.batch_verdicts()  # from the stored snapshots, as `qualitylab batches` prints them
    widgets.table(
        pd.DataFrame(
            [
                {
                    "batch_id": b["batch_id"],
                    "verdict": verdicts.get(b["batch_id"], (None, None))[0],
                    **{k: v for k, v in b.items() if k != "batch_id"},
                    "verdict_reason": verdicts.get(b["batch_id"], (None, None))[1],
                }
                for b in batches
            ]
        ),
        "batches",
    )
    batch_id = st.session_state.get("batch_id")
    if not batch_id:
        st.info("Choose a batch in the sidebar.")
        return
    ov = data.sections(batch_id, "overview")
    st.header(f"Batch {md(batch_id)}")
    _verdict_line(batch_id)
    c = ov["counts"]
    cols = st.columns(5)
    cols[0].metric("Judgments", f"{c['n_judgments']:,}")
    cols[1].metric("Comparisons", f"{c['n_comparisons']:,}")
    cols[2].metric("Annotators", f"{c['n_annotators']:,}")
    cols[3].metric("Ratings", f"{c['n_ratings']:,}")
    cols[4].metric("Quarantined rows", f"{c['n_quarantined']:,}")
    if not any(c[k] for k in ("n_judgments", "n_ratings", "n_ranking_rows")):
        st.warning("This batch holds no stored rows (everything may be in quarantine).")
    _against_last_week(batch_id, batches)

    dist = ov["label_distribution"]
    if c["n_judgments"]:
        st.subheader("Label distribution")
        st.caption("Share of verdicts with each label, with Wilson 95% intervals.")
        fig = go.Figure()
        for group, stats in dist.items():
            if group == "all" or not any(s.n for s in stats.values()):
                continue
            xs = list(PREFERENCES)
            ys = [stats[p].value or 0 for p in xs]
            err_hi = [(stats[p].ci95_high or 0) - (stats[p].value or 0) for p in xs]
            err_lo = [(stats[p].value or 0) - (stats[p].ci95_low or 0) for p in xs]
            fig.add_bar(name=html_text(group), x=xs, y=ys, error_y=dict(type="data", array=err_hi, arrayminus=err_lo))
        fig.update_layout(barmode="group", yaxis_title="share of verdicts", yaxis_range=[0, 1], height=360)
        st.plotly_chart(fig, width="stretch")
        rows = [
            {"annotator_kind": g, "preference": p, "n": s.n and round((s.value or 0) * s.n), "share": s}
            for g, stats in dist.items()
            for p, s in stats.items()
        ]
        widgets.table(pd.DataFrame(rows), "label_distribution")

    st.subheader("Provenance")
    widgets.table(pd.DataFrame(ov["provenance"]), "provenance")
    if ov["quarantine"]["n_rows"]:
        st.subheader("Quarantine")
        st.caption("Rows refused at ingest, kept with their reasons.")
        widgets.table(pd.DataFrame(ov["quarantine"]["by_reason"]), "quarantine")
        st.markdown("Items: " + items_link("quarantined rows", batch_id, "quarantined"))


def _verdict_line(batch_id: str) -> None:
    """The acceptance verdict under the batch's gate file (its contract week's, else the built-in gates),
    with what decided it (Evidence page: details), and the decision of record."""
    from qualitylab.escape import markdown_text

    gate = data.gate_json(batch_id)  # the stored report snapshot, else computed in memory
    alert = {"ACCEPT": st.success, "REVIEW": st.warning, "REJECT": st.error}.get(gate["verdict"], st.info)
    alert(verdict_banner(gate))
    block = criteria_block(batch_id, data.report_json(batch_id), "Items behind the criteria that did not pass:",
                           skip_passed=True)  # fmt: skip
    if block:
        st.markdown(block)
    st.caption(
        f"Gate file: {markdown_text(str(gate['source']))} (docs/gates.md); every criterion and the evidence pack "
        "are on the Evidence page, the week-by-week picture on Trends."
    )
    data.snapshot_notice(batch_id)
    _decision_line(batch_id, gate["verdict"])


VERDICT_COLOURS = {"ACCEPT": "green", "REVIEW": "orange", "REJECT": "red", "INSUFFICIENT_EVIDENCE": "gray"}


def verdict_banner(gate: dict) -> str:
    """The verdict, then every criterion that did not pass in words, worst first, each with its numbers
    (``qualitylab.gates.words``: the evidence pack's sentences); the deciding ones marked."""
    from qualitylab.gates.words import criterion_sentence, failing

    verdict = gate["verdict"]
    lines = [f"**Verdict: {md(verdict)}** (`qualitylab check` exits {int(gate['exit_code'])})."]
    bad = failing(gate)
    if bad:
        lines[-1] += " What did not pass, worst first:"
        lines.append("")
        deciding = set(gate.get("deciding") or ())
        for c in bad:
            tag = " (decides the verdict)" if c["id"] in deciding else ""
            lines.append(
                f"- :{VERDICT_COLOURS.get(c['outcome'], 'orange')}[**{md(c['outcome'])}**]{tag}: "
                + md(criterion_sentence(c))
            )
    else:
        lines[-1] += " Every criterion passed."
    return "\n".join(lines)


def _decision_line(batch_id: str, verdict: str) -> None:
    """The decision of record beside the verdict, and the contract week the batch delivers."""
    from qualitylab.escape import markdown_text

    d = data.decision(batch_id)
    if d is None:
        st.info(
            "No decision of record yet. Record one from the command line: `qualitylab decide --batch BATCH "
            "--accept|--reject|--accept-partial --by NAME --note TEXT` (it needs a reviewer's name and is taken "
            "on this report)."
        )
    else:
        text = f"Decision of record: **{markdown_text(d.describe())}**"
        if d.gate_verdict and d.gate_verdict != verdict:
            text += f" — taken on a report whose verdict was {markdown_text(d.gate_verdict)}"
        text += f". {markdown_text(d.note)}"
        if d.override_reason:
            text += f" Override reason: {markdown_text(d.override_reason)}"
        (st.success if d.accepts else st.error if d.decision == "reject" else st.info)(text)
    link = data.query("contract/batch_link", batch_id=batch_id)
    if link:
        name = link[0]["contract_name"]
        s = data.contract_status(name)
        w = next((x for x in s.weeks if x.plan.week == int(link[0]["week"])), None)
        if w is not None:
            late = f", {w.days_late} days late" if w.days_late else ""
            st.markdown(
                f"Contract **{markdown_text(name)}** week {w.plan.week}"
                + (" (calibration)" if w.plan.calibration else "")
                + f": delivered {markdown_text(w.delivery)}{markdown_text(late)}"
                + (", short" if w.short else "")
                + f"; payable {w.total('payable')}, withheld {w.total('withheld')}, still due "
                f"{w.total('still_due')} {markdown_text(s.contract.currency)}. Contract to date: payable "
                f"{s.total('payable')}, still due {s.total('still_due')} — see the Contract page."
            )


def _against_last_week(batch_id: str, batches: list[dict]) -> None:
    """This batch's gate metrics against the vendor's previous batch (the Trends page's test, one step)."""
    from qualitylab.gates.trends import metric_rows, week_over_week

    me = next((b for b in batches if b["batch_id"] == batch_id), None)
    if me is None or not me.get("vendor"):
        return
    mine = sorted(
        (b for b in batches if b.get("vendor") == me["vendor"]), key=lambda b: (str(b.get("delivered")), b["batch_id"])
    )
    i = [b["batch_id"] for b in mine].index(batch_id)
    st.subheader("Against last week")
    if i == 0:
        st.caption(f"{md(batch_id)} is the first batch of {md(me['vendor'])}: no previous week to compare with.")
        return
    prev = mine[i - 1]
    gates = {b["batch_id"]: data.gate_json(b["batch_id"]) for b in (prev, me)}
    rows = week_over_week(metric_rows(prev, gates[prev["batch_id"]]) + metric_rows(me, gates[batch_id]))
    step = [r for r in rows if r["batch_id"] == batch_id]
    worse = [r["criterion"] for r in step if r["changed"] and r["direction"] != "better"]
    better = [r["criterion"] for r in step if r["changed"] and r["direction"] == "better"]
    said = "; ".join(
        part
        for part in (
            f":red[worse beyond noise: {md(', '.join(worse))}]" if worse else "",
            f":green[better beyond noise: {md(', '.join(better))}]" if better else "",
        )
        if part
    )
    st.markdown(
        f"**{md(prev['batch_id'])}** ({md(gates[prev['batch_id']]['verdict'])}) → "
        f"**{md(batch_id)}** ({md(gates[batch_id]['verdict'])}): " + (said or "no gate metric changed beyond noise")
    )
    st.caption(
        "Each acceptance-gate metric with its 95% interval, against the vendor's previous batch: a "
        "two-proportion z test for proportions, else the difference of the estimates with standard "
        "errors from their intervals; changed = Benjamini-Hochberg q < 0.05 across this week's metrics. "
        "A metric can change without changing the verdict. Every week: Trends page."
    )

    def ci(r):
        return fmt_interval(r["value"], r["ci95_low"], r["ci95_high"])

    widgets.table(
        pd.DataFrame(
            [
                {
                    "criterion": r["criterion"],
                    "previous_value": r["previous_value"],
                    "value_ci95": ci(r),
                    "value": r["value"],
                    "difference": r["difference"],
                    "q_value": r["q_value"],
                    "changed": r["changed"],
                    "direction": r["direction"],
                    "outcome": r["outcome"],
                    "test": r["test"],
                }
                for r in step
            ]
        ),
        f"against_last_week_{batch_id}",
    )
