"""Agreement end to end: real ingest into a real store, the report's ``agreement`` key, invariance
(row order, annotator renaming, consistent A/B swap) and degenerate batches."""

from __future__ import annotations

import json
import random

import krippendorff
import numpy as np
import pytest
from conftest import write_jsonl

from qualitylab.cli import main
from qualitylab.ingest import ingest
from qualitylab.report import build_report
from qualitylab.store import open_store

STAT_KEYS = {"value", "ci95_low", "ci95_high", "n"}
SWAP = {"A": "B", "B": "A", "tie": "tie"}


def make_rows(seed=0, n_items=60):
    rng = random.Random(seed)
    rows = []
    for c in range(n_items):
        truth = rng.choice("AAB")
        for a in rng.sample([f"h{i}" for i in range(5)], rng.choice([1, 2, 3, 3])):
            p = truth if rng.random() < 0.7 else rng.choice(["A", "B", "tie"])
            rows.append(
                {
                    "comparison_id": f"c{c}",
                    "annotator_id": a,
                    "preference": p,
                    "strength": 0 if p == "tie" else rng.randint(0, 3),
                    "gold": truth if c % 7 == 0 else None,
                }
            )
        rows.append(
            {
                "comparison_id": f"c{c}",
                "annotator_id": "judge",
                "annotator_kind": "judge",
                "preference": rng.choice("AB"),
            }
        )
    return rows


def report(tmp_path, rows, name="v", n_boot=200, ratings=None):
    db = tmp_path / f"{name}.duckdb"
    ingest(write_jsonl(tmp_path / f"{name}.jsonl", rows), "w1", db=db)
    if ratings:
        ingest(write_jsonl(tmp_path / f"{name}_r.jsonl", ratings), "w1", db=db)
    with open_store(db, read_only=True) as s:
        return build_report(s, "w1", sections=["agreement"], n_boot=n_boot, seed=7)["agreement"]


def _values(doc, intervals=True):
    """Every statistic (value, ci95_low, ci95_high) in the preference + strength blocks, flattened."""
    out = {}
    for block in ("preference", "strength_scale"):
        b = doc["preference"] if block == "preference" else doc["preference"]["strength_scale"]
        for k in ("percent_agreement", "fleiss_kappa", "gwet_ac1", "gwet_ac2"):
            if k in b:
                out.update(_flat(f"{block}.{k}", b[k], intervals))
        alpha = b["krippendorff_alpha"]
        for lv, s in alpha.items() if "value" not in alpha else [("nominal", alpha)]:
            out.update(_flat(f"{block}.alpha.{lv}", s, intervals))
    return out


def _flat(name, stat, intervals):
    keys = ("value", "ci95_low", "ci95_high") if intervals else ("value",)
    return {f"{name}.{k}": stat[k] for k in keys}


def test_json_contract_and_values_match_the_krippendorff_package(tmp_path):
    rows = make_rows()
    doc = report(tmp_path, rows)
    pref = doc["preference"]
    for k in ("percent_agreement", "krippendorff_alpha", "fleiss_kappa", "gwet_ac1"):
        assert STAT_KEYS <= set(pref[k]), k
    assert "seed 7" in pref["krippendorff_alpha"]["method"]
    assert doc["bootstrap"] == {"seed": 7, "resamples": 200, "over": "items"}
    pair = pref["cohen_kappa_pairs"][0]
    assert set(pair) >= {"annotator_1", "annotator_2", "n", "kappa"} and STAT_KEYS <= set(pair["kappa"])
    # items with a single human verdict are excluded and counted; the judge never enters
    humans = [r for r in rows if r.get("annotator_kind") != "judge"]
    per_item = {}
    for r in humans:
        per_item.setdefault(r["comparison_id"], []).append(r["preference"])
    assert pref["n_items"] == len(per_item)
    assert pref["n_pairable_items"] == sum(len(v) >= 2 for v in per_item.values())
    assert pref["n_excluded_items"] == pref["n_items"] - pref["n_pairable_items"]
    assert pref["n_annotators"] == 5
    # same number as the krippendorff package on the raw verdicts
    items = sorted(per_item)
    vc = np.array([[per_item[i].count(lbl) for lbl in ("B", "tie", "A")] for i in items])
    ref = krippendorff.alpha(value_counts=vc, level_of_measurement="nominal")
    assert pref["krippendorff_alpha"]["value"] == pytest.approx(ref, abs=1e-12)
    s = pref["strength_scale"]
    assert set(s["krippendorff_alpha"]) == {"nominal", "ordinal", "interval"}
    assert STAT_KEYS <= set(s["gwet_ac2"]) and set(s["label_distribution"]) == {"-3", "-2", "-1", "0", "+1", "+2", "+3"}
    assert {"kappa", "kappa_linear", "kappa_quadratic"} <= set(s["cohen_kappa_pairs"][0])
    assert len(doc["annotators"]) == 5


