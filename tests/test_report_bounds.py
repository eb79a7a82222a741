"""The JSON report stays bounded with many annotators (issue 13 item 19): one report-wide rule for
per-annotator tables (qualitylab.report.MAX_JSON_ROWS) in what ``report --json`` prints
(bounded_document), the full document keeps every row; and the
prompt-stratified length fit says how much of the data it used (issue 14 item 7)."""

from __future__ import annotations

import random

from bias_helpers import load

from qualitylab.report import MAX_JSON_ROWS, bounded_document, build_report, compute_sections, report_document
from qualitylab.store import open_store


def test_per_annotator_tables_keep_flagged_and_largest_rows_and_say_what_they_left_out(tmp_path, db):
    rng = random.Random(3)
    n_ann = MAX_JSON_ROWS + 50
    rows = []
    for a in range(n_ann):
        for c in range(3 if a else 40):  # h0 has the most verdicts
            first = rng.choice("AB")
            pref = first if a == 7 else rng.choice("AB")  # h7 always picks the first-shown response
            rows.append({"comparison_id": f"c{c}", "annotator_id": f"h{a}", "preference": pref, "shown_first": first,
                         "response_a": "x", "response_b": "yy"})  # fmt: skip
    load(tmp_path, db, [("w", rows, "2026-10-05")])
    with open_store(db, read_only=True) as s:
        results = compute_sections(s, "w", ["overview", "position_bias", "annotators", "agreement"], n_boot=5)
        unbounded = report_document(results)
        doc = bounded_document(unbounded)
        full = bounded_document(build_report(s, "w", n_boot=5, sections=["position_bias"]))
    assert len(results["annotators"]) == n_ann  # the typed results keep every row
    table, left = doc["agreement"]["annotators"], doc["agreement"]["annotators_left_out"]
    assert len(table) == MAX_JSON_ROWS == left["n_kept"]
    assert (left["n_rows"], left["n_left_out"], left["n_flagged"]) == (n_ann, 50, 0)
    assert "h0" in {r["annotator_id"] for r in table}  # the rows with the most verdicts are kept
    # screening: every annotator but h0 is flagged (fewer than 20 items): flagged rows come first
    left = doc["annotators"]["left_out"] if "left_out" in doc["annotators"] else doc["annotators_left_out"]
    assert (left["n_rows"], left["n_flagged"], left["n_kept"]) == (n_ann, n_ann - 1, n_ann - 1)
    assert all(r["flagged"] for r in doc["annotators"])
    pos = full["position_bias"]["by_annotator"]
    assert len(pos) == MAX_JSON_ROWS and full["position_bias"]["by_annotator_left_out"]["n_rows"] == n_ann
    # the full document (gate, snapshot, evidence pack, app) is not changed and keeps every row
    assert len(unbounded["agreement"]["annotators"]) == n_ann and "annotators_left_out" not in unbounded["agreement"]
    assert len(unbounded["annotators"]) == n_ann


def test_length_fit_by_prompt_states_the_sample_it_used(tmp_path, db):
    rng = random.Random(1)
    rows = []
    for p in range(60):
        for c in range(6):
            la, lb = rng.randint(5, 90), rng.randint(5, 90)
            rows.append({"comparison_id": f"p{p}c{c}", "annotator_id": f"h{c % 3}", "prompt_id": f"p{p}",
                         "preference": rng.choice("AB"), "response_a": "a" * la, "response_b": "b" * lb})  # fmt: skip
    load(tmp_path, db, [("w", rows, "2026-10-05")])
    with open_store(db, read_only=True) as s:
        reg = build_report(s, "w", n_boot=5, sections=["length_bias"])["length_bias"]["regression"]
    bp, chars = reg["by_prompt"], reg["chars"]
    assert chars["n_available"] == chars["coef"]["n"] == 360  # the unstratified fit uses every verdict
    # every verdict of the informative prompts (issue 14 item 7: no longer a sample of 4 per prompt)
    assert bp["n_available"] == 360 and 4 * 60 < bp["coef"]["n"] <= 360
    assert f"of the {360:,} non-tie verdicts" in bp["method"] and "population SD (ddof 0)" in bp["sd_definition"]


def test_report_json_is_bounded_and_the_evidence_csvs_keep_every_annotator(tmp_path, db, capsys):
    import csv
    import json

    from qualitylab.cli import main

    n_ann = MAX_JSON_ROWS + 20
    rows = [{"comparison_id": f"c{c}", "annotator_id": f"h{a}", "preference": "AB"[(a + c) % 2]}
            for a in range(n_ann) for c in range(3)]  # fmt: skip
    load(tmp_path, db, [("w", rows, "2026-10-05")])
    capsys.readouterr()
    ev = tmp_path / "ev"
    args = ["report", "--batch", "w", "--db", str(db), "--n-boot", "5"]
    assert main([*args, "--json", "--evidence", str(ev)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["agreement"]["annotators"]) == MAX_JSON_ROWS
    assert doc["agreement"]["annotators_left_out"]["n_rows"] == n_ann
    for fit in ("dawid_skene", "one_coin"):  # issue 18's per-annotator competence follows the same rule
        assert len(doc["annotator_competence"][fit]["per_annotator"]) == MAX_JSON_ROWS
        assert doc["annotator_competence"][fit]["per_annotator_left_out"]["n_rows"] == n_ann
    for name in ("annotators.csv", "position_bias_by_annotator.csv", "length_bias_by_annotator.csv"):
        with (ev / name).open(encoding="utf-8", newline="") as f:
            ids = {r["annotator_id"] for r in csv.DictReader(f)}
        assert ids == {f"h{a}" for a in range(n_ann)}, name  # the pack is built from the full document
