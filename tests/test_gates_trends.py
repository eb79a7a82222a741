"""Trends: the difference tests against statsmodels, week-over-week steps, BH q, vendor vs vendor."""

from __future__ import annotations

import math

import pytest
from gates_helpers import batch_rows, ingest_batch
from statsmodels.stats.proportion import proportions_ztest

from qualitylab.gates.trends import difference_test, iso_week, vendor_trends, vendor_vs_vendor, week_over_week


def prop(k, n):
    return {"value": k / n, "n": n, "method": "wilson", "ci95_low": None, "ci95_high": None}


@pytest.mark.parametrize("k1, n1, k2, n2", [(50, 100, 60, 100), (240, 300, 150, 300), (3, 40, 9, 55)])
def test_two_proportion_z_matches_statsmodels(k1, n1, k2, n2):
    d = difference_test(prop(k1, n1), prop(k2, n2))
    z, p = proportions_ztest([k2, k1], [n2, n1])  # pooled variance, two-sided
    assert d.method == "two-proportion z (pooled)"
    assert d.z == pytest.approx(z, rel=1e-9) and d.p_value == pytest.approx(p, rel=1e-9)
    assert d.difference == pytest.approx(k2 / n2 - k1 / n1)


def test_difference_of_estimates_from_intervals():
    # Altman & Bland (2003), BMJ 326:219: SE = (upper - lower) / (2 x 1.96); z = d / sqrt(SE1^2 + SE2^2).
    a = {"value": 0.71, "ci95_low": 0.65, "ci95_high": 0.77, "n": 300, "method": "bootstrap"}
    b = {"value": 0.00, "ci95_low": -0.06, "ci95_high": 0.06, "n": 300, "method": "bootstrap"}
    d = difference_test(a, b)
    se = 0.12 / (2 * 1.959963984540054)
    assert d.z == pytest.approx(-0.71 / math.hypot(se, se))
    assert d.p_value < 1e-12 and d.method == "difference of estimates, SE from 95% CIs"


def test_no_test_without_intervals_or_values():
    assert difference_test({"value": 0.0}, {"value": 1.0}).method == "none: no interval to test with"
    assert difference_test({"value": None}, {"value": 1.0}).difference is None


def rows_for(batch, vendor, delivered, **values):
    return [
        {
            "batch_id": batch,
            "vendor": vendor,
            "delivered": delivered,
            "criterion": c,
            "value": v[0],
            "ci95_low": v[1],
            "ci95_high": v[2],
            "n": 300,
            "method": None,
        }
        for c, v in values.items()
    ]


def test_week_over_week_pairs_each_batch_with_the_previous_and_adjusts():
    rows = (
        rows_for("w2", "acme", "2026-10-12", alpha=(0.70, 0.65, 0.75), other=(0.50, 0.40, 0.60))
        + rows_for("w1", "acme", "2026-10-05", alpha=(0.71, 0.66, 0.76), other=(0.52, 0.42, 0.62))
        + rows_for("w3", "acme", "2026-10-19", alpha=(0.00, -0.06, 0.06), other=(0.49, 0.39, 0.59))
    )
    out = week_over_week(rows)
    assert [r["batch_id"] for r in out if r["criterion"] == "alpha"] == ["w1", "w2", "w3"]
    first = next(r for r in out if r["batch_id"] == "w1")
    assert first["previous_batch_id"] is None and first["p_value"] is None and not first["changed"]
    drop = next(r for r in out if r["batch_id"] == "w3" and r["criterion"] == "alpha")
    assert drop["previous_batch_id"] == "w2" and drop["difference"] == pytest.approx(-0.70)
    assert drop["changed"] and drop["q_value"] == pytest.approx(min(1.0, drop["p_value"] * 2 / 1))
    steady = [r for r in out if r["batch_id"] in ("w2", "w3") and r["criterion"] == "other"]
    assert not any(r["changed"] for r in steady)
    assert not next(r for r in out if r["batch_id"] == "w2" and r["criterion"] == "alpha")["changed"]


def test_vendor_vs_vendor_over_the_same_iso_week():
    rows = (
        rows_for("a1", "acme", "2026-10-05", alpha=(0.70, 0.65, 0.75))
        + rows_for("b1", "beta", "2026-10-07", alpha=(0.40, 0.35, 0.45))
        + rows_for("b2", "beta", "2026-10-14", alpha=(0.40, 0.35, 0.45))
    )
    out = vendor_vs_vendor(rows)
    assert len(out) == 1 and out[0]["week"] == iso_week("2026-10-05") == "2026-W41"
    assert (out[0]["vendor_1"], out[0]["vendor_2"]) == ("acme", "beta")
    assert out[0]["difference"] == pytest.approx(-0.30) and out[0]["different"]


def test_vendor_trends_on_a_store_shows_the_drop(tmp_path, db):
    for i, (week, p_truth) in enumerate((("w1", 0.85), ("w2", 0.85), ("w3", 0.0))):
        ingest_batch(
            tmp_path, db, week, batch_rows(week, seed=20 + i, p_truth=p_truth), delivered=f"2026-10-{5 + 7 * i:02d}"
        )
    ingest_batch(tmp_path, db, "other", batch_rows("o", seed=30), vendor="beta")
    from qualitylab.store import open_store

    with open_store(db, read_only=True) as store:
        rows = vendor_trends(store, "acme", n_boot=100)
        until = vendor_trends(store, "acme", until="w2", n_boot=100)
    alpha = [r for r in rows if r["criterion"] == "human_agreement"]
    assert [(r["batch_id"], r["verdict"]) for r in alpha] == [("w1", "ACCEPT"), ("w2", "ACCEPT"), ("w3", "REJECT")]
    assert alpha[2]["changed"] and alpha[2]["difference"] < -0.4 and alpha[2]["test"].startswith("difference of")
    assert not alpha[1]["changed"]
    assert {r["batch_id"] for r in until} == {"w1", "w2"}
