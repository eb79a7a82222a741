"""The six-week sample delivery (sample_data/, vendor acme-labels): the documented verdict per week,
the criteria that decide it (docs/gates.md, "The sample delivery"), the evidence pack of the bad
week naming its planted problems with their rows, and the drop in the trend."""

from __future__ import annotations

import json

import pytest

from qualitylab.cli import main
from qualitylab.errors import ExitCode
from qualitylab.evidence import build_html, evidence_tables
from qualitylab.gates.trends import metric_rows, week_over_week
from qualitylab.ingest import ingest
from qualitylab.report import build_report
from qualitylab.sample import SAMPLE_DIR, load_plan
from qualitylab.store import open_store

N_BOOT = 200
#: intended verdicts (brief, "The sample delivery") and the criteria that decide them
EXPECTED = {
    "acme-w1": ("REVIEW", ["position_bias_annotators", "length_bias_annotators"]),
    "acme-w2": ("REVIEW", ["position_bias_annotators", "length_bias_annotators"]),
    "acme-w3": ("ACCEPT", []),
    "acme-w4": ("ACCEPT", []),
    "acme-w5": ("REJECT", ["human_agreement"]),
    "acme-w6": ("ACCEPT", []),
}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The acme batches of the sample, loaded as `qualitylab sample` loads them, and their reports."""
    db = tmp_path_factory.mktemp("sample") / "store.duckdb"
    with open_store(db) as store:
        for e in load_plan():
            if e["batch"].startswith("acme-"):
                ingest(
                    SAMPLE_DIR / e["file"],
                    e["batch"],
                    store=store,
                    vendor=e.get("vendor"),
                    delivered=e.get("delivered"),
                    kind=e.get("kind"),
                    fmt=e.get("format"),
                    quarantine=e.get("quarantine", False),
                    mode="append",
                )
    with open_store(db, read_only=True) as store:
        docs = {b: build_report(store, b, n_boot=N_BOOT) for b in EXPECTED}
    return db, docs


@pytest.mark.parametrize("batch", list(EXPECTED))
def test_documented_verdict_and_deciding_criteria(sample, batch):
    _, docs = sample
    verdict, deciding = EXPECTED[batch]
    gate = docs[batch]["gate"]
    assert (docs[batch]["verdict"], gate["deciding"]) == (verdict, deciding), json.dumps(
        [(c["id"], c["outcome"], c["reason"]) for c in gate["criteria"]], indent=1
    )


def test_planted_defects_show_in_the_criteria(sample):
    _, docs = sample
    crit = {b: {c["id"]: c for c in d["gate"]["criteria"]} for b, d in docs.items()}
    # w5: agreement at chance (the whole interval below 0.2) and h11 rushing
    assert crit["acme-w5"]["human_agreement"]["ci95_high"] < 0.2
    assert crit["acme-w5"]["rushed_annotators"]["outcome"] == "REVIEW"
    # w3 / w4: hygiene findings are warnings under their shares, not a hold
    assert crit["acme-w3"]["duplicate_rows_share"]["outcome"] == "PASS"
    assert crit["acme-w3"]["hygiene_rows"]["outcome"] == "WARN"
    assert crit["acme-w4"]["redelivered_share"]["value"] > 0
    assert crit["acme-w4"]["redelivered_share"]["outcome"] == "PASS"
    for b in ("acme-w3", "acme-w4", "acme-w6"):
        assert crit[b]["human_agreement"]["ci95_low"] >= 0.2


def test_check_exit_code_on_the_bad_week(sample, capsys):
    db, _ = sample
    assert main(["check", "--batch", "acme-w5", "--db", str(db), "--n-boot", str(N_BOOT)]) == ExitCode.REJECT
    assert "verdict: REJECT (exit 11) — decided by human_agreement" in capsys.readouterr().out


def test_evidence_pack_of_week_5_names_the_planted_problems(sample):
    db, docs = sample
    doc = docs["acme-w5"]
    trends = week_over_week(
        [
            r
            for b in EXPECTED
            for r in metric_rows(docs[b]["batch"], docs[b]["gate"])
            if docs[b]["batch"]["delivered"] <= doc["batch"]["delivered"]
        ]
    )
    with open_store(db, read_only=True) as store:
        tables = {t.name: t for t in evidence_tables(store, "acme-w5", doc, trends)}
        page = build_html(doc, list(tables.values()), trends)
    flagged = {(r["annotator_id"], r["flag"]) for r in tables["flagged_annotators"].rows}
    assert ("h11", "fast") in flagged
    examples = tables["annotator_examples"].rows
    assert {r["annotator_id"] for r in examples} >= {"h11"}
    assert all(r["file_name"] == "acme-w5-pairwise.csv" and r["source_line"] > 1 for r in examples)
    fast = tables["hygiene_fast_verdicts"]
    assert fast.n_total > 50 and {r["annotator_id"] for r in fast.rows} == {"h11"}
    assert "Criterion <b>human_agreement</b>" in page and "Annotator <b>h11</b> flagged" in page
    assert "Verdicts faster than the threshold" in page
    alpha = next(r for r in trends if r["batch_id"] == "acme-w5" and r["criterion"] == "human_agreement")
    assert alpha["changed"] and alpha["difference"] < -0.5 and alpha["previous_batch_id"] == "acme-w4"
