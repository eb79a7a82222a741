"""The cost of a signal: how many items and annotation hours each signal needs to separate two models.

Procedure (per model pair x, y and per signal; docs/signals.md "Cost of a signal"):

1. Per prompt (cluster) c, the signal's evidence on the pair:
   - pairwise / rankings: w_c = wins of x over y (ties half), g_c = games (verdicts, resp. ranking
     tasks that rank both); the effect is d = W/G - 1/2 and the per-prompt spread
     s = sd((w_c - r g_c) / mean(g)) with r = W/G (linearised ratio estimator);
   - ratings: d_c = mean score of x - mean score of y over the prompts rating both; the effect is
     d = mean(d_c) and s = sd(d_c).
2. Prompts needed to tell x from y with a two-sided test at ``confidence`` and the given ``power``
   (normal approximation): m = ((z_{1-alpha/2} + z_power) s / |d|)^2, at least 2.
3. Items = m x items per prompt; hours = items x mean seconds per item / 3600
   (signals/seconds_per_task). An item is what an annotator spends time on for the pair:
   pairwise, one verdict on x vs y; ratings, one rating task (all aspects) of the response of x or
   of y; rankings, one ranking row of x or of y (a ranking's time is the sum of its rows, so a
   ranking of k responses is charged 2/k of its time for one pair: the part spent on x and y).
4. Intervals: the same computation on B seeded bootstrap replicates that draw prompts with
   replacement (jointly for all signals); percentile interval. A replicate whose effect is 0 needs
   infinitely many prompts (an open upper bound: ci95_high null).
5. The better buy: over the model pairs every available signal covers and orders the same way, the
   signal with the lowest median hours; its confidence is the share of replicates in which it is
   also the cheapest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from ..results import Statistic
from .data import SignalData
from .replicates import PAIR_COLUMNS, RATING_PAIR_COLUMNS, Groups, Replicates, draw_replicates

COST_SIGNALS = ("pairwise", "rankings", "ratings")
#: no fewer prompts than this: the spread cannot be estimated from one (the formula can give < 1)
MIN_PROMPTS = 2.0


@dataclass(frozen=True)
class CostOfSignal:
    confidence: float
    power: float
    seconds_per_task: dict[str, Statistic]  # mean seconds per task, n = timed tasks
    pairs: list[dict[str, Any]]  # per model pair and signal: prompts, items, hours
    better_buy: dict[str, Any]
    method: str


def prompts_needed(effect, spread, confidence: float = 0.95, power: float = 0.8):
    """m = max(2, ((z_{1-alpha/2} + z_power) * spread / |effect|)^2) prompts; inf when effect == 0.

    effect: the per-prompt mean difference to detect; spread: its per-prompt standard deviation.
    Normal approximation for a two-sided test at level 1 - confidence with the given power
    (e.g. Cohen 1988, ch. 2). Works elementwise on arrays.
    """
    if not (0 < confidence < 1 and 0 < power < 1):
        raise ValueError("confidence and power must be strictly between 0 and 1 (e.g. 0.95 and 0.8)")
    z = stats.norm.ppf(1 - (1 - confidence) / 2) + stats.norm.ppf(power)
    effect = np.abs(np.asarray(effect, dtype=float))
    spread = np.asarray(spread, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.where(effect > 0, (z * spread / np.where(effect > 0, effect, 1)) ** 2, np.inf)
    return np.maximum(m, MIN_PROMPTS)


def power_curve(
    effect: float,
    spread: float,
    items_per_prompt: float,
    seconds_per_item: float | None,
    confidence: float = 0.95,
    m_max: float | None = None,
    points: int = 30,
) -> dict[str, list]:
    """Power to separate the pair as a function of prompts (and hours when seconds are known).

    power(m) = Phi(|effect| sqrt(m) / spread - z_{1-alpha/2}) (normal approximation, ignoring the far
    tail), on a geometric grid of m from 2 to ``m_max`` (default: 4 x the prompts needed at 0.8).
    """
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    need = float(prompts_needed(effect, spread, confidence, 0.8))
    top = m_max or (4 * need if np.isfinite(need) else 1000.0)
    m = np.geomspace(MIN_PROMPTS, max(top, 4.0), points)
    with np.errstate(divide="ignore", invalid="ignore"):
        pw = stats.norm.cdf(abs(effect) * np.sqrt(m) / spread - z) if spread > 0 else np.where(effect != 0, 1.0, 0.0)
    hours = (m * items_per_prompt * seconds_per_item / 3600).tolist() if seconds_per_item else None
    return {
        "prompts": m.tolist(),
        "items": (m * items_per_prompt).tolist(),
        "hours": hours,
        "power": np.asarray(pw, dtype=float).tolist(),
    }


def _ratio_effect(wt, w, g, w2, g2, wg):
    """Effect r - 1/2 and per-prompt spread for weighted sums (wt = number of prompts drawn)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        r = w / g
        gbar = g / wt
        ss = w2 - 2 * r * wg + r * r * g2
        spread = np.sqrt(np.maximum(ss, 0) / np.maximum(wt - 1, 1)) / gbar
    return r - 0.5, spread


