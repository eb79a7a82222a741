"""Trends: every gate metric per batch over time, "changed since last week" with a test, vendor vs vendor.

The inputs are the ``gate`` sections (JSON form) of each batch's report, so a trend shows exactly
the numbers the verdicts were decided on. Two functions do the arithmetic:

* :func:`difference_test` — is a metric's change between two batches more than noise? For two
  proportions with their counts (Wilson statistics) it is the pooled two-proportion z-test; for any
  other statistic with a 95% interval it is the z-test of the difference of two independent
  estimates with standard errors recovered from the intervals (Altman & Bland 2003).
* :func:`week_over_week` — that test for each metric between each batch and the vendor's previous
  one, with Benjamini-Hochberg q-values across the metrics of the same pair of batches.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from scipy import stats

from ..intervals import Z95, bh_qvalues

#: a change is flagged when its BH q-value (across the metrics of one pair of batches) is below this
ALPHA = 0.05


@dataclass(frozen=True)
class Difference:
    """``later - earlier`` with its test: z, two-sided p, and the method used (or why there is none)."""

    difference: float | None
    z: float | None
    p_value: float | None
    method: str

    def to_dict(self) -> dict[str, Any]:
        return {"difference": self.difference, "z": self.z, "p_value": self.p_value, "method": self.method}


def _two_sided_p(z: float) -> float:
    return float(2 * stats.norm.sf(abs(z)))


def difference_test(earlier: dict[str, Any], later: dict[str, Any]) -> Difference:
    """Test ``later.value - earlier.value`` = 0 for two independent batches.

    Each argument is a measurement ``{value, ci95_low, ci95_high, n, method}``.

    * Both proportions (``method == "wilson"``, n > 0): pooled two-proportion z-test,
      z = (p2 - p1) / sqrt(p (1 - p) (1/n1 + 1/n2)), with p = (k1 + k2) / (n1 + n2) and
      k_i = round(p_i n_i) (Agresti 2013, *Categorical Data Analysis*, 3rd ed., sec. 3.1.3 / 2.2).
    * Otherwise, both with a 95% interval: se_i = (ci95_high - ci95_low) / (2 x 1.96),
      z = (v2 - v1) / sqrt(se1^2 + se2^2) (Altman & Bland 2003, "Interaction revisited: the
      difference between two estimates", BMJ 326:219). Approximate for skewed intervals (bootstrap).
    * No interval on either side (counts): the difference only, no test.

    p = 2 (1 - Phi(|z|)). Batches hold different items, so the two estimates are independent.

    >>> d = difference_test({"value": 0.5, "n": 100, "method": "wilson"},
    ...                     {"value": 0.6, "n": 100, "method": "wilson"})
    >>> round(d.z, 3), round(d.p_value, 3)
    (1.421, 0.155)
    """
    v1, v2 = earlier.get("value"), later.get("value")
    if v1 is None or v2 is None:
        return Difference(None, None, None, "none: a value is missing")
    d = float(v2) - float(v1)
    n1, n2 = earlier.get("n") or 0, later.get("n") or 0
    if earlier.get("method") == "wilson" and later.get("method") == "wilson" and n1 > 0 and n2 > 0:
        k1, k2 = round(v1 * n1), round(v2 * n2)
        p = (k1 + k2) / (n1 + n2)
        se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
        if se == 0:
            return Difference(d, None, None, "two-proportion z: no variation (p = 0 or 1)")
        z = d / se
        return Difference(d, z, _two_sided_p(z), "two-proportion z (pooled)")
    lo1, lo2 = earlier.get("ci95_low"), later.get("ci95_low")
    hi1, hi2 = earlier.get("ci95_high"), later.get("ci95_high")
    if lo1 is None or lo2 is None or hi1 is None or hi2 is None:
        return Difference(d, None, None, "none: no interval to test with")
    se1 = (hi1 - lo1) / (2 * Z95)
    se2 = (hi2 - lo2) / (2 * Z95)
    se = math.hypot(se1, se2)
    if se == 0:
        return Difference(d, None, None, "none: zero-width intervals")
    z = d / se
    return Difference(d, z, _two_sided_p(z), "difference of estimates, SE from 95% CIs")


def metric_rows(batch: dict[str, Any], gate: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per criterion of one batch's ``gate`` section (JSON form): the trend's raw points."""
    out = []
    for c in gate.get("criteria", []):
        out.append(
            {
                "batch_id": batch["batch_id"],
                "vendor": batch.get("vendor"),
                "delivered": batch.get("delivered"),
                "verdict": gate.get("verdict"),
                "criterion": c["id"],
                "title": c.get("title") or c["id"],
                "metric": c["metric"],
                "value": c.get("value"),
                "ci95_low": c.get("ci95_low"),
                "ci95_high": c.get("ci95_high"),
                "n": c.get("n"),
                "method": c.get("method"),
                "threshold": c.get("threshold"),
                "comparison": c.get("comparison"),
                "outcome": c.get("outcome"),
            }
        )
    return out


def week_over_week(rows: Iterable[dict[str, Any]], *, alpha: float = ALPHA) -> list[dict[str, Any]]:
    """For each vendor and criterion, each batch against the vendor's previous batch (by delivered).

    Adds ``previous_batch_id``, ``previous_value``, ``difference``, ``z``, ``p_value``, ``q_value``
    (BH across the criteria of the same pair of batches), ``test``, ``changed`` (q < alpha) and
    ``direction``: ``better`` when the metric moved towards the side of the threshold that passes
    (up for ``>=``, down for ``<=``), ``worse`` the other way, None without a difference.
    The first batch of a vendor has no previous one and gets no test.
    """
    rows = sorted(rows, key=lambda r: (str(r.get("vendor")), str(r.get("delivered")), r["batch_id"]))
    prev: dict[tuple, dict[str, Any]] = {}
    out = []
    for r in rows:
        key = (r.get("vendor"), r["criterion"])
        before = prev.get(key)
        row = dict(
            r,
            previous_batch_id=None,
            previous_value=None,
            difference=None,
            z=None,
            p_value=None,
            q_value=None,
            test=None,
            changed=False,
            direction=None,
        )
        if before is not None:
            d = difference_test(before, r)
            row.update(
                previous_batch_id=before["batch_id"],
                previous_value=before.get("value"),
                difference=d.difference,
                z=d.z,
                p_value=d.p_value,
                test=d.method,
                direction=direction(d.difference, r.get("comparison")),
            )
        out.append(row)
        prev[key] = r
    # BH q-values across the criteria of each (vendor, batch) step
    groups: dict[tuple, list[int]] = {}
    for i, r in enumerate(out):
        if r["p_value"] is not None:
            groups.setdefault((r.get("vendor"), r["batch_id"]), []).append(i)
    for idx in groups.values():
        for i, q in zip(idx, bh_qvalues([out[i]["p_value"] for i in idx]), strict=True):
            out[i]["q_value"] = q
            out[i]["changed"] = bool(q is not None and q < alpha)
    return out


def direction(difference: float | None, comparison: str | None) -> str | None:
    """``better`` / ``worse`` for a change of a metric whose criterion passes at ``comparison``
    (``>=``: up is better; ``<=``: down is better); None for no change or no known comparison."""
    if difference is None or difference == 0 or comparison not in (">=", "<="):
        return None
    return "better" if (difference > 0) == (comparison == ">=") else "worse"


def iso_week(delivered: Any) -> str | None:
    """``2026-W41`` for a date (or ISO date string); None when unknown."""
    import datetime as dt

    if delivered is None:
        return None
    d = delivered if isinstance(delivered, dt.date) else dt.date.fromisoformat(str(delivered)[:10])
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


def vendor_vs_vendor(rows: Iterable[dict[str, Any]], *, alpha: float = ALPHA) -> list[dict[str, Any]]:
    """For each ISO week and criterion with batches of two or more vendors: each pair of vendors
    (alphabetical) with the difference ``vendor_2 - vendor_1`` and its test (:func:`difference_test`),
    BH q-values across the rows of the same week. A vendor with several batches in one week
    contributes its latest."""
    by: dict[tuple, dict[str, dict[str, Any]]] = {}
    for r in sorted(rows, key=lambda r: (str(r.get("delivered")), r["batch_id"])):
        wk = iso_week(r.get("delivered"))
        if wk is None or r.get("vendor") is None:
            continue
        by.setdefault((wk, r["criterion"]), {})[r["vendor"]] = r
    out = []
    for (wk, crit), vendors in sorted(by.items()):
        names = sorted(vendors)
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                d = difference_test(vendors[a], vendors[b])
                out.append(
                    {
                        "week": wk,
                        "criterion": crit,
                        "vendor_1": a,
                        "batch_1": vendors[a]["batch_id"],
                        "value_1": vendors[a].get("value"),
                        "vendor_2": b,
                        "batch_2": vendors[b]["batch_id"],
                        "value_2": vendors[b].get("value"),
                        "difference": d.difference,
                        "z": d.z,
                        "p_value": d.p_value,
                        "q_value": None,
                        "test": d.method,
                        "different": False,
                    }
                )
    weeks: dict[str, list[int]] = {}
    for i, r in enumerate(out):
        if r["p_value"] is not None:
            weeks.setdefault(r["week"], []).append(i)
    for idx in weeks.values():
        for i, q in zip(idx, bh_qvalues([out[i]["p_value"] for i in idx]), strict=True):
            out[i]["q_value"] = q
            out[i]["different"] = bool(q is not None and q < alpha)
    return out


def vendor_trends(
    store,
    vendor: str | None,
    *,
    until: str | None = None,
    gates: str | None = None,
    seed: int | None = None,
    n_boot: int | None = None,
) -> list[dict[str, Any]]:
    """Every gate metric of every batch of ``vendor`` (all vendors when None) delivered up to the
    batch ``until`` (inclusive; all when None), with the week-over-week tests. Computes each batch's
    report (the CLI and the evidence pack; the app caches per batch instead). Each batch is judged by
    its own gate file (``snapshots.report_options``: its contract week's when linked, else the
    built-in gates) unless ``gates`` names one file for all, as the app's trends do."""
    from ..report import DEFAULT_N_BOOT, DEFAULT_SEED, compute_sections
    from ..results import to_jsonable
    from ..snapshots import report_options

    batches = [b for b in store.rows("overview/batches") if vendor is None or b.get("vendor") == vendor]
    batches.sort(key=lambda b: (str(b.get("delivered")), b["batch_id"]))
    if until is not None:
        names = [b["batch_id"] for b in batches]
        if until in names:
            batches = batches[: names.index(until) + 1]
    rows: list[dict[str, Any]] = []
    for b in batches:
        opts = report_options(store, b["batch_id"], {"gates": gates} if gates else None).context_options()
        res = compute_sections(
            store,
            b["batch_id"],
            ["gate"],
            seed=seed or DEFAULT_SEED,
            n_boot=n_boot or DEFAULT_N_BOOT,
            options=opts or None,
        )
        rows += metric_rows(b, to_jsonable(res["gate"]))
    return week_over_week(rows)
