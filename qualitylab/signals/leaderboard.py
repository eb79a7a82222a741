"""Model leaderboards from each signal, side by side, with one seeded bootstrap resampled by prompt.

- pairwise: win rate (ties half a win), the soft win rate (AlpacaEval's: each verdict counts
  P(model preferred), ``preference_soft`` where recorded, else the hard outcome) and Bradley-Terry
  log-strength from the direct verdicts;
- rankings: the same from the pairs implied by every ranking (equal ranks = tie);
- ratings: mean score of one aspect.

All intervals are percentile intervals of the same B replicates, each drawing prompts (clusters)
with replacement, so differences between signals and between models are resampled jointly.
Definitions: docs/signals.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..results import Statistic
from .bradley_terry import bradley_terry, strongly_connected, win_matrix, win_rates
from .correlation import kendall_tau_b_rows, spearman_rows
from .data import SignalData
from .replicates import Replicates, draw_replicates, rating_sums, win_matrices
from .resample import BLOCK_CELLS, percentile_interval

SIGNALS = ("pairwise", "rankings", "ratings")
#: the Arena / Elo scale of a Bradley-Terry log-strength theta (natural log): 1000 + 400 / ln 10 * theta
ELO_BASE, ELO_SCALE = 1000.0, 400.0 / float(np.log(10.0))
INTERVALS = (
    "every interval resamples prompts (prompt_id, the cluster: all verdicts, rankings and ratings of a "
    "prompt are drawn together), not single verdicts: a prompt's verdicts are correlated (several "
    "annotators, both orders, one hard prompt), so these intervals are wider than a row bootstrap's "
    "(an outside audit measured ~1.6x on MT-Bench human judgments) and honest about prompt-level noise"
)


def elo(stat: Statistic) -> Statistic:
    """A pairwise_bt statistic on the Arena/Elo scale (an increasing affine map, so the percentile
    interval maps onto the percentile interval): 1000 + 400 / ln 10 * theta; the centred thetas make
    the models' mean 1000."""
    if stat.value is None:
        return stat
    f = lambda x: None if x is None else ELO_BASE + ELO_SCALE * x  # noqa: E731
    return Statistic(f(stat.value), f(stat.ci95_low), f(stat.ci95_high), stat.n, method=stat.method)


_BT_BLOCK = 100  # replicates per Bradley-Terry fit (stacked matrices)
#: the per-model score each signal's leaderboard is ordered by
SCORE_OF = {"pairwise": "pairwise_bt", "rankings": "rankings_bt", "ratings": "rating_mean"}


@dataclass(frozen=True)
class Leaderboard:
    annotator_kind: str
    aspect: str | None
    n_prompts: int
    models: list[dict[str, Any]]  # one row per model: scores and ranks per signal
    rank_correlation: dict[str, dict[str, Statistic]]  # "pairwise_vs_ratings" -> {kendall_tau_b, spearman}
    pair_orders: list[dict[str, Any]]  # every model pair: differences per signal, status
    disagreements: list[dict[str, Any]]  # pairs two signals order oppositely beyond the intervals
    method: str
    reason: str | None = None  # why nothing could be computed
    cost: Any = None
    replicates: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        from ..results import to_jsonable

        d = {
            k: getattr(self, k)
            for k in (
                "annotator_kind",
                "aspect",
                "n_prompts",
                "models",
                "rank_correlation",
                "pair_orders",
                "disagreements",
                "method",
                "cost",
            )
        }
        d["intervals"] = INTERVALS
        if self.reason:
            d["reason"] = self.reason
        return to_jsonable(d)


def _bt_or_nan(w: np.ndarray) -> np.ndarray:
    return bradley_terry(w) if strongly_connected(w)[()] else np.full(w.shape[-1], np.nan)