#: per-cell features whose weighted sums give everything :func:`_needed` uses
N_FEATURES = 7  # 1, a, b, a^2, b^2, a b, items


def _features(a, b, items) -> np.ndarray:
    """(cells x 7) feature columns of one signal and pair (b = 0 for ratings)."""
    b = np.zeros_like(a) if b is None else b
    return np.column_stack([np.ones_like(a), a, b, a * a, b * b, a * b, items])


def _sel(g: Groups, i: int, j: int, sig: str) -> np.ndarray:
    """The groups (cell kinds) of the model pair i < j in ``g``."""
    if sig == "ratings":
        return (g.col("i", RATING_PAIR_COLUMNS) == i) & (g.col("j", RATING_PAIR_COLUMNS) == j)
    ix, iy = g.col("ix", PAIR_COLUMNS), g.col("iy", PAIR_COLUMNS)
    return ((ix == i) & (iy == j)) | ((ix == j) & (iy == i))


def _evidence_groups(reps: Replicates, k: int) -> dict[tuple[int, int, str], tuple[np.ndarray, Groups, np.ndarray]]:
    """Per (i, j, signal) covered on two or more prompts: (which groups, the groups, the 7 features of
    each selected group). A cell is one prompt's evidence on the pair: pairwise / rankings, a = wins
    of i over j (ties half), b = games, items = verdicts (pairwise) or ranking rows of x and y (2 per
    ranking); ratings, a = mean score of i - mean score of j on the prompt, items = its ratings of both."""
    out = {}
    for i in range(k):
        for j in range(i + 1, k):
            for sig in COST_SIGNALS:
                g = reps.rating_pairs if sig == "ratings" else getattr(reps, sig)
                sel = _sel(g, i, j, sig)
                if g.n[sel].sum() < 2:
                    continue
                if sig == "ratings":
                    d, items = g.col("d", RATING_PAIR_COLUMNS)[sel], g.col("items", RATING_PAIR_COLUMNS)[sel]
                    feats = _features(d, None, items)
                else:
                    ix = g.col("ix", PAIR_COLUMNS)[sel]
                    n_x, n_y, t = (g.col(c, PAIR_COLUMNS)[sel] for c in ("n_x", "n_y", "n_tie"))
                    w = np.where(ix == i, n_x, n_y) + 0.5 * t
                    games = n_x + n_y + t
                    feats = _features(w, games, games if sig == "pairwise" else 2 * games)
                out[(i, j, sig)] = (sel, g, feats)
    return out


def _needed(sig, sums, confidence, power):
    """Prompts needed, effect, spread and items per prompt from weighted feature sums (shape (R, 7)).

    Row r holds sum_c w_rc f_c for the features of :func:`_features`; w = 1 gives the full data,
    bootstrap counts give a replicate.
    """
    wt, sa, sb, saa, sbb, sab, si = (sums[:, k] for k in range(N_FEATURES))
    with np.errstate(divide="ignore", invalid="ignore"):
        if sig == "ratings":
            eff = sa / wt
            spread = np.sqrt(np.maximum((saa - wt * eff * eff) / np.maximum(wt - 1, 1), 0))
        else:
            eff, spread = _ratio_effect(wt, sa, sb, saa, sbb, sab)
        per = si / wt
    return prompts_needed(eff, spread, confidence, power), eff, spread, per


def _interval(point: float, samples: np.ndarray, n: int, unit: str) -> Statistic:
    if not np.isfinite(point):
        return Statistic.not_computable("the two models are tied on this signal: no sample size separates them", n)
    s = np.where(np.isfinite(samples), samples, np.inf)
    lo = float(np.percentile(s, 2.5, method="lower"))
    hi = float(np.percentile(s, 97.5, method="higher"))  # order statistics: no inf - inf
    return Statistic(
        float(point),
        float(lo),
        None if not np.isfinite(hi) else float(hi),
        n,
        method=f"normal-approximation sample size; percentile bootstrap by prompt_id ({unit})",
    )


