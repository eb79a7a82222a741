"""Position bias: does an annotator prefer the response shown first? And was the order randomised?

Definition (docs/bias.md). Among an annotator's non-tie verdicts whose ``shown_first`` was
recorded, p_first = #(preference == shown_first) / #(such verdicts). An unbiased annotator, with the
order randomised, has p_first = 0.5. A batch that never recorded ``shown_first`` has status
"position unknown" and no p_first: it is never reported as unbiased.

Randomisation audit: among verdicts with a recorded order (ties included), the share that showed A
first — overall, per annotator and per model (the share of a model's verdicts showing that model's
response first) — each tested against 0.5 with an exact binomial test (BH q-values across
annotators / models).

The BH family of the per-annotator tests is every annotator of the batch, humans and judges
together (as the sample-data manifest defines it): an annotator has one q-value per batch.

The judge area reuses :func:`position_bias` with ``annotator_kind="judge"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..results import Statistic
from ..store import Store
from .rates import ALPHA, MIN_EFFECT, AnnotatorRate, peer_counts, pooled, rate_table

MEASURED = "measured"
POSITION_UNKNOWN = "position unknown"
NO_VERDICTS = "no verdicts"

DEFINITION = (
    "p_first: among non-tie verdicts with shown_first recorded, the share where "
    "preference == shown_first; Wilson 95% interval; two-sided exact binomial p vs 0.5; "
    "Benjamini-Hochberg q across the batch's annotators (humans and judges: one family per batch); "
    "flagged (flag_basis absolute) when q < 0.05 AND the interval lies wholly outside "
    "[0.5 - min_effect, 0.5 + min_effect]; the relative rate (the annotator's p_first on the items it "
    "shares with other annotators of its kind vs theirs, leave-one-out) is shown beside: the order is "
    "randomised, so 0.5 is the right reference whatever the items"
)


@dataclass(frozen=True)
class RandomisationAudit:
    """Is ``shown_first`` balanced? ``p_shown_a`` overall and per annotator; per model the share
    of the model's verdicts that showed its response first. ``flagged`` rows are unbalanced (q < 0.05)."""

    status: str
    p_shown_a: Statistic
    p_value: float | None
    balanced: bool | None
    by_annotator: list[AnnotatorRate] = field(default_factory=list)
    by_model: list[AnnotatorRate] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "p_shown_a": self.p_shown_a,
            "p_value": self.p_value,
            "balanced": self.balanced,
            "by_annotator": [r.to_dict() for r in self.by_annotator],
            "by_model": [r.to_dict() for r in self.by_model],
        }


@dataclass(frozen=True)
class PositionBias:
    annotator_kind: str
    status: str  # measured | position unknown | no verdicts
    p_first: Statistic
    p_value: float | None
    n_verdicts: int
    n_recorded: int
    by_annotator: list[AnnotatorRate]
    randomisation: RandomisationAudit

    @property
    def flagged(self) -> list[str]:
        return [r.annotator_id for r in self.by_annotator if r.flagged]

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "annotator_kind": self.annotator_kind,
            "p_first": self.p_first,
            "p_value": self.p_value,
            "n_verdicts": self.n_verdicts,
            "n_recorded": self.n_recorded,
            "n_unrecorded": self.n_verdicts - self.n_recorded,
            "definition": DEFINITION,
            "flag_basis": "absolute",
            "by_annotator": [r.to_dict() for r in self.by_annotator],
            "randomisation": self.randomisation,
        }


