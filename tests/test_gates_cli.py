"""``qualitylab check``: exit codes and output through qualitylab.cli.main on a real store.

The gate files here read the overview's label distribution (always in the report), so every verdict
is reached through the real report without depending on the other areas.
"""

from __future__ import annotations

import json

import pytest
from conftest import write_jsonl

from qualitylab.cli import main
from qualitylab.errors import ExitCode
from qualitylab.ingest import ingest


@pytest.fixture
def batch(tmp_path, db):
    """60 comparisons x 3 humans; 140 of 180 verdicts are A: 0.778, Wilson 95% [0.712, 0.832]
    (statsmodels ``proportion_confint(140, 180, method="wilson")``)."""
    rows = []
    for i in range(60):
        for j, ann in enumerate(("h1", "h2", "h3")):
            pref = "B" if (i * 3 + j) % 9 in (0, 4) else "A"
            rows.append({"comparison_id": f"c{i}", "annotator_id": ann, "preference": pref})
    n_a = sum(r["preference"] == "A" for r in rows)
    assert n_a == 140
    ingest(write_jsonl(tmp_path / "w.jsonl", rows), "w1", db=db, vendor="acme")
    return "w1"


def gate_file(tmp_path, threshold, *, min_n=10, comparison=">=", severity="reject", decide="interval"):
    p = tmp_path / f"g{threshold}{min_n}{severity}{decide}.toml"
    p.write_text(
        f"""gates_version = 1
name = "test gates"
[[criteria]]
id = "share_a"
title = "share of A"
metric = "label_distribution.human.A"
comparison = "{comparison}"
threshold = {threshold}
decide = "{decide}"
min_n = {min_n}
severity = "{severity}"
""",
        encoding="utf-8",
    )
    return str(p)


@pytest.mark.parametrize(
    "threshold, min_n, severity, code, verdict",
    [
        (0.5, 10, "reject", ExitCode.OK, "ACCEPT"),  # [0.712, 0.832] >= 0.5
        (0.75, 10, "reject", ExitCode.REVIEW, "REVIEW"),  # straddles 0.75
        (0.9, 10, "reject", ExitCode.REJECT, "REJECT"),  # whole interval below 0.9
        (0.9, 10, "review", ExitCode.REVIEW, "REVIEW"),  # fails, but severity review
        (0.9, 10, "warn", ExitCode.OK, "ACCEPT"),  # a warning never decides
        (0.5, 181, "reject", ExitCode.INSUFFICIENT_EVIDENCE, "INSUFFICIENT_EVIDENCE"),  # n = 180 < 181
    ],
)
def test_exit_codes(tmp_path, db, batch, capsys, threshold, min_n, severity, code, verdict):
    rc = main(
        [
            "check",
            "--batch",
            batch,
            "--gates",
            gate_file(tmp_path, threshold, min_n=min_n, severity=severity),
            "--n-boot",
            "50",
        ]
    )
    out = capsys.readouterr().out
    assert rc == code
    assert f"verdict: {verdict} (exit {int(code)})" in out
    assert "0.778" in out and "[0.712, 0.832]" in out and "180" in out  # value, interval, n
    assert f">= {threshold:g} (interval)" in out


def test_json_has_top_level_verdict(tmp_path, db, batch, capsys):
    rc = main(["check", "--batch", batch, "--gates", gate_file(tmp_path, 0.75), "--json", "--n-boot", "50"])
    doc = json.loads(capsys.readouterr().out)
    assert rc == ExitCode.REVIEW
    assert doc["verdict"] == "REVIEW" and doc["exit_code"] == 10
    c = doc["gate"]["criteria"][0]
    assert (c["id"], c["outcome"], c["n"], c["threshold"]) == ("share_a", "REVIEW", 180, 0.75)
    assert c["value"] == pytest.approx(140 / 180)
    assert c["ci95_low"] == pytest.approx(0.7116, abs=1e-4) and c["ci95_high"] == pytest.approx(0.8323, abs=1e-4)
    assert doc["gate"]["gates_version"] == 1 and len(doc["gate"]["sha256"]) == 64


def test_report_json_carries_the_default_verdict(db, batch, capsys):
    assert main(["report", "--batch", batch, "--json", "--n-boot", "50"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["verdict"] in ("ACCEPT", "REVIEW", "REJECT", "INSUFFICIENT_EVIDENCE")
    assert doc["gate"]["verdict"] == doc["verdict"]
    assert doc["gate"]["source"].startswith("built-in defaults")
    assert {c["id"] for c in doc["gate"]["criteria"]} >= {"human_agreement"}


def test_bad_gate_file_is_a_usage_error(tmp_path, db, batch, capsys):
    p = tmp_path / "bad.toml"
    p.write_text("gates_version = 1\n[[criteria]]\nid = 'x'\n", encoding="utf-8")
    assert main(["check", "--batch", batch, "--gates", str(p)]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "Invalid gate file" in err and "'metric' is required" in err and "docs/gates.md" in err


def test_missing_gate_file_and_batch(tmp_path, db, batch, capsys):
    assert main(["check", "--batch", batch, "--gates", str(tmp_path / "nope.toml")]) == ExitCode.NOT_FOUND
    assert main(["check", "--batch", "nope"]) == ExitCode.NOT_FOUND
    assert "known batches: w1" in capsys.readouterr().err


def test_check_has_help(capsys):
    with pytest.raises(SystemExit) as e:
        main(["check", "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert "--gates" in out and "12 INSUFFICIENT_EVIDENCE" in out


def test_report_takes_the_gate_file_too(tmp_path, db, batch, capsys):
    assert (
        main(["report", "--batch", batch, "--json", "--n-boot", "50", "--gates", gate_file(tmp_path, 0.9)]) == 0
    )  # a report is written whatever the verdict
    doc = json.loads(capsys.readouterr().out)
    assert doc["verdict"] == "REJECT" and doc["gate"]["name"] == "test gates"
