"""Soft preferences (issue 14 item 12): the pairwise column preference_soft = P(B preferred), validated
at ingest, stored, and pairwise_win_rate_soft beside the win rate.

Reference: AlpacaEval's own definition (tatsu-lab/alpaca_eval at commit cd543a149df8, Apache-2.0;
``src/alpaca_eval/metrics/winrate.py`` get_winrate -> ``metrics/helpers.py`` describe_head2head:
``win_rate = mean(preference - 1) * 100`` after 0 -> 1.5, non-preferences dropped). Its published
leaderboard values (``weighted_alpaca_eval_gpt4_turbo_leaderboard.csv``) and the values its code gave
on the same annotations are in tests/fixtures/alpaca_eval/reference_lc.json; reproduced here to 1e-10
through the alpaca-eval adapter, ingest and the report.
"""

from __future__ import annotations

import csv
import json

import pytest
from conftest import REPO, write_csv

from qualitylab.cli import main
from qualitylab.ingest import ingest
from qualitylab.report import ReportContext
from qualitylab.signals.section import leaderboard
from qualitylab.store import open_store

FIXTURE = REPO / "tests" / "fixtures" / "alpaca_eval"
REFERENCE = json.loads((FIXTURE / "reference_lc.json").read_text(encoding="utf-8"))


def _board(db, batch="b", kind="human"):
    with open_store(db, read_only=True) as store:
        lb = leaderboard(ReportContext(store, batch, options={"annotator_kind": kind}))
    return {m["model"]: m for m in lb.models}


def _rows(soft: bool = True):
    out = []
    for i, (pref, p_b) in enumerate([("A", 0.1), ("B", 0.9), ("tie", 0.5), ("B", None), ("A", 0.25), ("B", 1.0)]):
        r = {
            "comparison_id": f"c{i // 2}",
            "annotator_id": f"h{i % 2}",
            "preference": pref,
            "prompt_id": f"p{i // 2}",
            "model_a": "m1",
            "model_b": "m2",
        }
        if soft and p_b is not None:
            r["preference_soft"] = p_b
        out.append(r)
    return out


def test_stored_and_the_soft_win_rate_by_hand(tmp_path, db):
    ingest(write_csv(tmp_path / "s.csv", _rows()), "b", db=db)
    with open_store(db, read_only=True) as s:
        got = s.con.execute("SELECT preference, preference_soft FROM verdicts ORDER BY source_line").fetchall()
    assert got == [("A", 0.1), ("B", 0.9), ("tie", 0.5), ("B", None), ("A", 0.25), ("B", 1.0)]
    board = _board(db)
    # m1 = A: its soft wins 0.9 + 0.1 + 0.5 + 0 (hard B) + 0.75 + 0 = 2.25 of 6 games
    soft = board["m1"]["pairwise_win_rate_soft"]
    assert soft.value == pytest.approx(2.25 / 6, abs=1e-15) and soft.n == 6
    assert board["m2"]["pairwise_win_rate_soft"].value == pytest.approx(3.75 / 6, abs=1e-15)
    # the hard win rate beside it: 2.5 of 6 (A, A and the tie)
    assert board["m1"]["pairwise_win_rate"].value == pytest.approx(2.5 / 6)
    # the same percentile bootstrap by prompt: an interval that contains the estimate
    assert soft.method == board["m1"]["pairwise_win_rate"].method
    assert soft.ci95_low <= soft.value <= soft.ci95_high


def test_without_soft_values_it_is_the_win_rate_with_the_same_interval(tmp_path, db):
    ingest(write_csv(tmp_path / "h.csv", _rows(soft=False)), "b", db=db)
    for m, row in _board(db).items():
        hard, soft = row["pairwise_win_rate"], row["pairwise_win_rate_soft"]
        fields = ("value", "ci95_low", "ci95_high", "n")
        assert [getattr(soft, f) for f in fields] == [getattr(hard, f) for f in fields], m


