"""The bootstrap replicates the leaderboards and the cost of a signal share, drawn once per report.

Every statistic of the two is a function of per-prompt sums: wins and games of each model pair
(pairwise, rankings), rating counts and score sums of each model, and the per-prompt evidence of
each pair (cost). The per-prompt cells those sums add up are of few kinds: a cell is "pair (x, y)
on one prompt with 2 wins of x, 0 of y, 1 tie", "model m rated 3 times with sum 14", or "pair
(x, y) whose mean ratings differ by 2/3 over 6 ratings". Cells are grouped by kind (their values),
and a replicate is fully described by how often the clusters of each group were drawn
(:func:`resample.replicate_group_counts`): sums of per-cluster values are then group counts times
group values, exactly as summing the drawn clusters would give (whole and half numbers add exactly).
So clusters are visited once per replicate block by one sparse product over one-cell-per-entry
memberships, not once per statistic with one entry per value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from .data import PairCounts, SignalData
from .resample import bootstrap_method, describe_bootstrap, replicate_group_counts

#: columns of a pair group's values (s_x, s_y: soft wins, see :meth:`PairCounts.soft_wins`; functions of
#: the counts when no soft value was recorded, so they split no group and leave the groups' order alone)
PAIR_COLUMNS = ("ix", "iy", "n_x", "n_y", "n_tie", "s_x", "s_y")
#: columns of a rating group (one model on one prompt)
RATING_COLUMNS = ("model", "n", "sum_score")
#: columns of a rating-pair group (cost: models i < j both rated on one prompt)
RATING_PAIR_COLUMNS = ("i", "j", "d", "items")


@dataclass(frozen=True)
class Groups:
    """Distinct cell kinds of one sort: ``values`` (G x columns), ``n`` (G,) = cells of each kind on
    the full data, and ``counts`` (B x G) = the same in each bootstrap replicate."""

    values: np.ndarray
    n: np.ndarray
    counts: np.ndarray

    def col(self, name: str, columns: tuple[str, ...]) -> np.ndarray:
        return self.values[:, columns.index(name)]


@dataclass(frozen=True)
class Replicates:
    n_boot: int
    seed: int
    method: str  # 'multinomial' or 'poisson'
    description: str  # for methods strings
    pairwise: Groups
    rankings: Groups
    ratings: Groups
    rating_pairs: Groups


def _group(cluster: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(distinct rows of values in lexicographic order, index of each cell's group, cells per group)."""
    if len(cluster) == 0:
        return np.zeros((0, values.shape[1])), np.zeros(0, dtype=int), np.zeros(0)
    # code each column, then each row as one integer (a 1-d unique is much faster than axis=0)
    codes = [np.unique(values[:, c], return_inverse=True) for c in range(values.shape[1])]
    dims = [len(u) for u, _ in codes]
    if float(np.prod(np.asarray(dims, dtype=float))) < 2.0**62:
        key = np.ravel_multi_index([inv.ravel() for _, inv in codes], dims)
        _, first, inverse, n = np.unique(key, return_index=True, return_inverse=True, return_counts=True)
        return values[first], inverse.ravel(), n.astype(float)
    kinds, inverse, n = np.unique(values, axis=0, return_inverse=True, return_counts=True)
    return kinds, inverse.ravel(), n.astype(float)


def _pair_values(pc: PairCounts) -> np.ndarray:
    s_x, s_y = pc.soft_wins()
    return np.column_stack([pc.ix, pc.iy, pc.n_x, pc.n_y, pc.n_tie, s_x, s_y]).astype(float)


def rating_pair_cells(data: SignalData) -> tuple[np.ndarray, np.ndarray]:
    """(clusters, values i, j, d, items) of every prompt rating both models i < j: d = mean score of
    i - mean score of j on that prompt, items = ratings of both (the cost's rating evidence)."""
    r = data.ratings
    k = len(data.models)
    clusters, vals = [], []
    for i in range(k):
        xi = r.model == i
        for j in range(i + 1, k):
            xj = r.model == j
            common, ai, aj = np.intersect1d(r.cluster[xi], r.cluster[xj], return_indices=True)
            if not len(common):
                continue
            d = r.sum_score[xi][ai] / r.n[xi][ai] - r.sum_score[xj][aj] / r.n[xj][aj]
            clusters.append(common)
            items = r.n[xi][ai] + r.n[xj][aj]
            vals.append(np.column_stack([np.full(len(common), i), np.full(len(common), j), d, items]))
    if not clusters:
        return np.zeros(0, dtype=int), np.zeros((0, 4))
    return np.concatenate(clusters), np.vstack(vals).astype(float)


