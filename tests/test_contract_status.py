"""`qualitylab contract status` on a store small enough to count by hand: every number of docs/contract.md
"Units and money" — per-category promises, overlap and gold share delivered vs promised, defective and
re-delivered items, exclusions, over-delivery, pending (undecided), withheld (rejected), late, overdue,
two batches in one week — worked out in the comments next to the fixture and held here."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import write_jsonl

from qualitylab.cli import main

CONTRACT = """
contract_version = 1
name = "hand"
vendor = "v"
start = 2026-10-05           # week n runs 2026-10-05 + 7(n-1) for 7 days, due the day after it ends
overlap = 3
gold_share = 0.5
gates = "tiny.toml"

[price_per_unit]
pairwise = 2.00
rating = 0.50

[[weeks]]
week = 1                     # due 2026-10-12
volume = { pairwise = 3, rating = 2 }
categories = { coding = 2, math = 1 }

[[weeks]]
week = 2                     # due 2026-10-19
volume = { pairwise = 3 }

[[weeks]]
week = 3                     # due 2026-10-26: nothing delivered
volume = { pairwise = 2 }

[[weeks]]
week = 4                     # due 2026-11-02: two batches, one rejected, one accepted
volume = { pairwise = 2 }
"""

TINY_GATES = """
gates_version = 1
name = "tiny"

