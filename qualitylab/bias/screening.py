"""Annotator screening: one row per annotator of the batch, every signal beside its flag and reason.

The row joins results computed elsewhere, never recomputing them: agreement with the others and
gold accuracy come from ``qualitylab.agreement.section.per_annotator`` (humans only); p_first,
p_prefer_longer, tie rate, entropy and runs from this package; median seconds from SQL.

Flags (each carries a reason that quotes the number and the threshold):
- ``position_bias``: p_first's BH q-value < 0.05;
- ``length_bias``: p_prefer_longer's BH q-value < 0.05;
- ``fast``: median seconds < ``fast_seconds`` (default 5);
- ``straight_lining``: label entropy < 0.5 bits, or a same-label run with P < 0.001 (distributions);
- ``few_items``: fewer than ``min_items`` (default 20) comparisons;
- ``low_gold_accuracy``: the gold accuracy's whole 95% interval lies below ``min_gold_accuracy``
  (default 0.5) — confidently wrong on honeypots, not merely unlucky on a few;
- ``low_agreement``: the agreement-with-majority's whole 95% interval lies below ``min_agreement``
  (default 0.5);
- ``llm_assisted``: the annotator agrees with an LLM judge of the batch more than with the other
  humans' majority, beyond ``min_effect`` (``qualitylab.bias.assisted``): possibly pasting a model's verdicts;
- ``low_adjudication_accuracy``: the accuracy against the buyer's adjudications (post-hoc gold,
  ``qualitylab adjudicate``) has its whole 95% interval below ``min_gold_accuracy`` (default 0.5);
- ``low_competence``: the Dawid-Skene competence (``annotator_competence.dawid_skene``, computed by
  ``qualitylab.agreement.competence``, humans only) has its whole 95% interval below
  ``min_competence`` (default 0.5).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..results import Statistic
from .rates import AnnotatorRate

MIN_GOLD_ACCURACY = 0.5
MIN_AGREEMENT = 0.5


@dataclass(frozen=True)
class Flag:
    flag: str
    reason: str


@dataclass(frozen=True)
class AnnotatorRow:
    annotator_id: str
    annotator_kind: str
    n: int  # pairwise verdicts
    n_items: int  # distinct comparisons
    n_ratings: int
    agreement_with_majority: Statistic
    gold_accuracy: Statistic
    adjudication_accuracy: Statistic
    competence: Statistic  # Dawid-Skene P(answer = true label), humans only
    p_first: Statistic
    p_first_q: float | None
    p_prefer_longer: Statistic
    p_prefer_longer_q: float | None
    tie_rate: Statistic
    entropy_bits: float | None
    longest_run: int | None
    median_seconds: float | None
    flags: list[Flag] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return bool(self.flags)

    def to_dict(self) -> dict[str, Any]:
        d = {f: getattr(self, f) for f in self.__dataclass_fields__}
        d["flagged"] = self.flagged
        d["flag_names"] = [f.flag for f in self.flags]
        return d


def _rate_flag(name: str, rate: AnnotatorRate | None) -> Flag | None:
    if rate is None or not rate.flagged:
        return None
    rel = rate.relative
    if rate.flag_basis == "relative" and rel is not None and rel.value is not None:
        return Flag(
            name,
            f"{rate.rate} {rel.value:.2f} [{rel.ci95_low:.2f}, {rel.ci95_high:.2f}] on the {rel.n_items} items "
            f"shared with its peers (n = {rel.n}) vs the peers' {rel.peer_rate:.2f} there: BH q = "
            f"{rel.q_value:.1e} < 0.05 and more than {rate.min_effect:g} away (relative)",
        )
    return Flag(
        name,
        f"{rate.rate} {rate.value:.2f} [{rate.ci95_low:.2f}, {rate.ci95_high:.2f}] on "
        f"n = {rate.n}, BH q = {rate.q_value:.1e} < 0.05, interval beyond 0.5 +/- {rate.min_effect:g} (absolute)",
    )


def _below(name: str, what: str, stat: Statistic | None, threshold: float) -> Flag | None:
    if stat is None or stat.value is None or stat.ci95_high is None or stat.ci95_high >= threshold:
        return None
    return Flag(
        name,
        f"{what} {stat.value:.2f} with 95% interval [{stat.ci95_low:.2f}, "
        f"{stat.ci95_high:.2f}] entirely below {threshold:g} (n = {stat.n})",
    )


def screening_rows(
    *,
    labels: list[dict],
    lining: list[dict],
    seconds: list[dict],
    ratings: dict[str, int],
    agreement: list[dict],
    position: dict[str, AnnotatorRate],
    length: dict[str, AnnotatorRate],
    few_items: dict[str, int],
    fast_seconds: float,
    min_gold_accuracy: float = MIN_GOLD_ACCURACY,
    min_agreement: float = MIN_AGREEMENT,
    min_items: int = 0,
    assisted: dict[str, str] | None = None,
    competence: dict[str, Statistic] | None = None,
    competence_missing: Statistic | None = None,
    min_competence: float = 0.5,
) -> list[AnnotatorRow]:
    """Join the per-annotator results into screening rows (pure).

    ``labels``: rows of the distributions' per-annotator label table; ``lining``: straight-lining
    rows; ``seconds``: ``bias/annotator_activity`` rows; ``ratings``: annotator -> number of ratings;
    ``agreement``: ``per_annotator(ctx)`` rows; ``position`` / ``length``: annotator -> rate (both
    kinds); ``few_items``: annotator -> comparisons, for annotators below ``min_items``;
    ``assisted``: annotator -> the reason of its ``llm_assisted`` flag (``bias.assisted.flag_reason``);
    ``competence``: human annotator -> Dawid-Skene competence (``annotator_competence.dawid_skene.
    per_annotator``), ``competence_missing`` the not-computable statistic of a human without one.
    """
    nc_h = Statistic.not_computable("agreement is computed for human annotators only")
    agree = {r["annotator_id"]: r for r in agreement}
    lin = {(r["annotator_kind"], r["annotator_id"]): r for r in lining}
    secs = {(r["annotator_kind"], r["annotator_id"]): r for r in seconds}
    pairwise = {(r["annotator_kind"], r["annotator_id"]): r for r in labels}
    kinds = {a: k for k, a in pairwise}
    ids = sorted({*(a for _, a in pairwise), *ratings}, key=lambda a: (kinds.get(a, "human"), a))
    out = []
    for a in ids:
        kind = kinds.get(a, "human")
        lab = pairwise.get((kind, a), {})
        ag = agree.get(a, {})
        agreement_stat = ag.get("agreement_with_majority") or (
            nc_h if kind != "human" else Statistic.not_computable("no pairwise verdicts")
        )
        gold_stat = ag.get("gold_accuracy") or (
            nc_h if kind != "human" else Statistic.not_computable("no pairwise verdicts")
        )
        adj_stat = ag.get("adjudication_accuracy") or (
            nc_h if kind != "human" else Statistic.not_computable("no pairwise verdicts")
        )
        comp_stat = (competence or {}).get(a) or (
            Statistic.not_computable("competence is computed for human annotators only")
            if kind != "human"
            else competence_missing or Statistic.not_computable("no pairwise verdicts")
        )
        pos, lng = position.get(a), length.get(a)
        li = lin.get((kind, a), {})
        sec = secs.get((kind, a), {})
        median = sec.get("median_seconds")
        flags = [f for f in (_rate_flag("position_bias", pos), _rate_flag("length_bias", lng)) if f]
        if median is not None and median < fast_seconds and kind == "human":
            flags.append(
                Flag(
                    "fast",
                    f"median {median:.1f} s per verdict < {fast_seconds:g} s ({sec.get('n_timed')} timed verdicts)",
                )
            )
        for reason in li.get("reasons", []):
            flags.append(Flag("straight_lining", reason))
        if a in few_items:
            flags.append(Flag("few_items", f"{few_items[a]} comparisons < {min_items}"))
        if assisted and a in assisted:
            flags.append(Flag("llm_assisted", assisted[a]))
        flags += [
            f
            for f in (
                _below("low_gold_accuracy", "gold accuracy", gold_stat, min_gold_accuracy),
                _below("low_adjudication_accuracy", "accuracy against adjudication", adj_stat, min_gold_accuracy),
                _below("low_agreement", "agreement with the others' majority", agreement_stat, min_agreement),
                _below("low_competence", "Dawid-Skene competence", comp_stat, min_competence),
            )
            if f
        ]
        nc_rate = Statistic.not_computable("no eligible verdicts")
        out.append(
            AnnotatorRow(
                a,
                kind,
                int(lab.get("n", 0)),
                int(sec.get("n_items", 0)),
                int(ratings.get(a, 0)),
                agreement_stat,
                gold_stat,
                adj_stat,
                comp_stat,
                pos.statistic if pos else nc_rate,
                pos.q_value if pos else None,
                lng.statistic if lng else nc_rate,
                lng.q_value if lng else None,
                lab.get("tie_rate") or Statistic.not_computable("no pairwise verdicts"),
                lab.get("entropy_bits"),
                li.get("longest_run"),
                median,
                flags,
            )
        )
    return out
