"""The report section ``agreement`` and the per-annotator table other areas reuse.

``per_annotator(ctx)`` is memoised per report (``ctx.memo``) so the annotator-screening table
(issue 4) and this section share one computation.
"""

from __future__ import annotations

from typing import Any

from ..intervals import clustered_proportion, proportion
from ..results import Statistic

GOLD_DEFINITION = (
    "pooled human gold accuracy: of every human verdict on a honeypot item (gold not null; exact "
    "duplicate copies skipped), the share equal to gold; 95% Wilson interval on the effective n with "
    "annotators as clusters (an annotator's verdicts are not independent of each other)"
)


def _annotator_rows(store, batch_id: str) -> list[dict[str, Any]]:
    from ..adjudicated import accuracy_counts

    adjudicated = accuracy_counts(store, batch_id)  # the buyer's adjudications as post-hoc gold
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
        adj = adjudicated.get(r["annotator_id"], {"n_adjudicated": 0, "n_adjudicated_correct": 0})
        adj_accuracy = (
            proportion(adj["n_adjudicated_correct"], adj["n_adjudicated"], what="accuracy against adjudication")
            if adj["n_adjudicated"]
            else Statistic.not_computable("no verdicts on adjudicated items")
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
                "adjudication_accuracy": adj_accuracy,
                "n_adjudicated": adj["n_adjudicated"],
            }
        )
    return out


def batch_gold(store, batch_id: str) -> dict[str, Any]:
    """The batch-level (pooled) gold accuracy of the human annotators (issue 14 item 4).

    ``accuracy`` = sum of correct gold verdicts / sum of gold verdicts over every human annotator,
    with :func:`~qualitylab.intervals.clustered_proportion`'s interval, annotators as clusters; not
    computable without gold verdicts. A per-annotator flag fires only when one person's ~10 gold
    items are mostly wrong; this catches a week where everybody is a little wrong.
    """
    rows = [r for r in store.rows("agreement/annotators", {"batch_id": batch_id}) if r["n_gold"]]
    n = sum(int(r["n_gold"]) for r in rows)
    k = sum(int(r["n_gold_correct"]) for r in rows)
    if n == 0:
        acc = Statistic.not_computable("no human verdicts on honeypot (gold) items")
    else:
        acc = clustered_proportion(
            [int(r["n_gold_correct"]) for r in rows], [int(r["n_gold"]) for r in rows], what="gold accuracy"
        )
    return {
        "accuracy": acc,
        "n_gold_verdicts": n,
        "n_correct": k,
        "n_annotators": len(rows),
        "definition": GOLD_DEFINITION,
    }


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
    import dataclasses

    from .compute import compute_agreement

    def compute():
        result = compute_agreement(
            ctx.store,
            ctx.batch_id,
            seed=ctx.seed,
            n_boot=ctx.n_boot,
            annotators=per_annotator(ctx),
            scale=ctx.scale,
        )
        return dataclasses.replace(result, gold=batch_gold(ctx.store, ctx.batch_id))

    return ctx.memo("agreement.result", compute)


def _section(ctx) -> dict[str, Any]:
    return {"agreement": agreement(ctx)}


def _competence_section(ctx) -> dict[str, Any]:
    from .competence import competence

    return {"annotator_competence": competence(ctx)}


REPORT_SECTIONS = [("agreement", _section), ("annotator_competence", _competence_section)]
