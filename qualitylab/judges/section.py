"""Report section ``judges``: ``{annotator_id: JudgeResult}`` (schema: docs/report-json.md,
definitions: docs/judges.md), an empty dict when the batch has no judge; and ``judge_runs``: every
``qualitylab judge`` run of the batch (model, template hash, calls, failures, tokens, cost, latency)."""

from __future__ import annotations

from typing import Any

from .compute import judge_results


def _bias(ctx):
    """The bias area's memoised judge position bias and judge / human length bias, if available."""
    try:
        from ..bias.section import length_for, position_for
    except ModuleNotFoundError as e:
        if not (e.name or "").startswith("qualitylab.bias"):
            raise
        return None, None, None
    return position_for(ctx, "judge"), length_for(ctx, "judge"), length_for(ctx, "human")


def judges_for(ctx):
    """The per-judge results, memoised per report (the gates and the app read them too)."""

    def compute():
        position, length, human_length = _bias(ctx)
        return judge_results(
            ctx.store,
            ctx.batch_id,
            seed=ctx.seed,
            n_boot=ctx.n_boot,
            position=position,
            length=length,
            human_length=human_length,
        )

    return ctx.memo("judges.results", compute)


def judge_runs(store, batch_id: str) -> list[dict[str, Any]]:
    """One row per judge run (queries/judges/runs.sql), latencies in milliseconds."""
    return store.rows("judges/runs", {"batch_id": batch_id})


def _section(ctx) -> dict[str, Any]:
    return {"judges": judges_for(ctx), "judge_runs": judge_runs(ctx.store, ctx.batch_id)}


REPORT_SECTIONS = [("judges", _section)]
