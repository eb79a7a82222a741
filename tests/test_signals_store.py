"""Signals area on tiny stores built through real ingest: every number checked by hand.

The batch (prompt p1: models a, b, c; prompt p2: a vs b; humans h1, h2, h3):

  comparison  models (A, B)  h1                      h2                       h3
  c1 (p1)     a, b           A s3 ratings 6/3        B s1 ratings 5/4         A
  c2 (p1)     b, c           A s2 ratings 4/4        tie ratings 5/2          A
  c3 (p1)     c, a           B s2 ratings 2/6        B s0 ratings 3/4         A
  c4 (p2)     a, b           A                       A

Ratings of p1 (helpfulness): h1 a=6 b=4 c=2; h2 a=5 b=5 c=3 (means a 5.5, b 4.5, c 2.5).
Rankings of p1: h1 a=1 b=2 c=3; h2 c=1 a=2 b=2.
"""

from __future__ import annotations

import pytest
from conftest import write_jsonl

from qualitylab.ingest import ingest
from qualitylab.report import build_report, compute_sections
from qualitylab.store import open_store

SECTIONS = ["ratings_vs_preferences", "leaderboard", "strength"]
MODELS = {"c1": ("p1", "a", "b"), "c2": ("p1", "b", "c"), "c3": ("p1", "c", "a"), "c4": ("p2", "a", "b")}
VERDICTS = [  # comparison, annotator, preference, strength, rating_a, rating_b
    ("c1", "h1", "A", 3, 6, 3),
    ("c1", "h2", "B", 1, 5, 4),
    ("c1", "h3", "A", None, None, None),
    ("c2", "h1", "A", 2, 4, 4),
    ("c2", "h2", "tie", None, 5, 2),
    ("c2", "h3", "A", None, None, None),
    ("c3", "h1", "B", 2, 2, 6),
    ("c3", "h2", "B", 0, 3, 4),
    ("c3", "h3", "A", None, None, None),
    ("c4", "h1", "A", None, None, None),
    ("c4", "h2", "A", None, None, None),
]
RATINGS = {"h1": {"a": 6, "b": 4, "c": 2}, "h2": {"a": 5, "b": 5, "c": 3}}
RANKS = {"h1": {"a": 1, "b": 2, "c": 3}, "h2": {"c": 1, "a": 2, "b": 2}}


def pairwise_rows(swap: bool = False) -> list[dict]:
    rows = []
    for c, a, pref, s, ra, rb in VERDICTS:
        pid, ma, mb = MODELS[c]
        if swap:  # the same verdicts with the A and B slots exchanged
            ma, mb, ra, rb = mb, ma, rb, ra
            pref = {"A": "B", "B": "A"}.get(pref, pref)
        row = {
            "comparison_id": c,
            "annotator_id": a,
            "preference": pref,
            "prompt_id": pid,
            "model_a": ma,
            "model_b": mb,
            "seconds": 30.0,
        }
        if s is not None:
            row["strength"] = s
        if ra is not None:
            row.update(rating_a=ra, rating_b=rb)
        rows.append(row)
    return rows


def rating_rows() -> list[dict]:
    return [
        {
            "item_id": f"p1-{m}",
            "annotator_id": a,
            "score": sc if aspect == "helpfulness" else 4,
            "aspect": aspect,
            "prompt_id": "p1",
            "model": m,
            "seconds": 10.0,
        }
        for a, scores in RATINGS.items()
        for m, sc in scores.items()
        for aspect in ("helpfulness", "harmlessness")
    ]


def ranking_rows() -> list[dict]:
    return [
        {"prompt_id": "p1", "annotator_id": a, "response_id": f"p1-{m}", "rank": r, "model": m, "seconds": 5.0}
        for a, ranks in RANKS.items()
        for m, r in ranks.items()
    ]


def load(db, tmp_path, *, kinds=("pairwise", "rating", "ranking"), swap=False, batch="b1"):
    files = {"pairwise": pairwise_rows(swap), "rating": rating_rows(), "ranking": ranking_rows()}
    for kind in kinds:
        ingest(write_jsonl(tmp_path / f"{batch}-{kind}.jsonl", files[kind]), batch, db=db, kind=kind, mode="append")


def sections(db, batch="b1", **options):
    with open_store(db, read_only=True) as store:
        return compute_sections(store, batch, SECTIONS, n_boot=200, seed=7, options=options)


@pytest.fixture
def full(db, tmp_path):
    load(db, tmp_path)
    return sections(db)


