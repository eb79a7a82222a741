"""Items: each filter's rows on a hand-checkable batch, paging, one item in full, the CLI."""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import write_jsonl

from qualitylab.cli import main
from qualitylab.ingest import ingest
from qualitylab.items import FILTERS, item, items
from qualitylab.items import filters as f
from qualitylab.store import open_store


def v(c, a, p, **kw):
    row = {"comparison_id": c, "annotator_id": a, "preference": p, "prompt": f"prompt of {c}"}
    row.update(response_a=kw.pop("ra", f"answer A of {c} " * 3), response_b=kw.pop("rb", f"B of {c}"))
    row.update(kw)
    return row


#  c1: A A A        unanimous
#  c2: A A B        split, majority A; h3 disagrees with the others' majority (A)
#  c3: A B tie      split and contested
#  c4: A B          split and contested (1 vs 1); nobody has a strict majority of others (1 other)
#  c5: B B A + gold B: h3 fails gold; judge j1 says A in both orders (disagrees with majority B)
ROWS = [
    v("c1", "h1", "A", shown_first="A", seconds=30),
    v("c1", "h2", "A", shown_first="B", seconds=30),
    v("c1", "h3", "A", shown_first="A", seconds=2),
    v("c2", "h1", "A", shown_first="A", seconds=30),
    v("c2", "h2", "A", shown_first="A", seconds=30),
    v("c2", "h3", "B", shown_first="B", seconds=3),
    v("c3", "h1", "A", shown_first="A", seconds=30),
    v("c3", "h2", "B", shown_first="A", seconds=30),
    v("c3", "h3", "tie", shown_first="A", seconds=30),
    v("c4", "h1", "A", shown_first="B", seconds=30),
    v("c4", "h2", "B", shown_first="B", seconds=30),
    v("c5", "h1", "B", gold="B", shown_first="A", seconds=30),
    v("c5", "h2", "B", gold="B", shown_first="B", seconds=30),
    v("c5", "h3", "A", gold="B", shown_first="A", seconds=4),
    v("c5", "j1", "A", annotator_kind="judge", shown_first="A"),
    v("c5", "j1", "A", annotator_kind="judge", shown_first="B"),
    v("c6", "h1", "A", ra="same", rb="same", shown_first="A", seconds=30),
]


@pytest.fixture
def store_path(tmp_path, db):
    ingest(write_jsonl(tmp_path / "w1.jsonl", ROWS), "w1", db=db, vendor="acme", delivered="2026-10-05")
    return db


def ids(page):
    return [r["comparison_id"] for r in page.rows]


def test_each_filter_lists_its_items(store_path):
    with open_store(store_path, read_only=True) as s:
        assert ids(f.contested(s, "w1")) == ["c3", "c4"]
        assert ids(f.split(s, "w1")) == ["c2", "c3", "c4", "c5"]
        assert [r["majority"] for r in f.split(s, "w1").rows] == ["A", None, None, "B"]
        dis = f.disagrees_with_majority(s, "w1", "h3")
        assert ids(dis) == ["c2", "c5"]
        assert [(r["preference"], r["others_majority"], r["n_others"]) for r in dis.rows] == [
            ("B", "A", 2),
            ("A", "B", 2),
        ]
        assert ids(f.disagrees_with_majority(s, "w1", "h1")) == ["c4"]  # c4: the one other (h2) says B
        jd = f.judge_disagrees(s, "w1", "j1")
        assert [
            (r["comparison_id"], r["shown_first"], r["majority"], r["n_majority"], r["n_human"]) for r in jd.rows
        ] == [
            ("c5", "A", "B", 2, 3),
            ("c5", "B", "B", 2, 3),
        ]
        gf = f.gold_failed(s, "w1")
        assert [(r["comparison_id"], r["annotator_id"], r["preference"], r["gold"]) for r in gf.rows] == [
            ("c5", "h3", "A", "B")
        ]
        assert gf.rows[0]["file_name"] == "w1.jsonl" and gf.rows[0]["source_line"] == 14
        assert "file_id" not in gf.columns and "file_name" in gf.columns
        assert ids(f.gold_failed(s, "w1", "h1")) == []
        assert [(r["comparison_id"], r["annotator_id"]) for r in f.fast(s, "w1").rows] == [
            ("c1", "h3"),
            ("c2", "h3"),
            ("c5", "h3"),
        ]
        assert ids(f.fast(s, "w1", "h1")) == []
        assert ids(f.fast(s, "w1", fast_seconds=3.5)) == ["c1", "c2"]
        pos = f.position_flag(s, "w1", "h3")  # h3: c1 A(first A) c2 B(first B) c5 A(first A); c3 tie left out
        assert [(r["comparison_id"], r["chose_first"]) for r in pos.rows] == [("c1", True), ("c2", True), ("c5", True)]
        lng = f.length_flag(s, "w1", "h1", min_diff_chars=5)
        assert all(r["len_a_chars"] > r["len_b_chars"] + 5 for r in lng.rows)
        assert [r["chose_longer"] for r in lng.rows] == sorted((r["chose_longer"] for r in lng.rows), reverse=True)
        assert ids(f.identical_responses(s, "w1")) == ["c6"]
        assert f.quarantined(s, "w1").rows == []
        assert f.few_items(s, "w1").columns == ["annotator_kind", "annotator_id", "n_items"]


