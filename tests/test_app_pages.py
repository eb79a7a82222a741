"""Every app page through Streamlit's AppTest: the sample store, an empty store, an empty batch; the
global filters across pages; the Ingest page (refusal with file:line, success, size limit); and a
store being written by another process while the app renders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import write_jsonl
from streamlit.testing.v1 import AppTest

from qualitylab.ingest import ingest
from qualitylab.numbers import fmt_number
from qualitylab.report import build_report
from qualitylab.store import open_store
from qualitylab.ui.main import all_pages

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "app.py")
SLUGS = [slug for slug, *_ in all_pages()]
TITLES = {slug: title for slug, title, *_ in all_pages()}
N_BOOT = 200


def open_page(at: AppTest, slug: str) -> AppTest:
    """Select the page registered for ``slug`` (what a browser at /<slug> gets) and run.

    Streamlit 1.67's ``AppTest.switch_page`` only takes page files; our pages are callables
    registered through ``st.navigation``, so we pick the registered page's hash after a first run.
    """
    if not at._registered_pages:
        at.run()
    hashes = [h for h, info in at._registered_pages.items() if info.get("page_name") == TITLES[slug]]
    assert hashes, f"no page {TITLES[slug]!r} registered: {at._registered_pages}"
    at._page_hash = hashes[0]
    return at.run()


def new_app(batch: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["n_boot"] = N_BOOT
    if batch:
        at.session_state["batch_id"] = batch
    return at


def rendered_text(at: AppTest) -> str:
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(parts)


def assert_fine(at: AppTest, slug: str) -> None:
    assert not at.exception, f"/{slug}: {[e.value for e in at.exception]}"
    assert at.title and at.title[0].value == TITLES[slug], f"/{slug}: titles {[t.value for t in at.title]}"


# -- every page, three stores ----------------------------------------------------------------------
@pytest.mark.parametrize("slug", SLUGS)
def test_every_page_renders_on_the_sample_store(on_sample, slug):
    at = open_page(new_app("acme-w5"), slug)
    assert_fine(at, slug)
    # a page shows results: a number, a chart or a table (Ingest: its form)
    shown = len(at.metric) + len(at.get("plotly_chart")) + len(at.dataframe) + len(at.get("file_uploader"))
    if slug == "signals":  # acme-w5 has no ratings or rankings: the page is one line saying so (issue 19)
        assert not shown and [i.value for i in at.info] == [
            "Batch acme-w5 has no human ratings or rankings: this page compares them with the pairwise verdicts, "
            "so there is nothing to show. Choose another batch or annotator kind in the sidebar."
        ]
    else:
        assert shown, f"/{slug} shows no metric, chart, table or form"
    assert at.sidebar.selectbox(key="batch_id").value == "acme-w5"


def test_every_page_has_a_material_icon_not_an_emoji():
    """Debian's Chromium has no emoji font: emoji icons render as boxes; Material icons ship with Streamlit."""
    from streamlit.material_icon_names import ALL_MATERIAL_ICONS

    icons = {slug: icon for slug, _, icon, _ in all_pages()}
    assert set(icons) == set(SLUGS)
    for slug, icon in icons.items():
        assert icon.startswith(":material/") and icon.endswith(":"), f"/{slug}: {icon!r}"
        assert icon[len(":material/") : -1] in ALL_MATERIAL_ICONS, f"/{slug}: unknown icon {icon!r}"
    assert len(set(icons.values())) == len(icons)


@pytest.mark.parametrize("slug", SLUGS)
def test_every_page_is_helpful_on_an_empty_store(db, slug):
    at = open_page(new_app(), slug)
    assert_fine(at, slug)
    if slug != "ingest":
        assert any("holds no batches" in i.value for i in at.info), f"/{slug}: {rendered_text(at)}"


@pytest.fixture
def empty_batch(tmp_path, db) -> Path:
    """A batch that exists but holds no stored row: every delivered row was quarantined."""
    rows = [{"comparison_id": f"c{i}", "annotator_id": "h1", "preference": "maybe"} for i in range(3)]
    res = ingest(write_jsonl(tmp_path / "bad.jsonl", rows), "hollow", db=db, vendor="v", quarantine=True)
    assert res.n_stored == 0 and res.n_quarantined == 3
    return db


@pytest.mark.parametrize("slug", SLUGS)
def test_every_page_is_helpful_on_an_empty_batch(empty_batch, slug):
    at = open_page(new_app("hollow"), slug)
    assert_fine(at, slug)
    assert rendered_text(at).strip() != TITLES[slug], f"/{slug} shows nothing but its title"