def draw_replicates(data: SignalData, n_boot: int, seed: int, method: str | None = None) -> Replicates:
    """Group every per-prompt cell of ``data`` by kind and draw the ``n_boot`` replicates' group counts."""
    n_clusters = len(data.clusters)
    method = method or bootstrap_method(max(n_clusters, 1))
    parts = {
        "pairwise": (data.pairwise.cluster, _pair_values(data.pairwise)),
        "rankings": (data.rankings.cluster, _pair_values(data.rankings)),
        "ratings": (
            data.ratings.cluster,
            np.column_stack([data.ratings.model, data.ratings.n, data.ratings.sum_score]).astype(float),
        ),
        "rating_pairs": rating_pair_cells(data),
    }
    grouped = {name: _group(np.asarray(cl), vals) for name, (cl, vals) in parts.items()}
    offsets, total = {}, 0
    for name, (kinds, _, _) in grouped.items():
        offsets[name] = total
        total += len(kinds)
    rows = np.concatenate([np.asarray(parts[name][0], dtype=int) for name in grouped])
    cols = np.concatenate([inv + offsets[name] for name, (_, inv, _) in grouped.items()])
    if n_boot > 0 and n_clusters > 0 and total > 0:
        membership = sparse.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n_clusters, total)
        )  # duplicates add up: a cluster with two cells of one kind counts twice
        counts = replicate_group_counts(membership, n_boot, seed, method)
    else:
        counts = np.zeros((max(n_boot, 0), total))
    out = {
        name: Groups(kinds, n, counts[:, offsets[name] : offsets[name] + len(kinds)])
        for name, (kinds, _, n) in grouped.items()
    }
    return Replicates(
        n_boot,
        seed,
        method,
        describe_bootstrap(max(n_clusters, 1), method),
        out["pairwise"],
        out["rankings"],
        out["ratings"],
        out["rating_pairs"],
    )


def win_matrices(g: Groups, k: int, counts: np.ndarray, *, soft: bool = False) -> np.ndarray:
    """(R, k, k) half-win matrices W[i, j] = sum over groups of counts x (wins of i over j + ties/2)
    for R rows of group counts (``g.counts`` or ``g.n[None]``); ``soft``: the soft wins instead
    (W[i, j] = sum of P(i preferred) over the verdicts on i vs j; the same without soft values)."""
    vals = np.zeros((len(g.values), k * k))
    if len(g.values):
        ix = g.col("ix", PAIR_COLUMNS).astype(int)
        iy = g.col("iy", PAIR_COLUMNS).astype(int)
        rows = np.arange(len(g.values))
        if soft:
            wx, wy = g.col("s_x", PAIR_COLUMNS), g.col("s_y", PAIR_COLUMNS)
        else:
            t = g.col("n_tie", PAIR_COLUMNS)
            wx, wy = g.col("n_x", PAIR_COLUMNS) + 0.5 * t, g.col("n_y", PAIR_COLUMNS) + 0.5 * t
        np.add.at(vals, (rows, ix * k + iy), wx)
        np.add.at(vals, (rows, iy * k + ix), wy)
    return (counts @ vals).reshape(-1, k, k)


def rating_sums(g: Groups, k: int, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(R, k) rating counts and score sums per model for R rows of group counts."""
    n = np.zeros((len(g.values), k))
    s = np.zeros((len(g.values), k))
    if len(g.values):
        m = g.col("model", RATING_COLUMNS).astype(int)
        rows = np.arange(len(g.values))
        n[rows, m] = g.col("n", RATING_COLUMNS)
        s[rows, m] = g.col("sum_score", RATING_COLUMNS)
    return counts @ n, counts @ s
