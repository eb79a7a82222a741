"""Dawid-Skene (1979) annotator confusion matrices and posterior labels, and the one-coin variant.

Model: item i has a true label z_i with prior p_k; annotator w, on an item whose true label is k,
answers l with probability e_w[l, k] (a confusion matrix per annotator; one-coin: e_w[k, k] = s_w
and e_w[l, k] = (1 - s_w) / (K - 1) for l != k, Zhang, Chen, Zhou & Jordan 2016). EM as crowd-kit
(Ustalov et al.) implements it, so the numbers can be held against ``crowdkit.aggregation.DawidSkene``
/ ``OneCoinDawidSkene`` (benchmarks/reference_crowdkit.py; tests/test_dawid_skene.py):

- initialise the posteriors T[i, k] with the majority vote (each item's share of each label),
  p = mean_i T[i], e from the M-step;
- E-step: log2 T[i, k] = log2 max(p_k, eps) + sum over item i's answers (w, l) of log2 e_w[l, k],
  normalised per item;  p = mean_i T[i];
- M-step: e_w[l, k] = sum of T[i, k] over w's answers l, clipped below at eps, normalised over the
  labels l the annotator used (unused (w, l) cells are 0 and never read); one-coin: s_w = mean of
  T[i, l] over w's answers, e from s_w, clipped to [eps, 1 - eps];
- stop when the evidence lower bound per answer, sum_answers sum_k T[i, k] (ln e_w[l, k] + ln p_k)
  - sum_i sum_k T ln T (T clipped below at eps), rises by less than ``tol`` (1e-5), or after
  ``n_iter`` (100) iterations. eps = 1e-10.

Every answer may carry a weight (a bootstrap draw of items: an item drawn c times weighs c); weights
1 are exactly crowd-kit's fit. Pure functions on integer-coded arrays; no I/O.

Competence of annotator w = sum_k p_k e_w[k, k]: the probability that w's answer on a random item is
the true label (one-coin: s_w).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EPS = 1e-10
N_ITER = 100
TOL = 1e-5


@dataclass(frozen=True)
class DawidSkeneFit:
    posteriors: np.ndarray  # (items, K): P(true label = k | answers)
    priors: np.ndarray  # (K,)
    errors: np.ndarray  # (annotators, K observed, K true); 0 where the annotator never used that label
    competence: np.ndarray  # (annotators,)
    iterations: int
    converged: bool
    loss_history: list[float]
    one_coin: bool


def _majority(item, label, w, n_items, k) -> np.ndarray:
    t = np.column_stack([np.bincount(item, weights=w * (label == j), minlength=n_items) for j in range(k)])
    s = t.sum(1, keepdims=True)
    return t / np.where(s > 0, s, 1)


def _m_step(wl, item, w, post, n_cells, k, present) -> np.ndarray:
    e = np.column_stack([np.bincount(wl, weights=w * post[item, j], minlength=n_cells) for j in range(k)])
    e = np.where(present[:, None], np.maximum(e, EPS), 0.0)
    return e


def _normalise(e: np.ndarray, n_ann: int, k: int) -> np.ndarray:
    e3 = e.reshape(n_ann, k, k)
    s = e3.sum(1, keepdims=True)
    return (e3 / np.where(s > 0, s, 1)).reshape(n_ann * k, k)


def _one_coin_errors(skill, present, n_ann, k) -> np.ndarray:
    e = np.full((n_ann, k, k), 0.0)
    off = (1 - skill) / (k - 1) if k > 1 else np.zeros_like(skill)
    e[:] = off[:, None, None]
    idx = np.arange(k)
    e[:, idx, idx] = skill[:, None]
    e = np.clip(e, EPS, 1 - EPS).reshape(n_ann * k, k)
    return np.where(present[:, None], e, 0.0)


def _e_step(wl, item, w, e, priors, n_items, k) -> np.ndarray:
    with np.errstate(divide="ignore"):
        log_e = np.log2(np.where(e > 0, e, 1.0))  # unused cells are never read (no answer points at them)
    ll = np.log2(np.maximum(priors, EPS))[None, :] + np.column_stack(
        [np.bincount(item, weights=w * log_e[wl, j], minlength=n_items) for j in range(k)]
    )
    ll -= ll.max(1, keepdims=True)
    t = np.exp2(ll)
    return t / t.sum(1, keepdims=True)


def _elbo(wl, item, w, e, priors, post, keep) -> float:
    lp = np.log(np.maximum(priors, EPS))
    with np.errstate(divide="ignore"):
        log_e = np.log(np.where(e > 0, e, 1.0))
    joint = float(np.sum(w[:, None] * post[item] * (log_e[wl] + lp[None, :])))
    pc = np.maximum(post[keep], EPS)
    entropy = -float(np.sum(pc * np.log(pc) * _item_weight(item, w, len(post))[keep][:, None]))
    return joint + entropy


def _item_weight(item, w, n_items) -> np.ndarray:
    """An item's weight in the entropy term: 1 when answers have weight 1 (crowd-kit), else the
    item's draw count (its answers' weight, which is the same for all of them)."""
    s = np.bincount(item, weights=w, minlength=n_items)
    c = np.bincount(item, minlength=n_items)
    return np.where(c > 0, s / np.where(c > 0, c, 1), 0.0)


def dawid_skene(
    item: np.ndarray,
    annotator: np.ndarray,
    label: np.ndarray,
    n_items: int,
    n_annotators: int,
    n_labels: int,
    *,
    one_coin: bool = False,
    weights: np.ndarray | None = None,
    n_iter: int = N_ITER,
    tol: float = TOL,
    start: tuple[np.ndarray, np.ndarray] | None = None,
) -> DawidSkeneFit:
    """Fit Dawid-Skene (or one-coin) by EM on answers (item, annotator, label), all 0-based codes.

    ``weights`` (answers,): non-negative (items of weight 0 are left out of the priors); ``start``:
    (priors, errors) to start from instead of the majority vote (a bootstrap replicate starts at the
    full fit). Returns posteriors (rows of items without answers are nan), priors, confusion
    matrices, competence, iterations and whether the bound converged within ``n_iter``.
    """
    item = np.asarray(item, dtype=np.int64)
    ann = np.asarray(annotator, dtype=np.int64)
    lab = np.asarray(label, dtype=np.int64)
    if not (item.shape == ann.shape == lab.shape) or item.ndim != 1:
        raise ValueError("item, annotator and label must be 1-d arrays of one length (one per answer)")
    k = int(n_labels)
    w = np.ones(len(item)) if weights is None else np.asarray(weights, dtype=float)
    use = w > 0
    item, ann, lab, w = item[use], ann[use], lab[use], w[use]
    if len(item) == 0:
        raise ValueError("no answers to fit")
    keep = np.bincount(item, minlength=n_items) > 0
    wl = ann * k + lab
    n_cells = n_annotators * k
    present = np.bincount(wl, minlength=n_cells) > 0
    total = float(w.sum())
    iw = _item_weight(item, w, n_items)
    n_eff_items = float(iw[keep].sum())

    def priors_of(post):
        return (post[keep] * iw[keep][:, None]).sum(0) / n_eff_items

    def m_step(post):
        if one_coin:
            skill = np.bincount(ann, weights=w * post[item, lab], minlength=n_annotators) / np.maximum(
                np.bincount(ann, weights=w, minlength=n_annotators), EPS
            )
            return _one_coin_errors(skill, present, n_annotators, k), skill
        return _normalise(_m_step(wl, item, w, post, n_cells, k, present), n_annotators, k), None

    if start is None:
        post = _majority(item, lab, w, n_items, k)
        priors = priors_of(post)
        e, skill = m_step(post)
    else:
        priors, e = start
        skill = None
    loss = -np.inf
    history: list[float] = []
    converged = False
    for _ in range(n_iter):
        post = _e_step(wl, item, w, e, priors, n_items, k)
        priors = priors_of(post)
        e, skill = m_step(post)
        new = _elbo(wl, item, w, e, priors, post, keep) / total
        history.append(new)
        if new - loss < tol:
            converged = True
            break
        loss = new
    post = np.maximum(post, EPS)  # crowd-kit returns its last posteriors clipped at eps (not renormalised)
    post[~keep] = np.nan
    e3 = e.reshape(n_annotators, k, k)
    if one_coin and skill is not None:
        competence = skill
    else:
        competence = np.einsum("k,akk->a", priors, e3)
    return DawidSkeneFit(post, priors, e3, competence, len(history), converged, history, one_coin)


def bootstrap_competence(
    item: np.ndarray,
    annotator: np.ndarray,
    label: np.ndarray,
    n_items: int,
    n_annotators: int,
    n_labels: int,
    fit: DawidSkeneFit,
    *,
    n_boot: int,
    seed: int,
) -> np.ndarray:
    """(n_boot, annotators) competences on bootstrap draws of items (with replacement, seeded), each
    replicate's EM started at the full fit. nan for an annotator with no answer in a draw."""
    rng = np.random.default_rng(seed)
    item = np.asarray(item, dtype=np.int64)
    ann = np.asarray(annotator, dtype=np.int64)
    k = int(n_labels)
    out = np.full((n_boot, n_annotators), np.nan)
    start_e = fit.errors.reshape(n_annotators * k, k)
    for b in range(n_boot):
        counts = rng.multinomial(n_items, np.full(n_items, 1.0 / n_items)).astype(float)
        w = counts[item]
        rep = dawid_skene(
            item,
            ann,
            label,
            n_items,
            n_annotators,
            k,
            one_coin=fit.one_coin,
            weights=w,
            start=(fit.priors, start_e),
        )
        seen = np.bincount(ann, weights=w, minlength=n_annotators) > 0
        out[b, seen] = rep.competence[seen]
    return out