# -- key numbers against the JSON report ------------------------------------------------------------
def test_overview_and_agreement_show_the_json_reports_numbers(on_sample):
    with open_store(on_sample, read_only=True) as store:
        doc = build_report(store, "acme-w5", n_boot=N_BOOT, sections=["agreement", "gate"])
    at = open_page(new_app("acme-w5"), "overview")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Judgments"] == f"{doc['counts']['n_judgments']:,}"
    assert metrics["Comparisons"] == f"{doc['counts']['n_comparisons']:,}"
    assert doc["gate"]["verdict"] == "REJECT"  # sample_data/manifest.json: w5 is rejected
    assert any("REJECT" in e.value for e in at.error)
    at = open_page(at, "agreement")
    metrics = {m.label: m.value for m in at.metric}
    alpha = doc["agreement"]["preference"]["krippendorff_alpha"]
    alpha = alpha.get("nominal", alpha) if "value" not in alpha else alpha
    assert metrics["Krippendorff's alpha (nominal)"] == fmt_number(alpha["value"]) == "-0.0000293"  # sign kept


# -- global filters ---------------------------------------------------------------------------------
def test_filters_persist_across_pages_and_across_a_batch_without_ratings(on_sample):
    at = open_page(new_app(), "overview")
    sb = at.sidebar
    assert sb.selectbox(key="batch_id").value == "acme-w6"  # latest delivered batch by default
    sb.selectbox(key="vendor").set_value("acme-labels").run()
    at.sidebar.selectbox(key="batch_id").set_value("acme-w4").run()
    at.sidebar.selectbox(key="aspect").set_value("harmlessness").run()
    at.sidebar.selectbox(key="annotator_kind").set_value("judge").run()
    for slug in ("agreement", "bias", "annotators", "ingest", "overview"):
        at = open_page(at, slug)
        assert not at.exception
        got = {k: at.sidebar.selectbox(key=k).value for k in ("vendor", "batch_id", "aspect", "annotator_kind")}
        assert got == {
            "vendor": "acme-labels",
            "batch_id": "acme-w4",
            "aspect": "harmlessness",
            "annotator_kind": "judge",
        }, slug
    # acme-w5 has no ratings: the aspect box is not drawn (Streamlit drops its key) ...
    at.sidebar.selectbox(key="batch_id").set_value("acme-w5").run()
    assert not any(s.key == "aspect" for s in at.sidebar.selectbox)
    at = open_page(at, "hygiene")
    # ... and the aspect comes back with a batch that has ratings
    at.sidebar.selectbox(key="batch_id").set_value("acme-w6").run()
    assert at.sidebar.selectbox(key="aspect").value == "harmlessness"
    assert at.session_state["flt_annotator_kind"] == "judge"


def test_current_filters_reports_the_sidebar(on_sample):
    at = AppTest.from_function(_show_filters, default_timeout=60)
    at.session_state["batch_id"] = "acme-w6"
    at.session_state["flt_aspect"] = "helpfulness"
    at.session_state["annotator_kind"] = "all"
    at.run()
    assert not at.exception
    got = json.loads(at.code[0].value)
    assert got == {
        "vendor": None,
        "batch_id": "acme-w6",
        "aspect": "helpfulness",
        "annotator_kind": "all",
        "kinds": ["human", "judge"],
    }
    at.session_state["batch_id"] = "acme-w5"  # no ratings there: the aspect does not apply
    at.run()
    assert json.loads(at.code[0].value)["aspect"] is None


def _show_filters():
    import dataclasses
    import json

    import streamlit as st

    from qualitylab.ui import data

    f = data.current_filters()
    st.code(json.dumps(dict(dataclasses.asdict(f), kinds=list(f.kinds()))))


# -- Ingest page ------------------------------------------------------------------------------------
def _batches(db: Path) -> list[str]:
    if not db.exists():
        return []
    with open_store(db, read_only=True) as store:
        return [r["batch_id"] for r in store.rows("store/batch_names")]


def _upload(at: AppTest, name: str, content: bytes, batch: str, **fields) -> AppTest:
    at.get("file_uploader")[0].upload(name, content)
    at.text_input(key="ingest_batch").input(batch)
    for key, value in fields.items():
        at.text_input(key=key).input(value)
    at.button[0].click()  # the form's submit button
    return at.run()


GOOD = [
    {"comparison_id": f"c{i}", "annotator_id": a, "preference": p}
    for i in range(4)
    for a, p in (("h1", "A"), ("h2", "B"))
]


