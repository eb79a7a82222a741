"""Judge vs human on the sample delivery: judge-mini's p_first and p_prefer_longer come from the bias
area and equal the manifest's numbers (sample_data/manifest.json, annotators.<batch>.judge-mini)."""

from __future__ import annotations

import json

import pytest
from conftest import REPO

from qualitylab.ingest import ingest
from qualitylab.report import compute_sections
from qualitylab.store import open_store

SAMPLE = REPO / "sample_data"


@pytest.mark.parametrize("batch", ["acme-w1", "acme-w5"])
def test_judge_mini_matches_the_manifest(tmp_path, batch):
    manifest = json.loads((SAMPLE / "manifest.json").read_text())
    entry = next(e for e in json.loads((SAMPLE / "load.json").read_text()) if e["batch"] == batch)
    db = tmp_path / "s.duckdb"
    ingest(SAMPLE / entry["file"], batch, db=db, kind=entry.get("kind"))
    with open_store(db, read_only=True) as s:
        j = compute_sections(s, batch, ["judges"], n_boot=100)["judges"]["judge-mini"]
    expected = manifest["annotators"][batch]["judge-mini"]
    assert j.n_verdicts == expected["n"] == 600
    assert (j.p_first.value, j.p_first.n) == (
        pytest.approx(expected["p_first"]["value"], abs=1e-6),
        expected["p_first"]["n"],
    )
    assert (j.p_prefer_longer.value, j.p_prefer_longer.n) == (
        pytest.approx(expected["p_prefer_longer"]["value"], abs=1e-6),
        expected["p_prefer_longer"]["n"],
    )
    assert j.n_both_orders == 300 and j.position_consistency.value is not None
    # judge-mini is generated from the items' truth, so it agrees with the humans about as well as they
    # agree with each other (w1: 0.687 vs ceiling 0.657; w5, near-chance humans: 0.530 vs 0.452)
    assert j.agreement_with_ties.value > j.human_agreement_with_ties.value - 0.05
