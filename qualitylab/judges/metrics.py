"""The numeric core of judge vs human: pure functions on per-comparison *patterns* SQL aggregated.

A pattern is one row ``(j_a, j_b, j_tie, h_a, h_b, h_tie, n)``: ``n`` comparisons on which the judge
gave j_a / j_b / j_tie verdicts (A, B, tie; a judge run in both orders gives two) and the humans
gave h_a / h_b / h_tie. Every statistic here is a function of the pattern counts, and resampling
comparisons with replacement is exactly a multinomial draw over the patterns, so the comparison
bootstrap costs O(patterns), not O(comparisons), on any batch size.

Symbols: for a comparison, j = (j_a, j_b, j_tie), h = (h_a, h_b, h_tie), |h| = h_a + h_b + h_tie.

- Human majority: the label l with h_l > |h| / 2 (a strict majority; tie is a label like A and B).
  Comparisons without one are left out of the majority metrics.
- Confusion matrix C[m, l] = sum over majority comparisons of j_l, m = the majority label: every
  judge verdict counts (both orders when the judge judged both).
- accuracy_vs_majority = trace(C) / sum(C), Wilson 95% interval over the sum(C) verdicts.
- cohen_kappa_vs_majority = (p_o - p_e) / (1 - p_e) on C (sklearn ``cohen_kappa_score`` with the
  cells as sample weights); macro_f1_vs_majority = the mean over labels of 2 P R / (P + R)
  (sklearn ``f1_score(average="macro")``, labels = those present in C's rows or columns);
  macro_precision_vs_majority / macro_recall_vs_majority = the mean over the same labels of
  P_l = C[l, l] / sum_m C[m, l] and R_l = C[l, l] / sum_l' C[l, l'] (sklearn ``precision_score`` /
  ``recall_score``, ``average="macro"``, ``zero_division=0``).
- gwet_ac1_vs_majority: Gwet's AC1 between the judge and the majority as two raters, computed by
  the agreement area's :func:`qualitylab.agreement.coefficients.gwet_ac` on the verdicts of C
  (each verdict an item rated once by the judge and once by the majority), over the labels present
  in C (q = their number; a batch that never uses tie is scored on A/B).
  95% percentile bootstrap over comparisons (multinomial over patterns, seeded) for kappa, F1,
  precision, recall and AC1: a comparison is the resampled unit, so a judge's two verdicts on one
  comparison (both orders) move together.
- accuracy_vs_majority's interval: Wilson; when some comparison holds more than one judge verdict
  (both orders pooled), Wilson on the cluster effective sample size
  (:func:`qualitylab.intervals.clustered_proportion`, clusters = comparisons).
- MT-Bench agreement (Zheng et al. 2023, "Judging LLM-as-a-Judge", section 4.2): every judge
  verdict paired with every human verdict on the same comparison;
  agreement_with_ties = sum(j . h) / sum(|j| |h|);
  agreement_without_ties = sum(j_a h_a + j_b h_b) / sum((j_a + j_b)(h_a + h_b)) (pairs where
  either side says tie dropped). The human-human ceiling pairs every two human verdicts on the
  judge's comparisons: sum(h_l (h_l - 1)) / sum(|h| (|h| - 1)) (with ties; without ties the same on
  A and B only). Pairs within a comparison are not independent, so the 95% interval is the
  comparison bootstrap, not Wilson.

Range 0-1 for the proportions, -1-1 for kappa. Read them beside the human-human ceiling: a judge
that agrees with humans as often as humans agree with each other is as good as one more human on
these items. Thresholds depend on the task; none is implied.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..intervals import clustered_proportion, proportion
from ..results import Statistic

LABELS = ("A", "B", "tie")


@dataclass(frozen=True)
class Patterns:
    """Judge and human label counts per comparison pattern; ``n`` comparisons per pattern."""

    j: np.ndarray  # (K, 3) judge verdict counts A, B, tie
    h: np.ndarray  # (K, 3) human verdict counts
    n: np.ndarray  # (K,) comparisons

    @classmethod
    def from_rows(cls, rows: list[dict[str, Any]]) -> Patterns:
        """From ``{j_a, j_b, j_tie, h_a, h_b, h_tie, n}`` rows (judges/patterns)."""
        j = np.array([[r["j_a"], r["j_b"], r["j_tie"]] for r in rows], dtype=float).reshape(-1, 3)
        h = np.array([[r["h_a"], r["h_b"], r["h_tie"]] for r in rows], dtype=float).reshape(-1, 3)
        n = np.array([r["n"] for r in rows], dtype=float)
        return cls.checked(j, h, n)

    @classmethod
    def checked(cls, j: ArrayLike, h: ArrayLike, n: ArrayLike) -> Patterns:
        j, h, n = (np.asarray(x, dtype=float) for x in (j, h, n))
        if j.ndim != 2 or j.shape[1] != 3 or h.shape != j.shape or n.shape != (j.shape[0],):
            raise ValueError("patterns need j (K, 3), h (K, 3) and n (K,): counts of A, B, tie per pattern")
        if (j < 0).any() or (h < 0).any() or (n < 0).any():
            raise ValueError("pattern counts must be >= 0; pass counts, not differences")
        return cls(j, h, n)

    def subset(self, mask: np.ndarray) -> Patterns:
        return Patterns(self.j[mask], self.h[mask], self.n[mask])

    @property
    def majority(self) -> np.ndarray:
        """(K,) index of the strict human majority label, -1 where there is none."""
        total = self.h.sum(1)
        best = self.h.argmax(1)
        return np.where(self.h.max(1) > total / 2, best, -1)

    @property
    def contested(self) -> np.ndarray:
        """(K,) 'unanimous' (>= 2 humans, one label), 'split' (>= 2 humans, > 1 label) or ''."""
        total = self.h.sum(1)
        return np.where(total < 2, "", np.where(self.h.max(1) == total, "unanimous", "split"))


def confusion(p: Patterns) -> np.ndarray:
    """C[m, l]: judge verdicts l on comparisons whose strict human majority is m (3 x 3)."""
    m = p.majority
    c = np.zeros((3, 3))
    for k in range(3):
        c[k] = (p.j[m == k] * p.n[m == k, None]).sum(0)
    return c


def _weighted_labels(c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows, cols = np.nonzero(c)
    return rows, cols, c[rows, cols]


def kappa_point(c: np.ndarray) -> float | None:
    """Cohen's kappa of a confusion matrix by sklearn (cells as sample weights); None if undefined."""
    from sklearn.metrics import cohen_kappa_score

    y_true, y_pred, w = _weighted_labels(c)
    if w.sum() == 0:
        return None
    row, col = c.sum(1) / c.sum(), c.sum(0) / c.sum()
    if 1 - (row * col).sum() < 1e-12:
        return None
    return float(cohen_kappa_score(y_true, y_pred, sample_weight=w))


