"""Report sections of the bias area: ``distributions``, ``position_bias``, ``length_bias``,
``hygiene``, ``llm_assisted`` and ``annotators`` (schema: docs/report-json.md; definitions: docs/bias.md).

Options read from ``ctx.options`` (all optional):

| option | default | meaning |
|---|---|---|
| ``fast_seconds`` | 5 | verdicts faster than this are reported; a median below it flags an annotator |
| ``min_items`` | 20 | annotators with fewer items are reported and flagged |
| ``min_diff_chars`` | 30 | length difference for p_prefer_longer (AlpacaEval) |
| ``length_by_prompt`` | True | fit the prompt-stratified conditional logit |
| ``length_by_prompt_max_rows`` | 1000000 | verdicts (<= 64 per prompt, seeded draw) for that fit |
| ``min_gold_accuracy`` | 0.5 | flag when gold accuracy's interval lies below it |
| ``min_agreement`` | 0.5 | flag when agreement-with-majority's interval lies below it |
| ``hygiene_max_rows`` | 1000 | offending rows kept per hygiene check (all are counted) |
| ``min_effect`` | 0.05 | a rate flag needs q < 0.05 AND its interval wholly outside centre +/- this |
| ``against`` | () | public preference sets (``[FORMAT=]FILE``) the batch is checked against (``redelivered_against``) |

``position_for(ctx, kind)`` and ``length_for(ctx, kind)`` are memoised per report, so the judge
area can read judges' p_first and p_prefer_longer without recomputing them.
"""

from __future__ import annotations

from typing import Any

from . import assisted as asst
from . import distributions as dist
from . import hygiene as hyg
from .length import BY_PROMPT_MAX_ROWS, MIN_DIFF_CHARS, LengthBias, length_bias
from .position import PositionBias, position_bias
from .rates import ALPHA, MIN_EFFECT
from .screening import MIN_AGREEMENT, MIN_GOLD_ACCURACY, screening_rows


def _opt(ctx, name: str, default):
    value = ctx.options.get(name, default)
    return default if value is None else value


def position_for(ctx, annotator_kind: str = "human") -> PositionBias:
    """Position bias of one annotator kind ("human" or "judge"), memoised per report."""
    return ctx.memo(
        f"bias.position.{annotator_kind}",
        lambda: position_bias(ctx.store, ctx.batch_id, annotator_kind, min_effect=min_effect(ctx)),
    )


def min_effect(ctx) -> float:
    """The report option ``min_effect`` (recorded in ``methods.flag_rule``)."""
    value = float(_opt(ctx, "min_effect", MIN_EFFECT))
    if not 0 <= value < 0.5:
        from ..errors import UsageError

        raise UsageError("Bad min_effect", f"{value!r}: the smallest effect is in [0, 0.5)", "e.g. 0.05 (default)")
    return value


def flag_rule(ctx) -> dict[str, Any]:
    """``methods.flag_rule``: what a per-annotator rate flag means in this report."""
    return {
        "min_effect": min_effect(ctx),
        "alpha": ALPHA,
        "rule": "flagged = BH q < alpha AND the 95% interval lies wholly outside "
        "[centre - min_effect, centre + min_effect]; centre 0.5 (flag_basis absolute) or the peers' "
        "rate on the same items (flag_basis relative, leave-one-out)",
        "multiplicity_family": "per rate (p_first, p_prefer_longer, p_shown_a, p_shown_first) and basis: "
        "Benjamini-Hochberg over every annotator (or model) of the batch with n > 0, humans and judges together",
        "basis": {"position_bias": "absolute (order randomised)", "length_bias": "relative where peers exist"},
        "llm_assisted": "flagged = BH q < alpha over every (human annotator, judge) pair of the batch AND the 95% "
        "interval of (agreement with the judge - agreement with the other humans' majority) wholly above min_effect "
        "(flag_basis difference)",
    }


def assisted_for(ctx) -> asst.LlmAssisted:
    """LLM-assisted annotation (humans agreeing with a judge more than with the other humans), memoised."""
    return ctx.memo("bias.llm_assisted", lambda: asst.llm_assisted(ctx.store, ctx.batch_id, min_effect=min_effect(ctx)))


def length_for(ctx, annotator_kind: str = "human") -> LengthBias:
    """Length bias (with the regressions) of one annotator kind, memoised per report."""
    return ctx.memo(
        f"bias.length.{annotator_kind}",
        lambda: length_bias(
            ctx.store,
            ctx.batch_id,
            annotator_kind,
            min_diff_chars=int(_opt(ctx, "min_diff_chars", MIN_DIFF_CHARS)),
            min_effect=min_effect(ctx),
            seed=ctx.seed,
            by_prompt=bool(_opt(ctx, "length_by_prompt", True)),
            max_rows=int(_opt(ctx, "length_by_prompt_max_rows", BY_PROMPT_MAX_ROWS)),
        ),
    )


def distributions_for(ctx) -> dist.Distributions:
    return ctx.memo(
        "bias.distributions",
        lambda: dist.distributions(
            ctx.store, ctx.batch_id, min_items=int(_opt(ctx, "min_items", hyg.MIN_ITEMS)), scale=ctx.scale
        ),
    )