def compute_cost(
    data: SignalData,
    seconds: list[dict[str, Any]],
    *,
    n_boot: int,
    seed: int,
    confidence: float = 0.95,
    power: float = 0.8,
    reps: Replicates | None = None,
) -> CostOfSignal:
    """Items and hours each signal needs to separate each model pair (see the module docstring).

    ``reps``: the replicates shared with the leaderboards (drawn here when None)."""
    method = (
        f"prompts needed m = ((z_(1-alpha/2) + z_power) * sd / |effect|)^2 at confidence "
        f"{confidence}, power {power}; items = m x items per prompt; hours = items x mean "
        f"seconds per task / 3600; intervals: {n_boot} seeded bootstrap replicates "
        f"(seed {seed}) drawing prompt_id with replacement"
    )
    sec = {}
    for r in seconds:
        if r["n_tasks"] == 0:
            sec[r["signal"]] = Statistic.not_computable(f"the batch has no {r['signal']}")
        elif r["n_timed"] == 0:
            sec[r["signal"]] = Statistic.not_computable(f"no {r['signal']} task carries seconds", 0)
        else:
            sec[r["signal"]] = Statistic(
                float(r["mean_seconds"]),
                None,
                None,
                int(r["n_timed"]),
                method=f"mean seconds per task; median {r['median_seconds']:.1f}",
            )
    k = len(data.models)
    reps = reps if reps is not None else draw_replicates(data, n_boot, seed)
    ev = _evidence_groups(reps, k)
    if not ev:
        return CostOfSignal(
            confidence,
            power,
            sec,
            [],
            {"signal": None, "reason": "not computable: no model pair is covered on two or more prompts by any signal"},
            method,
        )
    if reps.method != "multinomial":
        method += f"; {reps.description}"
    point, spreads, boot, n_prompts = {}, {}, {}, {}
    for key, (sel, g, feats) in ev.items():
        m, eff, spread, per = _needed(key[2], (g.n[sel] @ feats)[None, :], confidence, power)
        point[key] = (float(m[0]), float(eff[0]), float(per[0]))
        spreads[key] = float(spread[0])
        n_prompts[key] = int(round(g.n[sel].sum()))
        m_b, _, _, per_b = _needed(key[2], g.counts[:, sel] @ feats, confidence, power)
        boot[key] = (m_b, m_b * per_b)
    pairs = []
    hours_point: dict[tuple[int, int], dict[str, float]] = {}
    hours_boot: dict[tuple[int, int], dict[str, np.ndarray]] = {}
    for (i, j, sig), (m_pt, eff, per_prompt) in point.items():
        m_b, items_b = boot[(i, j, sig)]
        n_pr = n_prompts[(i, j, sig)]
        row: dict[str, Any] = {
            "model_x": data.models[i],
            "model_y": data.models[j],
            "signal": sig,
            "favours": None if eff == 0 else (data.models[i] if eff > 0 else data.models[j]),
            "effect": eff,
            "effect_unit": "score points" if sig == "ratings" else "win rate - 0.5",
            "items_per_prompt": per_prompt,
            "prompts_needed": _interval(m_pt, m_b, n_pr, "prompts"),
            "items_needed": _interval(m_pt * per_prompt, items_b, n_pr, "items"),
        }
        s = sec.get(sig)
        row["power_curve"] = power_curve(
            eff, spreads[(i, j, sig)], per_prompt, s.value if s is not None and s.ok else None, confidence
        )
        if s is not None and s.value is not None:
            h_pt = m_pt * per_prompt * s.value / 3600
            h_b = items_b * s.value / 3600
            row["hours_needed"] = _interval(h_pt, h_b, n_pr, "hours")
            hours_point.setdefault((i, j), {})[sig] = h_pt
            hours_boot.setdefault((i, j), {})[sig] = h_b
        else:
            row["hours_needed"] = Statistic.not_computable(
                (s.reason if s is not None else None) or f"no seconds for {sig}"
            )
        pairs.append(row)
    return CostOfSignal(confidence, power, sec, pairs, _better_buy(data, pairs, hours_point, hours_boot), method)


def _better_buy(data, pairs, hours_point, hours_boot) -> dict[str, Any]:
    signals = sorted({s for h in hours_point.values() for s in h})
    if len(signals) < 2:
        return {
            "signal": None,
            "reason": "not computable: fewer than two signals have both coverage of "
            "a model pair and annotation times (seconds)",
        }
    direction = {(r["model_x"], r["model_y"], r["signal"]): r["favours"] for r in pairs}
    common: list[Any] = []
    opposed: list[Any] = []
    for (i, j), h in hours_point.items():
        if set(signals) <= set(h):
            fav = {direction[(data.models[i], data.models[j], s)] for s in signals}
            (common if len(fav) == 1 else opposed).append((i, j))
    if not common:
        return {
            "signal": None,
            "signals": signals,
            "reason": "not computable: no model pair is covered, timed and ordered the same way by "
            f"all of {', '.join(signals)}",
            "pairs_where_signals_disagree": [[data.models[i], data.models[j]] for i, j in opposed],
        }
    med = {s: float(np.median([hours_point[p][s] for p in common])) for s in signals}
    best = min(signals, key=lambda s: med[s])
    reps = np.stack([np.median(np.stack([hours_boot[p][s] for p in common]), axis=0) for s in signals])
    reps = np.where(np.isfinite(reps), reps, np.inf)
    winner = np.argmin(reps, axis=0)
    p_best = {s: float(np.mean(winner == k)) for k, s in enumerate(signals)}
    ratio = {s: (med[s] / med[best] if med[best] > 0 else None) for s in signals}
    return {
        "signal": best,
        "median_hours": med,
        "hours_ratio_to_best": ratio,
        "p_cheapest": p_best,
        "confidence": p_best[best],
        "n_pairs": len(common),
        "pairs": [[data.models[i], data.models[j]] for i, j in common],
        "pairs_where_signals_disagree": [[data.models[i], data.models[j]] for i, j in opposed],
        "reading": (
            f"{best} separates the models for the fewest annotation hours (median over "
            f"{len(common)} model pair(s) all signals order the same way); it is the "
            f"cheapest in {p_best[best]:.0%} of bootstrap replicates"
        ),
    }