def test_ingest_page_refuses_a_bad_file_like_the_cli_and_stores_nothing(tmp_path, db):
    ingest(write_jsonl(tmp_path / "first.jsonl", GOOD), "w1", db=db, vendor="acme")
    before = _batches(db)
    bad = (
        json.dumps(GOOD[0])
        + "\n"
        + '{"comparison_id": "c9", "annotator_id": "h1", "preference": "maybe"}\n'
        + "{not json\n"
    ).encode()
    at = open_page(new_app(), "ingest")
    at = _upload(at, "week2.jsonl", bad, "w2")
    assert not at.exception
    text = rendered_text(at) + "\n".join(c.value for c in at.code)
    assert "Refused" in text and "nothing was stored" in text
    assert "week2.jsonl:2: column 'preference':" in text  # file:line, the column, the reason
    assert "week2.jsonl:3:" in text  # the syntax error's line (and char)
    # the same lines the CLI prints
    from qualitylab.errors import InvalidInputError

    with pytest.raises(InvalidInputError) as e:
        (tmp_path / "week2.jsonl").write_bytes(bad)
        ingest(tmp_path / "week2.jsonl", "w2", db=tmp_path / "other.duckdb")
    for line in e.value.lines():
        assert line in at.code[0].value
    assert _batches(db) == before
    problems = next(df.value for df in at.dataframe if "reason" in df.value.columns)
    assert list(problems["line"]) == [2, 3]


def test_ingest_page_stores_a_good_file_and_selects_its_batch(tmp_path, db):
    ingest(write_jsonl(tmp_path / "first.jsonl", GOOD), "w1", db=db, vendor="acme")
    at = open_page(new_app(), "ingest")
    assert at.sidebar.selectbox(key="batch_id").value == "w1"
    at = _upload(
        at, "../../etc/w2.jsonl", "".join(json.dumps(r) + "\n" for r in GOOD[:6]).encode(), "w2", ingest_vendor="acme"
    )
    assert not at.exception
    assert any("stored 6 pairwise row(s) from w2.jsonl" in s.value for s in at.success)
    assert at.sidebar.selectbox(key="batch_id").value == "w2"  # the new batch is chosen
    assert _batches(db) == ["w1", "w2"]
    at = open_page(at, "overview")
    assert {m.label: m.value for m in at.metric}["Judgments"] == "6"


def test_ingest_page_refuses_a_file_over_the_upload_limit(tmp_path, db, monkeypatch):
    monkeypatch.setenv("QUALITYLAB_UPLOAD_MAX_MB", "1")
    at = open_page(new_app(), "ingest")
    assert any("Upload limit: **1 MB**" in c.value for c in at.caption)
    big = ("".join(json.dumps(r) + "\n" for r in GOOD) * 20_000).encode()
    assert len(big) > 1024 * 1024
    at = _upload(at, "big.jsonl", big, "w9")
    assert not at.exception
    assert any("over the 1 MB upload limit" in e.value for e in at.error)
    assert _batches(db) == []


def test_ingest_page_reports_a_conflict_with_the_clis_hint(tmp_path, db):
    ingest(write_jsonl(tmp_path / "first.jsonl", GOOD), "w1", db=db)
    at = open_page(new_app(), "ingest")
    at = _upload(at, "other.jsonl", "".join(json.dumps(r) + "\n" for r in GOOD[:2]).encode(), "w1")
    assert not at.exception
    assert any("Batch exists" in e.value for e in at.error)
    assert any("--replace" in c.value for c in at.caption)


# -- another process writing while the app renders -------------------------------------------------
HOLD_LOCK = """
import sys, time
from qualitylab.store import open_store
with open_store(sys.argv[1]) as store:
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _hold_write_lock(db: Path, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(db), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_a_page_waits_for_a_writer_in_another_process(tmp_path, db):
    ingest(write_jsonl(tmp_path / "first.jsonl", GOOD), "w1", db=db)
    proc = _hold_write_lock(db, 2.0)
    try:
        t = time.monotonic()
        at = open_page(new_app(), "overview")
        waited = time.monotonic() - t
    finally:
        proc.wait(timeout=30)
    assert not at.exception
    assert waited > 0.5  # it did wait for the lock (no timing bound asserted)
    assert {m.label: m.value for m in at.metric}["Judgments"] == "8"


def test_a_store_busy_for_too_long_gives_a_friendly_page(tmp_path, db, monkeypatch):
    ingest(write_jsonl(tmp_path / "first.jsonl", GOOD), "w1", db=db)
    from qualitylab.ui import data

    monkeypatch.setattr(data, "BUSY_RETRY_SECONDS", 0.5)
    proc = _hold_write_lock(db, 8.0)
    try:
        at = new_app().run()
    finally:
        proc.kill()
        proc.wait()
    assert not at.exception
    assert any("store is still busy" in w.value for w in at.warning)


def _locked(db: Path) -> bool:
    """Does another process hold the store's write lock right now?"""
    from qualitylab.ui import data

    try:
        with data.read_store(db):
            return False
    except data.StoreBusy:
        return True


