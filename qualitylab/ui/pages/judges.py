"""Judge vs human: does each LLM judge agree with the humans as well as they agree with each other,
where does it fail, and is it biased by position or length? (results: the report's ``judges``)"""

from __future__ import annotations

import shlex

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from qualitylab.escape import html_text
from qualitylab.escape import markdown_text as md
from qualitylab.ui import data, widgets
from qualitylab.ui.links import links_line

LABELS = ("A", "B", "tie")
READINGS = {
    "accuracy_vs_majority": "Share of the judge's verdicts equal to the strict human majority (both orders "
    "count). Compare with the human ceiling below, not with 1.",
    "cohen_kappa_vs_majority": "Agreement with the majority beyond chance: 1 perfect, 0 chance. Thresholds "
    "depend on context.",
    "macro_f1_vs_majority": "Mean F1 over the labels present: low when the judge misses a label (often tie).",
    "gwet_ac1_vs_majority": "Gwet's AC1 of judge vs majority: like kappa, but less pulled down when one label "
    "dominates.",
    "macro_precision_vs_majority": "Mean over labels of: when the judge says it, how often the majority does.",
    "macro_recall_vs_majority": "Mean over labels of: when the majority says it, how often the judge does.",
    "agreement_with_ties": "MT-Bench: each judge verdict against each human verdict on the same item.",
    "human_agreement_with_ties": "The ceiling: the same rule between two humans on the judge's items.",
    "agreement_without_ties": "The same with pairs where either side says tie dropped.",
    "position_consistency": "Share of items judged in both orders where the two verdicts agree (1 = never "
    "swayed by order).",
    "p_first": "Among non-tie verdicts, share preferring the response shown first (0.5 = no position bias).",
    "p_prefer_longer": "Among non-tie verdicts on pairs differing by > 30 characters, share preferring the "
    "longer one; read beside the humans'.",
}


def summary_table(judges: dict) -> pd.DataFrame:
    rows = []
    for a, j in judges.items():
        rows.append(
            {
                "annotator_id": a,
                "n_verdicts": j.n_verdicts,
                "n_comparisons": j.n_comparisons,
                "accuracy_vs_majority": j.accuracy_vs_majority,
                "cohen_kappa_vs_majority": j.cohen_kappa_vs_majority,
                "gwet_ac1_vs_majority": j.gwet_ac1_vs_majority,
                "macro_f1_vs_majority": j.macro_f1_vs_majority,
                "macro_precision_vs_majority": j.macro_precision_vs_majority,
                "macro_recall_vs_majority": j.macro_recall_vs_majority,
                "agreement_with_ties": j.agreement_with_ties,
                "human_agreement_with_ties": j.human_agreement_with_ties,
                "position_consistency": j.position_consistency,
                "p_first": j.p_first,
                "preferred_slot": j.preferred_slot,
                "p_prefer_longer": j.p_prefer_longer,
                "n_unparsed": j.unparsed["n_unparsed"],
                "n_failed_calls": j.unparsed["n_failed_calls"],
                "reason": j.reason or "",
            }
        )
    return pd.DataFrame(rows)


def runs_table(runs: list[dict]) -> pd.DataFrame:
    """Every ``qualitylab judge`` run of the batch (the report's ``judge_runs``)."""
    cols = [
        "annotator_id",
        "mode",
        "model",
        "template",
        "rubric",
        "criteria",
        "aspect",
        "n_calls",
        "n_parsed",
        "n_unparsed",
        "n_failed",
        "prompt_tokens",
        "completion_tokens",
        "cost_usd",
        "latency_ms_p50",
        "latency_ms_p95",
    ]
    rows = [
        {
            **r,
            "template": r["template_sha256"][:12],
            "rubric": (r.get("rubric_sha256") or "")[:12] or None,
            "criteria": (r.get("criteria_sha256") or "")[:12] or None,
        }
        for r in runs
    ]
    return pd.DataFrame(rows, columns=cols)


def lc_table(lc) -> pd.DataFrame:
    """The report's ``lc_win_rate``: one row per annotator group (the humans, each judge) and model."""
    return pd.DataFrame(
        [
            {
                "annotators": g["annotators"],
                "model": m["model"],
                "n_verdicts": m["n_verdicts"],
                "n_prompts": m["n_prompts"],
                "win_rate": m["win_rate"],
                "lc_win_rate": m["lc_win_rate"],
                "lc_standard_error": m["lc_standard_error"],
                "coef_length": m["coefficients"]["length"],
                "instruction_term": m["instruction_term"],
            }
            for g in lc.groups
            for m in g["models"]
        ],
        columns=[
            "annotators",
            "model",
            "n_verdicts",
            "n_prompts",
            "win_rate",
            "lc_win_rate",
            "lc_standard_error",
            "coef_length",
            "instruction_term",
        ],
    )