def test_swapping_a_and_b_with_one_minus_the_soft_value_changes_nothing(tmp_path, db):
    ingest(write_csv(tmp_path / "s.csv", _rows()), "b", db=db)
    swapped = []
    for r in _rows():
        flipped = {"A": "B", "B": "A"}.get(r["preference"], "tie")
        s = dict(r, model_a=r["model_b"], model_b=r["model_a"], preference=flipped)
        if "preference_soft" in r:
            s["preference_soft"] = 1 - r["preference_soft"]
        swapped.append(s)
    ingest(write_csv(tmp_path / "w.csv", swapped[::-1]), "w", db=db)
    a, b = _board(db, "b"), _board(db, "w")
    for m in ("m1", "m2"):
        x, y = a[m]["pairwise_win_rate_soft"], b[m]["pairwise_win_rate_soft"]
        assert x.value == pytest.approx(y.value, abs=1e-15)


@pytest.mark.parametrize(
    "value, preference, reason",
    [
        ("1.2", "B", '"1.2" is outside 0-1'),
        ("-0.01", "A", '"-0.01" is outside 0-1'),
        ("0.3", "B", '"0.3" contradicts preference "B": P(B preferred) < 0.5, so preference must be A'),
        ("0.5", "A", '"0.5" contradicts preference "A": P(B preferred) = 0.5, so preference must be tie'),
        ("0.7", "tie", '"0.7" contradicts preference "tie": P(B preferred) > 0.5, so preference must be B'),
        ("most", "A", '"most" is not a number'),
        ("nan", "A", '"nan" is not a number'),
    ],
)
def test_bad_values_refuse_the_file_naming_file_line_and_column(tmp_path, db, capsys, value, preference, reason):
    good = write_csv(tmp_path / "good.csv", _rows())
    ingest(good, "b", db=db)
    with open_store(db, read_only=True) as s:
        before = s.con.execute("SELECT count(*), sum(preference_soft) FROM verdicts").fetchall()
    rows = _rows()
    rows[3] = dict(rows[3], preference=preference, preference_soft=value)
    bad = write_csv(tmp_path / "bad.csv", rows)
    assert main(["ingest", str(bad), "--batch", "b", "--append", "--db", str(db), "--no-report"]) == 3
    err = capsys.readouterr().err
    assert f"bad.csv:5: column 'preference_soft': {reason}" in err
    assert "Traceback" not in err
    with open_store(db, read_only=True) as s:
        assert s.con.execute("SELECT count(*), sum(preference_soft) FROM verdicts").fetchall() == before


def _alpaca_file(tmp_path, model: str):
    """AlpacaEval's annotations.json layout for one model of the committed subset (preference exactly as
    published; texts of the published lengths, which the win rate does not read)."""
    with open(FIXTURE / "annotations_subset.csv", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["generator_2"] == model]
    records = [
        {
            "instruction": f"instruction {r['index']}",
            "output_1": "x" * int(r["len_1"]),
            "generator_1": r["generator_1"],
            "output_2": "y" * int(r["len_2"]),
            "generator_2": r["generator_2"],
            "annotator": "weighted_alpaca_eval_gpt4_turbo",
            "preference": float(r["preference"]),
        }
        for r in rows
    ]
    p = tmp_path / f"{model}.json"
    p.write_text(json.dumps(records), encoding="utf-8")
    return p, len(records)


def test_reproduces_alpaca_evals_win_rate_on_its_published_annotations(tmp_path, db):
    """pairwise_win_rate_soft of each model against the baseline = AlpacaEval's win_rate / 100 (its
    leaderboard at commit cd543a149df8, and its get_winrate on the same annotations) to 1e-10."""
    models = sorted(REFERENCE["models"])
    for i, model in enumerate(models):
        path, n = _alpaca_file(tmp_path, model)
        res = ingest(path, "ae", db=db, fmt="alpaca-eval", mode="append" if i else "new")
        assert res.n_stored == n == 805
    board = _board(db, "ae", kind="judge")
    for model in models:
        ref = REFERENCE["models"][model]
        got = board[model]["pairwise_win_rate_soft"]
        assert got.n == 805
        assert got.value == pytest.approx(ref["published"]["win_rate"], abs=1e-10), model
        assert got.value == pytest.approx(ref["length_controlled_minimal"]["win_rate"], abs=1e-10), model
        # the hard win rate differs on these fractional preferences (a 0.51 counts as a full win there)
        assert board[model]["pairwise_win_rate"].value != pytest.approx(got.value, abs=1e-6)
