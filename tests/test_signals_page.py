"""The Rankings vs ratings page through Streamlit's AppTest, on a real store named by $QUALITYLAB_DB."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from conftest import write_jsonl
from streamlit.testing.v1 import AppTest

from qualitylab.ingest import ingest

APP = str(Path(__file__).resolve().parents[1] / "app.py")
MODELS = {"m1": 1.0, "m2": 0.3, "m3": 0.0, "m4": -0.6}


def _open_signals(at: AppTest) -> AppTest:
    """Run the app, then select the page registered at /signals (Streamlit 1.67's switch_page only
    takes page files; our pages are callables registered through st.navigation)."""
    at.run()
    hashes = [h for h, info in at._registered_pages.items() if info.get("url_pathname") == "signals"]
    assert hashes, f"no page registered at /signals: {at._registered_pages}"
    at._page_hash = hashes[0]
    return at.run()


def _batch(tmp_path, db, rankings: bool = True, aspects: tuple[str, ...] = ("helpfulness",)) -> None:
    """30 prompts x 6 model pairs x 3 humans, with ratings (m3 inflated; per aspect) and rankings of the
    4 models (left out with ``rankings=False``)."""
    rng = np.random.default_rng(0)
    names = list(MODELS)
    pw, rt, rk = [], [], []
    for p in range(30):
        pid = f"p{p}"
        for i in range(4):
            for j in range(i + 1, 4):
                for a in ("h1", "h2", "h3"):
                    z = MODELS[names[i]] - MODELS[names[j]] + rng.normal()
                    pw.append(
                        {
                            "comparison_id": f"{pid}-{i}{j}",
                            "annotator_id": a,
                            "prompt_id": pid,
                            "preference": "A" if z > 0.2 else "B" if z < -0.2 else "tie",
                            "model_a": names[i],
                            "model_b": names[j],
                            "strength": int(min(3, abs(z) // 0.6)),
                            "rating_a": int(np.clip(round(4 + 2 * MODELS[names[i]] + rng.normal()), 1, 7)),
                            "rating_b": int(np.clip(round(4 + 2 * MODELS[names[j]] + rng.normal()), 1, 7)),
                            "seconds": float(rng.uniform(20, 60)),
                        }
                    )
        for a in ("h1", "h2"):
            for m, q in MODELS.items():
                for aspect in aspects:
                    score = int(np.clip(round(4 + 2 * (q + (1.5 if m == "m3" else 0)) + rng.normal(scale=0.5)), 1, 7))
                    rt.append(
                        {
                            "item_id": f"{pid}-{m}",
                            "annotator_id": a,
                            "score": score,
                            "aspect": aspect,
                            "prompt_id": pid,
                            "model": m,
                            "seconds": 20.0,
                        }
                    )
            order = sorted(MODELS, key=lambda m: -(MODELS[m] + rng.normal(scale=0.5)))
            rk += [
                {
                    "prompt_id": pid,
                    "annotator_id": a,
                    "response_id": f"{pid}-{m}",
                    "rank": r + 1,
                    "model": m,
                    "seconds": 15.0,
                }
                for r, m in enumerate(order)
            ]
    for name, rows, kind in (("pw", pw, "pairwise"), ("rt", rt, "rating"), ("rk", rk, "ranking"))[
        : 3 if rankings else 2
    ]:
        ingest(write_jsonl(tmp_path / f"{name}.jsonl", rows), "w1", db=db, kind=kind, mode="append")


def test_signals_page_shows_leaderboards_agreement_cost_and_strength(tmp_path, db):
    _batch(tmp_path, db)
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["n_boot"] = 200
    at = _open_signals(at)
    assert not at.exception
    assert at.title[0].value == "Rankings vs ratings"
    headers = [h.value for h in at.header]
    assert headers[:2] == ["Which signal is the better buy?", "Leaderboards"]
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    # leaderboards side by side: three panels over the same models, with error bars
    board = charts[0]
    assert len(board["data"]) == 3 and all(set(d["y"]) == set(MODELS) for d in board["data"])
    assert all("error_x" in d for d in board["data"])
    assert not any(c.value.startswith("Not shown") for c in at.caption)
    # the better buy's median hours: a point estimate, said so, with the per-pair intervals pointed to
    assert any(m.label.endswith("median hours per pair") for m in at.metric)
    assert any("point estimate (no interval on the median)" in c.value for c in at.caption)
    assert any("with its 95% interval, are in the table" in c.value for c in at.caption)
    # the planted inflation of m3 is called out beyond the intervals
    assert any("m3" in w.value and "ratings puts m3 ahead" in w.value for w in at.warning)
    bars = next(c for c in charts if c["data"] and c["data"][0]["type"] == "bar")
    assert "Ratings in the same task" in bars["data"][0]["x"] and "Rankings (every pair)" in bars["data"][0]["x"]
    curves = [c for c in charts if c["data"] and c["data"][0].get("mode") == "lines"]
    assert curves and {d["name"].split(" (")[0] for d in curves[0]["data"]} == {
        "Pairwise verdicts",
        "Rankings",
        "Mean ratings",
    }
    assert curves[0]["layout"]["xaxis"]["title"]["text"] == "annotation hours"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Direction agreement (same task)"] != "—"
    assert metrics["Unsure rate (strength 0)"] != "—"
    tables = [df.value for df in at.dataframe]
    assert any("hours_needed" in t.columns for t in tables)
    # the soft win rate beside the win rate (issue 14 item 12; the hard outcomes here, so equal to it)
    board_table = next(t for t in tables if any(str(c).startswith("pairwise_win_rate_soft") for c in t.columns))
    cols = [str(c) for c in board_table.columns]
    assert cols.index(next(c for c in cols if c.startswith("pairwise_win_rate_soft"))) > cols.index(
        next(c for c in cols if c.startswith("pairwise_win_rate"))
    )
    assert any("strength_inflation" in t.columns for t in tables)
    # another model pair in the cost selector redraws the curves without error
    at.selectbox(key="signals_pair").set_value(("m1", "m3")).run()
    assert not at.exception


def test_signals_page_explains_a_batch_without_ratings(tmp_path, db):
    rows = [{"comparison_id": f"c{i}", "annotator_id": a, "preference": "A"} for i in range(3) for a in ("x", "y")]
    ingest(write_jsonl(tmp_path / "v.jsonl", rows), "w1", db=db)
    at = _open_signals(AppTest.from_file(APP, default_timeout=60))
    assert not at.exception
    # one line saying what is missing, not screens of "not computable" (issue 19 item 5)
    assert [i.value for i in at.info] == [
        "Batch w1 has no human ratings or rankings: this page compares them with the pairwise verdicts, "
        "so there is nothing to show. Choose another batch or annotator kind in the sidebar."
    ]
    assert not at.metric and not at.dataframe


def test_signals_page_on_an_empty_store(db):
    at = _open_signals(AppTest.from_file(APP, default_timeout=60))
    assert not at.exception
    assert any("holds no batches" in i.value for i in at.info)


def test_signals_page_hides_the_leaderboard_of_a_signal_the_batch_lacks(tmp_path, db):
    _batch(tmp_path, db, rankings=False)
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["n_boot"] = 100
    at = _open_signals(at)
    assert not at.exception
    board = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert [d["name"] for d in board["data"]] == ["Pairwise verdicts", "Mean ratings"]  # no empty Rankings axes
    assert [a["text"] for a in board["layout"]["annotations"]] == ["Pairwise verdicts", "Mean ratings"]
    assert any(c.value == "Not shown: Rankings (the batch has no rankings)." for c in at.caption)


def test_signals_page_opens_on_the_sidebars_aspect_and_reuses_the_cached_report(tmp_path, db, monkeypatch):
    import qualitylab.ui.data as ui_data

    _batch(tmp_path, db, aspects=("harmlessness", "helpfulness"))
    calls = []
    real = ui_data.compute_sections
    monkeypatch.setattr(
        ui_data,
        "compute_sections",
        lambda store, batch, names, **kw: calls.append((names, kw["options"])) or real(store, batch, names, **kw),
    )
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["n_boot"] = 100
    at.run()  # Overview: computes the batch's full report (the gate)
    assert not at.exception and calls[-1] == (None, {})
    n_calls = len(calls)
    at = _open_signals(at)
    assert not at.exception
    # report defaults (helpfulness, humans): served from the cached full report, nothing recomputed
    assert not [s for s in at.selectbox if s.key == "signals_aspect"]  # no aspect box of its own (issue 19)
    assert any("rating aspect **helpfulness**" in c.value for c in at.caption)
    assert len(calls) == n_calls
    # the sidebar's aspect is the page's aspect
    at.sidebar.selectbox(key="aspect").set_value("harmlessness").run()
    assert not at.exception
    assert any("rating aspect **harmlessness**" in c.value for c in at.caption)
    assert calls[-1] == (["ratings_vs_preferences", "leaderboard", "strength"], {"aspect": "harmlessness"})
    # back to (all): the report's default again, served from the cache
    at.sidebar.selectbox(key="aspect").set_value("(all)").run()
    assert any("rating aspect **helpfulness**" in c.value for c in at.caption) and len(calls) == n_calls + 1


def test_report_options_are_only_the_differences_from_the_reports_defaults():
    from qualitylab.ui.pages.signals import report_options

    assert report_options("human", "helpfulness", "helpfulness") == {}
    assert report_options("human", None, None) == {}
    assert report_options("judge", "overall", "helpfulness") == {"annotator_kind": "judge", "aspect": "overall"}
