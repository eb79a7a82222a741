"""The JSON report's schema (docs/report-json.md) and the CLI's report/batches output."""

from __future__ import annotations

import json

from conftest import write_jsonl

from qualitylab.cli import main

STAT_KEYS = {"value", "ci95_low", "ci95_high", "n"}


def is_statistic(x) -> bool:
    return isinstance(x, dict) and STAT_KEYS <= set(x)


def test_report_json_schema_for_a_pairwise_batch(tmp_path, db, capsys):
    rows = [
        {"comparison_id": f"c{i}", "annotator_id": a, "preference": p}
        for i in range(4)
        for a, p in (("x", "A"), ("y", "B" if i % 2 else "A"), ("z", "tie"))
    ]
    write_jsonl(tmp_path / "v.jsonl", rows)
    assert main(["ingest", str(tmp_path / "v.jsonl"), "--batch", "w1", "--vendor", "acme", "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["report", "--batch", "w1", "--json", "--db", str(db)]) == 0
    out = capsys.readouterr()
    doc = json.loads(out.out)  # stdout holds exactly one JSON document
    assert doc["report_schema_version"] == 2
    assert {"qualitylab_version", "seed", "bootstrap_resamples", "generated_at", "scale"} <= set(doc["methods"])
    assert doc["methods"]["scale"]["preference"]["labels"] == ["A", "B", "tie"]  # a tie was delivered
    assert "scale" not in doc  # printed in methods only
    assert doc["batch"] == {"batch_id": "w1", "vendor": "acme", "delivered": None}
    c = doc["counts"]
    assert (c["n_judgments"], c["n_comparisons"], c["n_annotators"]) == (12, 4, 3)
    assert (c["n_ratings"], c["n_ranking_rows"], c["n_quarantined"]) == (0, 0, 0)
    dist = doc["label_distribution"]["human"]
    assert set(dist) == {"A", "B", "tie"} and all(is_statistic(s) for s in dist.values())
    assert dist["A"]["value"] == 6 / 12 and dist["tie"]["n"] == 12
    assert 0 <= dist["A"]["ci95_low"] < 0.5 < dist["A"]["ci95_high"] <= 1
    assert doc["label_distribution"]["all"]["B"]["value"] == 2 / 12
    prov = doc["provenance"][0]
    assert {"file_name", "sha256", "size_bytes", "n_rows", "ingested_at"} <= set(prov)


def test_batches_json_and_table(tmp_path, db, capsys):
    write_jsonl(tmp_path / "v.jsonl", [{"comparison_id": "c", "annotator_id": "a", "preference": "A"}])
    main(["ingest", str(tmp_path / "v.jsonl"), "--batch", "w1", "--delivered", "2026-10-05", "--db", str(db)])
    capsys.readouterr()
    assert main(["batches", "--json", "--db", str(db)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["batch_id"] == "w1" and rows[0]["n_judgments"] == 1 and rows[0]["delivered"] == "2026-10-05"
    assert main(["batches", "--db", str(db)]) == 0
    assert "w1" in capsys.readouterr().out


def test_unknown_batch_is_exit_5_with_known_batches_listed(tmp_path, db, capsys):
    write_jsonl(tmp_path / "v.jsonl", [{"comparison_id": "c", "annotator_id": "a", "preference": "A"}])
    main(["ingest", str(tmp_path / "v.jsonl"), "--batch", "w1", "--db", str(db)])
    assert main(["report", "--batch", "nope", "--json", "--db", str(db)]) == 5
    err = capsys.readouterr().err
    assert "nope" in err and "w1" in err
