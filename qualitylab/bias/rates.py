"""Per-annotator binomial rates tested against 0.5: the shared core of position and length bias.

Both p_first and p_prefer_longer are proportions k/n of non-tie verdicts that an unbiased annotator
would put at 0.5. For each annotator: the Wilson 95% interval, the two-sided exact binomial p-value
against 0.5, and Benjamini-Hochberg q-values across the annotators of the batch.

**A flag means an effect** (issue 14 item 6): ``flagged`` = q < alpha (0.05) AND the 95% interval
lies wholly outside [centre - min_effect, centre + min_effect] (min_effect 0.05 by default). The
centre is 0.5 for the **absolute** rate; for the **relative** rate (issue 14 item 5) it is the
peers' rate: the other annotators of the same kind on the same items (leave-one-out), with the
annotator's own rate on those items, its Wilson interval and an exact binomial test against the
peers' rate (taken as known; the margin min_effect covers its own noise at the batch sizes audited).
On the relative basis a row is flagged when the relative rule holds AND the absolute one, in the
same direction: away from its peers and from 0.5 alike (with few annotators one biased peer moves
the others' peer rate, and a fair annotator at 0.5 must not be flagged for it).
``flag_basis`` says which rule a row's ``flagged`` rests on. Multiplicity family: for each rate
(p_first, p_prefer_longer, ...) and each basis, BH over every annotator of the batch with n > 0,
humans and judges together, one family per batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..intervals import bh_qvalues, binomial_p, binomial_p_many, proportion
from ..results import Statistic

ALPHA = 0.05
MIN_EFFECT = 0.05  # report option min_effect: the smallest deviation worth a reviewer's time
BASES = ("absolute", "relative")


def effect_flag(
    q: float | None, lo: float | None, hi: float | None, centre: float | None, min_effect: float, alpha: float = ALPHA
) -> bool:
    """q < alpha and the interval [lo, hi] wholly outside [centre - min_effect, centre + min_effect].

    >>> effect_flag(0.006, 0.531, 0.671, 0.5, 0.05)  # 111/184 first-shown: significant, no effect
    False
    >>> effect_flag(0.001, 0.70, 0.85, 0.5, 0.05)
    True
    """
    if q is None or lo is None or hi is None or centre is None:
        return False
    return bool(q < alpha and (lo > centre + min_effect or hi < centre - min_effect))


def difference_flag(q: float | None, lo: float | None, min_effect: float, alpha: float = ALPHA) -> bool:
    """The rule of a one-sided difference row (``flag_basis: "difference"``, bias.assisted): q < alpha
    and the difference's interval wholly above +min_effect.

    >>> difference_flag(1e-6, 0.21, 0.05), difference_flag(1e-6, 0.03, 0.05), difference_flag(0.2, 0.21, 0.05)
    (True, False, False)
    """
    return bool(q is not None and lo is not None and q < alpha and lo > min_effect)


def reflag(row: dict[str, Any], min_effect: float, alpha: float = ALPHA) -> bool:
    """A rate row's (JSON form) ``flagged`` under another ``min_effect``, from its own fields (the
    gate's per-criterion ``min_effect``; nothing is recomputed). Rows of ``llm_assisted.pairs``
    (``flag_basis: "difference"``) by :func:`difference_flag`."""
    if row.get("flag_basis") == "difference":
        return difference_flag(row.get("q_value"), row.get("ci95_low"), min_effect, alpha)
    absolute = effect_flag(row.get("q_value"), row.get("ci95_low"), row.get("ci95_high"), 0.5, min_effect, alpha)
    if row.get("flag_basis") != "relative":
        return absolute
    relative = effect_flag(
        row.get("relative_q_value"),
        row.get("relative_ci95_low"),
        row.get("relative_ci95_high"),
        row.get("peer_rate"),
        min_effect,
        alpha,
    )
    value = next((v for k, v in row.items() if k.startswith("p_") and k != "p_value"), None)
    rel, peer = row.get("relative_rate"), row.get("peer_rate")
    if not (absolute and relative) or value is None or rel is None or peer is None:
        return False
    return (value > 0.5) == (rel > peer)


@dataclass(frozen=True)
class RelativeRate:
    """An annotator's rate on the items it shares with peers of its kind, and the peers' rate there."""

    n: int  # the annotator's eligible verdicts on the shared items
    k: int
    value: float | None
    ci95_low: float | None
    ci95_high: float | None
    n_peers: int  # the peers' eligible verdicts on those items
    peer_rate: float | None
    n_items: int
    p_value: float | None
    q_value: float | None
    flagged: bool


@dataclass(frozen=True)
class AnnotatorRate:
    """One annotator's rate k/n against 0.5 (``rate`` names it: p_first, p_prefer_longer, ...)."""

    annotator_id: str
    rate: str
    n: int
    k: int
    value: float | None
    ci95_low: float | None
    ci95_high: float | None
    p_value: float | None
    q_value: float | None
    flagged: bool
    id_name: str = "annotator_id"
    min_effect: float = MIN_EFFECT
    flag_basis: str = "absolute"
    flagged_absolute: bool = False
    relative: RelativeRate | None = None

    @property
    def statistic(self) -> Statistic:
        if self.value is None:
            return Statistic.not_computable(f"no eligible verdicts for {self.rate}", self.n)
        return Statistic(self.value, self.ci95_low, self.ci95_high, self.n, method="wilson")

    def to_dict(self) -> dict[str, Any]:
        rel = self.relative
        return {
            self.id_name: self.annotator_id,
            "n": self.n,
            self.rate: self.value,
            "ci95_low": self.ci95_low,
            "ci95_high": self.ci95_high,
            "p_value": self.p_value,
            "q_value": self.q_value,
            "flagged": self.flagged,
            "flag_basis": self.flag_basis,
            "min_effect": self.min_effect,
            "flagged_absolute": self.flagged_absolute,
            "relative_rate": rel.value if rel else None,
            "relative_ci95_low": rel.ci95_low if rel else None,
            "relative_ci95_high": rel.ci95_high if rel else None,
            "n_relative": rel.n if rel else 0,
            "peer_rate": rel.peer_rate if rel else None,
            "n_peer_verdicts": rel.n_peers if rel else 0,
            "n_shared_items": rel.n_items if rel else 0,
            "relative_p_value": rel.p_value if rel else None,
            "relative_q_value": rel.q_value if rel else None,
            "flagged_relative": rel.flagged if rel else False,
        }


