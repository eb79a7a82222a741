"""Win rates and Bradley-Terry strengths from a matrix of (half-)wins. Pure functions, no I/O."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def win_matrix(ix: ArrayLike, iy: ArrayLike, n_x: ArrayLike, n_y: ArrayLike, n_tie: ArrayLike, k: int) -> np.ndarray:
    """W[i, j] = wins of model i over model j, a tie counting as half a win for each side.

    ix, iy: model indices (0..k-1) of each aggregated row; n_x, n_y, n_tie: that row's counts
    (wins of ix, wins of iy, ties). Rows with the same pair are summed.
    """
    ix, iy = np.asarray(ix, dtype=int), np.asarray(iy, dtype=int)
    n_x, n_y, n_tie = (np.asarray(a, dtype=float) for a in (n_x, n_y, n_tie))
    if np.any(ix == iy):
        raise ValueError("a model cannot play itself: drop rows with model_x == model_y")
    if any(np.any(a < 0) for a in (n_x, n_y, n_tie)):
        raise ValueError("counts must be >= 0")
    w = np.zeros((k, k))
    np.add.at(w, (ix, iy), n_x + 0.5 * n_tie)
    np.add.at(w, (iy, ix), n_y + 0.5 * n_tie)
    return w


def win_rates(w: np.ndarray) -> np.ndarray:
    """Share of each model's games it won (ties half): W_i / N_i, with W_i = sum_j W[i, j] and
    N_i = sum_j (W[i, j] + W[j, i]). nan for a model with no games. Works on stacked matrices."""
    w = np.asarray(w, dtype=float)
    games = w.sum(-1) + w.sum(-2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(games > 0, w.sum(-1) / np.where(games > 0, games, 1), np.nan)


def strongly_connected(w: np.ndarray) -> np.ndarray:
    """Hunter's (2004) condition for the Bradley-Terry MLE to exist: in the directed graph with an
    edge i -> j when i has (half-)won against j, every model reaches every other. Works on stacked
    matrices (..., k, k); returns a boolean per matrix."""
    a = np.asarray(w) > 0
    k = a.shape[-1]
    reach = a | np.eye(k, dtype=bool)
    for _ in range(int(np.ceil(np.log2(max(k, 2)))) + 1):
        reach = reach | (np.einsum("...ij,...jk->...ik", reach.astype(np.int64), reach.astype(np.int64)) > 0)
    return np.asarray(reach.all(axis=(-1, -2)))


def bradley_terry(w: np.ndarray, *, max_iter: int = 10_000, tol: float = 1e-10) -> np.ndarray:
    """Bradley-Terry log-strengths by Hunter's (2004) MM algorithm.

    Model: P(i beats j) = pi_i / (pi_i + pi_j). With W_i the total (half-)wins of i and
    N_ij = W[i, j] + W[j, i] the games between i and j, the MM update is
    pi_i <- W_i / sum_{j != i} N_ij / (pi_i + pi_j), renormalised each step. The MLE exists and is
    unique iff the win graph is strongly connected (see :func:`strongly_connected`). Ties as half a
    win for each side is the usual convention (e.g. Chatbot Arena's MLE Elo), and the estimate
    equals a binomial logit fit of the half-win proportions (statsmodels GLM with var_weights = games).

    Returns log(pi) centred to mean 0 (difference of two scores = log-odds that one beats the
    other). Accepts stacked matrices (..., k, k); a matrix failing the condition gives a row of nan.
    Raises ValueError for a single matrix that fails it.
    """
    w = np.asarray(w, dtype=float)
    if w.ndim < 2 or w.shape[-1] != w.shape[-2]:
        raise ValueError("w must be a square (k x k) win matrix, or a stack of them")
    single = w.ndim == 2
    ws = w.reshape(-1, *w.shape[-2:])
    ok = strongly_connected(ws)
    if single and not ok[0]:
        raise ValueError(
            "Bradley-Terry has no finite estimate: some model won all or none of its games "
            "against a group of others (the win graph is not strongly connected); "
            "collect more comparisons or drop that model"
        )
    out = np.full(ws.shape[:-1], np.nan)
    if ok.any():
        wk = ws[ok]
        games = wk + np.swapaxes(wk, -1, -2)
        wins = wk.sum(-1)
        pi = np.ones(wk.shape[:-1])
        for _ in range(max_iter):
            denom = (games / (pi[:, :, None] + pi[:, None, :])).sum(-1)
            new = wins / denom
            new /= np.exp(np.log(new).mean(-1, keepdims=True))
            done = np.max(np.abs(np.log(new) - np.log(pi))) < tol
            pi = new
            if done:
                break
        logpi = np.log(pi)
        out[ok] = logpi - logpi.mean(-1, keepdims=True)
    return out[0] if single else out.reshape(w.shape[:-1])
