"""The "Judge vs human" page through Streamlit's AppTest, on a real store named by $QUALITYLAB_DB."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import write_jsonl
from streamlit.testing.v1 import AppTest
from test_judges_metrics import hand_rows

from qualitylab.ingest import ingest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def _open(at: AppTest) -> AppTest:
    """Run the app, then select the page registered at /judges (AppTest.switch_page takes files only)."""
    at.run()
    hashes = [h for h, info in at._registered_pages.items() if info.get("url_pathname") == "judges"]
    assert hashes, f"no page registered at /judges: {at._registered_pages}"
    at._page_hash = hashes[0]
    return at.run()


def test_page_shows_the_judge_table_ceiling_and_details(tmp_path, db):
    ingest(write_jsonl(tmp_path / "v.jsonl", hand_rows()), "w1", db=db)
    at = _open(AppTest.from_file(APP, default_timeout=60))
    assert not at.exception
    assert at.title[0].value == "Judge vs human"
    tables = [df.value for df in at.dataframe]
    summary = next(t for t in tables if "accuracy_vs_majority" in t.columns and "annotator_id" in t.columns)
    assert summary["annotator_id"].tolist() == ["J"]
    assert summary["accuracy_vs_majority"][0].startswith("0.833 [")  # 5/6, with its interval
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["cohen_kappa_vs_majority"] == "0.667"
    assert metrics["position_consistency"] == "0.5"  # 3 significant digits, no trailing zeros (issue 19)
    assert metrics["human_agreement_with_ties"] == "0.417"
    assert any("Thresholds depend on context" in c.value for c in at.caption)
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    kinds = [c["data"][0]["type"] for c in charts if c["data"]]
    assert "heatmap" in kinds and "scatter" in kinds
    heat = next(c for c in charts if c["data"] and c["data"][0]["type"] == "heatmap")
    assert heat["data"][0]["z"][0] == [3, 1, 0]


def test_page_without_judges_says_how_to_get_them(tmp_path, db):
    ingest(
        write_jsonl(tmp_path / "v.jsonl", [{"comparison_id": "c", "annotator_id": "h", "preference": "A"}]), "w1", db=db
    )
    at = _open(AppTest.from_file(APP, default_timeout=60))
    assert not at.exception
    assert any("holds no judge verdicts" in i.value for i in at.info)
    assert any("qualitylab judge --batch w1 --model MODEL" in c.value for c in at.code)


def test_page_on_an_empty_store_is_helpful(db):
    at = _open(AppTest.from_file(APP, default_timeout=60))
    assert not at.exception
    assert any("holds no batches" in i.value for i in at.info)
