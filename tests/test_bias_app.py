"""The Distributions, Bias, Annotators and Hygiene pages through Streamlit's AppTest on a real store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bias_helpers import biased_rows, load
from streamlit.testing.v1 import AppTest
from test_bias_hygiene import defect_batches

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_page(at: AppTest, slug: str) -> AppTest:
    """Switch to a callable page registered with st.navigation (AppTest.switch_page needs a file)."""
    page_hash = next(h for h, info in at._registered_pages.items() if info.get("url_pathname") == slug)
    at._page_hash = page_hash
    return at.run()


def _texts(at):
    return " ".join(
        str(e.value)
        for kind in ("markdown", "caption", "info", "warning", "title", "subheader", "header")
        for e in at.get(kind)
    )


@pytest.fixture
def store(tmp_path, db):
    w1, w2 = defect_batches()
    (tmp_path / "b").mkdir()
    load(tmp_path, db, [("w1", biased_rows(120), "2026-10-05")])
    load(tmp_path / "b", db, [("w2", w2, "2026-10-12")])
    return db


@pytest.mark.parametrize("slug", ["distributions", "bias", "annotators", "hygiene"])
def test_pages_on_an_empty_store_are_helpful(db, slug):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at = open_page(at, slug)
    assert not at.exception
    assert any("holds no batches" in i.value for i in at.info)


def test_bias_page_funnel_and_audit(store):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.sidebar.selectbox(key="batch_id").set_value("w1").run()
    at = open_page(at, "bias")
    assert not at.exception
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(charts) == 2
    pos = charts[0]
    flagged = next(t for t in pos["data"] if t.get("name", "").startswith("flagged"))
    assert flagged["text"] == ["pos"] and flagged["x"] == [120]
    band = pos["data"][0]
    assert band["name"].startswith("95% band") and band["y"][-1] == pytest.approx(0.5 + 1.96 * 0.5 / 120**0.5, abs=1e-3)
    assert any(s["type"] == "line" and s["y0"] == 0.5 for s in pos["layout"]["shapes"])
    assert {"p_first (batch)", "Share of verdicts showing A first", "p_prefer_longer (batch)"} <= {
        m.label for m in at.metric
    }
    assert len(at.dataframe) >= 5  # rates, audit by annotator / model, length rates, regression


def test_bias_page_position_unknown(store):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.sidebar.selectbox(key="batch_id").set_value("w2").run()
    at = open_page(at, "bias")
    assert not at.exception
    assert any("Position unknown" in w.value for w in at.warning)


def test_hygiene_page_lists_offending_rows(store):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.sidebar.selectbox(key="batch_id").set_value("w2").run()
    at = open_page(at, "hygiene")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Checks failed"] == "5 of 7"  # w2's earlier batch w1 has other items
    frames = [df.value for df in at.dataframe]
    assert any(list(f.get("comparison_id", [])) == ["same"] for f in frames)
    assert any(list(f.get("empty_slot", [])) == ["B"] for f in frames)
    assert len(at.get("download_button")) == 5


def test_annotators_and_distributions_pages(store):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.sidebar.selectbox(key="batch_id").set_value("w1").run()
    at = open_page(at, "annotators")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Annotators"] == "3"
    (table,) = [df.value for df in at.dataframe]
    flags = dict(zip(table["annotator_id"], table["flags"], strict=True))
    assert "position_bias" in flags["pos"] and "length_bias" in flags["long"]
    at = open_page(at, "distributions")
    assert not at.exception
    assert any(m.label == "Tie rate (human)" for m in at.metric)
    assert len(at.get("plotly_chart")) == 2  # label shares, strength
    assert "No comparison" in _texts(at)  # w1 is the vendor's first batch
