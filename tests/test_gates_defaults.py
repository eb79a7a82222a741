"""The built-in gates on real reports: chance-level agreement is rejected, a sound batch accepted,
a first-clicking annotator sends the batch to review, and the report carries the verdict."""

from __future__ import annotations

import json

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
