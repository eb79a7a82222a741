"""The report section ``agreement`` and the per-annotator table other areas reuse.

``per_annotator(ctx)`` is memoised per report (``ctx.memo``) so the annotator-screening table
(issue 4) and this section share one computation.
"""

from __future__ import annotations

from typing import Any

from ..intervals import proportion
from ..results import Statistic


def _annotator_rows(store, batch_id: str) -> list[dict[str, Any]]:
    out = []
    for r in store.rows("agreement/annotators", {"batch_id": batch_id}):
        if r["n_majority_items"]:
            agree = proportion(r["n_agree_majority"], r["n_majority_items"], what="agreement with the others' majority")
        elif r["n_items"]:
            agree = Statistic.not_computable("no item where the other human annotators have a strict majority", n=0)
        else:
            agree = Statistic.not_computable("no items")
        gold = (
            proportion(r["n_gold_correct"], r["n_gold"], what="gold accuracy")
            if r["n_gold"]
            else Statistic.not_computable("no verdicts on honeypot (gold) items")
        )
        out.append(
            {
                "annotator_id": r["annotator_id"],
                "n_items": int(r["n_items"]),
                "n_verdicts": int(r["n_verdicts"]),
                "agreement_with_majority": agree,
                "n_majority_items": int(r["n_majority_items"]),
                "gold_accuracy": gold,
                "n_gold": int(r["n_gold"]),
            }
        )
    return out


def per_annotator(ctx) -> list[dict[str, Any]]:
    """One dict per human annotator of the batch's pairwise verdicts (memoised per report).

    Keys: ``annotator_id``; ``n_items`` (comparisons judged); ``n_verdicts`` (all verdicts,
    repeats included); ``agreement_with_majority`` (Statistic: share of the annotator's items on
    which its first verdict equals the strict majority of the other human annotators' first
    verdicts, Wilson interval, n = items where the others have a strict majority);
    ``n_majority_items``; ``gold_accuracy`` (Statistic: share of verdicts on honeypot items that
    equal ``gold``, Wilson interval); ``n_gold``. Definitions: docs/agreement.md.
    """
    return ctx.memo("agreement.per_annotator", lambda: _annotator_rows(ctx.store, ctx.batch_id))


def agreement(ctx):
    """The :class:`~qualitylab.agreement.compute.AgreementResult` of the batch (memoised)."""
    from .compute import compute_agreement

    return ctx.memo(
        "agreement.result",
        lambda: compute_agreement(
            ctx.store,
            ctx.batch_id,
            seed=ctx.seed,
            n_boot=ctx.n_boot,
            annotators=per_annotator(ctx),
            scale=ctx.scale,
        ),
    )


def _section(ctx) -> dict[str, Any]:
    return {"agreement": agreement(ctx)}


REPORT_SECTIONS = [("agreement", _section)]
