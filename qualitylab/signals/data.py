"""The per-prompt aggregates the leaderboards and the cost estimate share, as sparse arrays.

One load per report (the section memoises it). Every array is indexed by a common list of
clusters (prompt_id; see the queries for the fallback when it is missing) and of models, so one
bootstrap draw of clusters applies to all three signals at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from ..store import Store


@dataclass(frozen=True)
class PairCounts:
    """Aggregated pairwise outcomes (direct verdicts, or implied by rankings): one entry per
    (cluster, model pair) with model index ix < iy in :attr:`SignalData.models`."""

    cluster: np.ndarray
    ix: np.ndarray
    iy: np.ndarray
    n_x: np.ndarray
    n_y: np.ndarray
    n_tie: np.ndarray
    #: soft wins of ix / iy (sums of P(that model preferred), preference_soft where recorded); None = hard
    #: outcomes only (rankings): n_x + n_tie / 2 and n_y + n_tie / 2
    s_x: np.ndarray | None = None
    s_y: np.ndarray | None = None

    @property
    def empty(self) -> bool:
        return len(self.cluster) == 0

    def soft_wins(self) -> tuple[np.ndarray, np.ndarray]:
        """(soft wins of ix, soft wins of iy) per entry; the half-win counts when no soft value exists."""
        if self.s_x is None or self.s_y is None:
            return self.n_x + 0.5 * self.n_tie, self.n_y + 0.5 * self.n_tie
        return self.s_x, self.s_y

    def half_wins(self, n_clusters: int, k: int) -> sparse.csr_matrix:
        """(clusters x k*k) matrix: entry [c, i*k + j] = wins of i over j in cluster c (ties half)."""
        rows = np.concatenate([self.cluster, self.cluster])
        cols = np.concatenate([self.ix * k + self.iy, self.iy * k + self.ix])
        vals = np.concatenate([self.n_x + 0.5 * self.n_tie, self.n_y + 0.5 * self.n_tie])
        return sparse.csr_matrix((vals, (rows, cols)), shape=(n_clusters, k * k))


@dataclass(frozen=True)
class RatingCells:
    """Rating rows of one aspect aggregated per (cluster, model)."""

    cluster: np.ndarray
    model: np.ndarray
    n: np.ndarray
    sum_score: np.ndarray

    @property
    def empty(self) -> bool:
        return len(self.cluster) == 0

    def matrices(self, n_clusters: int, k: int) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        """(clusters x k) matrices of rating counts and score sums."""
        shape = (n_clusters, k)
        return (
            sparse.csr_matrix((self.n, (self.cluster, self.model)), shape=shape),
            sparse.csr_matrix((self.sum_score, (self.cluster, self.model)), shape=shape),
        )


@dataclass(frozen=True)
class SignalData:
    annotator_kind: str
    aspect: str | None
    clusters: list[str]
    models: list[str]
    pairwise: PairCounts
    rankings: PairCounts
    ratings: RatingCells


def _index(values, table: dict[str, int]) -> np.ndarray:
    return np.array([table[v] for v in values], dtype=int)


def load_signal_data(store: Store, batch_id: str, annotator_kind: str, aspect: str | None) -> SignalData:
    """Run the three aggregate queries and index them by common cluster and model lists."""
    p = {"batch_id": batch_id, "annotator_kind": annotator_kind}
    pw = store.arrow("signals/pair_counts", p).to_pydict()
    rk = store.arrow("signals/ranking_pair_counts", p).to_pydict()
    rt = (
        store.arrow("signals/model_ratings", {**p, "aspect": aspect}).to_pydict()
        if aspect
        else {"cluster": [], "model": [], "n": [], "sum_score": []}
    )
    clusters = sorted(set(pw["cluster"]) | set(rk["cluster"]) | set(rt["cluster"]))
    models = sorted(
        set(pw["model_x"]) | set(pw["model_y"]) | set(rk["model_x"]) | set(rk["model_y"]) | set(rt["model"])
    )
    ci = {c: i for i, c in enumerate(clusters)}
    mi = {m: i for i, m in enumerate(models)}

    def pairs(d) -> PairCounts:
        return PairCounts(
            _index(d["cluster"], ci),
            _index(d["model_x"], mi),
            _index(d["model_y"], mi),
            *(np.asarray(d[c], dtype=float) for c in ("n_x", "n_y", "n_tie")),
            *((np.asarray(d[c], dtype=float) for c in ("s_x", "s_y")) if "s_x" in d else (None, None)),
        )

    ratings = RatingCells(
        _index(rt["cluster"], ci),
        _index(rt["model"], mi),
        np.asarray(rt["n"], dtype=float),
        np.asarray(rt["sum_score"], dtype=float),
    )
    return SignalData(annotator_kind, aspect, clusters, models, pairs(pw), pairs(rk), ratings)


def choose_aspect(aspects: list[dict], requested: str | None = None) -> str | None:
    """The rating aspect the signals area compares with preferences.

    ``requested`` when given (and present); else 'overall'; else 'helpfulness' (what a pairwise
    "which response is better" question usually asks); else the aspect with the most linkable rows
    (ties: alphabetical). None when the batch has no ratings. ``aspects``: rows of
    ``signals/rating_aspects``.
    """
    names = [a["aspect"] for a in aspects if a["n"] > 0]
    if not names:
        return None
    if requested:
        if requested not in names:
            raise ValueError(f"the batch has no ratings of aspect {requested!r}; it has: {', '.join(names)}")
        return requested
    for preferred in ("overall", "helpfulness"):
        if preferred in names:
            return preferred
    return sorted(aspects, key=lambda a: (-a["n_linkable"], a["aspect"]))[0]["aspect"]
