"""The sample delivery (sample_data/, manifest.json): every planted defect is found by the check
meant for it, the manifest's numbers hold, and annotators without a planted defect are not flagged.

Expected numbers come from sample_data/manifest.json (written by sample_data/generate.py and
gen_expected.py, which compute them independently of qualitylab)."""

from __future__ import annotations

import json

import pytest

from qualitylab.bias.section import (
    annotators_for,
    assisted_for,
    distributions_for,
    hygiene_for,
    length_for,
    position_for,
)
from qualitylab.ingest import ingest
from qualitylab.report import ReportContext
from qualitylab.sample import SAMPLE_DIR, load_plan
from qualitylab.store import open_store

MANIFEST = SAMPLE_DIR / "manifest.json"
WEEKS = [f"acme-w{i}" for i in range(1, 7)]


@pytest.fixture(scope="module")
def manifest():
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """The bias sections of every acme week (the real-data batches are not needed here)."""
    db = tmp_path_factory.mktemp("sample") / "store.duckdb"
    with open_store(db) as store:
        for e in load_plan():
            if e["batch"].startswith("acme-"):
                ingest(
                    SAMPLE_DIR / e["file"],
                    e["batch"],
                    store=store,
                    vendor=e.get("vendor"),
                    delivered=e.get("delivered"),
                    kind=e.get("kind"),
                    fmt=e.get("format"),
                    quarantine=e.get("quarantine", False),
                    mode="append",
                )
    out = {}
    with open_store(db, read_only=True) as store:
        for week in WEEKS:
            ctx = ReportContext(store, week)
            out[week] = {
                "position": position_for(ctx, "human"),
                "judge_position": position_for(ctx, "judge"),
                "length": length_for(ctx, "human"),
                "judge_length": length_for(ctx, "judge"),
                "hygiene": hygiene_for(ctx),
                "distributions": distributions_for(ctx),
                "annotators": {r.annotator_id: r for r in annotators_for(ctx)},
                "assisted": assisted_for(ctx),
            }
    return out


def _rates(res):
    return {r.annotator_id: r for r in res.by_annotator}


def _same(rate, expected):
    assert (rate.k, rate.n) == (expected["k"], expected["n"])
    assert rate.value == pytest.approx(expected["value"], abs=1e-6)
    assert rate.p_value == pytest.approx(expected["p_value"], rel=1e-4, abs=1e-9)
    if "q_value" in expected:
        assert rate.q_value == pytest.approx(expected["q_value"], rel=1e-4, abs=1e-9)
        assert rate.flagged == expected["flagged"]


@pytest.mark.parametrize(
    "defect, result, kind",
    [("h03_position_bias", "position", "p_first"), ("h07_length_bias", "length", "p_prefer_longer")],
)
def test_planted_biases_flagged_in_their_weeks_only(manifest, results, defect, result, kind):
    d = manifest["defects"][defect]
    for week, expected in {**d["expected"], **d["control_weeks"]}.items():
        rate = _rates(results[week][result])[d["annotator_id"]]
        _same(rate, expected)
        flags = [f.flag for f in results[week]["annotators"][d["annotator_id"]].flags]
        assert (f"{result}_bias" in flags) == expected["flagged"], (week, flags)


def test_every_annotators_rates_match_the_manifest(manifest, results):
    for week in WEEKS:
        for ann, exp in manifest["annotators"][week].items():
            which = "" if exp["annotator_kind"] == "human" else "judge_"
            _same(_rates(results[week][which + "position"])[ann], exp["p_first"])
            _same(_rates(results[week][which + "length"])[ann], exp["p_prefer_longer"])
            row = results[week]["annotators"][ann]
            assert row.n == exp["n"] and row.tie_rate.value == pytest.approx(exp["tie_rate"], abs=1e-6)
            if exp["median_seconds"] is None:
                assert row.median_seconds is None
            else:
                assert row.median_seconds == pytest.approx(exp["median_seconds"], abs=1e-9)
            if exp["annotator_kind"] == "human":  # gold accuracy comes from the agreement area
                assert row.gold_accuracy.n == exp["gold"]["n"]
                assert row.gold_accuracy.value == pytest.approx(exp["gold"]["accuracy"])


def test_batch_level_rates_and_labels(manifest, results):
    for week in WEEKS:
        b = manifest["batches"][week]
        pos, lng = results[week]["position"], results[week]["length"]
        for stat, p, exp in (
            (pos.p_first, pos.p_value, b["p_first_humans"]),
            (lng.p_prefer_longer, lng.p_value, b["p_prefer_longer_humans"]),
        ):
            assert stat.n == exp["n"] and stat.value == pytest.approx(exp["value"], abs=1e-6)
            assert p == pytest.approx(exp["p_value"], rel=1e-4)
        labels = results[week]["distributions"].labels["human"]
        assert {k: round(s.value * s.n) for k, s in labels.items()} == b["label_counts_humans"]
        assert pos.status == "measured" and pos.randomisation.balanced


