"""The Items page through AppTest: every flag kind on the sample reaches its items in one click.

Each page's links to the Items page (Markdown links and the tables' ``open`` link columns) are
collected on the sample batches that plant each defect (acme-w1: position and length bias; acme-w3:
duplicate, identical and empty responses; acme-w4: re-delivered items; acme-w5: chance agreement,
a rushed annotator, gold misses, a judge), then each kind of link is followed: its URL's query
parameters open the Items page, which must show that filter with the library's rows and one item.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from qualitylab.items import items
from qualitylab.sample import load_sample
from qualitylab.store import open_store

APP = str(Path(__file__).resolve().parents[1] / "app.py")
LINK = re.compile(r"\]\((items\?[^)\s]+)\)")
SOURCES = {
    "acme-w1": ["annotators", "bias"],
    "acme-w3": ["hygiene", "overview"],
    "acme-w4": ["hygiene"],
    "acme-w5": ["agreement", "annotators", "judges", "evidence", "overview", "hygiene"],
}
#: every flag kind of the sample, and the filter its link must open
KINDS = {
    "position_flag",
    "length_flag",
    "fast",
    "disagrees_with_majority",
    "gold_failed",
    "judge_disagrees",
    "split",
    "contested",
    "duplicate_rows",
    "identical_responses",
    "empty_responses",
    "redelivered_items",
    "fast_verdicts",
}


def open_page(slug: str, params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["n_boot"] = 100
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    if slug != "overview":
        hashes = [h for h, info in at._registered_pages.items() if info.get("url_pathname") == slug]
        assert hashes, f"no page at /{slug}"
        at._page_hash = hashes[0]
        at.run()
    assert not at.exception, f"/{slug}: {[e.value for e in at.exception]}"
    return at


def page_links(at: AppTest) -> list[str]:
    urls = []
    for m in at.markdown:
        urls += LINK.findall(m.value)
    for df in at.dataframe:
        frame = df.value
        if "open" in frame.columns:
            urls += [u for u in frame["open"] if isinstance(u, str) and u.startswith("items?")]
    return urls


def follow(url: str) -> tuple[AppTest, dict[str, str]]:
    params = dict(parse_qsl(urlsplit(url).query))
    return open_page("items", params), params


def test_every_flag_kind_reaches_its_items(on_sample):
    first: dict[str, str] = {}
    for batch, slugs in SOURCES.items():
        for slug in slugs:
            at = open_page(slug, {"batch": batch})
            assert at.session_state["batch_id"] == batch  # the URL's batch is the sidebar's
            for url in page_links(at):
                params = dict(parse_qsl(urlsplit(url).query))
                assert params["batch"] == batch, url
                first.setdefault(params["filter"], url)
    assert KINDS <= set(first), f"no link for {sorted(KINDS - set(first))}"
    with open_store(on_sample, read_only=True) as s:
        for name in sorted(KINDS):
            at, p = follow(first[name])
            lib = items(s, p["batch"], p["filter"], p.get("value"), count=True)
            assert at.session_state["batch_id"] == p["batch"]
            assert at.session_state["items_filter"] == name
            head = next(c.value for c in at.caption if "query `" in c.value)
            assert f"of {lib.n_rows:,}" in head or f"{lib.n_rows:,} rows" in head, (name, head)
            assert lib.n_rows, f"{name}: the link leads to no rows ({first[name]})"
            if "comparison_id" in lib.columns or "item" in p:
                assert any(m.value.startswith("**Consensus:**") for m in at.markdown), name
                assert at.get("html"), f"{name}: no text blocks"


#: the pages whose links came last (Trends, Contract, Rankings vs ratings): (slug, batch) -> the filters
#: their links must include on the sample with its contract (acme-w5: chance agreement, h11 rushed,
#: the judge; acme-w2: ratings in the same task; acme-w1 is a calibration week flagged for bias)
MORE_PAGES = {
    ("trends", "acme-w5"): {"contested", "split", "fast", "judge_disagrees"},
    ("contract", "acme-w5"): {"contested", "split", "fast", "position_flag", "length_flag"},
    ("signals", "acme-w2"): {"rating_contradicts", "annotator"},
}


@pytest.fixture(scope="module")
def contract_db(tmp_path_factory) -> Path:
    """The sample with its contract (as `qualitylab sample` stores it, without the snapshots)."""
    from qualitylab.contract.sample import load_sample_contract

    db = tmp_path_factory.mktemp("sample-contract") / "sample.duckdb"
    for _ in load_sample(db):
        pass
    for _ in load_sample_contract(db):
        pass
    return db


def test_trends_contract_and_signals_links_reach_their_items(contract_db, monkeypatch):
    monkeypatch.setenv("QUALITYLAB_DB", str(contract_db))
    with open_store(contract_db, read_only=True) as s:
        for (slug, batch), kinds in MORE_PAGES.items():
            at = open_page(slug, {"batch": batch})
            by_filter: dict[str, str] = {}
            for url in page_links(at):
                p = dict(parse_qsl(urlsplit(url).query))
                by_filter.setdefault(p["filter"], url)
            assert kinds <= set(by_filter), f"/{slug} {batch}: links to {sorted(by_filter)}"
            for name in sorted(kinds):
                at, p = follow(by_filter[name])
                lib = items(s, p["batch"], p["filter"], p.get("value"), count=True)
                assert at.session_state["batch_id"] == p["batch"] and at.session_state["items_filter"] == name
                head = next(c.value for c in at.caption if "query `" in c.value)
                assert lib.n_rows and f"of {lib.n_rows:,}" in head, (slug, name, head)
                assert any(m.value.startswith("**Consensus:**") for m in at.markdown), (slug, name)


def test_a_shared_item_link_opens_that_item(on_sample):
    at, _ = follow("items?batch=acme-w5&filter=gold_failed&value=h11&item=acme-w5-c0083")
    assert at.session_state["items_item"] == "acme-w5-c0083"
    assert any("Comparison acme" in s.value for s in at.subheader)
    assert any(m.value.startswith("**Consensus:**") and "gold label" in m.value for m in at.markdown)
    assert dict(at.query_params)["item"] == ["acme-w5-c0083"] or dict(at.query_params)["item"] == "acme-w5-c0083"


def test_items_page_pages_and_unknown_values(on_sample):
    at, _ = follow("items?batch=acme-w5&filter=split")
    head = next(c.value for c in at.caption if "query `" in c.value)
    assert "rows 1-50 of 238" in head
    at.number_input(key="items_page").set_value(5).run()
    head = next(c.value for c in at.caption if "query `" in c.value)
    assert "rows 201-238 of 238" in head
    at, _ = follow("items?batch=acme-w5&filter=disagrees_with_majority&value=nobody")
    assert not at.exception and any("No items" in i.value for i in at.info)


def test_adjudicating_from_the_items_page(tmp_path, db):
    """The form needs a Reviewer; a recorded adjudication shows on the item and leaves the queue."""
    from conftest import write_jsonl
    from test_items import ROWS

    from qualitylab.ingest import ingest
    from qualitylab.snapshots import lookup, report_options, report_snapshot

    ingest(write_jsonl(tmp_path / "w1.jsonl", ROWS), "w1", db=db)
    report_snapshot(db, "w1", {"n_boot": 100})  # the app's request (open_page: n_boot 100)
    at, _ = follow("items?batch=w1&filter=queue")
    assert at.session_state["items_item"] == "c3"
    at.radio(key="items_adj_label").set_value("B")
    submit = next(b for b in at.button if b.label == "Record adjudication")
    submit.click().run()
    assert any("reviewer's name is required" in e.value for e in at.error)
    with open_store(db, read_only=True) as s:
        assert s.con.execute("SELECT count(*) FROM adjudications").fetchall()[0][0] == 0
    at.text_input(key="items_adj_reviewer").set_value("dana")
    at.text_area(key="items_adj_note").set_value("B cites the source")
    next(b for b in at.button if b.label == "Record adjudication").click().run()
    assert not at.exception
    assert any("recorded 1 adjudication" in s.value for s in at.success)
    at.run()
    assert any(m.value.startswith("**Adjudicated:** B by dana") for m in at.markdown)
    with open_store(db, read_only=True) as s:
        assert items(s, "w1", "queue").rows[0]["comparison_id"] == "c4"
        # adjudications are among the report's inputs: the stored snapshot is stale, and the pages say so
        assert lookup(s, "w1", report_options(s, "w1", {"n_boot": 100})).why == "stale: adjudications changed"
    at = open_page("overview", {"batch": "w1"})
    assert any("w1: stale: adjudications changed" in w.value for w in at.warning), [w.value for w in at.warning]


def test_the_sample_adjudications_have_the_manifest_effect_on_h11(on_sample):
    """sample_data/acme-w5-adjudications.csv, recorded by `qualitylab sample`: h11's accuracy against
    adjudication is the manifest's (computed from the generated rows by sample_data/gen_adjudication.py)."""
    import json

    from qualitylab.report import compute_sections

    m = json.loads((Path(APP).parent / "sample_data" / "manifest.json").read_text(encoding="utf-8"))["adjudication"]
    with open_store(on_sample, read_only=True) as s:
        sec = compute_sections(s, m["batch"], ["agreement", "annotators"], n_boot=20)
    h11 = {r["annotator_id"]: r for r in sec["agreement"].annotators}["h11"]
    stat, want = h11["adjudication_accuracy"], m["h11"]
    assert (h11["n_adjudicated"], stat.n) == (want["n_adjudicated"], want["n_adjudicated"])
    assert stat.value == pytest.approx(want["adjudication_accuracy"])
    assert (stat.ci95_low, stat.ci95_high) == pytest.approx((want["ci95_low"], want["ci95_high"]), abs=1e-9)
    flags = {r.annotator_id: [f.flag for f in r.flags] for r in sec["annotators"]}["h11"]
    assert ("low_adjudication_accuracy" in flags) == want["flagged_low_adjudication_accuracy"]