def hygiene_for(ctx) -> hyg.Hygiene:
    return ctx.memo(
        "bias.hygiene",
        lambda: hyg.hygiene(
            ctx.store,
            ctx.batch_id,
            fast_seconds=float(_opt(ctx, "fast_seconds", hyg.FAST_SECONDS)),
            min_items=int(_opt(ctx, "min_items", hyg.MIN_ITEMS)),
            max_rows=int(_opt(ctx, "hygiene_max_rows", hyg.MAX_ROWS)),
        ),
    )


def _agreement_rows(ctx) -> list[dict[str, Any]]:
    from ..agreement.section import per_annotator

    return per_annotator(ctx)


def annotators_for(ctx):
    def compute():
        d = distributions_for(ctx)
        min_items = int(_opt(ctx, "min_items", hyg.MIN_ITEMS))
        few = hyg.run_check(
            ctx.store,
            next(s for s in hyg.CHECKS if s.name == "few_items"),
            {"batch_id": ctx.batch_id, "min_items": min_items},
            max_rows=1_000_000,
        )
        ratings: dict[str, int] = {}
        for r in d.likert["by_annotator"]:
            ratings[r["annotator_id"]] = ratings.get(r["annotator_id"], 0) + r["n"]
        position, length = {}, {}
        for kind in ("human", "judge"):
            position.update({r.annotator_id: r for r in position_for(ctx, kind).by_annotator})
            length.update({r.annotator_id: r for r in _rates_only(ctx, kind).by_annotator})
        comp = _competence(ctx)
        return screening_rows(
            labels=d.by_annotator,
            lining=d.straight_lining,
            seconds=ctx.store.rows("bias/annotator_activity", {"batch_id": ctx.batch_id}),
            ratings=ratings,
            agreement=_agreement_rows(ctx),
            position=position,
            length=length,
            few_items={r["annotator_id"]: r["n_items"] for r in few.rows},
            fast_seconds=float(_opt(ctx, "fast_seconds", hyg.FAST_SECONDS)),
            min_gold_accuracy=float(_opt(ctx, "min_gold_accuracy", MIN_GOLD_ACCURACY)),
            min_agreement=float(_opt(ctx, "min_agreement", MIN_AGREEMENT)),
            min_items=min_items,
            assisted={r["annotator_id"]: asst.flag_reason(r) for r in assisted_for(ctx).by_annotator if r["flagged"]},
            **comp,
        )

    return ctx.memo("bias.annotators", compute)


def _competence(ctx) -> dict[str, Any]:
    """The screening table's competence arguments, read from the annotator_competence section's result
    (memoised there: computed once per report): each human's Dawid-Skene competence, the threshold."""
    from ..agreement.competence import MIN_COMPETENCE, competence
    from ..results import Statistic

    comp = competence(ctx)
    per = (comp.get("dawid_skene") or {}).get("per_annotator") or []
    return {
        "competence": {r["annotator_id"]: r["competence"] for r in per},
        "competence_missing": Statistic.not_computable(comp.get("reason") or "not in the Dawid-Skene fit"),
        "min_competence": float(comp.get("min_competence", MIN_COMPETENCE)),
    }


def _rates_only(ctx, annotator_kind: str) -> LengthBias:
    """p_prefer_longer per annotator without the regressions (all the screening table needs)."""
    return ctx.memo(
        f"bias.length_rates.{annotator_kind}",
        lambda: length_bias(
            ctx.store,
            ctx.batch_id,
            annotator_kind,
            min_diff_chars=int(_opt(ctx, "min_diff_chars", MIN_DIFF_CHARS)),
            min_effect=min_effect(ctx),
            regression=False,
        ),
    )


def distributions_section(ctx) -> dict[str, Any]:
    return {"distributions": distributions_for(ctx)}


def position_section(ctx) -> dict[str, Any]:
    # flag_rule goes to methods.flag_rule (report.report_document), not a top-level key
    return {"position_bias": position_for(ctx, "human"), "flag_rule": flag_rule(ctx)}


def length_section(ctx) -> dict[str, Any]:
    return {"length_bias": length_for(ctx, "human")}


def hygiene_section(ctx) -> dict[str, Any]:
    return {"hygiene": hygiene_for(ctx)}


def against_specs(ctx) -> list[str]:
    """The report option ``against``: the ``[FORMAT=]FILE`` specs, in the order given, each once."""
    value = _opt(ctx, "against", ())
    specs = [value] if isinstance(value, str) else list(value)
    return list(dict.fromkeys(str(s) for s in specs))


def against_section(ctx) -> dict[str, Any]:
    from .public_overlap import redelivered_against

    return {
        "redelivered_against": ctx.memo(
            "bias.redelivered_against",
            lambda: redelivered_against(
                ctx.store,
                ctx.batch_id,
                against_specs(ctx),
                max_rows=int(_opt(ctx, "hygiene_max_rows", hyg.MAX_ROWS)),
            ),
        )
    }


def assisted_section(ctx) -> dict[str, Any]:
    return {"llm_assisted": assisted_for(ctx)}


def annotators_section(ctx) -> dict[str, Any]:
    return {"annotators": annotators_for(ctx)}


REPORT_SECTIONS = [
    ("distributions", distributions_section),
    ("position_bias", position_section),
    ("length_bias", length_section),
    ("hygiene", hygiene_section),
    ("redelivered_against", against_section),
    ("llm_assisted", assisted_section),
    ("annotators", annotators_section),
]
