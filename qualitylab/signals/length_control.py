"""Length-controlled win rate: AlpacaEval 2.0's GLM (Dubois et al. 2024, "Length-Controlled
AlpacaEval: A Simple Way to Debias Automatic Evaluators", arXiv:2404.04475).

For one model against the baseline, over the verdicts on their comparisons (one row each):

    P(model preferred) = sigmoid(phi * tanh(dlen / sd(dlen)) + psi * d_prompt + theta)

with ``dlen`` = baseline's length - model's length in characters (AlpacaEval's ``len_1 - len_2``),
``sd`` its sample standard deviation, ``d_prompt`` the instruction term (see
:func:`instruction_term`) and ``theta`` the model's term. Fitted as AlpacaEval fits it: a logistic
regression on soft targets (each verdict twice, as class 1 with weight y and class 0 with weight
1 - y), L1 penalty, liblinear, no separate intercept, the penalty chosen by 5-fold cross-validation
on the soft log-loss (``LogisticRegressionCV``, 10 Cs, random_state 123), folds grouped by prompt
(AlpacaEval's one verdict per instruction makes that its grouping by verdict). The
length-controlled win rate is the fitted probability with the length term set to 0, averaged over
the verdicts: ``lc_win_rate = mean sigmoid(psi * d_prompt + theta)``. AlpacaEval's
``lc_standard_error`` is the standard error of the mean of those predictions.

Tested against AlpacaEval's own code (``benchmarks/reference_alpaca_eval_lc.py``) on its published
annotations. Pure functions on arrays; no I/O. Definitions: docs/signals.md.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..results import Statistic

MIN_VERDICTS = 20  # fewer: the 5-fold cross-validation has under 4 verdicts a fold
N_SPLITS = 5
RANDOM_STATE = 123  # AlpacaEval's


@dataclass(frozen=True)
class LcFit:
    lc_win_rate: float | None
    lc_standard_error: float | None
    n: int
    coef_length: float | None = None  # phi: on tanh((baseline - model length) / sd)
    coef_instruction: float | None = None  # psi (None when no instruction term was used)
    coef_model: float | None = None  # theta
    C: float | None = None  # the penalty's inverse chosen by cross-validation
    reason: str | None = None


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.exp(-np.logaddexp(0, -x))


def instruction_term(
    prompt_of_row: np.ndarray, model_of_row: np.ndarray, y: np.ndarray, model: object, *, with_counts: bool = False
) -> Any:
    """The instruction term of ``model``'s rows, from the OTHER models' verdicts on each prompt.

    For a prompt p: d_p = logit((sum y + 0.5) / (n + 1)) over the verdicts of every other model
    against the baseline on p (y = P(that model preferred)); 0 (= logit 1/2) where no other model
    answered p. AlpacaEval uses a fixed per-instruction term fitted once on its own leaderboard's
    models; a vendor batch has no such table, so the term is estimated from the batch, leaving the
    model out so that it cannot absorb the model's own verdicts. Returns one value per row of
    ``model`` (in row order); with ``with_counts``, also the other models' verdicts on each row's prompt.
    """
    prompts = np.asarray(prompt_of_row)
    models = np.asarray(model_of_row)
    yy = np.asarray(y, dtype=float)
    mine = models == model
    other = ~mine
    keys, inv = np.unique(prompts, return_inverse=True)
    s = np.bincount(inv[other], weights=yy[other], minlength=len(keys))
    n = np.bincount(inv[other], minlength=len(keys)).astype(float)
    share = (s + 0.5) / (n + 1)
    d = np.log(share / (1 - share))
    if with_counts:
        return d[inv[mine]], n[inv[mine]]
    return d[inv[mine]]


def _soft_log_loss(y_true, y_pred, true_prob, n_verdicts):
    """Mean log-loss of P(class 1) against the soft target of each duplicated row: y for a class-1
    row, 1 - (1 - y) = y for its class-0 twin (AlpacaEval's ``logloss_continuous``), each design
    row counted as the ``n_verdicts`` verdicts it stands for (all 1: exactly the plain mean)."""
    t = np.where(y_true == 1, true_prob, 1 - true_prob)
    p = np.clip(y_pred, 1e-15, 1 - 1e-15)
    c = np.asarray(n_verdicts, dtype=float)
    return -float(np.sum(c * (t * np.log(p) + (1 - t) * np.log(1 - p))) / np.sum(c))


def group_folds(codes: np.ndarray, n_splits: int) -> np.ndarray:
    """The fold of each row as scikit-learn's ``GroupKFold(n_splits)`` (no shuffle) assigns them:
    groups by decreasing size (stable order of their sorted labels), each to the fold with the fewest
    rows so far (the first such fold). A verdict's two duplicated rows double every group's size,
    which changes no choice. The same loop in plain Python integers (GroupKFold's numpy ``argmin``
    per group is most of the fit's overhead on 100k prompts); tests/test_lc_win_rate.py holds it
    against GroupKFold."""
    _, inv = np.unique(codes, return_inverse=True)
    inv = np.asarray(inv).ravel()
    sizes = np.bincount(inv)
    order = np.argsort(sizes, kind="stable")[::-1]
    load = [0] * n_splits
    fold_of = np.empty(len(sizes), dtype=np.int64)
    for g, w in zip(order.tolist(), sizes[order].tolist(), strict=True):
        f = load.index(min(load))
        load[f] += w
        fold_of[g] = f
    return fold_of[inv]


def _design_rows(
    X: np.ndarray, codes: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The verdicts with the same covariates in the same prompt group as one design row: (index of
    each row's first verdict, its covariates, sum of y, count), rows in the order of their first
    verdict. The soft log-likelihood is a sum over verdicts, so a row of n verdicts with class-1
    weight sum y and class-0 weight n - sum y is the same objective; a group's rows stay in its fold."""
    key = np.column_stack([codes.astype(float), X])
    _, first, inv = np.unique(key, axis=0, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    row = rank[np.asarray(inv).ravel()]
    m = len(order)
    return first[order], X[first[order]], np.bincount(row, weights=y, minlength=m), np.bincount(row, minlength=m)


def lc_fit(
    y: np.ndarray, delta_len: np.ndarray, instruction: np.ndarray | None = None, groups: np.ndarray | None = None
) -> LcFit:
    """The length-controlled win rate of one model against the baseline (see module docstring).

    ``y`` (n,): P(model preferred) per verdict, in [0, 1] (1 won, 0 lost, 0.5 tie, or a soft
    preference); ``delta_len`` (n,): baseline's minus model's length; ``instruction`` (n,) or None
    (AlpacaEval's ``length_controlled_minimal``: length and model terms only); ``groups`` (n,): the
    cross-validation folds keep a group's verdicts together (default: each verdict its own group, as
    AlpacaEval's one verdict per instruction). Folds are GroupKFold's on the groups' sorted labels, so
    the result does not depend on the order of the rows.
    """
    import sklearn
    from sklearn.linear_model import LogisticRegressionCV
    from sklearn.metrics import make_scorer

    y = np.asarray(y, dtype=float)
    dl = np.asarray(delta_len, dtype=float)
    n = len(y)
    if n < MIN_VERDICTS:
        return LcFit(None, None, n, reason=f"not computable: {n} verdicts against the baseline (need {MIN_VERDICTS})")
    if np.any((y < 0) | (y > 1)) or np.isnan(y).any() or np.isnan(dl).any():
        raise ValueError("y must lie in [0, 1] and lengths be known for every verdict")
    sd = float(np.std(dl, ddof=1))
    if not sd > 0:
        return LcFit(None, None, n, reason="not computable: every verdict has the same length difference")
    if np.all(y == y[0]) and y[0] in (0.0, 1.0):
        return LcFit(
            None, None, n, reason="not computable: the model " + ("won" if y[0] else "lost") + " every verdict"
        )
    cols = [np.tanh(dl / sd)]
    if instruction is not None:
        cols.append(np.asarray(instruction, dtype=float))
    cols.append(np.ones(n))
    X = np.column_stack(cols)
    codes = np.arange(n) if groups is None else np.unique(np.asarray(groups), return_inverse=True)[1].ravel()
    if len(np.unique(codes)) < N_SPLITS:
        return LcFit(None, None, n, reason=f"not computable: fewer than {N_SPLITS} prompts for the cross-validation")
    # each verdict twice: class 1 weighted y, class 0 weighted 1 - y; folds keep a verdict's two rows
    # together. The folds are GroupKFold's on every verdict (as AlpacaEval's call makes them); then the
    # verdicts of one prompt with the same covariates (several annotators on one comparison, a judge's
    # two orders) are fitted as one design row of their summed weights: the same objective and the
    # same cross-validation scores on fewer rows (docs/signals.md).
    fold = group_folds(codes, N_SPLITS)
    first, Xu, sum_y, count = _design_rows(X, codes, y)
    m = len(first)
    Xd = np.vstack([Xu, Xu])
    yd = np.concatenate([np.ones(m), np.zeros(m)])
    weight = np.concatenate([sum_y, count - sum_y])
    prob = np.concatenate([sum_y / count, 1 - sum_y / count])
    n_verdicts = np.concatenate([count, count]).astype(float)
    fold_d = np.concatenate([fold[first], fold[first]])
    splits = [(np.flatnonzero(fold_d != f), np.flatnonzero(fold_d == f)) for f in range(N_SPLITS)]
    with warnings.catch_warnings(), sklearn.config_context(enable_metadata_routing=True):
        # 'penalty' is deprecated from scikit-learn 1.8 (same solver and penalty as AlpacaEval's call)
        warnings.simplefilter("ignore", FutureWarning)
        scorer = make_scorer(_soft_log_loss, response_method="predict_proba", greater_is_better=False)
        model = LogisticRegressionCV(
            cv=splits,
            scoring=scorer.set_score_request(true_prob=True, n_verdicts=True),
            penalty="l1",
            solver="liblinear",
            fit_intercept=False,
            random_state=RANDOM_STATE,
            dual=False,
        )
        model.set_fit_request(sample_weight=True)
        model.fit(Xd, yd, sample_weight=weight, true_prob=prob, n_verdicts=n_verdicts)
    best = float(np.ravel(model.C_)[0])
    coef = model.coef_[0]
    X0 = X.copy()
    X0[:, 0] = 0.0
    pred = _sigmoid(X0 @ coef)
    sem = float(np.std(pred, ddof=1) / np.sqrt(n))
    return LcFit(
        float(pred.mean()),
        sem,
        n,
        coef_length=float(coef[0]),
        coef_instruction=float(coef[1]) if instruction is not None else None,
        coef_model=float(coef[-1]),
        C=best,
    )


@dataclass(frozen=True)
class LcWinRates:
    """The report key ``lc_win_rate``: per annotator group (the humans pooled, each judge) and model,
    the raw win rate against the baseline and the length-controlled one beside it."""

    baseline: str | None
    baseline_source: str | None
    groups: list[dict[str, Any]]
    method: str
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        from ..results import to_jsonable

        d: dict[str, Any] = {
            "baseline": self.baseline,
            "baseline_source": self.baseline_source,
            "groups": self.groups,
            "method": self.method,
        }
        if self.reason:
            d["reason"] = self.reason
        return to_jsonable(d)


METHOD = (
    "AlpacaEval 2.0 length-controlled GLM (Dubois et al. 2024): per model, a logistic regression of "
    "P(model preferred over the baseline) on tanh((baseline - model length in characters) / sd), the "
    "instruction term (logit of the other models' shares on the prompt) and the model's term; L1, liblinear, "
    "penalty by 5-fold cross-validation grouped by prompt on the soft log-loss; lc_win_rate = mean prediction "
    "with the length term 0. y = P(model preferred): preference_soft where recorded (AlpacaEval's soft "
    "preferences), else 1 won, 0 lost, 0.5 tie. win_rate: mean of y, Wilson at the effective n with prompts as clusters"
)


def choose_baseline(models: list[dict[str, Any]], requested: str | None) -> tuple[str | None, str | None, str | None]:
    """(baseline, how it was chosen, reason when there is none). ``models``: rows of signals/lc_models."""
    names = [r["model"] for r in models]
    if requested is not None:
        if requested not in names:
            listed = ", ".join(names[:20]) + (" ..." if len(names) > 20 else "")
            return (
                None,
                None,
                (
                    f"not computable: the batch's verdicts do not name the baseline {requested!r}"
                    + (f" (models: {listed})" if names else " (no verdict names its models)")
                ),
            )
        return requested, "--baseline", None
    if not names:
        return None, None, "not computable: no verdict names two different models (model_a, model_b)"
    everywhere = [r["model"] for r in models if r["n_verdicts"] == r["n_verdicts_with_models"]]
    if len(everywhere) == 1:
        return everywhere[0], "inferred: the one model in every comparison", None
    return (
        None,
        None,
        "not computable: no baseline given and no single model is in every comparison; give --baseline MODEL",
    )


def compute_lc_win_rates(
    rows: dict[str, list], baseline: str | None, source: str | None, reason: str | None
) -> LcWinRates:
    """``rows``: the columns of signals/lc_verdicts. Groups: 'humans' (every human verdict pooled)
    and one per judge; models in name order within a group."""
    from ..intervals import clustered_proportion

    if baseline is None:
        return LcWinRates(None, None, [], METHOD, reason)
    kind = np.asarray(rows["annotator_kind"], dtype=object)
    ann = np.asarray(rows["annotator_id"], dtype=object)
    # prompts as integer codes in the sorted order of their ids: every later np.unique, bincount and
    # fold keeps the order the ids give, without sorting strings again per group and model
    cluster = np.unique(np.asarray(rows["cluster"], dtype=object), return_inverse=True)[1].ravel()
    model = np.asarray(rows["model"], dtype=object)
    y = np.asarray(rows["y"], dtype=float)
    lm = np.asarray([np.nan if v is None else v for v in rows["len_model"]], dtype=float)
    lb = np.asarray([np.nan if v is None else v for v in rows["len_baseline"]], dtype=float)
    group_keys: list[tuple[str, str | None]] = []
    if (kind == "human").any():
        group_keys.append(("human", None))
    group_keys += [("judge", a) for a in sorted(set(ann[kind == "judge"]))]
    groups = []
    for k, a in group_keys:
        sel = (kind == k) if a is None else ((kind == k) & (ann == a))
        g_model, g_y, g_cluster = model[sel], y[sel], cluster[sel]
        g_dl = (lb - lm)[sel]
        has_len = ~np.isnan(g_dl)
        out_models = []
        for m in sorted(set(g_model)):
            mine = g_model == m
            keys, inv = np.unique(g_cluster[mine], return_inverse=True)
            win = clustered_proportion(
                np.bincount(inv, weights=g_y[mine]), np.bincount(inv).astype(float), what=f"{m}'s win rate"
            )
            usable = mine & has_len
            instruction, n_shared = None, 0
            if len(set(g_model[has_len]) - {m}) > 0:
                instruction, n_other = instruction_term(
                    g_cluster[has_len], g_model[has_len], g_y[has_len], m, with_counts=True
                )
                n_shared = int((n_other > 0).sum())
                if n_shared == 0:
                    instruction = None
            fit = (
                lc_fit(g_y[usable], g_dl[usable], instruction, g_cluster[usable])
                if usable.any()
                else LcFit(None, None, 0, reason="not computable: no verdict against the baseline has both lengths")
            )
            lc = (
                Statistic(fit.lc_win_rate, None, None, fit.n, method="AlpacaEval 2.0 GLM, length term 0; no interval")
                if fit.lc_win_rate is not None
                else Statistic.not_computable(fit.reason or "not computable", fit.n)
            )
            out_models.append(
                {
                    "model": m,
                    "n_verdicts": int(mine.sum()),
                    "n_prompts": len(keys),
                    "n_without_lengths": int((mine & ~has_len).sum()),
                    "win_rate": win,
                    "lc_win_rate": lc,
                    "lc_standard_error": fit.lc_standard_error,
                    "coefficients": {
                        "length": fit.coef_length,
                        "instruction": fit.coef_instruction,
                        "model": fit.coef_model,
                        "C": fit.C,
                    },
                    "n_verdicts_with_instruction_term": n_shared,
                    "instruction_term": (
                        f"the other models' verdicts on the prompt ({n_shared} of {int(usable.sum())} verdicts "
                        "on a prompt another model answered; 0 elsewhere)"
                        if instruction is not None
                        else "none (no other model answered these prompts): length and model terms only"
                    ),
                }
            )
        groups.append(
            {
                "annotators": "humans" if a is None else f"judge {a}",
                "annotator_kind": k,
                "annotator_id": a,
                "models": out_models,
            }
        )
    if not groups:
        return LcWinRates(baseline, source, [], METHOD, "not computable: no verdict compares a model with the baseline")
    return LcWinRates(baseline, source, groups, METHOD)
