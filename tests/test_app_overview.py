"""The Overview page through Streamlit's AppTest, on a real store named by $QUALITYLAB_DB."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import write_jsonl
from streamlit.testing.v1 import AppTest

from qualitylab.ingest import ingest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def test_overview_on_an_empty_store_is_helpful(db):
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert any("holds no batches" in i.value for i in at.info)


def test_overview_shows_counts_provenance_and_label_chart(tmp_path, db):
    rows = [
        {"comparison_id": f"c{i}", "annotator_id": a, "preference": p}
        for i in range(5)
        for a, p in (("x", "A"), ("y", "B"), ("z", "tie"))
    ]
    ingest(write_jsonl(tmp_path / "v.jsonl", rows), "w1", db=db, vendor="acme")
    ingest(write_jsonl(tmp_path / "v2.jsonl", rows[:3]), "w2", db=db, vendor="acme")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    # the latest batch is chosen by default; choose w1 in the global filter
    at.sidebar.selectbox(key="batch_id").set_value("w1").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Judgments"] == "15" and metrics["Comparisons"] == "5" and metrics["Annotators"] == "3"
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    spec = json.loads(charts[0].proto.spec)
    bar = spec["data"][0]
    assert bar["x"] == ["A", "B", "tie"] and [round(y, 3) for y in bar["y"]] == [0.333, 0.333, 0.333]
    assert any("v.jsonl" in str(df.value.to_dict()) for df in at.dataframe)