def test_app_renders_while_an_ingest_runs_in_another_process(tmp_path, db):
    ingest(write_jsonl(tmp_path / "first.jsonl", GOOD), "w1", db=db, vendor="acme")
    rows = [
        {
            "comparison_id": f"c{i}",
            "annotator_id": f"h{i % 7}",
            "preference": "AB"[i % 2],
            "response_a": "word " * (i % 50),
            "response_b": "other " * (i % 30),
        }
        for i in range(40_000)
    ]
    big = write_jsonl(tmp_path / "w2.jsonl", rows)
    cli = [sys.executable, "-m", "qualitylab.cli", "ingest", str(big), "--batch", "w2", "--db", str(db)]
    env = dict(os.environ, QUALITYLAB_DB=str(db))
    proc = subprocess.Popen(cli, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    renders = during = 0
    try:
        at = new_app()
        deadline = time.monotonic() + 60
        while not _locked(db) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)  # until the ingest holds the write lock
        while proc.poll() is None or renders < 2:
            during += _locked(db)  # this render starts while the ingest writes
            at = open_page(at, SLUGS[renders % 4])  # Overview, Agreement, Distributions, Bias
            assert not at.exception, [e.value for e in at.exception]
            renders += 1
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "stored 40000 pairwise row(s)" in out
    assert during >= 1, "no page was rendered while the ingest held the store: make the file bigger"
    at = open_page(at, "overview")
    assert "w2" in at.sidebar.selectbox(key="batch_id").options


def test_the_apps_cached_report_and_trend_equal_the_clis(on_sample):
    """The Evidence page builds its pack from the app's cached reports: the same document (but the
    timestamp) and the same vendor trend as `qualitylab report` computes from the store."""
    at = AppTest.from_function(_compare_with_cli, default_timeout=180)
    at.session_state["n_boot"] = N_BOOT
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [c.value for c in at.code] == ["same report", "same trend"]


def _compare_with_cli():
    import streamlit as st

    from qualitylab.evidence import vendor_trend_rows
    from qualitylab.report import build_report
    from qualitylab.store import open_store
    from qualitylab.ui import data

    def _close(a, b) -> bool:
        """Equal, floats to 1e-9 relative: DuckDB's parallel sums differ in the last bits from run to run
        (seen in length_bias.ratings rho and the leaderboard's cost curves), so a report is not bit-identical."""
        import math

        if isinstance(a, float) and isinstance(b, float):
            return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
        if isinstance(a, dict) and isinstance(b, dict):
            return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
        if isinstance(a, list) and isinstance(b, list):
            return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
        return a == b

    app_doc = data.report_json("acme-w4")
    with open_store(data.db_path(), read_only=True) as store:
        cli_doc = build_report(store, "acme-w4", n_boot=200)
        cli_trend = vendor_trend_rows(store, cli_doc)
    for d in (app_doc, cli_doc):
        d["methods"].pop("generated_at")
    st.code("same report" if _close(app_doc, cli_doc) else "different report")
    st.code("same trend" if _close(data.vendor_trend_rows(app_doc), cli_trend) else "different trend")


def test_pages_honour_the_sidebars_aspect(on_sample):
    at = new_app("acme-w6")
    at.session_state["flt_aspect"] = "harmlessness"
    at = open_page(at, "distributions")
    assert not at.exception
    likert = [t for c in at.get("plotly_chart") for t in json.loads(c.proto.spec)["data"] if "(" in str(t.get("name"))]
    assert [t["name"] for t in likert] == ["harmlessness (human)"]
    assert all(hi >= 0 for hi in likert[0]["error_y"]["array"])  # Wilson intervals drawn
    at = open_page(at, "agreement")
    assert at.radio(key="agreement_block").value == "Ratings: harmlessness"


def test_annotators_page_plots_agreement_against_gold_with_intervals(on_sample):
    at = open_page(new_app("acme-w5"), "annotators")
    assert not at.exception
    traces = [t for c in at.get("plotly_chart") for t in json.loads(c.proto.spec)["data"]]
    flagged = next(t for t in traces if t["name"] == "flagged")
    assert "h11" in flagged["text"]  # sample_data/manifest.json: h11 rushes week 5 (poor gold)
    assert flagged["error_x"]["array"] and flagged["error_y"]["array"]


def test_a_store_that_needs_migrating_gives_the_clis_message(tmp_path, db, monkeypatch):
    ingest(write_jsonl(tmp_path / "first.jsonl", GOOD), "w1", db=db)
    import qualitylab.store

    monkeypatch.setattr(qualitylab.store, "SCHEMA_VERSION", qualitylab.store.SCHEMA_VERSION + 1)
    at = new_app().run()
    assert not at.exception
    assert any("Store needs migrating" in e.value for e in at.error)
    assert any("qualitylab migrate" in c.value for c in at.caption)