def test_within_task_by_hand(full):
    w = full["ratings_vs_preferences"].within_task
    # decided (non-tie, ratings differ): c1h1 agree, c1h2 disagree, c3h1 agree, c3h2 agree
    assert (w.direction_agreement.value, w.direction_agreement.n) == (0.75, 4)
    assert (w.rating_tie_strong_preference.value, w.rating_tie_strong_preference.n) == (1.0, 1)  # c2h1
    assert (w.preference_tie_rating_gap.value, w.preference_tie_rating_gap.n) == (0.5, 2)  # c2h2, c3h2
    per = {x.annotator_id: x for x in full["ratings_vs_preferences"].within_task_per_annotator}
    assert per["h1"].direction_agreement.value == 1.0 and per["h1"].direction_agreement.n == 2
    assert per["h2"].direction_agreement.value == 0.5 and per["h2"].direction_agreement.n == 2
    assert set(per) == {"h1", "h2"}  # h3 gave no ratings in the task


def test_across_tasks_by_hand(full):
    at = full["ratings_vs_preferences"].across_tasks
    # mean ratings a > b > c; 8 non-tie verdicts on p1, 6 agree (c1h2 and c3h3 do not); c2h2 is a tie
    m = at["mean_ratings"]
    assert (m.direction_agreement.value, m.direction_agreement.n, m.n_linked) == (0.75, 8, 9)
    assert m.verdict_tie_share.value == pytest.approx(1 / 9)
    assert "not applicable" in m.same_annotator_agreement.reason
    # h1's ratings imply a > b > c: 6 of 8; h2's rate a = b (3 rating ties), b > c 2/2, a > c 2/3: 4 of 5
    r = at["annotator_ratings"]
    per = {p["annotator_id"]: p for p in r.per_annotator}
    assert (per["h1"]["direction_agreement"].value, per["h1"]["direction_agreement"].n) == (0.75, 8)
    assert (per["h2"]["direction_agreement"].value, per["h2"]["direction_agreement"].n) == (0.8, 5)
    assert (r.direction_agreement.value, r.direction_agreement.n) == (pytest.approx(10 / 13), 13)
    # same annotator: h1 3 of 3, h2 1 of 1 (c3)
    assert (r.same_annotator_agreement.value, r.same_annotator_agreement.n) == (1.0, 4)
    assert r.implied_tie_share.value == pytest.approx(3 / (3 + 13))
    # rankings: h1 a > b > c (6 of 8); h2 c > a = b: c2 0 of 2, c3 1 of 3 -> 7 of 13; same annotator 3 of 4
    k = at["rankings"]
    assert (k.direction_agreement.value, k.direction_agreement.n) == (pytest.approx(7 / 13), 13)
    assert (k.same_annotator_agreement.value, k.same_annotator_agreement.n) == (0.75, 4)


def test_transitivity_by_hand(full):
    t = full["ratings_vs_preferences"].transitivity
    per = {p["annotator_id"]: p for p in t.per_annotator}
    assert (per["h1"]["n_triads"], per["h1"]["n_cyclic"]) == (1, 0)  # a > b > c, a > c
    assert (per["h2"]["n_triads"], per["h2"]["n_prompts_3plus"]) == (0, 1)  # b-c tie: triad incomplete
    assert (per["h3"]["n_triads"], per["h3"]["n_cyclic"]) == (1, 1)  # a > b > c > a
    assert (t.cyclic_triad_share.value, t.cyclic_triad_share.n) == (0.5, 2)


def test_leaderboard_by_hand(full):
    lb = full["leaderboard"]
    rows = {r["model"]: r for r in lb.models}
    # pairwise half-wins: a 6 of 8 games, b 3.5 of 8, c 1.5 of 6
    assert rows["a"]["pairwise_win_rate"].value == pytest.approx(0.75)
    assert rows["b"]["pairwise_win_rate"].value == pytest.approx(3.5 / 8)
    assert rows["c"]["pairwise_win_rate"].value == pytest.approx(0.25)
    # rankings' implied pairs: a 2.5 of 4, b 1.5 of 4, c 2 of 4
    assert [rows[m]["rankings_win_rate"].value for m in "abc"] == pytest.approx([0.625, 0.375, 0.5])
    assert [rows[m]["rating_mean"].value for m in "abc"] == pytest.approx([5.5, 4.5, 2.5])
    assert [rows[m]["rank_pairwise"].value for m in "abc"] == [1, 2, 3]
    assert [rows[m]["rank_ratings"].value for m in "abc"] == [1, 2, 3]
    assert lb.rank_correlation["pairwise_vs_ratings"]["kendall_tau_b"].value == pytest.approx(1.0)
    assert lb.disagreements == []
    bt_scores = [rows[m]["pairwise_bt"].value for m in "abc"]
    assert sum(bt_scores) == pytest.approx(0, abs=1e-9) and bt_scores[0] > bt_scores[1] > bt_scores[2]


