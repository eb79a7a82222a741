"""Rankings vs ratings: do the signals agree, which leaderboard do they give, which is the better buy."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from qualitylab.escape import html_text
from qualitylab.escape import markdown_text as md
from qualitylab.numbers import fmt_number
from qualitylab.results import Statistic
from qualitylab.signals.data import choose_aspect
from qualitylab.ui import data, widgets
from qualitylab.ui.links import annotator_column, items_link

SIGNALS = ("pairwise", "rankings", "ratings")
SIGNAL_LABELS = {"pairwise": "Pairwise verdicts", "rankings": "Rankings", "ratings": "Mean ratings"}
SCORE = {
    "pairwise": ("pairwise_bt", "Bradley-Terry log-strength"),
    "rankings": ("rankings_bt", "Bradley-Terry log-strength (implied pairs)"),
    "ratings": ("rating_mean", "mean score"),
}


def _err(stats):
    hi = [(s.ci95_high - s.value) if s.value is not None and s.ci95_high is not None else 0 for s in stats]
    lo = [(s.value - s.ci95_low) if s.value is not None and s.ci95_low is not None else 0 for s in stats]
    return dict(type="data", symmetric=False, array=hi, arrayminus=lo)


def shown_signals(lb) -> list[str]:
    """The signals that score at least one model (their leaderboard panels are drawn)."""
    return [sig for sig in SIGNALS if any(r[SCORE[sig][0]].value is not None for r in lb.models)]


def missing_signal_reason(lb, cov: dict[str, int], sig: str) -> str:
    """One line on why ``sig`` has no leaderboard: the batch lacks it, else the first reason given."""
    if sig == "rankings" and not cov.get("n_ranking_rows"):
        return "the batch has no rankings"
    if sig == "ratings" and not cov.get("n_ratings"):
        return "the batch has no ratings"
    if sig == "pairwise" and not cov.get("n_verdicts"):
        return "the batch has no pairwise verdicts"
    reasons = [r[SCORE[sig][0]].reason for r in lb.models if r[SCORE[sig][0]].reason]
    return reasons[0] if reasons else "no model is scored"


def leaderboard_chart(lb, signals: list[str] | None = None) -> go.Figure:
    """The leaderboards of ``signals`` (default: those with scores) side by side, models in the
    pairwise order, with 95% intervals."""
    signals = shown_signals(lb) if signals is None else signals
    order = sorted(lb.models, key=lambda r: (r["rank_pairwise"].value or 99, r["model"]))
    names = [html_text(r["model"]) for r in order]
    fig = make_subplots(
        rows=1, cols=max(1, len(signals)), shared_yaxes=True, subplot_titles=[SIGNAL_LABELS[s] for s in signals]
    )
    for col, sig in enumerate(signals, start=1):
        key, axis = SCORE[sig]
        stats = [r[key] for r in order]
        fig.add_scatter(
            x=[s.value for s in stats],
            y=names,
            mode="markers",
            error_x=_err(stats),
            marker=dict(size=11),
            name=SIGNAL_LABELS[sig],
            row=1,
            col=col,
        )
        fig.update_xaxes(title_text=axis, row=1, col=col)
    fig.update_layout(
        height=140 + 45 * len(names),
        showlegend=False,
        yaxis=dict(autorange="reversed"),
        margin=dict(l=10, r=10, t=40, b=40),
    )
    return fig


def direction_chart(rv) -> go.Figure:
    """Direction agreement of every source with the direct verdicts, with 95% intervals."""
    items = [("Ratings in the same task", rv.within_task.direction_agreement)]
    labels = {
        "mean_ratings": "Mean ratings (separate task)",
        "annotator_ratings": "Each rater's ratings",
        "rankings": "Rankings (every pair)",
    }
    items += [(labels[k], a.direction_agreement) for k, a in rv.across_tasks.items()]
    ok = [(n, s) for n, s in items if s.value is not None]
    fig = go.Figure()
    if ok:
        fig.add_bar(x=[n for n, _ in ok], y=[s.value for _, s in ok], error_y=_err([s for _, s in ok]))
    fig.add_hline(y=0.5, line_dash="dot", annotation_text="unrelated (0.5)")
    fig.update_layout(yaxis_title="share agreeing with the verdict", yaxis_range=[0, 1.05], height=360)
    return fig


def cost_chart(cost, pair: tuple[str, str]) -> go.Figure:
    """Power to separate one model pair against annotation hours (or prompts), one curve per signal."""
    fig = go.Figure()
    use_hours = all(r["power_curve"]["hours"] for r in cost.pairs if (r["model_x"], r["model_y"]) == pair)
    for r in cost.pairs:
        if (r["model_x"], r["model_y"]) != pair:
            continue
        curve = r["power_curve"]
        fig.add_scatter(
            x=curve["hours"] if use_hours else curve["prompts"],
            y=curve["power"],
            mode="lines",
            name=html_text(f"{SIGNAL_LABELS[r['signal']]} (favours {r['favours']})"),
        )
    fig.add_hline(y=cost.power, line_dash="dot", annotation_text=f"power {cost.power}")
    fig.update_layout(
        xaxis_type="log",
        xaxis_title="annotation hours" if use_hours else "prompts",
        yaxis_title=f"power to separate at {cost.confidence:.0%}",
        yaxis_range=[0, 1.02],
        height=380,
    )
    return fig


def _models_frame(lb) -> pd.DataFrame:
    cols = (
        "pairwise_win_rate",
        "pairwise_win_rate_soft",
        "pairwise_bt",
        "rankings_win_rate",
        "rankings_bt",
        "rating_mean",
        "rank_pairwise",
        "rank_rankings",
        "rank_ratings",
    )
    return pd.DataFrame([{"model": r["model"], **{c: r[c] for c in cols}} for r in lb.models])


def _within_frame(rv) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "annotator_id": w.annotator_id,
                "n_verdicts": w.n_verdicts,
                "direction_agreement": w.direction_agreement.value,
                "direction_agreement_ci": w.direction_agreement,
                "rating_tie_strong_preference": w.rating_tie_strong_preference,
                "preference_tie_rating_gap": w.preference_tie_rating_gap,
                "kendall_tau_b": w.calibration["kendall_tau_b"],
            }
            for w in rv.within_task_per_annotator
        ]
    )


def _across_frame(rv) -> pd.DataFrame:
    rows = []
    for src, a in rv.across_tasks.items():
        for p in a.per_annotator:
            rows.append(
                {
                    "source": src,
                    "annotator_id": p["annotator_id"],
                    "n_linked": p["n_linked"],
                    "direction_agreement": p["direction_agreement"],
                    "same_annotator_agreement": p["same_annotator_agreement"],
                }
            )
    return pd.DataFrame(rows)


def _strength_frame(sr) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "annotator_id": p["annotator_id"],
                "n_with_strength": p["n_with_strength"],
                "mean_strength": p["mean_strength"],
                "strength_inflation": p["strength_inflation"].value,
                "strength_inflation_ci": p["strength_inflation"],
                "unsure_rate": p["unsure_rate"],
            }
            for p in sr.per_annotator
        ]
    )


def inflation_chart(sr) -> go.Figure:
    ok = [p for p in sr.per_annotator if p["strength_inflation"].value is not None]
    stats = [p["strength_inflation"] for p in ok]
    fig = go.Figure()
    fig.add_scatter(
        x=[s.value for s in stats],
        y=[html_text(p["annotator_id"]) for p in ok],
        mode="markers",
        error_x=_err(stats),
        marker=dict(size=10),
    )
    fig.add_vline(x=0, line_dash="dot", annotation_text="as colleagues")
    fig.update_layout(
        xaxis_title="strength inflation (points vs others on the same comparisons)",
        height=120 + 26 * max(1, len(ok)),
        yaxis=dict(autorange="reversed"),
    )
    return fig


def page_aspect(aspects: list[str], sidebar: str | None, report_aspect: str | None) -> str | None:
    """The aspect the page shows: the sidebar's when this batch rates it, else the report's default
    (overall, else helpfulness, else the most linkable aspect). The page has no aspect box of its own."""
    if not aspects:
        return None
    return sidebar if sidebar in aspects else report_aspect


def report_options(kind: str, aspect: str | None, report_aspect: str | None) -> dict[str, str]:
    """Options for ``data.sections``: only those that differ from the report's defaults, so the page
    is served from the batch's cached full report when it already exists (same cache key)."""
    options = {}
    if kind != "human":
        options["annotator_kind"] = kind
    if aspect is not None and aspect != report_aspect:
        options["aspect"] = aspect
    return options