def macro_f1_point(c: np.ndarray) -> float | None:
    """Macro F1 over the labels present in C's rows or columns (sklearn f1_score)."""
    from sklearn.metrics import f1_score

    y_true, y_pred, w = _weighted_labels(c)
    if w.sum() == 0:
        return None
    return float(f1_score(y_true, y_pred, average="macro", sample_weight=w, zero_division=0))


def macro_precision_recall_point(c: np.ndarray) -> tuple[float | None, float | None]:
    """Macro precision and recall (sklearn precision_score / recall_score, average='macro')."""
    from sklearn.metrics import precision_score, recall_score

    y_true, y_pred, w = _weighted_labels(c)
    if w.sum() == 0:
        return None, None
    kw = dict(average="macro", sample_weight=w, zero_division=0)
    return float(precision_score(y_true, y_pred, **kw)), float(recall_score(y_true, y_pred, **kw))


def macro_precision_recall_stack(c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Macro precision and recall of a stack of confusion matrices (B, 3, 3), vectorised; same
    definitions as sklearn (labels present in a matrix's rows or columns; 0 where undefined)."""
    tp = np.diagonal(c, axis1=1, axis2=2)
    support, predicted = c.sum(2), c.sum(1)
    present = (support + predicted) > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        prec = np.where(predicted > 0, tp / np.where(predicted > 0, predicted, 1), 0.0)
        rec = np.where(support > 0, tp / np.where(support > 0, support, 1), 0.0)
    k = np.maximum(present.sum(1), 1)
    return (prec * present).sum(1) / k, (rec * present).sum(1) / k


def ac1_point(c: np.ndarray) -> Statistic:
    """Gwet's AC1 of judge vs majority from the confusion matrix, by the agreement area's gwet_ac
    over the labels present (see the module docstring)."""
    from ..agreement.coefficients import ValuePatterns, gwet_ac

    present = np.flatnonzero((c.sum(0) + c.sum(1)) > 0)
    if present.size < 2:
        return Statistic.not_computable("the judge and the majority used one and the same label only")
    q = present.size
    cells = [(i, j) for i in range(q) for j in range(q)]
    counts = np.zeros((len(cells), q))
    for row, (i, j) in enumerate(cells):
        counts[row, i] += 1
        counts[row, j] += 1
    sub = c[np.ix_(present, present)]
    weights = np.array([sub[i, j] for i, j in cells], dtype=float)
    return gwet_ac(ValuePatterns(np.arange(q, dtype=float), counts, weights))


def ac1_stack(c: np.ndarray) -> np.ndarray:
    """AC1 of each confusion matrix of a stack (B, L, L) (nan where undefined), vectorised.

    The value :func:`ac1_point` gives for each matrix (two ratings per item: judge and majority):
    over the q labels present, p_a = trace / N, pi_k = (row_k + column_k) / 2N,
    p_e = sum_k pi_k (1 - pi_k) / (q - 1), AC1 = (p_a - p_e) / (1 - p_e); nan when q < 2.
    (The bootstrap needs only the value: no standard error or test per replicate.)
    """
    c = np.asarray(c, dtype=float)
    n = c.sum((1, 2))
    marg = c.sum(1) + c.sum(2)
    q = (marg > 0).sum(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        pa = np.trace(c, axis1=1, axis2=2) / n
        pi = marg / (2 * n)[:, None]
        pe = (pi * (1 - pi)).sum(1) / (q - 1)
        ac = (pa - pe) / (1 - pe)
    return np.where((q >= 2) & (n > 0), ac, np.nan)


def macro_f1_stack(c: np.ndarray) -> np.ndarray:
    """Macro F1 of a stack of confusion matrices (B, 3, 3), vectorised; same definition as sklearn."""
    tp = np.diagonal(c, axis1=1, axis2=2)
    support, predicted = c.sum(2), c.sum(1)
    present = (support + predicted) > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(present, 2 * tp / (support + predicted), 0.0)
    return f1.sum(1) / np.maximum(present.sum(1), 1)


def kappa_stack(c: np.ndarray) -> np.ndarray:
    """Cohen's kappa of a stack of confusion matrices (the agreement area's implementation)."""
    from ..agreement.coefficients import cohen_kappa_tables

    kappa, _se, _n = cohen_kappa_tables(c, list(LABELS))
    return kappa


def resample(p: Patterns, n_boot: int, seed: int) -> np.ndarray:
    """(n_boot, K) pattern weights of a bootstrap over comparisons: multinomial(N, n_k / N)."""
    total = int(p.n.sum())
    if n_boot < 1 or total == 0:
        return np.zeros((0, len(p.n)))
    rng = np.random.default_rng(seed)
    return rng.multinomial(total, p.n / total, size=n_boot).astype(float)


def _percentile(reps: np.ndarray) -> tuple[float | None, float | None]:
    reps = reps[np.isfinite(reps)]
    if reps.size < 2:
        return None, None
    lo, hi = np.percentile(reps, [2.5, 97.5])
    return float(lo), float(hi)


def _boot_stat(value: float | None, reps: np.ndarray, n: int, reason: str) -> Statistic:
    if value is None or not np.isfinite(value):
        return Statistic.not_computable(reason, n)
    lo, hi = _percentile(reps)
    return Statistic(float(value), lo, hi, n, method="bootstrap over comparisons (percentile)")


MAJORITY_KEYS = (
    "accuracy_vs_majority",
    "macro_f1_vs_majority",
    "macro_precision_vs_majority",
    "macro_recall_vs_majority",
    "cohen_kappa_vs_majority",
    "gwet_ac1_vs_majority",
)


def accuracy(p: Patterns) -> Statistic:
    """Share of the judge's verdicts equal to the strict majority; clustered by comparison when a
    comparison holds more than one judge verdict (module docstring)."""
    maj = p.subset(p.majority >= 0)
    m = maj.majority
    hits = maj.j[np.arange(len(m)), m] if len(m) else np.zeros(0)
    return clustered_proportion(hits, maj.j.sum(1), maj.n, what="accuracy vs majority")


def majority_metrics(p: Patterns, *, n_boot: int, seed: int) -> dict[str, Any]:
    """accuracy / macro F1, precision, recall / Cohen's kappa / Gwet's AC1 vs the strict human
    majority, and the confusion matrix."""
    maj = p.subset(p.majority >= 0)
    c = confusion(maj)
    n_verdicts = int(c.sum())
    n_items = int(maj.n.sum())
    if n_verdicts == 0:
        why = "no comparison with both judge verdicts and a strict human majority"
        out: dict[str, Any] = {k: Statistic.not_computable(why) for k in MAJORITY_KEYS}
        out.update(confusion=_confusion_dict(c), n_majority_comparisons=0)
        return out
    w = resample(maj, n_boot, seed)
    m = maj.majority
    stack = np.zeros((len(w), 3, 3))
    for k in range(3):
        sel = m == k
        stack[:, k, :] = w[:, sel] @ maj.j[sel]
    kappa = kappa_point(c)
    prec, rec = macro_precision_recall_point(c)
    prec_b, rec_b = macro_precision_recall_stack(stack)
    ac1 = ac1_point(c)
    one_label = "the judge and the majority used one and the same label only"
    return {
        "accuracy_vs_majority": accuracy(p),
        "macro_f1_vs_majority": _boot_stat(macro_f1_point(c), macro_f1_stack(stack), n_verdicts, "no verdicts"),
        "macro_precision_vs_majority": _boot_stat(prec, prec_b, n_verdicts, "no verdicts"),
        "macro_recall_vs_majority": _boot_stat(rec, rec_b, n_verdicts, "no verdicts"),
        "cohen_kappa_vs_majority": _boot_stat(
            kappa,
            kappa_stack(stack) if len(stack) else np.array([]),
            n_verdicts,
            "kappa undefined: " + one_label,
        ),
        "gwet_ac1_vs_majority": _boot_stat(
            ac1.value, ac1_stack(stack), n_verdicts, ac1.reason or "AC1 undefined: " + one_label
        ),
        "confusion": _confusion_dict(c),
        "n_majority_comparisons": n_items,
    }


def _confusion_dict(c: np.ndarray) -> dict[str, Any]:
    """``{majority label: {judge label: n}}``."""
    return {m: {lab: int(c[i, k]) for k, lab in enumerate(LABELS)} for i, m in enumerate(LABELS)}


def _ratio(num: np.ndarray, den: np.ndarray, p: Patterns, w: np.ndarray, n: int, reason: str) -> Statistic:
    """sum(n_k num_k) / sum(n_k den_k) over patterns k (num, den per comparison), with the
    comparison-bootstrap interval from the resampled pattern weights w (B, K)."""
    total = float(p.n @ den)
    if total == 0:
        return Statistic.not_computable(reason, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        reps = (w @ num) / (w @ den) if len(w) else np.array([])
    return _boot_stat(float(p.n @ num) / total, reps, n, reason)


def mtbench_agreement(p: Patterns, *, n_boot: int, seed: int) -> dict[str, Any]:
    """MT-Bench judge-human and human-human agreement, with and without ties (module docstring).

    ``n`` of each statistic = the verdict pairs it compares."""
    p = p.subset(p.h.sum(1) > 0)
    w = resample(p, n_boot, seed)
    j, h = p.j, p.h
    hs, hab = h.sum(1), h[:, :2].sum(1)
    parts = {  # per comparison: (agreeing pairs, pairs)
        "agreement_with_ties": ((j * h).sum(1), j.sum(1) * hs, "no comparison with both judge and human verdicts"),
        "agreement_without_ties": (
            (j[:, :2] * h[:, :2]).sum(1),
            j[:, :2].sum(1) * hab,
            "no judge-human pair without a tie",
        ),
        "human_agreement_with_ties": (
            (h * (h - 1)).sum(1),
            hs * (hs - 1),
            "fewer than two human verdicts on every judged comparison",
        ),
        "human_agreement_without_ties": (
            (h[:, :2] * (h[:, :2] - 1)).sum(1),
            hab * (hab - 1),
            "fewer than two non-tie human verdicts on every judged comparison",
        ),
    }
    out: dict[str, Any] = {k: _ratio(num, den, p, w, int(p.n @ den), why) for k, (num, den, why) in parts.items()}
    out["n_comparisons_with_humans"] = int(p.n.sum())
    return out


def by_contested(p: Patterns, *, n_boot: int, seed: int) -> dict[str, Any]:
    """accuracy_vs_majority (Wilson, clustered by comparison when pooled) and agreement_with_ties
    (bootstrap) on unanimous vs split items."""
    out = {}
    kind = p.contested
    for label in ("unanimous", "split"):
        sub = p.subset(kind == label)
        out[label] = {
            "n_comparisons": int(sub.n.sum()),
            "accuracy_vs_majority": accuracy(sub),
            "agreement_with_ties": mtbench_agreement(sub, n_boot=n_boot, seed=seed)["agreement_with_ties"],
        }
    return out


@dataclass(frozen=True)
class OrderPatterns:
    """Comparisons judged in both orders: the verdict with A shown first (``first``), with B shown
    first (``second``), both in the original labels (0 = A, 1 = B, 2 = tie), the human counts h,
    and n comparisons per pattern."""

    first: np.ndarray
    second: np.ndarray
    h: np.ndarray
    n: np.ndarray

    @classmethod
    def from_rows(cls, rows: list[dict[str, Any]]) -> OrderPatterns:
        """From ``{pref_a_first, pref_b_first, h_a, h_b, h_tie, n}`` rows (judges/order_patterns)."""
        idx = {lab: i for i, lab in enumerate(LABELS)}
        for r in rows:
            if r["pref_a_first"] not in idx or r["pref_b_first"] not in idx:
                raise ValueError(
                    f"preferences must be one of {LABELS}, got {r['pref_a_first']!r}, {r['pref_b_first']!r}"
                )
        return cls(
            np.array([idx[r["pref_a_first"]] for r in rows], dtype=int),
            np.array([idx[r["pref_b_first"]] for r in rows], dtype=int),
            np.array([[r["h_a"], r["h_b"], r["h_tie"]] for r in rows], dtype=float).reshape(-1, 3),
            np.array([r["n"] for r in rows], dtype=float),
        )

    def conservative(self) -> Patterns:
        """MT-Bench's conservative verdict (consistent -> that verdict, inconsistent -> tie) as patterns."""
        verdict = np.where(self.first == self.second, self.first, 2)
        return Patterns(np.eye(3)[verdict].reshape(-1, 3), self.h, self.n)


def position_metrics(o: OrderPatterns) -> dict[str, Any]:
    """Consistency of the two orders (Zheng et al. 2023, Table 2), Wilson intervals over comparisons.

    position_consistency = share of comparisons whose two verdicts agree; p_biased_first = share
    where the judge chose the response shown first both times (A when A was first, B when B was
    first); p_biased_second = the second slot both times; p_inconsistent_other = the remaining
    inconsistent pairs (one verdict a tie).
    """
    n = int(o.n.sum())
    consistent = int(o.n[o.first == o.second].sum())
    first = int(o.n[(o.first == 0) & (o.second == 1)].sum())
    second = int(o.n[(o.first == 1) & (o.second == 0)].sum())
    return {
        "n_both_orders": n,
        "position_consistency": proportion(consistent, n, what="comparisons judged in both orders"),
        "p_biased_first": proportion(first, n, what="comparisons judged in both orders"),
        "p_biased_second": proportion(second, n, what="comparisons judged in both orders"),
        "p_inconsistent_other": proportion(
            n - consistent - first - second, n, what="comparisons judged in both orders"
        ),
    }
