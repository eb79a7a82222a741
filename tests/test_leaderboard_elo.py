"""pairwise_elo (issue 14 item 11): the Bradley-Terry log-strength on the Arena/Elo scale,
1000 + 400 / ln 10 * theta. Reference: Elo's expected score E = 1 / (1 + 10^(-d / 400)) (Elo 1978,
the Chatbot Arena notebook's scale 400 / base 10 / init 1000); for two models the Bradley-Terry MLE
puts E at the observed win share."""

from __future__ import annotations

import math

import pytest
from conftest import write_jsonl

from qualitylab.ingest import ingest
from qualitylab.report import build_report
from qualitylab.store import open_store


def test_two_models_elo_difference_is_elos_expected_score(tmp_path, db):
    rows = []
    for c in range(30):  # m1 wins 22 of 30, never a tie; each comparison by one annotator
        win = "A" if c < 22 else "B"
        rows.append({"comparison_id": f"c{c}", "annotator_id": f"h{c % 3}", "preference": win, "prompt_id": f"p{c}",
                     "model_a": "m1", "model_b": "m2", "response_a": "x", "response_b": "y"})  # fmt: skip
    ingest(write_jsonl(tmp_path / "w.jsonl", rows), "w", db=db)
    with open_store(db, read_only=True) as s:
        lb = build_report(s, "w", n_boot=50, sections=["leaderboard"])["leaderboard"]
    by = {m["model"]: m for m in lb["models"]}
    e1, e2 = by["m1"]["pairwise_elo"], by["m2"]["pairwise_elo"]
    d = e1["value"] - e2["value"]
    assert d == pytest.approx(400 * math.log10(22 / 8), rel=1e-6)
    assert 1 / (1 + 10 ** (-d / 400)) == pytest.approx(22 / 30, rel=1e-6)
    assert (e1["value"] + e2["value"]) / 2 == pytest.approx(1000)  # centred log-strengths: mean 1000
    for m in by.values():  # the same statistic, mapped: interval and n with it
        bt, el = m["pairwise_bt"], m["pairwise_elo"]
        for k in ("value", "ci95_low", "ci95_high"):
            assert el[k] == pytest.approx(1000 + 400 / math.log(10) * bt[k], rel=1e-12)
        assert el["n"] == bt["n"] and el["method"] == bt["method"]
    assert "resamples prompts" in lb["intervals"]