def rate_table(
    counts: Iterable[tuple[str, int, int]],
    rate: str,
    *,
    p0: float = 0.5,
    alpha: float = ALPHA,
    id_name: str = "annotator_id",
    min_effect: float = MIN_EFFECT,
    peers: Mapping[str, tuple[int, int, int, int, int]] | None = None,
    basis: str = "absolute",
) -> list[AnnotatorRate]:
    """Per-annotator rates with Wilson intervals, binomial p-values, BH q-values and the effect rule.

    ``counts``: ``(annotator_id, k, n)`` with 0 <= k <= n. For annotator i, rate_i = k_i / n_i;
    p_i = two-sided exact binomial test of k_i successes in n_i trials against ``p0`` (scipy
    ``binomtest``); q_i = Benjamini-Hochberg (1995) q-value over the annotators with n_i > 0;
    flagged_absolute_i = q_i < alpha and the Wilson interval wholly outside p0 +/- ``min_effect``.
    ``peers``: annotator id -> ``(k_own, n_own, k_peers, n_peers, n_items)`` on the items it shares
    with peers (bias/*_peers); each gets the relative rate k_own / n_own tested against the peers'
    rate k_peers / n_peers (BH over those annotators), flagged_relative by the same effect rule
    around the peers' rate. ``basis``: "relative" = ``flagged`` is the relative rule for annotators
    with peers (the absolute one for the others); "absolute" = the absolute rule, the relative rate
    shown beside. Annotators with n_i = 0 get no rate, p or q and are never flagged. ``id_name`` is
    the key of the first column in the JSON form (``model`` for the per-model audit).

    >>> [r.flagged for r in rate_table([("a", 18, 20), ("b", 10, 20)], "p_first")]
    [True, False]
    """
    if basis not in BASES:
        raise ValueError(f"basis must be one of {BASES}, got {basis!r}")
    if not 0 <= min_effect < 0.5:
        raise ValueError(f"min_effect must be in [0, 0.5), got {min_effect}")
    rows = [(str(a), int(k), int(n)) for a, k, n in counts]
    for a, k, n in rows:
        if n < 0 or k < 0 or k > n:
            raise ValueError(
                f"annotator {a!r}: need 0 <= k <= n, got k={k}, n={n}; pass counts of successes and trials"
            )
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    pvals = binomial_p_many([k for _, k, _ in rows], [n for _, _, n in rows], p0)
    qvals = bh_qvalues(pvals)
    relative = _relative_rates(peers or {}, min_effect, alpha)
    out = []
    for (a, k, n), p, q in zip(rows, pvals, qvals, strict=True):
        s = proportion(k, n, what=rate)
        absolute = effect_flag(q, s.ci95_low, s.ci95_high, p0, min_effect, alpha)
        rel = relative.get(a)
        on_relative = basis == "relative" and rel is not None
        out.append(
            AnnotatorRate(
                a,
                rate,
                n,
                k,
                s.value,
                s.ci95_low,
                s.ci95_high,
                p,
                q,
                _both(absolute, s.value, p0, rel) if on_relative and rel is not None else absolute,
                id_name,
                min_effect,
                "relative" if on_relative else "absolute",
                absolute,
                rel,
            )
        )
    return out