def test_invariant_to_row_order_and_annotator_names(tmp_path):
    rows = make_rows(1)
    base = _values(report(tmp_path, rows, "base"))
    shuffled = rows[:]
    random.Random(5).shuffle(shuffled)
    assert _values(report(tmp_path, shuffled, "shuffled")) == pytest.approx(base, abs=1e-12)
    renamed = [dict(r, annotator_id="x" + r["annotator_id"][::-1]) for r in rows]
    assert _values(report(tmp_path, renamed, "renamed")) == pytest.approx(base, abs=1e-12)


def test_invariant_to_a_consistent_a_b_swap(tmp_path):
    rows = make_rows(2)
    base = report(tmp_path, rows, "base")
    swapped = [dict(r, preference=SWAP[r["preference"]], gold=SWAP[r["gold"]] if r.get("gold") else None) for r in rows]
    other = report(tmp_path, swapped, "swapped")
    # values and analytic intervals exactly; the seeded bootstrap's interval up to Monte Carlo
    # error (exact only when no pattern and its mirror image have equal counts of items: see
    # ValuePatterns.canonical)
    got = _values(other)
    for k, v in _values(base).items():
        boot = "alpha" in k and "ci95" in k
        assert got[k] == pytest.approx(v, abs=0.03 if boot else 1e-12), k
    kb = {(p["annotator_1"], p["annotator_2"]): p["kappa"]["value"] for p in base["preference"]["cohen_kappa_pairs"]}
    ko = {(p["annotator_1"], p["annotator_2"]): p["kappa"]["value"] for p in other["preference"]["cohen_kappa_pairs"]}
    assert ko == pytest.approx(kb)
    dist = base["preference"]["label_distribution"]
    assert other["preference"]["label_distribution"]["A"]["value"] == pytest.approx(dist["B"]["value"])
    ab = {a["annotator_id"]: a["agreement_with_majority"]["value"] for a in base["annotators"]}
    ao = {a["annotator_id"]: a["agreement_with_majority"]["value"] for a in other["annotators"]}
    assert ao == ab


def test_repeated_verdicts_are_separate_values_exact_duplicate_rows_count_once(tmp_path):
    rows = [
        {"comparison_id": "c1", "annotator_id": "h1", "preference": "A", "shown_first": "A"},
        {"comparison_id": "c1", "annotator_id": "h1", "preference": "A", "shown_first": "B"},
        {"comparison_id": "c1", "annotator_id": "h2", "preference": "B"},
        {"comparison_id": "c1", "annotator_id": "h2", "preference": "B"},  # exact duplicate row
        {"comparison_id": "c1", "annotator_id": "h2", "preference": "B"},
        {"comparison_id": "c2", "annotator_id": "h1", "preference": "B"},
        {"comparison_id": "c2", "annotator_id": "h2", "preference": "B"},
    ]
    pref = report(tmp_path, rows, n_boot=0)["preference"]
    assert pref["n_pairable_values"] == 5
    ref = krippendorff.alpha(value_counts=np.array([[1, 0, 2], [2, 0, 0]]), level_of_measurement="nominal")
    assert pref["krippendorff_alpha"]["value"] == pytest.approx(ref)


@pytest.mark.parametrize(
    "rows, reason",
    [
        (
            [{"comparison_id": f"c{i}", "annotator_id": "h1", "preference": "AB"[i % 2]} for i in range(6)]
            + [{"comparison_id": "c0", "annotator_id": "h1", "preference": "B"}],
            "only one human annotator",
        ),
        (
            [{"comparison_id": f"c{i}", "annotator_id": f"h{i}", "preference": "A"} for i in range(6)],
            "no overlapping items",
        ),
        (
            [
                {"comparison_id": f"c{i}", "annotator_id": "j", "annotator_kind": "judge", "preference": "A"}
                for i in range(3)
            ],
            "no human values",
        ),
    ],
)
def test_degenerate_batches_say_why(tmp_path, rows, reason):
    pref = report(tmp_path, rows)["preference"]
    for k in ("percent_agreement", "krippendorff_alpha", "fleiss_kappa", "gwet_ac1"):
        assert pref[k]["value"] is None and reason in pref[k]["reason"], k
    assert reason in pref["reason"]


def test_one_category_only_is_not_computable_but_raw_agreement_is(tmp_path):
    rows = [{"comparison_id": f"c{i}", "annotator_id": a, "preference": "A"} for i in range(5) for a in "xy"]
    pref = report(tmp_path, rows)["preference"]
    assert pref["percent_agreement"]["value"] == 1.0
    assert pref["krippendorff_alpha"]["value"] is None and "one category" in pref["krippendorff_alpha"]["reason"]
    assert pref["fleiss_kappa"]["value"] is None
    assert pref["strength_scale"] is None  # no strength recorded