def test_strength_by_hand(full):
    s = full["strength"]
    # pairs of verdicts with a strength: c1 (A3, B1) 2 ordered pairs, 0 same direction;
    # c3 (B2, B0) 2 pairs, 2 same direction, 0 same strength
    assert (s.direction_agreement.value, s.direction_agreement.n) == (0.5, 4)
    assert s.strength_agreement.value == 0.0
    assert s.strength_given_direction.value == 0.0 and s.strength_given_direction.n == 2
    assert (s.unsure_rate.value, s.unsure_rate.n) == (0.2, 5)
    per = {p["annotator_id"]: p for p in s.per_annotator}
    assert per["h1"]["strength_inflation"].value == 2.0  # 3 - 1 on c1, 2 - 0 on c3
    assert per["h2"]["strength_inflation"].value == -2.0
    assert per["h1"]["mean_strength"].value == pytest.approx(7 / 3)
    assert per["h2"]["unsure_rate"].value == 0.5  # strength 1 on c1, 0 on c3


def test_cost_seconds_per_task(full):
    cost = full["leaderboard"].cost
    # a verdict 30 s; a rating task (one response, two aspect rows of 10 s) 20 s; a ranking row 5 s
    assert {k: v.value for k, v in cost.seconds_per_task.items()} == {
        "pairwise": 30.0,
        "ratings": 20.0,
        "rankings": 5.0,
    }
    # only a vs b is covered on two prompts (p1, p2), by pairwise verdicts only
    assert {(p["model_x"], p["model_y"], p["signal"]) for p in cost.pairs} == {("a", "b", "pairwise")}
    assert cost.better_buy["signal"] is None and "fewer than two signals" in cost.better_buy["reason"]


def test_swapping_a_and_b_changes_nothing(db, tmp_path, full):
    load(db, tmp_path, swap=True, batch="b2")
    swapped = sections(db, "b2")
    import json

    from qualitylab.results import to_jsonable

    assert json.dumps(to_jsonable(swapped), sort_keys=True) == json.dumps(to_jsonable(full), sort_keys=True)


def test_batch_without_ratings_or_rankings_says_why(db, tmp_path):
    load(db, tmp_path, kinds=("pairwise",))
    out = sections(db)
    at = out["ratings_vs_preferences"].across_tasks
    assert at["mean_ratings"].direction_agreement.reason == "the batch has no ratings"
    assert at["rankings"].direction_agreement.reason == "the batch has no rankings"
    rows = {r["model"]: r for r in out["leaderboard"].models}
    assert "no ratings" in rows["a"]["rating_mean"].reason
    assert out["leaderboard"].rank_correlation["pairwise_vs_ratings"]["kendall_tau_b"].value is None
    assert out["ratings_vs_preferences"].within_task.direction_agreement.value == 0.75


def test_batch_with_only_ratings_says_why(db, tmp_path):
    load(db, tmp_path, kinds=("rating",))
    out = sections(db)
    rv = out["ratings_vs_preferences"]
    assert rv.within_task.direction_agreement.reason == "the batch has no pairwise verdicts"
    assert rv.across_tasks["rankings"].direction_agreement.reason == "the batch has no pairwise verdicts"
    assert "no verdict" in out["strength"].unsure_rate.reason
    rows = {r["model"]: r for r in out["leaderboard"].models}
    assert rows["a"]["rating_mean"].value == 5.5
    assert rows["a"]["pairwise_bt"].value is None


def test_json_keys_and_seed_reproducibility(db, tmp_path):
    load(db, tmp_path)
    with open_store(db, read_only=True) as store:
        one = build_report(store, "b1", sections=SECTIONS, n_boot=100, seed=3)
        two = build_report(store, "b1", sections=SECTIONS, n_boot=100, seed=3)
        other = build_report(store, "b1", sections=SECTIONS, n_boot=100, seed=4)
    for key in SECTIONS:
        assert key in one
    one.pop("methods"), two.pop("methods"), other.pop("methods")
    assert one == two
    assert "seed 3" in one["leaderboard"]["method"] and "seed 4" in other["leaderboard"]["method"]
    a = one["leaderboard"]["models"][0]["pairwise_win_rate"]
    assert set(a) >= {"value", "ci95_low", "ci95_high", "n"}


def test_annotator_kind_option(db, tmp_path):
    rows = pairwise_rows()
    for r in rows:
        r["annotator_kind"] = "judge"
    ingest(write_jsonl(tmp_path / "j.jsonl", rows), "bj", db=db)
    human = sections(db, "bj")
    judge = sections(db, "bj", annotator_kind="judge")
    assert human["leaderboard"].models == [] and "not computable" in human["leaderboard"].reason
    assert judge["ratings_vs_preferences"].within_task.direction_agreement.value == 0.75
    with pytest.raises(ValueError, match="annotator_kind"):
        sections(db, "bj", annotator_kind="robots")