def randomisation_audit(
    by_annotator: list[dict],
    by_model: list[dict],
    *,
    annotator_kind: str,
    alpha: float = ALPHA,
    min_effect: float = MIN_EFFECT,
) -> RandomisationAudit:
    """The audit of ``annotator_kind`` from ``{annotator_kind, annotator_id, n, k_shown_a}`` rows of
    all the batch's annotators (one BH family, as for p_first) and ``{model, n, k_shown_first}`` rows
    of that kind."""
    table = rate_table(
        [(r["annotator_id"], r["k_shown_a"], r["n"]) for r in by_annotator],
        "p_shown_a",
        alpha=alpha,
        min_effect=min_effect,
    )
    table = [t for t, r in zip(table, by_annotator, strict=True) if r["annotator_kind"] == annotator_kind]
    ann = [(t.annotator_id, t.k, t.n) for t in table]
    if sum(n for _, _, n in ann) == 0:
        return RandomisationAudit(
            POSITION_UNKNOWN, Statistic.not_computable("position unknown: shown_first was never recorded"), None, None
        )
    overall, p = pooled(ann, "p_shown_a")
    models = [(r["model"], r["k_shown_first"], r["n"]) for r in by_model]
    return RandomisationAudit(
        MEASURED,
        overall,
        p,
        bool(p is not None and p >= alpha),
        table,
        rate_table(models, "p_shown_first", alpha=alpha, id_name="model", min_effect=min_effect),
    )


def position_bias_from_counts(
    counts: list[dict],
    audit: RandomisationAudit,
    *,
    annotator_kind: str,
    alpha: float = ALPHA,
    min_effect: float = MIN_EFFECT,
    peers: list[dict] | None = None,
) -> PositionBias:
    """Position bias of ``annotator_kind`` from ``bias/position_by_annotator`` rows
    ``{annotator_kind, annotator_id, n_verdicts, n_recorded, n, k_first}`` of ALL the batch's
    annotators (pure; see the module docstring). The BH family is every annotator of the batch,
    humans and judges, so an annotator has one q-value whichever list shows it; the batch-level
    p_first pools the verdicts of ``annotator_kind`` only."""
    mine = [r for r in counts if r["annotator_kind"] == annotator_kind]
    n_verdicts = sum(int(r["n_verdicts"]) for r in mine)
    n_recorded = sum(int(r["n_recorded"]) for r in mine)
    if n_verdicts == 0:
        status, reason = NO_VERDICTS, f"no {annotator_kind} verdicts in the batch"
    elif n_recorded == 0:
        status, reason = POSITION_UNKNOWN, "position unknown: shown_first was never recorded in this batch"
    else:
        status, reason = MEASURED, ""
    if status != MEASURED:
        empty = [AnnotatorRate(r["annotator_id"], "p_first", 0, 0, None, None, None, None, None, False) for r in mine]
        return PositionBias(
            annotator_kind, status, Statistic.not_computable(reason), None, n_verdicts, n_recorded, empty, audit
        )
    table = rate_table(
        [(r["annotator_id"], r["k_first"], r["n"]) for r in counts],
        "p_first",
        alpha=alpha,
        min_effect=min_effect,
        peers=peer_counts(peers or []),
        basis="absolute",
    )
    kinds = [r["annotator_kind"] for r in counts]
    stat, p = pooled([(r["annotator_id"], r["k_first"], r["n"]) for r in mine], "p_first")
    return PositionBias(
        annotator_kind,
        status,
        stat,
        p,
        n_verdicts,
        n_recorded,
        [t for t, k in zip(table, kinds, strict=True) if k == annotator_kind],
        audit,
    )


def position_bias(
    store: Store, batch_id: str, annotator_kind: str = "human", *, alpha: float = ALPHA, min_effect: float = MIN_EFFECT
) -> PositionBias:
    """p_first for the batch and each annotator of ``annotator_kind`` ("human" or "judge"), with
    the randomisation audit. Three small aggregate queries; nothing row-level leaves DuckDB."""
    p = {"batch_id": batch_id, "annotator_kind": annotator_kind}
    b = {"batch_id": batch_id}
    audit = randomisation_audit(
        store.rows("bias/shown_first_by_annotator", b),
        store.rows("bias/shown_first_by_model", p),
        annotator_kind=annotator_kind,
        alpha=alpha,
        min_effect=min_effect,
    )
    return position_bias_from_counts(
        store.rows("bias/position_by_annotator", b),
        audit,
        annotator_kind=annotator_kind,
        alpha=alpha,
        min_effect=min_effect,
        peers=store.rows("bias/peers", {**b, "rule": "position", "min_diff_chars": 0}),
    )
