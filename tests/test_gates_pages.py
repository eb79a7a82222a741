"""The Trends and Evidence pages and the verdict on Overview, through Streamlit's AppTest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gates_helpers import batch_rows, ingest_batch
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_page(url_path: str, batch_id: str | None = None) -> AppTest:
    """Run the app, then select the page registered at ``url_path`` (pages are callables under
    st.navigation; AppTest.switch_page only takes files, so the registered page hash is chosen)."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["n_boot"] = 100
    at.run()
    if batch_id:
        at.session_state["batch_id"] = batch_id
    if url_path == "overview":  # the default page
        return at.run()
    hashes = [h for h, info in at._registered_pages.items() if info.get("url_pathname") == url_path]
    assert hashes, f"no page at /{url_path}"
    at._page_hash = hashes[0]
    return at.run()


@pytest.fixture
def three_weeks(tmp_path, db):
    for i, (week, p_truth) in enumerate((("w1", 0.85), ("w2", 0.85), ("w3", 0.0))):
        ingest_batch(
            tmp_path, db, week, batch_rows(week, seed=40 + i, p_truth=p_truth), delivered=f"2026-10-{5 + 7 * i:02d}"
        )
    return db


def test_trends_page_shows_the_drop(three_weeks):
    at = open_page("trends", "w3")
    assert not at.exception
    assert at.title[0].value == "Trends"
    # verdict badges carry the full words (metric tiles truncated them to "REVI…") and no emoji
    badges = next(m.value for m in at.markdown if "-badge[" in m.value)
    assert ":green-badge[:material/check_circle: w1 · ACCEPT]" in badges
    assert ":red-badge[:material/block: w3 · REJECT]" in badges
    assert not at.metric
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    alpha = next(c for c in charts if "human_agreement" in json.dumps(c["layout"].get("title", "")))
    xs, ys = alpha["data"][0]["x"], alpha["data"][0]["y"]
    assert xs == ["w1", "w2", "w3"] and ys[2] < ys[1] - 0.4
    assert alpha["data"][0]["error_y"]["array"][2] > 0  # with its interval
    assert "<br>" in alpha["layout"]["title"]["text"]  # long titles wrap, not clipped
    assert alpha["data"][0]["marker"]["color"][2] == "#cf222e"  # changed since last week
    assert any(":red[worse: human_agreement" in m.value for m in at.markdown)  # by direction (issue 19)
    assert any("Only one vendor" in i.value for i in at.info)
    assert any("two-proportion z" in c.value for c in at.caption)


def test_evidence_page_builds_the_pack(three_weeks):
    at = open_page("evidence", "w3")
    assert not at.exception
    assert at.subheader[0].value == "Batch w3: REJECT"
    at.button[0].click().run()
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    assert "Download the HTML evidence pack" in labels and "Download every table (CSV, zip)" in labels
    assert any(label.startswith("Download trends") for label in labels)


def test_overview_shows_the_verdict(three_weeks):
    at = open_page("overview", "w3")
    assert not at.exception
    assert any(
        e.value.startswith("**Verdict: REJECT**")
        and "Krippendorff&#39;s alpha of the human annotators" in e.value
        or e.value.startswith("**Verdict: REJECT**")
        and "Krippendorff's alpha of the human annotators" in e.value
        for e in at.error
    )


def test_pages_on_an_empty_store_are_helpful(db):
    for page in ("trends", "evidence"):
        at = open_page(page)
        assert not at.exception
        assert any("holds no batches" in i.value for i in at.info)


def test_verdict_badges_name_every_verdict_in_full_and_escape_batch_names():
    from qualitylab.ui.pages.trends import verdict_badges

    line = verdict_badges([("w1", "REVIEW"), ("w_[2]", "INSUFFICIENT_EVIDENCE")])
    assert line == (
        ":orange-badge[:material/visibility: w1 · REVIEW] "
        ":gray-badge[:material/help: w&#95;(2) · INSUFFICIENT_EVIDENCE]"  # escape.markdown_text
    )
