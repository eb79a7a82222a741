"""The alpaca-eval adapter (issue 18 item 9) on real files of tatsu-lab/alpaca_eval at commit
cd543a149df89434d8a54582c0151c0b945c3d20 (code Apache-2.0, data CC BY-NC 4.0; tests/fixtures/alpaca_eval/
README.md names the elements copied): a weighted annotator's fractional preferences, the discrete
alpaca_eval_gpt4 annotator's 1 / 2 / 0, and the AlpacaFarm human cross-annotations' layout (the records
of AlpacaEval's own tests/test_analyze.py)."""

from __future__ import annotations

import json

import pytest
from conftest import REPO

from qualitylab.cli import main
from qualitylab.ingest import ingest
from qualitylab.store import open_store

FIXTURE = REPO / "tests" / "fixtures" / "alpaca_eval"
WEIGHTED = FIXTURE / "alpaca-7b_weighted_alpaca_eval_gpt4_turbo_annotations.json"
DISCRETE = FIXTURE / "alpaca-7b_alpaca_eval_gpt4_annotations.json"
CROSS = FIXTURE / "alpaca_farm_human_crossannotations_test_analyze.json"


def _stored(db):
    with open_store(db, read_only=True) as s:
        cur = s.con.execute(
            "SELECT comparison_id, prompt_id, annotator_id, annotator_kind, preference, preference_soft, prompt,"
            " response_a, response_b, model_a, model_b, category, shown_first_recorded, extra"
            " FROM verdicts ORDER BY file_id, source_line"
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def test_weighted_annotations_give_soft_and_hard_preferences(db):
    src = json.loads(WEIGHTED.read_text(encoding="utf-8"))
    res = ingest(WEIGHTED, "ae", db=db, fmt="alpaca-eval")
    assert (res.n_rows, res.n_stored, res.n_quarantined) == (7, 7, 0)
    rows = _stored(db)
    for r, o in zip(rows, src, strict=True):
        assert r["preference_soft"] == o["preference"] - 1  # the same float operation as AlpacaEval's
        assert r["preference"] == ("A" if o["preference"] < 1.5 else "B" if o["preference"] > 1.5 else "tie")
        assert (r["prompt"], r["response_a"], r["response_b"]) == (o["instruction"], o["output_1"], o["output_2"])
        assert (r["model_a"], r["model_b"]) == ("gpt4_1106_preview", "alpaca-7b")
        assert (r["annotator_id"], r["annotator_kind"]) == ("weighted_alpaca_eval_gpt4_turbo", "judge")
        assert r["category"] == o["dataset"] and not r["shown_first_recorded"]
        extra = json.loads(r["extra"])
        assert extra["preference_alpacaeval"] == repr(o["preference"])  # the upstream value, as text
        if o.get("raw_completion") is not None:  # kept, never dropped
            assert json.loads(extra["raw_completion"]) == o["raw_completion"]
    assert [r["preference"] for r in rows] == ["A", "A", "A", "A", "A", "tie", "B"]
    assert rows[5]["preference_soft"] == 0.5 and rows[6]["preference_soft"] > 0.5
    assert len({r["comparison_id"] for r in rows}) == 7


def test_discrete_annotations_and_the_old_draw_code(db):
    ingest(DISCRETE, "ae", db=db, fmt="alpaca-eval")
    rows = _stored(db)
    # elements 0-3 (1), 24 (0 = AlpacaEval's old draw code, read as 1.5) and 11 (2)
    assert [(r["preference"], r["preference_soft"]) for r in rows] == [
        ("A", 0.0),
        ("A", 0.0),
        ("A", 0.0),
        ("A", 0.0),
        ("tie", 0.5),
        ("B", 1.0),
    ]
    assert {(r["model_a"], r["model_b"], r["annotator_id"]) for r in rows} == {
        ("text_davinci_003", "alpaca-7b", "alpaca_eval_gpt4")
    }


def test_human_cross_annotations_share_their_comparison(db):
    src = json.loads(CROSS.read_text(encoding="utf-8"))
    res = ingest(CROSS, "farm", db=db, fmt="alpaca-eval")
    assert res.n_stored == 16
    rows = _stored(db)
    assert all(r["annotator_kind"] == "human" for r in rows)
    assert [r["annotator_id"] for r in rows] == [f"alpacafarm-human-{o['annotator_index']}" for o in src]
    assert [r["preference"] for r in rows] == ["A" if o["preference"] == 1 else "B" for o in src]
    # four crowd workers per pair: 4 comparisons of 4 verdicts, one prompt each
    by_cmp: dict[str, int] = {}
    for r in rows:
        by_cmp[r["comparison_id"]] = by_cmp.get(r["comparison_id"], 0) + 1
    assert sorted(by_cmp.values()) == [4, 4, 4, 4]
    assert len({r["prompt_id"] for r in rows}) == 4
    assert all(r["model_a"] is None and r["model_b"] is None for r in rows)
    extra = json.loads(rows[0]["extra"])
    assert {"annotator_index", "datasplit", "index", "n_annotated", "time_per_example"} <= set(extra)
    assert len({r["annotator_id"] for r in rows}) == len({o["annotator_index"] for o in src}) == 10


@pytest.mark.parametrize(
    "value, reason",
    [
        (None, "preference missing (not annotated; AlpacaEval drops it from the win rate)"),
        (2.5, "preference 2.5 is outside AlpacaEval's 1-2 scale"),
        ("best", "preference 'best' is not a number"),
    ],
)
def test_unusable_preferences_are_problems_never_guessed(tmp_path, db, capsys, value, reason):
    src = json.loads(DISCRETE.read_text(encoding="utf-8"))
    src[2]["preference"] = value
    p = tmp_path / "annotations.json"
    p.write_text(json.dumps(src), encoding="utf-8")
    assert main(["ingest", str(p), "--batch", "ae", "--format", "alpaca-eval", "--db", str(db), "--no-report"]) == 3
    err = capsys.readouterr().err
    assert f"annotations.json: record 3: column 'preference': {reason} (record 3 of annotations.json)" in err
    assert "Traceback" not in err
    assert (
        main(
            [
                "ingest",
                str(p),
                "--batch",
                "ae",
                "--format",
                "alpaca-eval",
                "--db",
                str(db),
                "--no-report",
                "--quarantine",
            ]
        )
        == 0
    )
    with open_store(db, read_only=True) as s:
        assert s.con.execute("SELECT count(*) FROM verdicts").fetchall()[0][0] == 5
        assert s.con.execute("SELECT count(*) FROM quarantine").fetchall()[0][0] == 1