[[criteria]]
id = "some_comparisons"
metric = "counts.n_comparisons"
comparison = ">="
threshold = 1
decide = "value"
severity = "review"
"""

H3 = ("h1", "h2", "h3")


def v(c, a, *, cat="writing", gold=None, ra=None, rb=None, pref="A"):
    row = {
        "comparison_id": c,
        "annotator_id": a,
        "preference": pref,
        "prompt": f"prompt {c}",
        "response_a": ra if ra is not None else f"A of {c}",
        "response_b": rb if rb is not None else f"B of {c}",
        "category": cat,
    }
    if gold is not None:
        row["gold"] = gold
    return row


# week 1, batch w1 (delivered 2026-10-12, on time; accept_partial excluding h4):
#   c1 coding, h1-h3, gold          delivered, unit, accepted            (the only gold item)
#   c2 coding, h1-h2                delivered, below overlap (2 < 3)
#   c3 writing, h1-h3               delivered, unit, accepted
#   c4 writing, h1-h4               delivered, unit, accepted (3 left without h4)
#   c5 writing, h1-h3, A == B       delivered, defective (identical responses): never a unit
#   c6 writing, h1, h2, h4          delivered, unit, not accepted (2 left without h4)
#   -> n_delivered 6 (over the promise of 3), n_defective 1, n_below_overlap 1, n_units 4 (c1 c3 c4 c6),
#      n_accepted 3, n_payable min(3, 3) = 3 -> 6.00; n_withheld min(6, 3) - 3 = 0; still due 0;
#      overlap (3+2+3+4+3+3)/6 = 3.0; gold 1/6 < 0.5 promised; category math promised 1, delivered 0 -> short
#   ratings: i1 h1-h3 (unit, accepted), i2 h1-h2 (below overlap): payable 1 x 0.50, withheld 1 -> 0.50, due 1
W1 = [
    *[v("c1", h, cat="coding", gold="A") for h in H3],
    *[v("c2", h, cat="coding") for h in ("h1", "h2")],
    *[v("c3", h) for h in H3],
    *[v("c4", h) for h in (*H3, "h4")],
    *[v("c5", h, ra="same", rb="same") for h in H3],
    *[v("c6", h) for h in ("h1", "h2", "h4")],
]
W1_RATINGS = [{"item_id": "i1", "annotator_id": h, "score": 5, "response": "an answer"} for h in H3] + [
    {"item_id": "i2", "annotator_id": h, "score": 4, "response": "another answer"} for h in ("h1", "h2")
]
# week 2, batch w2 (delivered 2026-10-21: 2 days late; no decision):
#   c7, c8 h1-h3 new; c3 again (same texts as week 1's c3): re-delivered, not delivered (a honeypot such
#   as c1 may recur: hygiene/redelivered_items skips gold rows)
#   -> n_delivered 2 (short by 1), n_redelivered 1, n_units 2, pending min(2, 3) = 2 -> 4.00, still due 1 -> 2.00
W2 = [*[v(c, h) for c in ("c7", "c8") for h in H3], *[v("c3", h) for h in H3]]
# week 3: nothing; as of 2026-11-05 it is overdue by 10 days; still due 2 -> 4.00
# week 4: w4a (2026-11-01, rejected: c9, c10) and w4b (2026-11-03, accepted: c11); delivered = the later date
#   -> late by 1 day; n_delivered 3, n_units 3, n_accepted 1 (w4b), payable 1 -> 2.00,
#      withheld min(3, 2) - 1 = 1 -> 2.00, still due 2 - 1 = 1 -> 2.00
W4A = [v(c, h) for c in ("c9", "c10") for h in H3]
W4B = [v("c11", h) for h in H3]

EXPECTED_KINDS = {
    1: {
        "pairwise": dict(n_promised=3, n_delivered=6, short_by=0, n_redelivered=0, n_defective=1, n_below_overlap=1,
                         n_units=4, n_accepted=3, n_payable=3, n_pending=0, n_withheld=0, n_still_due=0,
                         payable=6.0, withheld=0.0, pending=0.0, still_due=0.0, mean_overlap=3.0),
        "rating": dict(n_promised=2, n_delivered=2, short_by=0, n_defective=0, n_below_overlap=1, n_units=1,
                       n_accepted=1, n_payable=1, n_pending=0, n_withheld=1, n_still_due=1,
                       payable=0.5, withheld=0.5, pending=0.0, still_due=0.5, mean_overlap=2.5),
    },
    2: {
        "pairwise": dict(n_promised=3, n_delivered=2, short_by=1, n_redelivered=1, n_defective=0, n_below_overlap=0,
                         n_units=2, n_accepted=0, n_payable=0, n_pending=2, n_withheld=0, n_still_due=1,
                         payable=0.0, withheld=0.0, pending=4.0, still_due=2.0, mean_overlap=3.0),
    },
    3: {
        "pairwise": dict(n_promised=2, n_delivered=0, short_by=2, n_units=0, n_accepted=0, n_payable=0, n_pending=0,
                         n_withheld=0, n_still_due=2, payable=0.0, withheld=0.0, still_due=4.0, mean_overlap=None),
    },
    4: {
        "pairwise": dict(n_promised=2, n_delivered=3, short_by=0, n_units=3, n_accepted=1, n_payable=1, n_pending=0,
                         n_withheld=1, n_still_due=1, payable=2.0, withheld=2.0, still_due=2.0, mean_overlap=3.0),
    },
}  # fmt: skip


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def hand_db(tmp_path: Path, db: Path, capsys) -> Path:
    d = tmp_path / "plan"
    d.mkdir()
    (d / "tiny.toml").write_text(TINY_GATES, encoding="utf-8")
    (d / "hand.toml").write_text(CONTRACT, encoding="utf-8")
    code, _, err = run(capsys, "contract", "add", d / "hand.toml", "--db", db)
    assert code == 0, err
    for batch, rows, day, week in (
        ("w1", W1, "2026-10-12", 1),
        ("w2", W2, "2026-10-21", 2),
        ("w4a", W4A, "2026-11-01", 4),
        ("w4b", W4B, "2026-11-03", 4),
    ):
        path = write_jsonl(tmp_path / f"{batch}.jsonl", rows)
        argv = ["ingest", path, "--batch", batch, "--vendor", "v", "--delivered", day, "--contract", "hand"]
        code, _, err = run(capsys, *argv, "--week", week, "--db", db)
        assert code == 0, err
    path = write_jsonl(tmp_path / "w1-ratings.jsonl", W1_RATINGS)
    code, _, err = run(capsys, "ingest", path, "--batch", "w1", "--db", db)
    assert code == 0, err
    base = ["--by", "dana", "--note", "counted by hand", "--override-reason", "counted by hand"]
    for batch, how in (("w1", ["--accept-partial", "--exclude-annotator", "h4"]), ("w4a", ["--reject"]),
                       ("w4b", ["--accept"])):  # fmt: skip
        code, _, err = run(capsys, "decide", "--batch", batch, *how, *base, "--db", db)
        assert code == 0, err
    return db


def status(capsys, db, as_of="2026-11-05") -> dict:
    code, out, err = run(capsys, "contract", "status", "hand", "--json", "--as-of", as_of, "--db", db)
    assert code == 0, err
    return json.loads(out)


def test_every_number_counted_by_hand(hand_db, capsys):
    s = status(capsys, hand_db)
    weeks = {w["week"]: w for w in s["weeks"]}
    for n, kinds in EXPECTED_KINDS.items():
        assert set(weeks[n]["kinds"]) == set(kinds), n
        for kind, want in kinds.items():
            got = weeks[n]["kinds"][kind]
            assert {k: got[k] for k in want} == want, (n, kind)


def test_delivery_dates_late_overdue_and_batches_of_a_week(hand_db, capsys):
    weeks = {w["week"]: w for w in status(capsys, hand_db)["weeks"]}
    got = {n: (w["due"], w["delivered"], w["delivery"], w["days_late"], w["short"]) for n, w in weeks.items()}
    assert got == {
        1: ("2026-10-12", "2026-10-12", "on time", 0, True),  # short: the math category, not the volume
        2: ("2026-10-19", "2026-10-21", "late", 2, True),
        3: ("2026-10-26", None, "overdue", 10, True),
        4: ("2026-11-02", "2026-11-03", "late", 1, False),
    }
    assert [(b["batch_id"], b["decision"]["decision"]) for b in weeks[4]["batches"]] == [
        ("w4a", "reject"),
        ("w4b", "accept"),
    ]
    assert weeks[2]["batches"][0]["decision"] is None and weeks[2]["batches"][0]["verdict"] == "ACCEPT"
    # before week 3 is due it is not yet overdue
    early = {w["week"]: w for w in status(capsys, hand_db, as_of="2026-10-20")["weeks"]}
    assert (early[3]["delivery"], early[3]["days_late"]) == ("not delivered", 0)


def test_categories_overlap_and_gold_share_delivered_vs_promised(hand_db, capsys):
    w1 = status(capsys, hand_db)["weeks"][0]
    cats = {c["category"]: c for c in w1["categories"]}
    assert {k: (c["n_promised"], c["n_delivered"], c["n_units"], c["short_by"]) for k, c in cats.items()} == {
        "coding": (2, 2, 1, 0),  # c1 a unit, c2 below the overlap
        "math": (1, 0, 0, 1),
        "writing": (None, 4, 3, 0),  # not promised: shown, never short
    }
    assert [c["category"] for c in w1["categories"]] == ["coding", "math", "writing"]  # promised first
    assert w1["overlap"] == {"promised": 3, "mean_delivered": 3.0, "n_below": 2}  # c2 and the rated item i2
    assert w1["gold_share"] == {"promised": 0.5, "delivered": pytest.approx(1 / 6, abs=1e-6), "n_gold": 1,
                                "short": True}  # fmt: skip


def test_money_adds_up_per_week_and_in_total(hand_db, capsys):
    s = status(capsys, hand_db)
    week_money = {w["week"]: (w["payable"], w["withheld"], w["pending"], w["still_due"]) for w in s["weeks"]}
    assert week_money == {1: (6.5, 0.5, 0.0, 0.5), 2: (0.0, 0.0, 4.0, 2.0), 3: (0.0, 0.0, 0.0, 4.0),
                          4: (2.0, 2.0, 0.0, 2.0)}  # fmt: skip
    t = s["totals"]
    assert (t["payable"], t["withheld"], t["pending"], t["still_due"]) == (8.5, 2.5, 4.0, 8.5)
    assert (t["n_weeks_late"], t["n_weeks_short"]) == (3, 3)  # weeks 2 and 4 late, 3 overdue; 1, 2, 3 short
    assert t["kinds"]["pairwise"] == {"n_promised": 10, "n_delivered": 11, "n_accepted": 4, "n_payable": 4}
    # promised = paid + pending + still due, per kind and week: nothing is lost between the columns
    for w in s["weeks"]:
        for k in w["kinds"].values():
            assert k["n_promised"] == k["n_payable"] + k["n_pending"] + k["n_still_due"]
            assert Decimal(str(k["payable"])) == k["n_payable"] * Decimal(str(k["price_per_unit"]))


def test_the_text_status_says_the_same(hand_db, capsys):
    code, out, _ = run(capsys, "contract", "status", "hand", "--as-of", "2026-11-05", "--db", hand_db)
    assert code == 0
    assert "category math: promised 1, delivered 0 (short by 1)" in out
    assert "gold share 0.167 (promised 0.5, short)" in out
    assert "pairwise: promised 3 comparisons, delivered 6 [1 defective; 1 below overlap]" in out
    assert "batch w2: delivered 2026-10-21 (late, 2 days late); verdict ACCEPT; no decision" in out
    assert "nothing delivered (overdue, 10 days past due)" in out
    assert "pending 2 = 4.00" in out
    assert "total: payable 8.50, withheld 2.50, pending 4.00, still due 8.50" in out


def test_a_reopened_batch_is_pending_again(hand_db, capsys):
    code, _, err = run(capsys, "decide", "--batch", "w4b", "--reopen", "--by", "dana", "--note", "recount",
                       "--db", hand_db)  # fmt: skip
    assert code == 0, err
    w4 = status(capsys, hand_db)["weeks"][3]["kinds"]["pairwise"]
    # w4a still rejected (2 delivered, decided), w4b undecided (1 delivered): pending min(1, 2 - 0) = 1
    assert (w4["n_payable"], w4["n_pending"], w4["n_withheld"], w4["n_still_due"]) == (0, 1, 2, 1)


def test_the_evidence_pack_states_the_units_accepted_and_not(hand_db, tmp_path, capsys):
    from qualitylab.contract.status import batch_units
    from qualitylab.store import open_store

    with open_store(hand_db, read_only=True) as s:
        w1, w4a, w2 = (batch_units(s, b) for b in ("w1", "w4a", "w2"))
    keys = ("n_delivered", "n_defective", "n_below_overlap", "n_units", "n_excluded_below_overlap", "n_rejected",
            "n_accepted")  # fmt: skip
    assert (w1["contract"], w1["week"], w1["overlap"], w1["decision"]) == ("hand", 1, 3, "accept_partial")
    assert [tuple(k[x] for x in keys) for k in w1["kinds"]] == [(6, 1, 1, 4, 1, 0, 3), (2, 0, 1, 1, 0, 0, 1)]
    assert [tuple(k[x] for x in keys) for k in w4a["kinds"]] == [(2, 0, 0, 2, 0, 2, 0)]
    assert w2["decision"] is None and w2["kinds"][0]["n_redelivered"] == 1 and w2["kinds"][0]["n_accepted"] == 0
    html, ev = tmp_path / "w1.html", tmp_path / "ev"
    ev.mkdir()
    code, _, err = run(capsys, "report", "--batch", "w1", "--html", html, "--evidence", ev, "--db", hand_db)
    assert code == 0, err
    text = html.read_text()
    assert 'id="t-decision_units"' in text and "Units accepted and not (contract hand v1 week 1, overlap 3)" in text
    rows = (ev / "decision_units.csv").read_text().splitlines()
    assert rows[0].startswith("kind,unit,n_promised,n_delivered,n_redelivered,n_defective,n_below_overlap")
    assert rows[1].startswith("pairwise,comparison,3,6,0,1,1,4,1,0,3")


def test_a_revision_may_not_change_what_a_decided_week_was_judged_by(hand_db, tmp_path, capsys):
    d = tmp_path / "plan"
    (d / "tiny.toml").write_text(TINY_GATES.replace("threshold = 1", "threshold = 2"), encoding="utf-8")
    code, _, err = run(capsys, "contract", "add", d / "hand.toml", "--revise", "--db", hand_db)
    assert code == 4 and "Batch is decided" in err and "'w1'" in err, err
    (d / "tiny.toml").write_text(TINY_GATES, encoding="utf-8")
    # week 3 (nothing delivered) gets its own gate file and a larger promise: a new version, status follows it
    (d / "tiny3.toml").write_text(TINY_GATES.replace('name = "tiny"', 'name = "tiny 3"'), encoding="utf-8")
    week3 = "week = 3                     # due 2026-10-26: nothing delivered\nvolume = { pairwise = 2 }"
    assert week3 in CONTRACT
    text = CONTRACT.replace(week3, 'week = 3\nvolume = { pairwise = 5 }\ngates = "tiny3.toml"')
    (d / "hand.toml").write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "contract", "add", d / "hand.toml", "--revise", "--db", hand_db)
    assert code == 0, err
    s = status(capsys, hand_db)
    assert s["contract"]["version"] == 2
    w3 = s["weeks"][2]
    assert (w3["gates"], w3["kinds"]["pairwise"]["n_still_due"]) == ("tiny3.toml", 5)
    assert s["weeks"][0]["kinds"]["pairwise"]["n_payable"] == 3  # the decided week is unchanged