def lc_section(batch_id: str, lc) -> None:
    """Length-controlled win rates against a baseline (report option ``baseline``), humans and judges."""
    st.subheader("Length-controlled win rates")
    models = sorted({m["model"] for g in lc.groups for m in g["models"]} | ({lc.baseline} if lc.baseline else set()))
    if lc.baseline and len(models) > 1:
        choice = st.selectbox("Baseline", models, index=models.index(lc.baseline), key="lc_baseline")
        if choice != lc.baseline:
            lc = data.sections(batch_id, "lc_win_rate", baseline=choice)["lc_win_rate"]
    if lc.reason:
        st.info(md(widgets.not_computable(lc.reason)))
        return
    st.caption(
        md(
            f"Each model against the baseline {lc.baseline} ({lc.baseline_source}): the raw win rate (ties half, "
            "95% interval with prompts as clusters) and AlpacaEval 2.0's length-controlled win rate (a GLM with "
            "model, length-difference and instruction terms; the length term set to 0 to predict), for the humans "
            "pooled and for every judge. A judge whose win rate drops once length is controlled was rewarding "
            "length. `qualitylab report --baseline MODEL` gives the same numbers."
        )
    )
    widgets.table(lc_table(lc), "lc_win_rate")


def agreement_chart(judges: dict) -> go.Figure:
    """Judge-human agreement (with ties) per judge, with the human-human ceiling beside it."""
    fig = go.Figure()
    for name, key in (
        ("judge vs human", "agreement_with_ties"),
        ("human vs human (ceiling)", "human_agreement_with_ties"),
    ):
        xs, ys, hi, lo = [], [], [], []
        for a, j in judges.items():
            s = getattr(j, key)
            if s.value is None:
                continue
            xs.append(html_text(a))
            ys.append(s.value)
            hi.append((s.ci95_high or s.value) - s.value)
            lo.append(s.value - (s.ci95_low or s.value))
        fig.add_scatter(
            x=xs,
            y=ys,
            mode="markers",
            name=name,
            marker=dict(size=11),
            error_y=dict(type="data", array=hi, arrayminus=lo),
        )
    fig.update_layout(
        yaxis_title="agreement (MT-Bench, with ties)",
        yaxis_range=[0, 1.02],
        height=380,
        margin=dict(l=10, r=10, t=30, b=40),
    )
    return fig


def confusion_chart(confusion: dict) -> go.Figure:
    z = [[confusion[m][lab] for lab in LABELS] for m in LABELS]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[f"judge {lab}" for lab in LABELS],
            y=[f"majority {m}" for m in LABELS],
            colorscale="Blues",
            text=z,
            texttemplate="%{text}",
        )
    )
    fig.update_layout(height=320, yaxis=dict(autorange="reversed"), margin=dict(l=10, r=10, t=30, b=40))
    return fig


