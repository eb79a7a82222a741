"""The sample delivery's agreement numbers (sample_data/manifest.json) through real ingest."""

from __future__ import annotations

import json

import pytest

from qualitylab.ingest import ingest
from qualitylab.report import compute_sections
from qualitylab.sample import SAMPLE_DIR, load_plan
from qualitylab.store import open_store

MANIFEST = json.loads((SAMPLE_DIR / "manifest.json").read_text(encoding="utf-8"))
WEEKS = ("acme-w3", "acme-w5")  # w3: exact duplicate rows count once; w5: agreement near chance


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory):
    db = tmp_path_factory.mktemp("sample") / "store.duckdb"
    for e in load_plan():
        if e["batch"] in WEEKS:
            ingest(SAMPLE_DIR / e["file"], e["batch"], db=db, kind=e.get("kind"), mode="append")
    with open_store(db, read_only=True) as s:
        yield s


@pytest.mark.parametrize("batch", WEEKS)
def test_alpha_matches_the_manifest(sample_store, batch):
    expected = MANIFEST["batches"][batch]
    pref = compute_sections(sample_store, batch, ["agreement"], n_boot=100)["agreement"].preference
    assert pref.krippendorff_alpha.value == pytest.approx(expected["krippendorff_alpha_humans"], abs=1e-6)
    assert pref.n_pairable_values == expected["n_pairable_values"]


def test_week5_agreement_is_near_chance_and_h11_fails_gold(sample_store):
    res = compute_sections(sample_store, "acme-w5", ["agreement"], n_boot=200)["agreement"]
    alpha = res.preference.krippendorff_alpha
    assert alpha.ci95_low < 0 < alpha.ci95_high
    rows = {a["annotator_id"]: a for a in res.annotators}
    h11 = rows.pop("h11")  # random labels: the lowest on gold and on the majority
    assert h11["gold_accuracy"].value < min(a["gold_accuracy"].value for a in rows.values())
    assert h11["agreement_with_majority"].value < min(a["agreement_with_majority"].value for a in rows.values())
