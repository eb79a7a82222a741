"""Report integration: the JSON keys ``ratings_vs_preferences``, ``leaderboard`` and ``strength``.

Options (``ctx.options``): ``annotator_kind`` ('human' default, 'judge' or 'all'): whose judgments
are compared; ``aspect``: the rating aspect (default: see :func:`choose_aspect`);
``cost_confidence`` (0.95) and ``cost_power`` (0.8) for the cost of a signal; ``baseline``: the model
the length-controlled win rates are against (``lc_win_rate``; default: the one model in every comparison).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ..report import ReportContext
from ..results import Statistic
from . import consistency
from .consistency import AcrossTasks, Transitivity, WithinTask
from .cost import compute_cost
from .data import SignalData, choose_aspect, load_signal_data
from .leaderboard import Leaderboard, compute_leaderboard
from .length_control import LcWinRates, choose_baseline, compute_lc_win_rates
from .replicates import draw_replicates
from .strength import StrengthResult, strength_summary

ANNOTATOR_KINDS = ("human", "judge", "all")


@dataclass(frozen=True)
class RatingsVsPreferences:
    annotator_kind: str
    aspect: str | None
    linking_rule: str
    coverage: dict[str, int]
    within_task: WithinTask
    within_task_per_annotator: list[WithinTask]
    across_tasks: dict[str, AcrossTasks]
    transitivity: Transitivity
    thresholds: dict[str, float] = field(default_factory=dict)


def _params(ctx: ReportContext) -> dict[str, Any]:
    kind = ctx.options.get("annotator_kind") or "human"
    if kind not in ANNOTATOR_KINDS:
        raise ValueError(f"annotator_kind must be one of {', '.join(ANNOTATOR_KINDS)}, not {kind!r}")
    return {"batch_id": ctx.batch_id, "annotator_kind": kind}


def _aspect(ctx: ReportContext) -> str | None:
    p = _params(ctx)
    requested = ctx.options.get("aspect")
    return ctx.memo(
        f"signals.aspect.{p['annotator_kind']}.{requested}",
        lambda: choose_aspect(ctx.store.rows("signals/rating_aspects", p), requested),
    )


def _coverage(ctx: ReportContext) -> dict[str, int]:
    p = _params(ctx)
    return ctx.memo(
        f"signals.coverage.{p['annotator_kind']}",
        lambda: {k: int(v) for k, v in ctx.store.first("signals/coverage", p).items()},
    )


def signal_data(ctx: ReportContext) -> SignalData:
    """The per-prompt aggregates of all three signals, loaded once per report."""
    p = _params(ctx)
    aspect = _aspect(ctx)
    return ctx.memo(
        f"signals.data.{p['annotator_kind']}.{aspect}",
        lambda: load_signal_data(ctx.store, ctx.batch_id, p["annotator_kind"], aspect),
    )


def _not_linked(source: str, reason: str) -> AcrossTasks:
    nc = Statistic.not_computable(reason)
    return AcrossTasks(source, nc, nc, nc, nc)


def ratings_vs_preferences(ctx: ReportContext) -> RatingsVsPreferences:
    p = _params(ctx)
    aspect = _aspect(ctx)
    cov = _coverage(ctx)
    cells = ctx.store.rows("signals/within_task_table", p)
    if cov["n_verdicts_with_ratings"] == 0:
        reason = (
            "no pairwise verdict carries rating_a and rating_b"
            if cov["n_verdicts"]
            else "the batch has no pairwise verdicts"
        )
        nc = Statistic.not_computable(reason)
        within = WithinTask(nc, nc, nc, {"kendall_tau_b": nc, "spearman": nc})
    else:
        within = consistency.within_task(cells)
    per_annotator = consistency.within_task_by_annotator(cells)

    across: dict[str, AcrossTasks] = {}
    if cov["n_verdicts_linkable"] == 0:
        reason = (
            "the batch has no pairwise verdicts"
            if not cov["n_verdicts"]
            else "no pairwise verdict names prompt_id, model_a and model_b (needed to link)"
        )
        for src in ("mean_ratings", "annotator_ratings", "rankings"):
            across[src] = _not_linked(src, reason)
    else:
        if aspect is None or cov["n_ratings_linkable"] == 0:
            reason = (
                "the batch has no ratings"
                if not cov["n_ratings"]
                else "no rating row names its prompt_id and model (needed to link)"
            )
            across["mean_ratings"] = _not_linked("mean_ratings", reason)
            across["annotator_ratings"] = _not_linked("annotator_ratings", reason)
        else:
            pa = {**p, "aspect": aspect}
            annot = ctx.store.arrow("signals/annotator_ratings_vs_verdicts", pa)
            across["mean_ratings"] = consistency.across_tasks(
                "mean_ratings", ctx.store.arrow("signals/mean_ratings_vs_verdicts", pa), None, what="mean ratings"
            )
            across["annotator_ratings"] = consistency.across_tasks(
                "annotator_ratings", annot, annot, what="annotator ratings"
            )
        if cov["n_ranking_rows_with_model"] == 0:
            across["rankings"] = _not_linked(
                "rankings",
                "the batch has no rankings"
                if not cov["n_ranking_rows"]
                else "no ranking row names its model (needed to link)",
            )
        else:
            rk = ctx.store.arrow("signals/rankings_vs_verdicts", p)
            across["rankings"] = consistency.across_tasks("rankings", rk, rk, what="rankings")
    trans = consistency.transitivity(ctx.store.rows("signals/transitivity", p))
    return RatingsVsPreferences(
        p["annotator_kind"],
        aspect,
        consistency.LINKING_RULE,
        cov,
        within,
        per_annotator,
        across,
        trans,
        {"strong_strength": consistency.STRONG_STRENGTH, "large_rating_gap": consistency.LARGE_GAP},
    )


def leaderboard(ctx: ReportContext) -> Leaderboard:
    data = signal_data(ctx)
    if not data.models:
        return compute_leaderboard(data, n_boot=ctx.n_boot, seed=ctx.seed)
    reps = draw_replicates(data, ctx.n_boot, ctx.seed)  # one draw for the leaderboards and the cost
    board = compute_leaderboard(data, n_boot=ctx.n_boot, seed=ctx.seed, reps=reps)
    seconds = ctx.store.rows("signals/seconds_per_task", _params(ctx))
    cost = compute_cost(
        data,
        seconds,
        n_boot=ctx.n_boot,
        seed=ctx.seed,
        confidence=float(ctx.options.get("cost_confidence", 0.95)),
        power=float(ctx.options.get("cost_power", 0.8)),
        reps=reps,
    )
    return replace(board, cost=cost)


def lc_win_rate(ctx: ReportContext) -> LcWinRates:
    """Length-controlled win rates against the report option ``baseline`` (every judge, the humans)."""
    requested = ctx.options.get("baseline")
    baseline, source, reason = choose_baseline(
        ctx.store.rows("signals/lc_models", {"batch_id": ctx.batch_id}), None if requested is None else str(requested)
    )
    if baseline is None:
        return compute_lc_win_rates({}, None, None, reason)
    rows = ctx.store.arrow("signals/lc_verdicts", {"batch_id": ctx.batch_id, "baseline": baseline}).to_pydict()
    return compute_lc_win_rates(rows, baseline, source, None)


def strength(ctx: ReportContext) -> StrengthResult:
    p = _params(ctx)
    return strength_summary(
        ctx.store.first("signals/strength_agreement", p), ctx.store.rows("signals/strength_by_annotator", p)
    )


REPORT_SECTIONS = [
    ("ratings_vs_preferences", lambda ctx: {"ratings_vs_preferences": ratings_vs_preferences(ctx)}),
    ("leaderboard", lambda ctx: {"leaderboard": leaderboard(ctx)}),
    ("lc_win_rate", lambda ctx: {"lc_win_rate": lc_win_rate(ctx)}),
    ("strength", lambda ctx: {"strength": strength(ctx)}),
]