def point_scores(data: SignalData) -> dict[str, np.ndarray]:
    """Per-model scores on the full data: *_win_rate, *_bt (pairwise, rankings), rating_mean.

    nan for a model a signal does not cover (or when Bradley-Terry has no finite estimate)."""
    k = len(data.models)
    out: dict[str, np.ndarray] = {}
    for name, pc in (("pairwise", data.pairwise), ("rankings", data.rankings)):
        w = win_matrix(pc.ix, pc.iy, pc.n_x, pc.n_y, pc.n_tie, k)
        covered = (w.sum(0) + w.sum(1)) > 0
        out[f"{name}_win_rate"] = win_rates(w)
        if name == "pairwise":
            sx, sy = pc.soft_wins()
            out["pairwise_win_rate_soft"] = win_rates(win_matrix(pc.ix, pc.iy, sx, sy, np.zeros_like(sx), k))
        bt = np.full(k, np.nan)
        if covered.sum() >= 2:
            bt[covered] = _bt_or_nan(w[np.ix_(covered, covered)])
        out[f"{name}_bt"] = bt
    r = data.ratings
    n = np.bincount(r.model, weights=r.n, minlength=k)
    s = np.bincount(r.model, weights=r.sum_score, minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["rating_mean"] = np.where(n > 0, s / np.where(n > 0, n, 1), np.nan)
    out["rating_n"] = n
    return out


def bootstrap_scores(data: SignalData, n_boot: int, seed: int, reps: Replicates | None = None) -> dict[str, np.ndarray]:
    """The same scores on ``n_boot`` replicates (rows), each resampling clusters with replacement
    (``reps``: the report's shared draw, else drawn here; see :mod:`.replicates`)."""
    k = len(data.models)
    reps = reps if reps is not None else draw_replicates(data, n_boot, seed)
    base = point_scores(data)
    cov = {name: ~np.isnan(base[f"{name}_win_rate"]) for name in ("pairwise", "rankings")}
    out: dict[str, np.ndarray] = {}
    for name, g in (("pairwise", reps.pairwise), ("rankings", reps.rankings)):
        w = win_matrices(g, k, g.counts)
        out[f"{name}_win_rate"] = win_rates(w)
        if name == "pairwise":
            out["pairwise_win_rate_soft"] = win_rates(win_matrices(g, k, g.counts, soft=True))
        bt = np.full((len(w), k), np.nan)
        m = cov[name]
        if m.sum() >= 2:
            # fits of stacked matrices stop together (one tolerance for the stack): the stack size
            # is that of the replicate blocks the bootstrap was drawn in, at least _BT_BLOCK
            block = max(_BT_BLOCK, min(len(w), BLOCK_CELLS // max(len(data.clusters), 1)))
            for start in range(0, len(w), block):
                bt[start : start + block, m] = bradley_terry(w[start : start + block][:, m][:, :, m])
        out[f"{name}_bt"] = bt
    n, s = rating_sums(reps.ratings, k, reps.ratings.counts)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["rating_mean"] = np.where(n > 0, s / np.where(n > 0, n, 1), np.nan)
    return out


def _ranks(scores: np.ndarray) -> np.ndarray:
    """Rank 1 = best among the finite scores of each row (ties share the better rank); nan stays nan."""
    s = np.atleast_2d(scores)
    finite = np.isfinite(s)
    filled = np.where(finite, s, -np.inf)
    better = (filled[:, None, :] > filled[:, :, None]).sum(-1)
    return np.where(finite, better + 1.0, np.nan)


def compute_leaderboard(data: SignalData, *, n_boot: int, seed: int, reps: Replicates | None = None) -> Leaderboard:
    """Leaderboards from the three signals with joint bootstrap intervals (see module docstring).

    ``reps``: the replicates shared with the cost of a signal (drawn here when None)."""
    if data.models and reps is None:
        reps = draw_replicates(data, n_boot, seed)
    method = (
        f"percentile bootstrap resampling prompt_id (the cluster) with replacement; {n_boot} replicates, seed {seed}"
    )
    if reps is not None and reps.method != "multinomial":
        method += f"; {reps.description}"
    if not data.models:
        return Leaderboard(
            data.annotator_kind,
            data.aspect,
            0,
            [],
            {},
            [],
            [],
            method,
            reason="not computable: the batch has no verdicts, rankings or ratings "
            "that name their models (model_a/model_b, model)",
        )
    point = point_scores(data)
    boot = bootstrap_scores(data, n_boot, seed, reps)
    n_clusters = len(data.clusters)
    k = len(data.models)
    games = {
        name: (
            win_matrix(pc.ix, pc.iy, pc.n_x, pc.n_y, pc.n_tie, k).sum(0)
            + win_matrix(pc.ix, pc.iy, pc.n_x, pc.n_y, pc.n_tie, k).sum(1)
        ).astype(int)
        for name, pc in (("pairwise", data.pairwise), ("rankings", data.rankings))
    }
    ranks_point = {sig: _ranks(point[SCORE_OF[sig]])[0] for sig in SIGNALS}
    ranks_boot = {sig: _ranks(boot[SCORE_OF[sig]]) for sig in SIGNALS}

    def stat(key: str, i: int, n: int) -> Statistic:
        v = point[key][i]
        if not np.isfinite(v):
            sig = key.split("_")[0]
            return Statistic.not_computable(
                f"{data.models[i]} has no {sig if sig != 'rating' else 'ratings'} in this batch"
                if n == 0
                else "Bradley-Terry has no finite estimate (a model won all or none of its games)",
                n,
            )
        return percentile_interval(boot[key][:, i], v, n, method="percentile bootstrap by prompt_id")

    models = []
    for i, m in enumerate(data.models):
        row: dict[str, Any] = {"model": m}
        for sig in ("pairwise", "rankings"):
            row[f"{sig}_win_rate"] = stat(f"{sig}_win_rate", i, int(games[sig][i]))
            if sig == "pairwise":
                row["pairwise_win_rate_soft"] = stat("pairwise_win_rate_soft", i, int(games[sig][i]))
            row[f"{sig}_bt"] = stat(f"{sig}_bt", i, int(games[sig][i]))
            if sig == "pairwise":
                row["pairwise_elo"] = elo(row["pairwise_bt"])
        row["rating_mean"] = stat("rating_mean", i, int(point["rating_n"][i]))
        for sig in SIGNALS:
            rp = ranks_point[sig][i]
            row[f"rank_{sig}"] = (
                Statistic.not_computable(f"no {sig} score")
                if not np.isfinite(rp)
                else percentile_interval(
                    ranks_boot[sig][:, i], rp, n_clusters, method="percentile bootstrap by prompt_id"
                )
            )
        models.append(row)

    correlations = {}
    for a, b in (("pairwise", "ratings"), ("rankings", "ratings"), ("pairwise", "rankings")):
        pa, pb = point[SCORE_OF[a]], point[SCORE_OF[b]]
        both = np.isfinite(pa) & np.isfinite(pb)
        key = f"{a}_vs_{b}"
        if both.sum() < 3:
            reason = f"fewer than 3 models have both a {a} and a {b} score ({int(both.sum())})"
            correlations[key] = {
                "kendall_tau_b": Statistic.not_computable(reason, int(both.sum())),
                "spearman": Statistic.not_computable(reason, int(both.sum())),
            }
            continue
        ba, bb = boot[SCORE_OF[a]][:, both], boot[SCORE_OF[b]][:, both]
        correlations[key] = {
            "kendall_tau_b": percentile_interval(
                kendall_tau_b_rows(ba, bb),
                kendall_tau_b_rows(pa[both], pb[both])[0],
                int(both.sum()),
                method="percentile bootstrap by prompt_id; n = models",
            ),
            "spearman": percentile_interval(
                spearman_rows(ba, bb),
                spearman_rows(pa[both], pb[both])[0],
                int(both.sum()),
                method="percentile bootstrap by prompt_id; n = models",
            ),
        }

    pair_orders, disagreements = [], []
    for i in range(k):
        for j in range(i + 1, k):
            entry: dict[str, Any] = {"model_x": data.models[i], "model_y": data.models[j]}
            direction = {}
            for sig in SIGNALS:
                key = SCORE_OF[sig]
                d = point[key][i] - point[key][j]
                if not np.isfinite(d):
                    entry[f"{sig}_diff"] = Statistic.not_computable(f"{sig} does not score both models")
                    continue
                st = percentile_interval(
                    boot[key][:, i] - boot[key][:, j],
                    d,
                    n_clusters,
                    method="percentile bootstrap by prompt_id; difference x - y",
                )
                entry[f"{sig}_diff"] = st
                if st.ci95_low is not None and st.ci95_high is not None and (st.ci95_low > 0 or st.ci95_high < 0):
                    direction[sig] = 1 if st.ci95_low > 0 else -1
            entry["better_by"] = {sig: (data.models[i] if s > 0 else data.models[j]) for sig, s in direction.items()}
            opposed = [
                (a, b)
                for a in direction
                for b in direction
                if SIGNALS.index(a) < SIGNALS.index(b) and direction[a] != direction[b]
            ]
            entry["status"] = (
                "disagree beyond the intervals"
                if opposed
                else "agree"
                if len(direction) >= 2
                else "not resolved by two signals"
            )
            pair_orders.append(entry)
            if opposed:
                disagreements.append(
                    {
                        "model_x": data.models[i],
                        "model_y": data.models[j],
                        "signals": [f"{a} vs {b}" for a, b in opposed],
                        "better_by": entry["better_by"],
                    }
                )
    return Leaderboard(
        data.annotator_kind,
        data.aspect,
        n_clusters,
        models,
        correlations,
        pair_orders,
        disagreements,
        method,
        replicates=boot,
    )