def render() -> None:
    st.title("Judge vs human")
    if not data.query("overview/batches"):
        widgets.empty_store()
        return
    batch_id = st.session_state.get("batch_id")
    if not batch_id:
        st.info("Choose a batch in the sidebar.")
        return
    sec = data.sections(batch_id, "judges")
    judges, runs = sec["judges"], sec.get("judge_runs", [])
    if runs:
        st.subheader("Judge runs")
        st.caption(
            "Every `qualitylab judge` run of this batch: the model, the prompt template's SHA-256 (first 12 "
            "characters), calls made, outputs parsed / unparsed / failed, tokens, estimated cost (when a price "
            "was given) and the latency of the calls that returned (p50 / p95, ms). Running a judge stays a "
            "CLI job: it is long and it writes to the store."
        )
        widgets.table(runs_table(runs), "judge_runs")
    lc = data.sections(batch_id, "lc_win_rate")["lc_win_rate"]
    if not judges:
        st.info(
            f"Batch {md(batch_id)} holds no judge verdicts. Run an LLM judge over it with the command "
            "below, or ingest judge rows (annotator_kind = judge)."
        )
        st.code(f"qualitylab judge --batch {shlex.quote(batch_id)} --model MODEL --both-orders", language="bash")
        if lc.groups:
            lc_section(batch_id, lc)
        return
    st.caption(
        "Every number has its 95% interval. Thresholds depend on context: read each judge "
        "against the human-human ceiling on the same items."
    )
    st.subheader("Judges")
    widgets.table(summary_table(judges), "judges")
    st.plotly_chart(agreement_chart(judges), width="stretch")
    st.markdown(
        "Each judge's verdicts that differ from the human majority: "
        + links_line(batch_id, [("judge_disagrees", a) for a in judges], "")
    )
    lc_section(batch_id, lc)

    a = st.selectbox("Judge", list(judges), key="judge_id")
    j = judges[a]
    st.header(md(a))
    if j.reason:
        st.warning(md(j.reason))
    st.caption(
        f"{j.n_verdicts:,} verdicts on {j.n_comparisons:,} comparisons; {j.n_majority_comparisons:,} "
        f"with a strict human majority; {j.n_both_orders:,} judged in both orders."
    )
    cols = list(st.columns(3))
    for col, key in zip(cols, ("accuracy_vs_majority", "cohen_kappa_vs_majority", "gwet_ac1_vs_majority"), strict=True):
        with col:
            widgets.statistic(key, getattr(j, key), READINGS[key])
    cols = list(st.columns(3))
    for col, key in zip(
        cols, ("macro_f1_vs_majority", "macro_precision_vs_majority", "macro_recall_vs_majority"), strict=True
    ):
        with col:
            widgets.statistic(key, getattr(j, key), READINGS[key])
    cols = list(st.columns(3))
    for col, key in zip(
        cols, ("agreement_with_ties", "human_agreement_with_ties", "agreement_without_ties"), strict=True
    ):
        with col:
            widgets.statistic(key, getattr(j, key), READINGS[key])

    st.subheader("Confusion matrix (rows: human majority, columns: judge)")
    st.plotly_chart(confusion_chart(j.confusion), width="stretch")

    st.subheader("Position")
    cols = list(st.columns(3))
    with cols[0]:
        widgets.statistic("position_consistency", j.position_consistency, READINGS["position_consistency"])
    with cols[1]:
        widgets.statistic("p_first", j.p_first, READINGS["p_first"] + f" Preferred slot: {j.preferred_slot}.")
    with cols[2]:
        widgets.statistic(
            "conservative accuracy_vs_majority",
            j.conservative["accuracy_vs_majority"],
            "MT-Bench's conservative verdict: inconsistent pairs count as a tie.",
        )
    pos = pd.DataFrame(
        [
            {"outcome": k, "share": getattr(j, k)}
            for k in ("position_consistency", "p_biased_first", "p_biased_second", "p_inconsistent_other")
        ]
    )
    widgets.table(pos, f"position_{a}")

    st.subheader("Length")
    left, right = st.columns(2)
    with left:
        widgets.statistic("judge p_prefer_longer", j.p_prefer_longer, READINGS["p_prefer_longer"])
    with right:
        widgets.statistic("humans p_prefer_longer", j.human_p_prefer_longer, "All human verdicts of the batch.")

    st.subheader("Unanimous vs split items")
    st.caption("Agreement on items all humans agreed on, and on items they split on (at least two humans).")
    widgets.table(
        pd.DataFrame(
            [
                {
                    "items": k,
                    "n_comparisons": v["n_comparisons"],
                    "accuracy_vs_majority": v["accuracy_vs_majority"],
                    "agreement_with_ties": v["agreement_with_ties"],
                }
                for k, v in j.by_contested.items()
            ]
        ),
        f"contested_{a}",
    )

    if j.ratings:
        st.subheader("Ratings vs human ratings")
        st.caption(
            "Items graded by the judge (single-answer grading) and by humans: Spearman's rho of the "
            "judge's score with the humans' mean score, and the mean difference judge - humans."
        )
        widgets.table(
            pd.DataFrame(
                [
                    {
                        "aspect": asp,
                        "n_items": r["n_items"],
                        "spearman": r["spearman"],
                        "mean_difference": r["mean_difference"],
                    }
                    for asp, r in j.ratings.items()
                ]
            ),
            f"ratings_{a}",
        )

    st.subheader("Unparsed outputs")
    u = j.unparsed
    st.caption("Outputs with no verdict in the strict format are stored and counted, never guessed.")
    widgets.statistic(
        "p_unparsed",
        u["p_unparsed"],
        f"{u['n_unparsed_runner']} from `qualitylab judge`, {u['n_quarantined_ingest']} quarantined "
        f"at ingest; {u['n_failed_calls']} call(s) failed beyond retries.",
    )
