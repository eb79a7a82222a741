"""Signals area on the sample delivery: the planted verbose-7b discrepancy and the manifest's numbers.

Expected values come from sample_data/manifest.json (written by sample_data/generate.py from the
generator's own counting, independent of qualitylab): defects.verbose_7b_leaderboards_disagree and
reference.direction_agreement_humans.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from qualitylab.report import compute_sections
from qualitylab.sample import SAMPLE_DIR
from qualitylab.store import open_store

MANIFEST = SAMPLE_DIR / "manifest.json"
RATING_WEEKS = ("acme-w2", "acme-w4", "acme-w6")
SECTIONS = ["ratings_vs_preferences", "leaderboard", "strength"]


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def results(tmp_path_factory, manifest) -> dict:
    """The three sections for each ratings week, from a store loaded with those weeks' files."""
    from qualitylab.ingest import ingest

    db = tmp_path_factory.mktemp("signals-sample") / "store.duckdb"
    plan = json.loads((SAMPLE_DIR / "load.json").read_text(encoding="utf-8"))
    for e in plan:
        if e["batch"] in RATING_WEEKS:
            ingest(
                SAMPLE_DIR / e["file"],
                e["batch"],
                db=db,
                vendor=e.get("vendor"),
                delivered=e.get("delivered"),
                kind=e.get("kind"),
                fmt=e.get("format"),
                quarantine=e.get("quarantine", False),
                mode="append",
            )
    with open_store(db, read_only=True) as store:
        return {b: compute_sections(store, b, SECTIONS, n_boot=300, seed=20240601) for b in RATING_WEEKS}


@pytest.mark.parametrize("batch", RATING_WEEKS)
def test_leaderboard_numbers_equal_the_manifest(results, manifest, batch):
    expected = manifest["defects"]["verbose_7b_leaderboards_disagree"]["expected"][batch]
    rows = {r["model"]: r for r in results[batch]["leaderboard"].models}
    for model, wr in expected["win_rate"].items():
        assert rows[model]["pairwise_win_rate"].value == pytest.approx(wr, abs=1e-6)
        # the manifest's BT strengths have geometric mean 1; ours are their centred logs
        assert np.exp(rows[model]["pairwise_bt"].value) == pytest.approx(expected["bradley_terry"][model], abs=1e-5)
        assert rows[model]["rating_mean"].value == pytest.approx(expected["mean_rating_helpfulness"][model], abs=1e-5)


@pytest.mark.parametrize("batch", RATING_WEEKS)
def test_leaderboards_disagree_on_verbose_7b(results, manifest, batch):
    ranks = manifest["defects"]["verbose_7b_leaderboards_disagree"]["expected"][batch]["verbose-7b_rank"]
    lb = results[batch]["leaderboard"]
    v = next(r for r in lb.models if r["model"] == "verbose-7b")
    assert v["rank_pairwise"].value == ranks["pairwise_bradley_terry"] == 3
    assert v["rank_ratings"].value == ranks["mean_rating_helpfulness"] == 1
    assert v["rank_rankings"].value == ranks["mean_rank_in_rankings"] == 3
    # beyond the intervals: pairwise and rankings put atlas-70b and nimbus-13b above verbose-7b,
    # ratings put verbose-7b above both
    pairs = {(d["model_x"], d["model_y"]): d for d in lb.disagreements}
    for other in ("atlas-70b", "nimbus-13b"):
        d = pairs[(other, "verbose-7b")]
        assert d["better_by"] == {"pairwise": other, "rankings": other, "ratings": "verbose-7b"}
        assert d["signals"] == ["pairwise vs ratings", "rankings vs ratings"]
    assert all("verbose-7b" in key for key in pairs)
    # pairwise and rankings agree with each other; ratings do not agree with either
    tau = lb.rank_correlation
    assert tau["pairwise_vs_rankings"]["kendall_tau_b"].value == 1.0
    assert tau["pairwise_vs_ratings"]["kendall_tau_b"].value < 0.5


@pytest.mark.parametrize("batch", RATING_WEEKS)
def test_within_task_direction_agreement_equals_the_manifest(results, manifest, batch):
    exp = manifest["reference"]["direction_agreement_humans"][batch]
    got = results[batch]["ratings_vs_preferences"].within_task.direction_agreement
    assert (got.value, got.n) == (pytest.approx(exp["value"], abs=1e-6), exp["n"])


@pytest.mark.parametrize("batch", RATING_WEEKS)
def test_mean_ratings_agree_with_verdicts_less_than_rankings(results, batch):
    # the rating task rewards length (verbose-7b), rankings do not: implied preferences from mean
    # ratings agree with the direct verdicts less often than those from rankings, beyond the intervals
    at = results[batch]["ratings_vs_preferences"].across_tasks
    ratings, rankings = at["mean_ratings"].direction_agreement, at["rankings"].direction_agreement
    assert ratings.ci95_high < rankings.ci95_low
    assert rankings.value > 0.75


def test_cost_of_a_signal_answers_with_a_confidence(results):
    for batch in RATING_WEEKS:
        buy = results[batch]["leaderboard"].cost.better_buy
        assert buy["signal"] in ("pairwise", "rankings", "ratings")
        assert sum(buy["p_cheapest"].values()) == pytest.approx(1.0)
        # the pairs involving verbose-7b that ratings order the other way are left out of the answer
        assert ["atlas-70b", "verbose-7b"] in buy["pairs_where_signals_disagree"]
        assert ["nimbus-13b", "verbose-7b"] in buy["pairs_where_signals_disagree"]
