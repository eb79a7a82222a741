"""The Agreement page through Streamlit's AppTest, on a real store named by $QUALITYLAB_DB."""

from __future__ import annotations

import json
import random
from pathlib import Path

from conftest import write_jsonl
from streamlit.testing.v1 import AppTest

from qualitylab.ingest import ingest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def _open_agreement(at: AppTest) -> AppTest:
    """Run the app, then navigate to the Agreement page.

    Streamlit 1.67's ``AppTest.switch_page`` only takes page *files*; our pages are callables
    registered by ``st.navigation`` under a url_path, so we select the registered page's hash
    (the one a browser session gets for /agreement) after the first run.
    """
    at.run()
    hashes = [h for h, info in at._registered_pages.items() if info.get("url_pathname") == "agreement"]
    assert hashes, f"no page registered at /agreement: {at._registered_pages}"
    at._page_hash = hashes[0]
    return at.run()


def test_agreement_page_shows_coefficients_heatmap_and_tables(tmp_path, db):
    rng = random.Random(0)
    rows = []
    for c in range(40):
        truth = rng.choice("AAB")
        for a in rng.sample(["h1", "h2", "h3", "h4"], 3):
            p = truth if rng.random() < 0.75 else rng.choice(["A", "B", "tie"])
            rows.append(
                {"comparison_id": f"c{c}", "annotator_id": a, "preference": p, "gold": truth if c % 5 == 0 else None}
            )
    rows.append({"comparison_id": "lonely", "annotator_id": "h1", "preference": "A"})
    ingest(write_jsonl(tmp_path / "v.jsonl", rows), "w1", db=db)
    at = _open_agreement(AppTest.from_file(APP, default_timeout=60))
    assert not at.exception
    assert at.title[0].value == "Agreement"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Pairable items"] == "40" and metrics["Excluded (one value)"] == "1"
    assert metrics["Percent agreement (raw)"] != "—" and metrics["Krippendorff's alpha (nominal)"] != "—"
    assert any("thresholds depend on context" in c.value for c in at.caption)
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    kinds = [c["data"][0]["type"] for c in charts if c["data"]]
    assert "heatmap" in kinds and "bar" in kinds and "scatter" in kinds
    heat = next(c for c in charts if c["data"] and c["data"][0]["type"] == "heatmap")
    assert heat["data"][0]["x"] == ["h1", "h2", "h3", "h4"]
    tables = [df.value for df in at.dataframe]
    assert any("annotator_2" in t.columns for t in tables)
    assert any("agreement_with_majority" in t.columns for t in tables)
    # the tests of every coefficient and the per-category kappas (issue 14 items 8, 9)
    tests = next(t for t in tables if "variance_method" in t.columns)
    assert set(tests["coefficient"]) >= {"Fleiss' kappa", "Gwet's AC1"} and tests["p_value"].notna().all()
    per = next(t for t in tables if "category" in t.columns)
    assert list(per["category"]) == ["B", "tie", "A"]
    assert any("Scale: B, tie, A" in c.value for c in at.caption)


def test_agreement_page_explains_a_degenerate_batch(tmp_path, db):
    rows = [{"comparison_id": f"c{i}", "annotator_id": f"h{i}", "preference": "A"} for i in range(4)]
    ingest(write_jsonl(tmp_path / "v.jsonl", rows), "w1", db=db)
    at = _open_agreement(AppTest.from_file(APP, default_timeout=60))
    assert not at.exception
    assert any("no overlapping items" in w.value for w in at.warning)


def test_agreement_page_on_an_empty_store_is_helpful(db):
    at = _open_agreement(AppTest.from_file(APP, default_timeout=60))
    assert not at.exception
    assert any("holds no batches" in i.value for i in at.info)


def test_agreement_page_strength_scale_and_rating_aspects(tmp_path, db):
    rng = random.Random(1)
    rows, ratings = [], []
    for c in range(30):
        truth = rng.choice("AB")
        for a in ("h1", "h2", "h3"):
            p = truth if rng.random() < 0.8 else "tie"
            rows.append(
                {
                    "comparison_id": f"c{c}",
                    "annotator_id": a,
                    "preference": p,
                    "strength": 0 if p == "tie" else rng.randint(1, 3),
                }
            )
        for a in ("r1", "r2"):
            ratings.append(
                {
                    "item_id": f"i{c}",
                    "annotator_id": a,
                    "aspect": "helpfulness",
                    "score": min(7, max(1, 4 + rng.choice([-1, 0, 1]))),
                }
            )
    ingest(write_jsonl(tmp_path / "v.jsonl", rows), "w1", db=db)
    ingest(write_jsonl(tmp_path / "r.jsonl", ratings), "w1", db=db)
    at = _open_agreement(AppTest.from_file(APP, default_timeout=60))
    radio = at.radio(key="agreement_block")
    assert radio.options[1].startswith("Strength scale") and radio.options[2] == "Ratings: helpfulness"
    for option, alpha_label in (
        (radio.options[1], "Krippendorff's alpha (ordinal)"),
        (radio.options[2], "Krippendorff's alpha (ratio)"),
    ):
        at.radio(key="agreement_block").set_value(option).run()
        assert not at.exception
        metrics = {m.label: m.value for m in at.metric}
        assert metrics[alpha_label] != "—" and metrics["Gwet's AC2 (quadratic)"] != "—"
        assert not any("agreement_with_majority" in df.value.columns for df in at.dataframe)
    # the rating block shows the ICC forms (one-way and, on the complete r1 x r2 block, two-way)
    icc = next(df.value for df in at.dataframe if "form" in df.value.columns)
    assert list(icc["form"]) == ["ICC(1)", "ICC(1,k)", "ICC(A,1)", "ICC(C,1)", "ICC(A,k)", "ICC(C,k)"]
    assert any("Test-retest" == h.value for h in at.subheader)