def test_filters_match_the_report_numbers(store_path):
    """The rows behind a number are that number's misses: agreement and gold from the report."""
    from qualitylab.report import compute_sections

    with open_store(store_path, read_only=True) as s:
        rows = compute_sections(s, "w1", ["agreement"], n_boot=20)["agreement"]
        per = {r["annotator_id"]: r for r in rows.annotators}
        for a in ("h1", "h2", "h3"):
            agr = per[a]["agreement_with_majority"]
            n_dis = items(s, "w1", "disagrees_with_majority", a, count=True, limit=1000).n_rows
            assert n_dis == agr.n - round(agr.value * agr.n)
            gold = per[a]["gold_accuracy"]
            if gold.n:
                assert items(s, "w1", "gold_failed", a, count=True).n_rows == gold.n - round(gold.value * gold.n)


def test_paging_is_stable_and_counted(store_path):
    with open_store(store_path, read_only=True) as s:
        whole = items(s, "w1", "split", count=True)
        assert whole.n_rows == 4
        pages = [items(s, "w1", "split", offset=o, limit=2) for o in (0, 2, 4)]
        assert [ids(p) for p in pages] == [["c2", "c3"], ["c4", "c5"], []]
        hyg = items(s, "w1", "fast_verdicts", limit=1, offset=1, count=True)
        assert hyg.n_rows == 3 and len(hyg.rows) == 1


def test_every_filter_name_runs(store_path):
    with open_store(store_path, read_only=True) as s:
        for name, spec in FILTERS.items():
            value = {"judge": "j1", "annotator": "h3"}.get(spec.value or "") if spec.required else None
            page = items(s, "w1", name, value, count=True)
            assert page.n_rows is not None and page.columns


def test_one_item_in_full(store_path):
    with open_store(store_path, read_only=True) as s:
        it = item(s, "w1", "c5")
        assert it.texts["prompt"] == "prompt of c5" and it.texts["response_b"] == "B of c5"
        assert it.consensus["majority"] == "B" and it.consensus["n_human"] == 3 and it.consensus["gold"] == "B"
        assert [v["annotator_id"] for v in it.human_verdicts] == ["h1", "h2", "h3"]
        assert sorted(v["shown_first"] for v in it.judge_verdicts) == ["A", "B"]
        assert it.provenance == [{"file_name": "w1.jsonl", "lines": [12, 13, 14, 15, 16]}]
        assert item(s, "w1", "c3").consensus["majority"] is None
        from qualitylab.errors import NotFoundError

        with pytest.raises(NotFoundError):
            item(s, "w1", "nope")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_items(store_path, capsys):
    db = str(store_path)
    code, out, err = run(capsys, "items", "--db", db, "--batch", "w1", "--filter", "contested")
    assert code == 0 and "2 row(s)" in out and "c3" in out and "c4" in out
    code, out, _ = run(capsys, "items", "--db", db, "--batch", "w1", "--filter", "disagrees_with_majority=h3", "--json")
    doc = json.loads(out)
    assert code == 0 and [r["comparison_id"] for r in doc["rows"]] == ["c2", "c5"] and doc["n_rows"] == 2
    code, out, _ = run(capsys, "items", "--db", db, "--batch", "w1", "--filter", "gold_failed=h1", "--csv")
    assert code == 0
    assert list(csv.reader(io.StringIO(out))) == [
        ["comparison_id", "annotator_id", "preference", "gold", "seconds", "file_name", "source_line"]
    ]
    code, out, _ = run(capsys, "items", "--db", db, "--batch", "w1", "--filter", "split", "--limit", "1", "--csv")
    assert len(list(csv.reader(io.StringIO(out)))) == 2
    code, out, _ = run(capsys, "items", "--db", db, "--batch", "w1", "--item", "c5")
    assert code == 0 and "--- RESPONSE A ---" in out and "consensus: B" in out and "w1.jsonl" in out


