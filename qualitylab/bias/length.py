"""Length bias: do annotators prefer the longer response? Do raters score longer responses higher?

Definitions (docs/bias.md):

- p_prefer_longer: among non-tie verdicts whose responses differ by more than 30 characters
  (|len_a_chars - len_b_chars| > 30, AlpacaEval's threshold), the share preferring the longer one.
  Per batch and per annotator, tested against 0.5 like p_first (:mod:`qualitylab.bias.rates`).
- Logistic regression: logit P(preference = A) = b0 + b1 * z, z = (len_a - len_b) / SD(len_a - len_b)
  over non-tie verdicts (one fit for characters, one for whitespace tokens). b1 is the change in
  log-odds of preferring A per standard deviation of length advantage; b1 > 0 means longer wins.
  z is scaled but not centred, so b0 is the log-odds of A at equal lengths. Fitted as a binomial GLM
  on (distinct difference, n_A, n_B) counts aggregated in SQL: the same likelihood as the per-verdict
  logit, so it is exact and fast on millions of rows. 95% Wald interval for b1.
- Prompt-stratified fit (conditional logit, :mod:`qualitylab.bias.conditional_logit`, the exact
  conditional likelihood vectorised over prompts; equal to statsmodels' ``ConditionalLogit`` fitted by
  Newton): the same model with a free intercept per prompt conditioned out. Chosen over prompt fixed
  effects because prompts carry few verdicts each, and the fixed-effects logit is then inconsistent
  (incidental parameters; with 2 verdicts per prompt b1 is doubled, Andersen 1970); the conditional
  likelihood removes the prompt effects exactly. Fitted on every verdict of the informative prompts
  (at most 64 per prompt, a seeded draw: a subset of a stratum keeps the conditional likelihood
  valid) up to ``max_rows`` (1,000,000) verdicts; beyond, informative prompts are taken in a seeded
  order until that many, and the result says how many were used.
- Ratings: Spearman's rho of score vs len_chars per (annotator kind, aspect), computed in SQL;
  95% interval by Fisher z with the Fieller, Hartley & Pearson (1957) variance 1.06 / (n - 3).

The judge area reuses :func:`length_bias` and :func:`length_regression` with ``annotator_kind="judge"``.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..intervals import Z95
from ..results import Statistic
from ..store import Store
from .rates import ALPHA, MIN_EFFECT, AnnotatorRate, peer_counts, pooled, rate_table

MIN_DIFF_CHARS = 30  # AlpacaEval's length-difference threshold
BY_PROMPT_MAX_ROWS = 1_000_000  # the vectorised exact fit: ~10 s at 1M verdicts on a loaded 2-core machine
BY_PROMPT_PER_PROMPT = 64  # the recurrence costs n * min(k, n - k) per prompt of n verdicts

MEASURED = "measured"
LENGTHS_UNKNOWN = "lengths unknown"
NO_VERDICTS = "no verdicts"

DEFINITION = (
    "p_prefer_longer: among non-tie verdicts with |len_a_chars - len_b_chars| > 30, the "
    "share preferring the longer response; Wilson 95% interval; two-sided exact binomial p "
    "vs 0.5; Benjamini-Hochberg q across the batch's annotators (humans and judges: one family per "
    "batch and basis). Flagged on the relative rate (flag_basis relative) when the annotator shares "
    "items with other annotators of its kind: its p_prefer_longer on those items vs theirs there "
    "(leave-one-out; longer answers are often better, so honest annotators agree on a rate above 0.5), "
    "exact binomial test against the peers' rate, flagged when q < 0.05 AND its interval lies wholly "
    "outside [peer_rate - min_effect, peer_rate + min_effect] AND the absolute rule holds the same way "
    "(away from the peers and from 0.5 alike); otherwise on the absolute rate "
    "(flag_basis absolute: q < 0.05 AND the interval wholly outside [0.5 - min_effect, 0.5 + min_effect])"
)


SD_DEFINITION = (
    "sd_units = the population SD (ddof 0) of len_a - len_b over the non-tie verdicts of the unstratified "
    "fit (each verdict weighted once); b1 is the change in log-odds per one such SD"
)


@dataclass(frozen=True)
class LogitFit:
    """b1 of logit P(A) = b0 + b1 * (length difference / SD): log-odds per SD of length advantage."""

    predictor: str  # chars | tokens
    coef: Statistic  # b1 with its 95% Wald interval; n = verdicts
    odds_ratio: Statistic  # exp(b1)
    p_value: float | None
    intercept: float | None
    sd_units: float | None  # SD of the raw difference (characters or tokens)
    n_groups: int  # distinct differences (GLM rows) or prompts (conditional logit)
    method: str
    #: the non-tie verdicts with both lengths known (the fit's n is all of them, or a stated sample)
    n_available: int | None = None
    sd_definition: str = SD_DEFINITION


@dataclass(frozen=True)
class RatingLength:
    annotator_kind: str
    aspect: str
    rho: Statistic  # Spearman's rho of score vs len_chars, Fisher-z 95% interval


@dataclass(frozen=True)
class LengthBias:
    annotator_kind: str
    status: str  # measured | lengths unknown | no verdicts
    p_prefer_longer: Statistic
    p_value: float | None
    min_diff_chars: int
    by_annotator: list[AnnotatorRate]
    regression: dict[str, LogitFit] = field(default_factory=dict)
    ratings: list[RatingLength] = field(default_factory=list)

    @property
    def flagged(self) -> list[str]:
        return [r.annotator_id for r in self.by_annotator if r.flagged]

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "annotator_kind": self.annotator_kind,
            "p_prefer_longer": self.p_prefer_longer,
            "p_value": self.p_value,
            "min_diff_chars": self.min_diff_chars,
            "definition": DEFINITION,
            "flag_basis": "relative (absolute for annotators without peers on their items)",
            "by_annotator": [r.to_dict() for r in self.by_annotator],
            "regression": self.regression,
            "ratings": self.ratings,
        }


def not_fitted(predictor: str, reason: str, n: int = 0, method: str = "") -> LogitFit:
    nc = Statistic.not_computable(reason, n)
    return LogitFit(predictor, nc, nc, None, None, None, 0, method)


def logit_on_counts(d, n_a, n_b, predictor: str = "chars") -> LogitFit:
    """Binomial GLM of (n_a successes, n_b failures) on z = d / SD(d), SD weighted by n_a + n_b.

    ``d``: distinct length differences len_a - len_b; ``n_a`` / ``n_b``: non-tie verdicts with that
    difference preferring A / B. Equivalent to the per-verdict logistic regression. Range of b1:
    any real; 0 = no length effect. Reference: McCullagh & Nelder (1989), ch. 4.
    """
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import PerfectSeparationError, PerfectSeparationWarning

    method = "binomial GLM on difference counts, Wald 95% CI"
    d, n_a, n_b = (np.asarray(x, dtype=float) for x in (d, n_a, n_b))
    if not (d.shape == n_a.shape == n_b.shape and d.ndim == 1):
        raise ValueError("d, n_a and n_b must be 1-D arrays of the same length (one per distinct difference)")
    if (n_a < 0).any() or (n_b < 0).any():
        raise ValueError("n_a and n_b are counts of verdicts and must be >= 0")
    w = n_a + n_b
    n = int(w.sum())
    if n == 0:
        return not_fitted(predictor, f"no non-tie verdicts with known {predictor} lengths", 0, method)
    mean = float((w * d).sum() / n)
    sd = math.sqrt(float((w * (d - mean) ** 2).sum() / n))
    if sd == 0:
        return not_fitted(predictor, f"every verdict has the same {predictor} difference", n, method)
    if n_a.sum() == 0 or n_b.sum() == 0:
        return not_fitted(predictor, "every non-tie verdict preferred the same slot", n, method)
    keep = w > 0
    x = sm.add_constant(d[keep] / sd, has_constant="add")
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        try:
            res = sm.GLM(np.column_stack([n_a[keep], n_b[keep]]), x, family=sm.families.Binomial()).fit()
        except (PerfectSeparationError, PerfectSeparationWarning, np.linalg.LinAlgError) as e:
            return not_fitted(
                predictor,
                f"the fit did not converge ({type(e).__name__}): length separates the outcomes perfectly",
                n,
                method,
            )
    b0, b1 = (float(v) for v in res.params)
    lo, hi = (float(v) for v in res.conf_int(alpha=0.05)[1])
    return LogitFit(
        predictor,
        Statistic(b1, lo, hi, n, method="wald"),
        Statistic(math.exp(b1), math.exp(lo), math.exp(hi), n, method="wald"),
        float(res.pvalues[1]),
        b0,
        sd,
        int(keep.sum()),
        method,
        n,
    )


def conditional_logit(strata, y, d, sd: float | None) -> LogitFit:
    """Prompt-stratified fit: logit P(A) = a_prompt + b1 * d / sd, a_prompt conditioned out.

    ``strata``: the prompt of each verdict; ``y``: 1 when A is preferred; ``d``: len_a - len_b in
    characters; ``sd``: the scale (the unstratified fit's SD, so both b1 are per the same unit).
    Prompts where y or d does not vary carry no information and are dropped first.
    Reference: Chamberlain (1980); statsmodels ``ConditionalLogit`` (tests/test_conditional_logit.py).
    """
    from scipy import stats

    from .conditional_logit import conditional_logit_fit

    method = "conditional logit by prompt (exact conditional likelihood, Newton), Wald 95% CI"
    strata, y, d = np.asarray(strata), np.asarray(y, dtype=float), np.asarray(d, dtype=float)
    if not (strata.shape == y.shape == d.shape):
        raise ValueError("strata, y and d must have one entry per verdict")
    if not sd:
        return not_fitted("chars", "no length variation to scale by", len(y), method)
    no_info = (
        "no prompt has verdicts with both outcomes and different length "
        "differences (each prompt needs several comparisons)"
    )
    if len(y) == 0:
        return not_fitted("chars", no_info, 0, method)
    try:
        fit = conditional_logit_fit(strata, y, d / sd)
    except ValueError as e:
        return not_fitted("chars", f"the conditional fit failed: {e}", len(y), method)
    if fit is None:
        return not_fitted("chars", no_info, 0, method)
    b1, lo, hi = fit.b, fit.b - Z95 * fit.se, fit.b + Z95 * fit.se
    if not all(map(math.isfinite, (b1, lo, hi))):
        return not_fitted("chars", "the conditional fit did not converge", len(y), method)
    return LogitFit(
        "chars",
        Statistic(b1, lo, hi, len(y), method="wald"),
        Statistic(math.exp(b1), math.exp(lo), math.exp(hi), len(y), method="wald"),
        float(2 * stats.norm.sf(abs(b1 / fit.se))),
        None,
        sd,
        len(np.unique(strata)),  # as passed (the report passes informative prompts only)
        method,
    )


def spearman_interval(rho: float | None, n: int) -> Statistic:
    """Spearman's rho with a Fisher-z 95% interval: tanh(atanh(rho) +- 1.96 * sqrt(1.06 / (n - 3))).

    Range -1..1; 0 = no monotone association. Reference: Fieller, Hartley & Pearson (1957),
    Biometrika 44:470-481. Not computable for n < 4 or a constant score or length.
    """
    if n < 4:
        return Statistic.not_computable(f"need at least 4 ratings, have {n}", n)
    if rho is None or not math.isfinite(rho):
        return Statistic.not_computable("score or length is constant", n)
    rho = max(-1.0, min(1.0, float(rho)))
    if abs(rho) == 1.0:
        return Statistic(rho, rho, rho, n, method="fisher-z")
    half = Z95 * math.sqrt(1.06 / (n - 3))
    z = math.atanh(rho)
    return Statistic(rho, math.tanh(z - half), math.tanh(z + half), n, method="fisher-z")


def length_regression(
    store: Store,
    batch_id: str,
    annotator_kind: str = "human",
    *,
    seed: int = 0,
    by_prompt: bool = True,
    max_rows: int = BY_PROMPT_MAX_ROWS,
) -> dict[str, LogitFit]:
    """``{chars, tokens[, by_prompt]}`` fits for the batch's non-tie verdicts of ``annotator_kind``."""
    p = {"batch_id": batch_id, "annotator_kind": annotator_kind}
    out = {}
    for predictor in ("chars", "tokens"):
        t = store.arrow(f"bias/length_diff_{predictor}", p)
        out[predictor] = logit_on_counts(t["d"].to_numpy(), t["n_a"].to_numpy(), t["n_b"].to_numpy(), predictor)
    if by_prompt:
        t = store.arrow(
            "bias/length_by_prompt_sample",
            {**p, "seed": int(seed), "max_rows": int(max_rows), "per_prompt": BY_PROMPT_PER_PROMPT},
        )
        fit = conditional_logit(
            t["stratum"].to_numpy(zero_copy_only=False),
            t["y"].to_numpy(),
            t["d_chars"].to_numpy(),
            out["chars"].sd_units,
        )
        n_all = out["chars"].n_available or 0
        out["by_prompt"] = dataclasses.replace(
            fit,
            n_available=n_all,
            method=fit.method
            + f"; on {fit.coef.n:,} of the {n_all:,} non-tie verdicts with lengths: those of the prompts that "
            "carry information (both outcomes and two length differences; the others drop out of a "
            f"conditional likelihood), at most {BY_PROMPT_PER_PROMPT} per prompt (a seeded draw where a prompt has "
            "more: a subset of a prompt's verdicts keeps the conditional likelihood valid), and beyond "
            f"{max_rows:,} verdicts informative prompts in a seeded order until that many (seed {seed}); "
            "so the estimate is unbiased and its interval about sqrt(available / used) times what all "
            "the data allow",
        )
    return out


def rating_length(store: Store, batch_id: str) -> list[RatingLength]:
    """Spearman's rho of score vs len_chars per (annotator kind, aspect) of the batch's ratings."""
    return [
        RatingLength(r["annotator_kind"], r["aspect"], spearman_interval(r["rho"], int(r["n"])))
        for r in store.rows("bias/rating_length_spearman", {"batch_id": batch_id})
    ]


def length_bias_from_counts(
    counts: list[dict],
    *,
    annotator_kind: str,
    min_diff_chars: int = MIN_DIFF_CHARS,
    alpha: float = ALPHA,
    min_effect: float = MIN_EFFECT,
    peers: list[dict] | None = None,
) -> LengthBias:
    """p_prefer_longer of ``annotator_kind`` from ``bias/length_by_annotator`` rows
    ``{annotator_kind, annotator_id, n_verdicts, n_with_len, n, k_longer}`` of ALL the batch's
    annotators (pure; no regression). BH family: every annotator of the batch, as for p_first."""
    mine = [r for r in counts if r["annotator_kind"] == annotator_kind]
    n_verdicts = sum(int(r["n_verdicts"]) for r in mine)
    n_with_len = sum(int(r["n_with_len"]) for r in mine)
    if n_verdicts == 0 or n_with_len == 0:
        status = NO_VERDICTS if n_verdicts == 0 else LENGTHS_UNKNOWN
        reason = (
            f"no {annotator_kind} verdicts in the batch"
            if n_verdicts == 0
            else "lengths unknown: the batch's verdicts carry no response texts"
        )
        empty = [
            AnnotatorRate(r["annotator_id"], "p_prefer_longer", 0, 0, None, None, None, None, None, False) for r in mine
        ]
        return LengthBias(annotator_kind, status, Statistic.not_computable(reason), None, min_diff_chars, empty)
    table = rate_table(
        [(r["annotator_id"], r["k_longer"], r["n"]) for r in counts],
        "p_prefer_longer",
        alpha=alpha,
        min_effect=min_effect,
        peers=peer_counts(peers or []),
        basis="relative",
    )
    kinds = [r["annotator_kind"] for r in counts]
    stat, p = pooled([(r["annotator_id"], r["k_longer"], r["n"]) for r in mine], "p_prefer_longer")
    return LengthBias(
        annotator_kind,
        MEASURED,
        stat,
        p,
        min_diff_chars,
        [t for t, k in zip(table, kinds, strict=True) if k == annotator_kind],
    )


def length_bias(
    store: Store,
    batch_id: str,
    annotator_kind: str = "human",
    *,
    min_diff_chars: int = MIN_DIFF_CHARS,
    alpha: float = ALPHA,
    min_effect: float = MIN_EFFECT,
    seed: int = 0,
    regression: bool = True,
    by_prompt: bool = True,
    max_rows: int = BY_PROMPT_MAX_ROWS,
) -> LengthBias:
    """p_prefer_longer for the batch and each annotator of ``annotator_kind``, the length
    regressions (``regression=True``) and, for humans, the ratings' Spearman rho with length."""
    if min_diff_chars < 0:
        raise ValueError(f"min_diff_chars must be >= 0, got {min_diff_chars}")
    p = {"batch_id": batch_id, "min_diff_chars": int(min_diff_chars)}
    res = length_bias_from_counts(
        store.rows("bias/length_by_annotator", p),
        annotator_kind=annotator_kind,
        min_diff_chars=min_diff_chars,
        alpha=alpha,
        min_effect=min_effect,
        peers=store.rows("bias/peers", {**p, "rule": "length"}),
    )
    fits = (
        length_regression(store, batch_id, annotator_kind, seed=seed, by_prompt=by_prompt, max_rows=max_rows)
        if regression and res.status == MEASURED
        else {}
    )
    ratings = [r for r in rating_length(store, batch_id) if r.annotator_kind == annotator_kind]
    return LengthBias(
        res.annotator_kind,
        res.status,
        res.p_prefer_longer,
        res.p_value,
        res.min_diff_chars,
        res.by_annotator,
        fits,
        ratings,
    )
