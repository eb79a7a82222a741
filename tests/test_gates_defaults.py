"""The built-in gates on real reports: chance-level agreement is rejected, a sound batch accepted,
a first-clicking annotator sends the batch to review, and the report carries the verdict."""

from __future__ import annotations

import json

import pytest
from gates_helpers import batch_rows, ingest_batch

from qualitylab.cli import main
from qualitylab.errors import ExitCode
from qualitylab.report import build_report
from qualitylab.store import open_store

N_BOOT = "100"


def test_defaults_accept_a_sound_batch(tmp_path, db, capsys):
    ingest_batch(tmp_path, db, "sound", batch_rows("s", p_truth=0.85, seed=1))
    assert main(["check", "--batch", "sound", "--n-boot", N_BOOT]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "verdict: ACCEPT (exit 0)" in out
    assert "human_agreement" in out and "PASS" in out


def test_defaults_reject_chance_level_agreement(tmp_path, db, capsys):
    ingest_batch(tmp_path, db, "chance", batch_rows("c", p_truth=0.0, seed=2))
    assert main(["check", "--batch", "chance", "--n-boot", N_BOOT, "--json"]) == ExitCode.REJECT
    doc = json.loads(capsys.readouterr().out)
    assert doc["verdict"] == "REJECT" and doc["gate"]["deciding"] == ["human_agreement"]
    c = next(c for c in doc["gate"]["criteria"] if c["id"] == "human_agreement")
    assert c["outcome"] == "REJECT" and c["ci95_high"] < 0.2 and c["n"] == 80
    assert c["reason"].endswith("the whole interval is below 0.2")


def test_defaults_send_a_first_clicker_to_review(tmp_path, db, capsys):
    ingest_batch(tmp_path, db, "biased", batch_rows("b", p_truth=0.9, seed=3, first_clicker="h4", n_comparisons=120))
    assert main(["check", "--batch", "biased", "--n-boot", N_BOOT]) == ExitCode.REVIEW
    out = capsys.readouterr().out
    assert "verdict: REVIEW (exit 10) — decided by position_bias_annotators" in out
    assert "1 of 4 rows have 'flagged' (> 0)" in out


def test_the_report_and_check_agree(tmp_path, db):
    ingest_batch(tmp_path, db, "chance", batch_rows("c", p_truth=0.0, seed=2))
    with open_store(db, read_only=True) as store:
        doc = build_report(store, "chance", n_boot=100)
    assert doc["verdict"] == doc["gate"]["verdict"] == "REJECT"
    assert doc["gate"]["exit_code"] == 11
    assert list(doc)[-2:] == ["verdict", "gate"]  # the gate reads every other section first


def _with_gold(rows: list[dict], n_items: int, target_correct: int) -> list[dict]:
    """Put gold on the first ``n_items`` comparisons, choosing each one's gold label so that
    ``target_correct`` of the human verdicts on them are right in all (greedy, exact here)."""
    by_c: dict[str, list[dict]] = {}
    for r in rows:
        by_c.setdefault(r["comparison_id"], []).append(r)
    items = list(by_c)[:n_items]

    def k(c: str, g: str) -> int:
        return sum(r["preference"] == g for r in by_c[c])

    chosen: dict[str, str] = {}
    left = target_correct
    for i, c in enumerate(items):
        want = left / (n_items - i)
        chosen[c] = min(("A", "B", "tie"), key=lambda g: abs(k(c, g) - want))
        left -= k(c, chosen[c])
    if left:  # one earlier choice changed to land exactly on the target
        c, g = next((c, g) for c in items for g in ("A", "B", "tie") if k(c, g) - k(c, chosen[c]) == left)
        chosen[c] = g
    for c, g in chosen.items():
        for r in by_c[c]:
            r["gold"] = g
    assert sum(k(c, g) for c, g in chosen.items()) == target_correct
    return rows


def test_defaults_send_a_week_with_pooled_gold_71_of_120_to_review(tmp_path, db, capsys):
    """Issue 14 item 4: 71 of 120 gold verdicts right (0.59), spread over four annotators so none of
    them has a gold interval wholly below 0.5 (the per-annotator flag stays silent)."""
    rows = _with_gold(batch_rows("g", p_truth=0.85, seed=1), 40, 71)
    ingest_batch(tmp_path, db, "gold", rows)
    assert main(["check", "--batch", "gold", "--n-boot", N_BOOT, "--json"]) == ExitCode.REVIEW
    doc = json.loads(capsys.readouterr().out)
    assert doc["gate"]["deciding"] == ["gold_accuracy_batch"]
    c = next(c for c in doc["gate"]["criteria"] if c["id"] == "gold_accuracy_batch")
    assert (c["outcome"], c["n"]) == ("REVIEW", 120)
    assert c["value"] == 71 / 120 and c["ci95_high"] < 0.8
    per = next(c for c in doc["gate"]["criteria"] if c["id"] == "gold_failures")
    assert per["outcome"] == "PASS"  # no single annotator is flagged: the pooled criterion decides
    with open_store(db, read_only=True) as s:
        gold = build_report(s, "gold", n_boot=10)["agreement"]["gold"]
    assert (gold["n_gold_verdicts"], gold["n_correct"], gold["n_annotators"]) == (120, 71, 4)
    # annotators as clusters: here their accuracies vary less than binomially, so the effective n is
    # capped at the 120 verdicts and the interval is Wilson's on 71/120 (statsmodels 0.15
    # proportion_confint(method="wilson"): [0.50221, 0.67544])
    assert gold["accuracy"]["method"] == "wilson on the cluster effective n (120.0 of 120)"
    ci = (gold["accuracy"]["ci95_low"], gold["accuracy"]["ci95_high"])
    assert ci == pytest.approx((0.502208, 0.675439), abs=1e-6)


def test_the_same_week_with_good_gold_is_accepted(tmp_path, db, capsys):
    rows = _with_gold(batch_rows("g", p_truth=0.85, seed=1), 40, 105)
    ingest_batch(tmp_path, db, "gold", rows)
    assert main(["check", "--batch", "gold", "--n-boot", N_BOOT]) == ExitCode.OK