@pytest.mark.parametrize(
    "argv, code, words",
    [
        (["--filter", "nope"], 2, "Unknown filter"),
        (["--filter", "contested=x"], 2, "takes no value"),
        (["--filter", "judge_disagrees"], 2, "needs the judge"),
        (["--filter", "split", "--limit", "0"], 2, "Bad limit"),
        ([], 2, "Nothing to list"),
        (["--item", "nope"], 5, "No such comparison"),
    ],
)
def test_cli_items_errors(store_path, capsys, argv, code, words):
    got, out, err = run(capsys, "items", "--db", str(store_path), "--batch", "w1", *argv)
    assert got == code and words in err and "Traceback" not in err


def test_cli_unknown_batch(store_path, capsys):
    code, _, err = run(capsys, "items", "--db", str(store_path), "--batch", "zz", "--filter", "split")
    assert code == 5 and "No such batch" in err


def test_hostile_text_is_escaped_in_the_terminal(tmp_path, db, capsys):
    rows = [v("c\x1b[2J1", "h1", "A", ra="=cmd|' /C calc'!A0\x1b]0;x\x07"), v("c\x1b[2J1", "h2", "B")]
    ingest(write_jsonl(tmp_path / "w.jsonl", rows), "w", db=db)
    code, out, _ = run(capsys, "items", "--db", str(db), "--batch", "w", "--filter", "contested")
    assert code == 0 and "\x1b" not in out and "c\\x1b[2J1" in out
    code, out, _ = run(capsys, "items", "--db", str(db), "--batch", "w", "--item", "c\x1b[2J1")
    assert code == 0 and "\x1b" not in out and "\x07" not in out


def test_rating_contradicts_lists_the_verdicts_behind_the_within_task_statistics(tmp_path, db):
    """Hand-checked: r2 and r5 prefer the lower-rated response, r3 is a strong preference between equal
    ratings, r4 and r5 have no preference across a 3- and 4-point gap; r7 is an exact copy of r2
    (duplicate_copy, left out like the statistics leave it out) and the judge is listed only by name."""
    from qualitylab.report import compute_sections

    rows = [
        v("r1", "h1", "A", rating_a=5, rating_b=3, strength=2),
        v("r2", "h1", "B", rating_a=5, rating_b=3, strength=1),
        v("r3", "h2", "A", rating_a=4, rating_b=4, strength=3),
        v("r4", "h2", "tie", rating_a=6, rating_b=2, strength=0),
        v("r5", "h2", "A", rating_a=2, rating_b=5, strength=0),
        v("r6", "j1", "B", rating_a=5, rating_b=3, annotator_kind="judge"),
        v("r2", "h1", "B", rating_a=5, rating_b=3, strength=1),
    ]
    ingest(write_jsonl(tmp_path / "r.jsonl", rows), "r", db=db)
    with open_store(db, read_only=True) as s:
        page = items(s, "r", "rating_contradicts", count=True)
        got = {
            r["comparison_id"]: (r["prefers_lower"], r["strong_on_equal"], r["no_preference_gap"]) for r in page.rows
        }
        assert page.n_rows == 4 and [r["source_line"] for r in page.rows if r["comparison_id"] == "r2"] == [2]
        assert got == {
            "r2": (True, False, False),
            "r3": (False, True, False),
            "r4": (False, False, True),
            "r5": (True, False, True),
        }
        assert ids(items(s, "r", "rating_contradicts", "h2")) == ["r3", "r4", "r5"]
        assert ids(items(s, "r", "rating_contradicts", "j1")) == ["r6"]
        w = compute_sections(s, "r", ["ratings_vs_preferences"], n_boot=20)["ratings_vs_preferences"].within_task
    # the same counts as the statistics: decided verdicts that do not agree, and each numerator
    lower, strong, gap = (sum(x[i] for x in got.values()) for i in range(3))
    assert w.direction_agreement.n - round(w.direction_agreement.value * w.direction_agreement.n) == lower == 2
    assert round(w.rating_tie_strong_preference.value * w.rating_tie_strong_preference.n) == strong == 1
    assert round(w.preference_tie_rating_gap.value * w.preference_tie_rating_gap.n) == gap == 2