def _both(absolute: bool, value: float | None, p0: float, rel: RelativeRate) -> bool:
    """The relative basis' flag: away from the peers AND from p0, the same way (so an annotator at
    0.5 among peers who prefer longer answers is not flagged for being fair)."""
    if not (absolute and rel.flagged) or value is None or rel.value is None or rel.peer_rate is None:
        return False
    return (value > p0) == (rel.value > rel.peer_rate)


def _relative_rates(
    peers: Mapping[str, tuple[int, int, int, int, int]], min_effect: float, alpha: float
) -> dict[str, RelativeRate]:
    ids = [a for a, (_, n_own, _, n_peers, _) in peers.items() if n_own > 0 and n_peers > 0]
    if not ids:
        return {}
    centres = [peers[a][2] / peers[a][3] for a in ids]
    pvals = binomial_p_many([peers[a][0] for a in ids], [peers[a][1] for a in ids], centres)
    qvals = bh_qvalues(pvals)
    out = {}
    for a, c, p, q in zip(ids, centres, pvals, qvals, strict=True):
        k, n, _, n_peers, n_items = peers[a]
        s = proportion(k, n)
        flagged = effect_flag(q, s.ci95_low, s.ci95_high, c, min_effect, alpha)
        out[a] = RelativeRate(n, k, s.value, s.ci95_low, s.ci95_high, n_peers, c, n_items, p, q, flagged)
    return out


def peer_counts(rows: Iterable[dict[str, Any]]) -> dict[str, tuple[int, int, int, int, int]]:
    """bias/*_peers rows -> the ``peers`` argument of :func:`rate_table`."""
    return {
        str(r["annotator_id"]): (
            int(r["k_own"]),
            int(r["n_own"]),
            int(r["k_peers"]),
            int(r["n_peers"]),
            int(r["n_shared_items"]),
        )
        for r in rows
    }


def pooled(counts: Iterable[tuple[str, int, int]], rate: str, *, p0: float = 0.5) -> tuple[Statistic, float | None]:
    """The batch-level rate sum(k) / sum(n) with its Wilson interval and binomial p-value vs p0.

    Pooling treats verdicts as independent trials: with few, very unequal annotators the interval
    is too narrow (read the per-annotator table too).
    """
    counts = list(counts)
    k = sum(int(r[1]) for r in counts)
    n = sum(int(r[2]) for r in counts)
    return proportion(k, n, what=rate), binomial_p(k, n, p0)