def test_judge_p_first_reference(manifest, results):
    for week, exp in manifest["reference"]["judge_p_first"].items():
        _same(_rates(results[week]["judge_position"])["judge-mini"], exp)


def test_strength_share(manifest, results):
    for week, share in manifest["reference"]["strength_share_human_verdicts"].items():
        n_strength = results[week]["distributions"].strength["by_kind"]["human"]["n"]
        assert n_strength / manifest["batches"][week]["n_human_verdicts_distinct"] == pytest.approx(share, abs=1e-6)


def test_hygiene_finds_each_planted_defect_and_nothing_else(manifest, results):
    d = manifest["defects"]
    planted = {
        "acme-w3": {"duplicate_rows", "identical_responses", "empty_responses"},
        "acme-w4": {"redelivered_items"},
        "acme-w5": {"fast_verdicts"},
    }
    for week in WEEKS:
        assert set(results[week]["hygiene"].failed) == planted.get(week, set()), week
    c = results["acme-w3"]["hygiene"].checks
    dup = d["w3_duplicate_rows"]["expected"]["acme-w3"]
    assert c["duplicate_rows"].n_rows == dup["n_groups"]
    assert sum(r["n_extra"] for r in c["duplicate_rows"].rows) == dup["n_extra_rows"]
    assert sorted(r["source_lines"] for r in c["duplicate_rows"].rows) == sorted(
        [x["line"], x["duplicate_line"]] for x in dup["lines"]
    )
    ident = d["w3_identical_responses"]["expected"]["acme-w3"]
    assert [r["comparison_id"] for r in c["identical_responses"].rows] == ident["comparison_ids"]
    assert sum(r["n_verdicts"] for r in c["identical_responses"].rows) == ident["n_rows"]
    empty = d["w3_empty_responses"]["expected"]["acme-w3"]
    assert [(r["comparison_id"], r["empty_slot"]) for r in c["empty_responses"].rows] == [
        (x["comparison_id"], x["side"]) for x in empty["comparisons"]
    ]
    assert sum(r["n_verdicts"] for r in c["empty_responses"].rows) == empty["n_rows"]
    red = d["w4_redelivered"]["expected"]["acme-w4"]
    rows = results["acme-w4"]["hygiene"].checks["redelivered_items"].rows
    assert [(r["comparison_id"], r["earlier_batch_id"], r["earlier_comparison_id"]) for r in rows] == [
        (x["comparison_id"], x["original_batch"], x["original_comparison_id"]) for x in red["comparisons"]
    ]
    assert sum(r["n_verdicts"] for r in rows) == red["n_rows"]
    fast = d["h11_too_fast"]["expected"]["acme-w5"]
    rows = results["acme-w5"]["hygiene"].checks["fast_verdicts"].rows
    assert len(rows) == fast["n_below_5_seconds"] and {r["annotator_id"] for r in rows} == {"h11"}


def test_screening_flags_planted_annotators_only(manifest, results):
    for week in WEEKS:
        b = manifest["batches"][week]
        table = results[week]["annotators"]
        for ann in b["annotators_without_planted_defect"]:
            assert table[ann].flags == [], (week, ann, table[ann].flags)
        for ann in b["annotators_with_planted_defect"]:
            assert table[ann].flags, (week, ann)
    h11 = results["acme-w5"]["annotators"]["h11"]
    assert "fast" in [f.flag for f in h11.flags]
    assert h11.median_seconds == pytest.approx(
        manifest["defects"]["h11_too_fast"]["expected"]["acme-w5"]["median_seconds"]
    )


def test_ratings_reward_length(results):
    # raters reward length (+1 helpfulness point per doubling: manifest verbose_7b_leaderboards_disagree)
    for week in ("acme-w2", "acme-w4", "acme-w6"):
        rho = {r.aspect: r.rho for r in results[week]["length"].ratings}
        assert rho["helpfulness"].ci95_low > 0.5
        assert rho["harmlessness"].ci95_low < 0 < rho["harmlessness"].ci95_high


@pytest.mark.parametrize("week", WEEKS)
def test_no_sample_annotator_is_flagged_llm_assisted(results, week):
    """No annotator of the sample pastes judge-mini's verdicts: none is flagged (issue 18 item 8)."""
    res = results[week]["assisted"]
    assert res.status == "measured" and res.n_judges == 1 and len(res.by_annotator) == 12
    assert res.flagged == []
    assert not any(f.flag == "llm_assisted" for r in results[week]["annotators"].values() for f in r.flags)