def test_duplicate_copies_are_not_verdicts_of_their_own(tmp_path, db):
    """A delivery holding exact duplicate rows (schema v12 keeps them, marked duplicate_copy) lists the
    same items as the one without them, in every filter that counts or lists verdicts: a copy of
    h3's B on c2 would otherwise give c2 a majority B (h3 no longer disagreeing), a copy of h1's A on
    c4 would decide c4 (no longer contested), a copy of j1's verdict would list it twice. Only the
    hygiene check `duplicate_rows` and the item's own verdict table show the copies (the hygiene
    filters are the report's check queries, tested with the checks)."""
    copies = [ROWS[5], ROWS[5], ROWS[9], ROWS[14], ROWS[13]]  # h3 B on c2 (x2), h1 A on c4, j1 on c5, h3 on c5
    ingest(write_jsonl(tmp_path / "clean.jsonl", ROWS), "clean", db=db)
    ingest(write_jsonl(tmp_path / "dups.jsonl", ROWS + copies), "dups", db=db)
    checked = []
    with open_store(db, read_only=True) as s:
        for name, spec in FILTERS.items():
            if name in f.HYGIENE_FILTERS or name == "quarantined":  # the report's own hygiene queries
                continue
            values = [None] if spec.value is None else (["j1"] if spec.value == "judge" else ["h1", "h2", "h3"])
            if not spec.required and spec.value is not None:
                values = [None, *values]
            for value in values:
                clean = items(s, "clean", name, value, count=True, limit=1000)
                dups = items(s, "dups", name, value, count=True, limit=1000)
                strip = ("source_line", "file_name", "batch_id")
                rows = [[{k: x for k, x in r.items() if k not in strip} for r in p.rows] for p in (clean, dups)]
                assert rows[0] == rows[1], (name, value)
                checked.append((name, value, clean.n_rows))
        assert items(s, "dups", "duplicate_rows", count=True).n_rows > 0
        it = item(s, "dups", "c2")
        assert it.consensus == item(s, "clean", "c2").consensus and it.consensus["majority"] == "A"
        assert [v["duplicate_copy"] for v in it.human_verdicts if v["annotator_id"] == "h3"] == [False, True, True]
    assert ("contested", None, 2) in checked and ("disagrees_with_majority", "h3", 2) in checked
    assert ("judge_disagrees", "j1", 2) in checked


def test_the_human_label_counts_are_defined_once():
    """items/human_counts is the one definition of a comparison's human counts and majority: the
    filters include it (expanded by store.sql) instead of repeating it, and no include is left unexpanded."""
    from qualitylab.store import _INCLUDE, QUERIES_DIR, query_names, sql

    shared = sql("items/human_counts").strip()
    for name in ("contested", "split", "judge_disagrees", "queue", "item_consensus"):
        raw = (QUERIES_DIR / "items" / f"{name}.sql").read_text(encoding="utf-8")
        assert "-- include: items/human_counts" in raw and "FILTER (WHERE preference = 'A')" not in raw, name
        assert shared in sql(f"items/{name}")
    assert not [n for n in query_names() if _INCLUDE.search(sql(n))]


def test_the_others_majority_is_defined_once():
    """agreement/others_majority is the one leave-one-out definition (an annotator's first verdict against the
    other human annotators' first verdicts): the screening's agreement with the majority and the LLM-assisted
    comparison include it instead of repeating it."""
    from qualitylab.store import QUERIES_DIR, sql

    shared = sql("agreement/others_majority").strip()
    for name in ("agreement/annotators", "bias/llm_assisted"):
        raw = (QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")
        assert "-- include: agreement/others_majority" in raw and "PARTITION BY comparison_id" not in raw, name
        assert shared in sql(name)