def render() -> None:
    st.title("Rankings vs ratings")
    batch_id = st.session_state.get("batch_id")
    if not batch_id:
        widgets.empty_store()
        return
    flt = data.current_filters()
    kind = flt.annotator_kind
    aspect_rows = data.query("signals/rating_aspects", batch_id=batch_id, annotator_kind=kind)
    aspects = [a["aspect"] for a in aspect_rows]
    report_aspect = choose_aspect(aspect_rows)  # the report's default rule
    chosen = page_aspect(aspects, flt.aspect, report_aspect)
    res = data.sections(
        batch_id, "ratings_vs_preferences", "leaderboard", "strength", **report_options(kind, chosen, report_aspect)
    )
    rv, lb, sr = res["ratings_vs_preferences"], res["leaderboard"], res["strength"]
    cov = rv.coverage
    if not (cov["n_ratings"] or cov["n_ranking_rows"]):
        # nothing to set against the verdicts: one line, not screens of "not computable"
        st.info(
            f"Batch {md(batch_id)} has no {md(kind)} ratings or rankings: this page compares them with the "
            "pairwise verdicts, so there is nothing to show. Choose another batch or annotator kind in the sidebar."
        )
        return
    aspect_note = (
        f", rating aspect **{md(chosen)}**" + ("" if flt.aspect == chosen else " (the report's default)")
        if chosen
        else ""
    )
    st.caption(
        f"Annotator kind **{md(kind)}**{aspect_note}: from the sidebar. {cov['n_verdicts']:,} verdicts, "
        f"{cov['n_ratings']:,} rating rows, {cov['n_ranking_rows']:,} ranking rows."
        f" Linking rule: {md(rv.linking_rule)}."
    )

    st.header("Which signal is the better buy?")
    buy = lb.cost.better_buy if lb.cost is not None else {"signal": None, "reason": lb.reason}
    if buy.get("signal"):
        st.success(md(buy["reading"]) + ".")
        cols = st.columns(len(buy["median_hours"]))
        for c, (sig, h) in zip(cols, buy["median_hours"].items(), strict=True):
            label = f"{SIGNAL_LABELS[sig]}: median hours per pair"
            if isinstance(h, Statistic):  # an interval, if the core ever carries one
                with c:
                    widgets.statistic(label, h, f"cheapest in {buy['p_cheapest'][sig]:.0%} of bootstrap replicates")
                continue
            c.metric(md(label), fmt_number(h))
            c.caption(
                f"point estimate (no interval on the median); cheapest in {buy['p_cheapest'][sig]:.0%} "
                "of bootstrap replicates"
            )
        st.caption(
            f"Median over the {buy.get('n_pairs', len(buy.get('pairs', [])))} model pair(s) every signal "
            "orders the same way. Each pair's hours, with its 95% interval, are in the table under "
            '"Cost of a signal" below.'
        )
    else:
        st.info(md(buy.get("reason") or "not computable"))
    if buy.get("pairs_where_signals_disagree"):
        st.warning(
            "Left out of the answer because the signals order them differently: "
            + md("; ".join(" vs ".join(p) for p in buy["pairs_where_signals_disagree"]))
            + ". Cheaper does not help if a signal measures something else (e.g. length)."
        )

    st.header("Leaderboards")
    if lb.reason:
        st.info(md(lb.reason))
    else:
        st.caption(
            f"95% intervals: {md(lb.method)}. Bradley-Terry counts ties as half a win; a difference of "
            "1 in log-strength = odds e (2.7) to 1 of one model beating the other."
        )
        shown = shown_signals(lb)
        missing = [sig for sig in SIGNALS if sig not in shown]
        if missing:
            st.caption(
                "Not shown: "
                + md("; ".join(f"{SIGNAL_LABELS[sig]} ({missing_signal_reason(lb, cov, sig)})" for sig in missing))
                + "."
            )
        if shown:
            st.plotly_chart(leaderboard_chart(lb, shown), width="stretch")
        for d in lb.disagreements:
            st.warning(
                md(
                    f"{d['model_x']} vs {d['model_y']}: "
                    + ", ".join(f"{sig} puts {m} ahead" for sig, m in d["better_by"].items())
                    + " — beyond the 95% intervals."
                )
            )
        corr = lb.rank_correlation.get("pairwise_vs_ratings")
        cols = list(st.columns(3))
        for c, (key, label) in zip(
            cols,
            (
                ("pairwise_vs_ratings", "Pairwise vs ratings"),
                ("rankings_vs_ratings", "Rankings vs ratings"),
                ("pairwise_vs_rankings", "Pairwise vs rankings"),
            ),
            strict=True,
        ):
            with c:
                widgets.statistic(
                    f"Kendall tau-b, {label}",
                    lb.rank_correlation[key]["kendall_tau_b"],
                    "1 = same order; with few models it moves in big steps",
                )
        if corr is None:
            st.caption("No rank correlation.")
        widgets.table(_models_frame(lb), "leaderboards")

    st.header("Ratings vs preferences")
    cols = list(st.columns(4))
    w = rv.within_task
    with cols[0]:
        widgets.statistic(
            "Direction agreement (same task)",
            w.direction_agreement,
            "share of non-tie verdicts preferring the higher-rated response",
        )
    with cols[1]:
        widgets.statistic(
            "Rating tie, strong preference",
            w.rating_tie_strong_preference,
            f"equal ratings yet strength >= {rv.thresholds['strong_strength']}",
        )
    with cols[2]:
        widgets.statistic(
            "No preference, rating gap",
            w.preference_tie_rating_gap,
            f"tie or unsure yet ratings {rv.thresholds['large_rating_gap']:g}+ points apart",
        )
    with cols[3]:
        widgets.statistic(
            "Calibration: |gap| vs strength (tau-b)",
            w.calibration["kendall_tau_b"],
            "positive = bigger rating gaps come with stronger preferences",
        )
    st.plotly_chart(direction_chart(rv), width="stretch")
    st.caption("0.5 = ratings and verdicts unrelated; how high is high enough depends on the task.")
    if w.n_verdicts:
        st.markdown(
            "Items: "
            + items_link("the verdicts their own ratings contradict", batch_id, "rating_contradicts")
            + " (each annotator's: the `open` column below)"
        )
    st.subheader("Per annotator")
    df, config = annotator_column(_within_frame(rv), batch_id, "rating_contradicts")
    widgets.table(df, "within_task_by_annotator", column_config=config)
    widgets.table(_across_frame(rv), "across_tasks_by_annotator")
    st.subheader("Transitivity")
    widgets.statistic(
        "Cyclic triads",
        rv.transitivity.cyclic_triad_share,
        f"0 = transitive; coin flips give {rv.transitivity.random_cyclic_share}",
    )
    widgets.table(
        pd.DataFrame([dict(p) for p in rv.transitivity.per_annotator]),
        "transitivity",
    )

    st.header("Cost of a signal")
    cost = lb.cost
    if cost is None or not cost.pairs:
        st.info(md(widgets.not_computable((cost.better_buy.get("reason") if cost else lb.reason) or "no data")))
    else:
        st.caption(md(cost.method))
        pairs = sorted({(r["model_x"], r["model_y"]) for r in cost.pairs})
        pair = st.selectbox("Model pair", pairs, format_func=lambda p: f"{p[0]} vs {p[1]}", key="signals_pair")
        st.plotly_chart(cost_chart(cost, pair), width="stretch")
        widgets.table(
            pd.DataFrame(
                [
                    {
                        "model_x": r["model_x"],
                        "model_y": r["model_y"],
                        "signal": r["signal"],
                        "favours": r["favours"],
                        "effect": r["effect"],
                        "effect_unit": r["effect_unit"],
                        "prompts_needed": r["prompts_needed"],
                        "items_needed": r["items_needed"],
                        "hours_needed": r["hours_needed"],
                    }
                    for r in cost.pairs
                ]
            ),
            "cost_of_a_signal",
        )

    st.header("Preference strength")
    cols = list(st.columns(4))
    for c, (label, s, reading) in zip(
        cols,
        (
            ("Agreement on direction", sr.direction_agreement, "pairs of verdicts picking the same side"),
            ("Agreement on direction and strength", sr.strength_agreement, "the same side and strength"),
            ("Strength, given the direction", sr.strength_given_direction, "of pairs agreeing on the side"),
            ("Unsure rate (strength 0)", sr.unsure_rate, "negligibly better / unsure"),
        ),
        strict=True,
    ):
        with c:
            widgets.statistic(label, s, reading)
    if sr.per_annotator:
        st.plotly_chart(inflation_chart(sr), width="stretch")
        df, config = annotator_column(_strength_frame(sr), batch_id, "annotator")  # every verdict, with strength
        widgets.table(df, "strength_by_annotator", column_config=config)