def test_ratings_per_aspect_at_four_levels(tmp_path):
    rng = random.Random(4)
    ratings = []
    for i in range(40):
        base = rng.randint(1, 7)
        for a in rng.sample(["r1", "r2", "r3"], 2):
            for aspect in ("helpfulness", "harmlessness"):
                ratings.append(
                    {
                        "item_id": f"i{i}",
                        "annotator_id": a,
                        "aspect": aspect,
                        "score": min(7, max(1, base + rng.choice([-1, 0, 0, 1]))),
                    }
                )
    doc = report(tmp_path, make_rows(3), ratings=ratings)
    r = doc["ratings"]
    assert set(r) == {"helpfulness", "harmlessness"}
    h = r["helpfulness"]
    assert set(h["krippendorff_alpha"]) == {"nominal", "ordinal", "interval", "ratio"}
    for k in ("percent_agreement", "fleiss_kappa", "gwet_ac1", "gwet_ac2"):
        assert STAT_KEYS <= set(h[k])
    # cross-check interval alpha against the krippendorff package on the raw ratings
    by_item = {}
    for x in ratings:
        if x["aspect"] == "helpfulness":
            by_item.setdefault(x["item_id"], []).append(x["score"])
    vals = sorted({s for v in by_item.values() for s in v})
    vc = np.array([[v.count(s) for s in vals] for v in by_item.values()])
    ref = krippendorff.alpha(value_counts=vc, value_domain=vals, level_of_measurement="interval")
    assert h["krippendorff_alpha"]["interval"]["value"] == pytest.approx(ref, abs=1e-12)
    assert h["n_items"] == 40 and h["n_pairable_items"] == 40


def test_cli_report_json_carries_agreement(tmp_path, db, capsys):
    write_jsonl(tmp_path / "v.jsonl", make_rows(6))
    assert main(["ingest", str(tmp_path / "v.jsonl"), "--batch", "w1", "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["report", "--batch", "w1", "--json", "--db", str(db)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["agreement"]["preference"]["krippendorff_alpha"]["value"] is not None


# -- many annotators: the pair table is bounded and says what it leaves out (issue 13 item 19) ------


def _crowd(n_annotators, n_comparisons, seed=0):
    rng = random.Random(seed)
    truth = [rng.choice("AB") for _ in range(n_comparisons)]
    return [
        {
            "comparison_id": f"c{c}",
            "annotator_id": f"h{a:04d}",
            "preference": truth[c] if rng.random() < 0.7 else rng.choice(["A", "B", "tie"]),
        }
        for a in range(n_annotators)
        for c in range(n_comparisons)
        if a < 55 or c < 3  # annotators h0055.. judge only the first 3 comparisons
    ]


def test_kappa_pairs_are_bounded_and_say_what_was_left_out(tmp_path):
    from qualitylab.agreement.compute import MAX_PAIR_ANNOTATORS, MIN_PAIR_ITEMS

    doc = report(tmp_path, _crowd(400, 12), n_boot=0)
    pref = doc["preference"]
    left = pref["cohen_kappa_pairs_left_out"]
    assert doc["max_pair_annotators"] == MAX_PAIR_ANNOTATORS == 50
    # 55 annotators have 12 items (>= 10): the 50 with the most items (ties by id) are paired
    pairs = pref["cohen_kappa_pairs"]
    names = {p["annotator_1"] for p in pairs} | {p["annotator_2"] for p in pairs}
    assert names == {f"h{a:04d}" for a in range(50)}
    assert len(pref["cohen_kappa_pairs"]) == 50 * 49 // 2
    assert left["n_annotators"] == 400 and left["n_annotators_in_pairs"] == 50 and left["n_annotators_left_out"] == 350
    assert left["n_pairs_possible"] == 400 * 399 // 2 and left["n_pairs_left_out"] == 400 * 399 // 2 - 1225
    assert f"at least {MIN_PAIR_ITEMS} items" in left["reason"] and "agreement.annotators" in left["reason"]
    assert len(doc["annotators"]) == 400  # every annotator is still in the per-annotator table
    # the coefficients are over every annotator's verdicts, not only the paired ones
    assert pref["n_annotators"] == 400 and pref["n_pairable_values"] == 55 * 12 + 345 * 3
    assert len(json.dumps(doc)) < 2_000_000


def test_few_annotators_list_every_pair_as_before(tmp_path):
    doc = report(tmp_path, make_rows(8), n_boot=0)
    pref = doc["preference"]
    assert pref["cohen_kappa_pairs_left_out"] is None
    assert len(pref["cohen_kappa_pairs"]) == 10  # 5 annotators: every pair that shares an item


def test_a_constant_annotator_pair_says_who(tmp_path):
    rows = [{"comparison_id": f"c{i}", "annotator_id": "h1", "preference": "A"} for i in range(12)]
    rows += [{"comparison_id": f"c{i}", "annotator_id": "h2", "preference": "AB"[i % 2]} for i in range(12)]
    pair = report(tmp_path, rows, n_boot=0)["preference"]["cohen_kappa_pairs"][0]
    assert pair["kappa"]["value"] is None
    assert pair["kappa"]["reason"] == "annotator h1 gave one label on all 12 shared items: kappa is not computable"
