"""Issue 19 in a real browser: the app a reviewer trusts on a Friday, item by item, on the sample.

One ``qualitylab app --headless`` (the command a user runs: 127.0.0.1, minimal toolbar, Streamlit in
a child process) serves a store built by ``qualitylab sample`` (which stores every batch's report
snapshot, so a page with a verdict opens from the snapshot instead of computing the report) for the
whole module; headless Debian Chromium through Playwright (tests/browser_helpers.py) opens its pages.
Expected numbers come from ``qualitylab report --batch NAME --json`` on the same store, written with
the one number formatter (qualitylab/numbers.py). The last test stops the server with SIGTERM.

Screenshots of every item are kept in ``$QUALITYLAB_TEST_ARTIFACTS/browser/`` (default
``test-artifacts/browser/`` in the checkout, git-ignored; docs/app.md, "Tested in a browser").

Cells of ``st.dataframe`` are read from the grid's accessibility table (``td[role=gridcell]``): for text
cells (statistics as ``value [low, high]``, lists, words) it holds the drawn text; numeric cells keep
their raw number there (the grid draws the formatter's text on a canvas), so drawn numbers are read
from Markdown (the banner) and from text columns.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from browser_helpers import chromium, free_port, stop_process, wait_healthy
from test_app_serve import _alive, _children, _listening
from test_browser_e2e import assert_no_exception, choose, filter_box

from qualitylab.gates.words import criterion_sentence, failing
from qualitylab.numbers import fmt_interval
from qualitylab.ui.widgets import CHANGE_BACKGROUNDS, WRAP_ROW_PX

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("QUALITYLAB_TEST_ARTIFACTS") or REPO / "test-artifacts") / "browser"
#: generous but bounded: a page of the sample opens in seconds from its snapshot; a loaded 2-core machine
#: (8 agents' test runs) has taken over a minute for a cold page
PAGE_MS = 180_000
STARTUP_S = 180
pytestmark = pytest.mark.browser


def _cli(*args: str, db: Path) -> subprocess.CompletedProcess:
    out = subprocess.run(
        [sys.executable, "-m", "qualitylab.cli", *args, "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("review")
    db = tmp / "store.duckdb"
    _cli("sample", db=db)
    # every batch has a valid stored snapshot: pages with a verdict open from it (no report computed)
    batches = json.loads(_cli("batches", "--json", db=db).stdout)
    assert all(b["verdict"] for b in batches), [(b["batch_id"], b["verdict_reason"]) for b in batches]
    docs = {b: json.loads(_cli("report", "--batch", b, "--json", db=db).stdout) for b in ("acme-w5", "acme-w6")}
    return {"db": db, "tmp": tmp, "batches": batches, "docs": docs}


@pytest.fixture(scope="module")
def app(store):
    """``qualitylab app --headless`` on a free port; the last test stops it (else stopped here)."""
    db, tmp = store["db"], store["tmp"]
    port = free_port()
    log = tmp / "app.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "qualitylab.cli", "app", "--headless", "--port", str(port), "--db", str(db)],
        cwd=tmp,
        env=dict(os.environ, STREAMLIT_SERVER_FILE_WATCHER_TYPE="none"),
        stdout=open(log, "w"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(proc, base, STARTUP_S, log, "qualitylab app")
        yield {"proc": proc, "port": port, "base": base, "log": log}
    finally:
        stop_process(proc, 30)


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser, app):
    """A fresh browser session (a new Streamlit session; the server's caches are shared)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1600}, accept_downloads=True)
    p = context.new_page()
    p.set_default_timeout(PAGE_MS)
    errors: list[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    yield p
    context.close()
    assert not errors, errors


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def idle(page) -> None:
    """Until the script run the last action started has finished (bounded by PAGE_MS)."""
    page.wait_for_timeout(400)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=PAGE_MS)
    page.wait_for_timeout(300)


def open_page(page, app, slug: str, title: str, batch: str | None = None) -> None:
    """Open ``/slug?batch=...`` (a shared link: it selects the sidebar's batch) and wait for the page."""
    page.goto(f"{app['base']}/{slug}" + (f"?batch={batch}" if batch else ""))
    page.locator("h1").filter(has_text=title).first.wait_for(timeout=PAGE_MS)
    idle(page)
    assert_no_exception(page, f"/{slug}")
    if batch:
        assert filter_box(page, "batch_id").input_value() == batch


def main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def frame(page, name: str):
    """The ``st.dataframe`` drawn by ``widgets.table(df, name)``: the grid just before its download button."""
    button = page.locator(f'[data-testid="stDownloadButton"] button:has-text("Download {name}.csv")').first
    button.wait_for(timeout=PAGE_MS)
    return button.locator('xpath=preceding::div[@data-testid="stDataFrame"][1]')


def grid(df) -> list[dict[str, str]]:
    """The rows the grid has drawn, as {header: cell text} (its accessibility table)."""
    df.locator('td[role="gridcell"]').first.wait_for(state="attached", timeout=PAGE_MS)
    heads, rows = df.evaluate(
        """el => [
            Object.fromEntries([...el.querySelectorAll('th[role="columnheader"]')]
                .map(th => [th.getAttribute('aria-colindex'), th.innerText.trim()])),
            [...el.querySelectorAll('tbody tr')].map(tr => [...tr.querySelectorAll('td[role="gridcell"]')]
                .map(td => [td.getAttribute('aria-colindex'), td.innerText]))
        ]"""
    )
    return [{heads.get(i, i): text for i, text in row} for row in rows if row]


def download(page, name: str) -> list[dict[str, str]]:
    """Click "Download NAME.csv" as a person does; the CSV's rows."""
    with page.expect_download(timeout=PAGE_MS) as d:
        page.locator(f'[data-testid="stDownloadButton"] button:has-text("Download {name}.csv")').first.click()
    return list(csv.DictReader(io.StringIO(Path(d.value.path()).read_text(encoding="utf-8"))))


STAT = re.compile(r"^-?[\d,.]+(e-\d+)? \[-?[\d,.]+(e-\d+)?, -?[\d,.]+(e-\d+)?\]$")


# -- item 1 ---------------------------------------------------------------------------------------------


def test_item1_rankings_win_rate_and_bt_are_not_integers(page, app, store):
    open_page(page, app, "signals", "Rankings vs ratings", "acme-w6")
    name = "leaderboards"
    rows = grid(frame(page, name))
    lb = store["docs"]["acme-w6"]["leaderboard"]["models"]
    assert rows and len(rows) == len(lb)
    for col in ("rankings_win_rate", "rankings_bt", "pairwise_win_rate", "pairwise_bt"):
        cells = [r[col] for r in rows if col in r]
        assert cells, f"{col} not drawn: {list(rows[0])}"
        assert all(STAT.match(c) for c in cells), cells
        # 0.756 [0.667, 0.845], never "1 [1, 1]": at least one bound is not a whole number
        assert any(re.search(r"\d\.\d", c) for c in cells), cells
    by_model = {m["model"]: m for m in lb}
    for r in rows:
        want = by_model[r["model"]]["rankings_win_rate"]
        assert r["rankings_win_rate"] == fmt_interval(want["value"], want["ci95_low"], want["ci95_high"])
    shot(page, "item1-rankings-vs-ratings-acme-w6")
    back = download(page, name)
    assert {r["model"] for r in back} == set(by_model)
    for r in back:  # full precision in the CSV
        assert float(r["rankings_win_rate"]) == pytest.approx(by_model[r["model"]]["rankings_win_rate"]["value"])
        assert float(r["rankings_win_rate_ci95_low"]) == pytest.approx(
            by_model[r["model"]]["rankings_win_rate"]["ci95_low"]
        )


# -- items 2 and 4: the verdict first, in words, the sign kept -------------------------------------------


def test_items2_4_overview_banner_says_every_failing_criterion_with_its_sign(page, app, store):
    doc = store["docs"]["acme-w5"]
    open_page(page, app, "", "Overview", "acme-w5")
    banner = page.locator('[data-testid="stAlert"]').filter(has_text="Verdict:").first
    text = banner.inner_text()
    assert "Verdict: REJECT" in text
    gate = doc["gate"]
    bad = failing(gate)
    items = banner.locator("li").all_inner_texts()
    assert len(items) == len(bad) >= 4  # every failing criterion, not only the deciding one
    for li, c in zip(items, bad, strict=True):
        assert criterion_sentence(c) in li, (li, criterion_sentence(c))
        assert c["outcome"] in li
    alpha = next(c for c in gate["criteria"] if c["id"] == "human_agreement")
    assert alpha["value"] < 0  # the sample's week 5: alpha -0.0000293 (sample_data/manifest.json)
    drawn = fmt_interval(alpha["value"], alpha["ci95_low"], alpha["ci95_high"])
    assert drawn.startswith("-0.0000") and drawn in items[0] and "(decides the verdict)" in items[0]
    assert "Krippendorff's alpha" in items[0]
    # the batches table: every batch's verdict from its stored snapshot, as `qualitylab batches` says
    rows = grid(frame(page, "batches"))
    want = {b["batch_id"]: b["verdict"] for b in store["batches"]}
    assert {r["batch_id"]: r["verdict"] for r in rows} == want
    # a timeline: the batches stay in delivery order (its verdict column says which failed); the tables of
    # criteria and annotators put flagged rows first (the tests below)
    assert [r["batch_id"] for r in rows] == [b["batch_id"] for b in store["batches"]]
    shot(page, "item2-4-overview-acme-w5")


def test_items2_4_evidence_criteria_keep_the_sign_and_come_flagged_first(page, app, store):
    doc = store["docs"]["acme-w5"]
    open_page(page, app, "evidence", "Evidence", "acme-w5")
    df = frame(page, "criteria_acme-w5")
    rows = grid(df)
    crit = {c["id"]: c for c in doc["gate"]["criteria"]}
    # the criterion in words wraps (rows tall enough for 3 lines), not cut at 420 px
    assert df.bounding_box()["height"] >= WRAP_ROW_PX * len(crit)
    assert _pixels(df, CHANGE_BACKGROUNDS["worse"]) == 0  # no direction column: no change colour
    alpha = crit["human_agreement"]
    assert fmt_interval(alpha["value"], alpha["ci95_low"], alpha["ci95_high"]) in rows[0]["in_words"]
    assert rows[0]["id"] == "human_agreement" and rows[0]["outcome"] == "REJECT"
    outcomes = [r["outcome"] for r in rows]
    n_bad = len(failing(doc["gate"]))
    assert all(o not in ("PASS", "SKIPPED") for o in outcomes[:n_bad])  # flagged rows first
    assert all(o in ("PASS", "SKIPPED") for o in outcomes[n_bad:])
    assert len(rows) == len(crit)  # every row drawn (no half-hidden 11th criterion)
    for r in rows:
        assert "None" not in r.values() and "nan" not in r.values()
        assert r["in_words"] == criterion_sentence(crit[r["id"]])
    shot(page, "item2-4-evidence-acme-w5")


def test_item4_flagged_annotators_come_first(page, app, store):
    doc = store["docs"]["acme-w5"]
    open_page(page, app, "annotators", "Annotators", "acme-w5")
    humans = [a for a in doc["annotators"] if a["annotator_kind"] == "human"]
    flagged = {a["annotator_id"] for a in humans if a["flagged"]}
    assert flagged  # the sample's h11 rushes in week 5
    rows = grid(frame(page, "annotators"))
    ids = [r["annotator_id"] for r in rows]
    assert set(ids[: len(flagged)]) == flagged, ids
    assert set(ids) == {a["annotator_id"] for a in humans}  # the sidebar's kind: humans only
    shot(page, "item4-annotators-acme-w5")


# -- item 3: the sidebar's batch is every page's batch ---------------------------------------------------


def _filter_boxes_in_main(page) -> list[str]:
    """Select boxes of the page (not the sidebar) that choose what the sidebar chooses."""
    labels = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"] label').all_inner_texts()
    return [x for x in labels if re.search(r"batch|vendor|aspect|annotator kind", x, re.I)]


def test_item3_sidebar_batch_drives_trends_and_rankings(page, app, store):
    open_page(page, app, "trends", "Trends", "acme-w5")
    assert not _filter_boxes_in_main(page)  # no batch, vendor or aspect box of its own
    assert "acme-w5 against acme-w4" in main_text(page)
    shot(page, "item3-trends-acme-w5")
    choose(page, "batch_id", "acme-w6")
    page.get_by_text("acme-w6 against acme-w5").first.wait_for(timeout=PAGE_MS)
    assert "acme-w5 against acme-w4" not in main_text(page)
    shot(page, "item3-trends-acme-w6")

    # Rankings vs ratings follows the same sidebar box, in the same session
    page.locator('[data-testid="stSidebarNav"] a[href$="/signals"]').first.click()
    page.locator("h1").filter(has_text="Rankings vs ratings").first.wait_for(timeout=PAGE_MS)
    idle(page)
    assert filter_box(page, "batch_id").input_value() == "acme-w6"
    assert not _filter_boxes_in_main(page)
    w6 = grid(frame(page, "leaderboards"))
    n6 = store["docs"]["acme-w6"]["counts"]["n_ratings"]
    assert f"{n6:,} rating rows" in main_text(page)
    choose(page, "batch_id", "acme-w4")  # asserts the sidebar box now reads acme-w4
    n4 = json.loads(_cli("report", "--batch", "acme-w4", "--json", db=store["db"]).stdout)["counts"]["n_ratings"]
    page.get_by_text(f"{n4:,} rating rows").first.wait_for(timeout=PAGE_MS)
    w4 = grid(frame(page, "leaderboards"))  # the sidebar's week's leaderboard, not the page's own choice
    want = {m["model"]: m for m in store["docs"]["acme-w6"]["leaderboard"]["models"]}
    assert {r["model"]: r["rankings_win_rate"] for r in w6} == {
        k: fmt_interval(
            v["rankings_win_rate"]["value"], v["rankings_win_rate"]["ci95_low"], v["rankings_win_rate"]["ci95_high"]
        )
        for k, v in want.items()
    }
    assert w4 != w6
    shot(page, "item3-rankings-acme-w4")


# -- item 5: collapse, not computed, direction, the annotator-kind filter -------------------------------


def test_item5_a_batch_without_ratings_or_rankings_collapses_to_one_line(page, app):
    open_page(page, app, "signals", "Rankings vs ratings", "acme-w5")
    text = main_text(page)
    assert "has no human ratings or rankings" in text
    assert page.locator('[data-testid="stMain"] [data-testid="stAlert"]').count() == 1
    assert page.locator('[data-testid="stDataFrame"]').count() == 0
    assert page.locator('[data-testid="stMain"] .js-plotly-plot').count() == 0
    assert "not computable" not in text.lower()
    shot(page, "item5-rankings-collapsed-acme-w5")
    for slug, title in (("agreement", "Agreement"), ("distributions", "Distributions"), ("bias", "Bias")):
        open_page(page, app, slug, title, "acme-w5")
        assert "not computable: not computable" not in main_text(page).lower()


def test_item5_kappa_heatmap_draws_not_computed(page, app, store):
    pairs = store["docs"]["acme-w5"]["agreement"]["preference"]["cohen_kappa_pairs"]
    n_nc = sum(1 for p in pairs if (p.get("kappa") or {}).get("value") is None)
    assert n_nc > 0
    open_page(page, app, "agreement", "Agreement", "acme-w5")
    heading = page.locator("h3").filter(has_text="Cohen's kappa between annotators").first
    heading.scroll_into_view_if_needed()
    chart = heading.locator('xpath=following::div[contains(@class,"js-plotly-plot")][1]')
    chart.locator("svg.main-svg").first.wait_for(timeout=PAGE_MS)
    legend = chart.locator(".legendtext").evaluate_all("es => es.map(e => e.textContent)")
    assert "not computed" in legend, legend
    texts = chart.locator("text").evaluate_all("es => es.map(e => e.textContent)")
    assert texts.count("n/c") == 2 * n_nc, texts.count("n/c")  # both halves of the symmetric matrix
    assert f"{n_nc} pair(s) whose kappa was not computed" in main_text(page)
    chart.screenshot(path=str(ARTIFACTS / "item5-kappa-heatmap-acme-w5.png"))


def test_item5_changes_are_coloured_by_direction(page, app):
    open_page(page, app, "trends", "Trends", "acme-w5")
    worse = page.locator('[data-testid="stMain"] [data-testid="stMarkdownContainer"] span').filter(
        has_text=re.compile(r"^worse: ")
    )
    assert worse.count() >= 1 and "human_agreement" in worse.first.inner_text()
    red = worse.first.evaluate("e => getComputedStyle(e).color")
    better = page.locator('[data-testid="stMain"] [data-testid="stMarkdownContainer"] span').filter(
        has_text=re.compile(r"^better: ")
    )
    if better.count():
        assert better.first.evaluate("e => getComputedStyle(e).color") != red
    # the chart of alpha: week 5's point (a change for the worse) is red, week 4's is not
    chart = page.locator(".js-plotly-plot").filter(has_text="human_agreement").first
    chart.locator("svg.main-svg").first.wait_for(timeout=PAGE_MS)
    fills = chart.locator("path.point").evaluate_all("ps => ps.map(p => getComputedStyle(p).fill)")
    assert "rgb(207, 34, 46)" in fills and len(set(fills)) >= 2, fills  # CHANGE_COLOURS["worse"] = #cf222e
    df = frame(page, "changes_acme-w5")
    rows = grid(df)
    alpha = next(r for r in rows if r["criterion"] == "human_agreement")
    assert alpha["direction"] == "worse"
    # the table's direction cells are coloured too: the red tint of a change for the worse is drawn
    assert _pixels(df, CHANGE_BACKGROUNDS["worse"]) > 200  # (a table without directions has none: Evidence)
    shot(page, "item5-trends-direction-acme-w5")


def test_item5_annotator_kind_applies_to_the_whole_page(page, app, store):
    open_page(page, app, "annotators", "Annotators", "acme-w5")
    choose(page, "annotator_kind", "judge")
    text = main_text(page)
    judges = {a["annotator_id"] for a in store["docs"]["acme-w5"]["annotators"] if a["annotator_kind"] == "judge"}
    humans = {a["annotator_id"] for a in store["docs"]["acme-w5"]["annotators"] if a["annotator_kind"] == "human"}
    if judges:
        ids = {r["annotator_id"] for r in grid(frame(page, "annotators"))}
        assert ids <= judges and not ids & humans
    else:
        assert "has no judge annotators" in text
    shot(page, "item5-annotators-judge-acme-w5")


# -- item 6: tables fit ---------------------------------------------------------------------------------


def _pixels(element, hex_colour: str) -> int:
    """How many pixels of ``element``'s screenshot are exactly ``hex_colour`` (a cell's background fill)."""
    from PIL import Image

    rgb = bytes(int(hex_colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    raw = Image.open(io.BytesIO(element.screenshot())).convert("RGB").tobytes()  # (Image.getdata goes in Pillow 14)
    return sum(1 for i in range(0, len(raw), 3) if raw[i : i + 3] == rgb)


def _no_horizontal_page_scroll(page, where: str) -> None:
    widths = page.evaluate(
        """() => [document.documentElement, document.querySelector('[data-testid="stMain"]')]
              .filter(Boolean).map(e => [e.scrollWidth, e.clientWidth])"""
    )
    assert all(sw <= cw + 1 for sw, cw in widths), (where, widths)
    right = page.locator('[data-testid="stMain"]').bounding_box()
    for box in page.locator('[data-testid="stDataFrame"]').evaluate_all(
        "ds => ds.map(d => d.getBoundingClientRect().right)"
    ):
        assert box <= right["x"] + right["width"] + 1, (where, box, right)


def test_item6_wide_tables_fit_with_a_column_choice(page, app):
    from qualitylab.ui.widgets import MAX_COLUMNS

    open_page(page, app, "judges", "Judge vs human", "acme-w5")
    _no_horizontal_page_scroll(page, "/judges")
    pick = page.locator('[data-testid="stPopover"] button').filter(has_text=re.compile(r"^Columns \(\d+\)")).first
    n_all = int(re.search(r"\((\d+)\)", pick.inner_text()).group(1))
    assert n_all > MAX_COLUMNS
    df = pick.locator('xpath=following::div[@data-testid="stDataFrame"][1]')
    # the grid redraws its accessibility table after the page has loaded (its header cells are briefly absent):
    # read them once they are there
    head_cells = df.locator('th[role="columnheader"]')
    deadline = time.monotonic() + PAGE_MS / 1000
    heads = head_cells.all_inner_texts()
    while not heads and time.monotonic() < deadline:
        page.wait_for_timeout(200)
        heads = head_cells.all_inner_texts()
    assert 0 < len(heads) <= MAX_COLUMNS
    shot(page, "item6-judges-acme-w5")
    pick.click()
    page.locator('[data-testid="stPopoverBody"] [data-testid="stMultiSelect"]').first.wait_for(timeout=PAGE_MS)
    shot(page, "item6-judges-columns-acme-w5")
    for slug, title in (("annotators", "Annotators"), ("hygiene", "Hygiene"), ("evidence", "Evidence")):
        open_page(page, app, slug, title, "acme-w5")
        _no_horizontal_page_scroll(page, f"/{slug}")


def test_item6_the_evidence_pack_fits(page, store):
    pack = store["tmp"] / "pack-acme-w5.html"
    out = _cli("report", "--batch", "acme-w5", "--html", str(pack), db=store["db"])
    assert f"wrote {pack} (evidence pack of acme-w5" in out.stderr  # item 7: report --html says what it wrote
    page.set_viewport_size({"width": 1400, "height": 1600})
    page.goto(pack.as_uri(), wait_until="load")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 1400 + 1, width
    # every table outside a closed "Every column" block fits the page's 1,200 px column
    tables = page.evaluate(
        """() => [...document.querySelectorAll('table')].filter(t => !t.closest('details'))
              .map(t => [t.closest('div.scroll')?.previousElementSibling?.previousElementSibling?.id, t.scrollWidth])"""
    )
    wide = {i: w for i, w in tables if w > 1250}
    assert not wide, wide  # the screening table was 4,993 px
    screening = page.locator("h3#t-annotators ~ div.scroll table").first
    heads = screening.locator("th").all_inner_texts()
    from qualitylab.evidence.tables import SCREENING_SHOWN

    assert heads == [c for c in SCREENING_SHOWN if c in heads] and "annotator_id" in heads
    every = page.locator("details.wide").first
    assert every.locator("summary").inner_text().startswith("Every column (")
    every.locator("summary").click()
    assert len(every.locator("th").all_inner_texts()) > len(heads)  # nothing is lost
    # the sign of week 5's alpha in the pack's verdict table (fmt was "{:.4f}": "-0.0000")
    alpha = store["docs"]["acme-w5"]["gate"]["criteria"]
    alpha = next(c for c in alpha if c["id"] == "human_agreement")
    cells = page.locator("h3#t-criteria ~ div.scroll table").first.locator("td").all_inner_texts()
    from qualitylab.numbers import fmt_number

    assert fmt_number(alpha["value"]) in cells and "-0.0000" not in cells
    shot(page, "item6-evidence-pack-acme-w5")


# -- item 8: an undetectable kind -------------------------------------------------------------------------


def test_item8_ingest_says_an_undetectable_kind(page, app, store):
    open_page(page, app, "ingest", "Ingest")
    bad = store["tmp"] / "acme-w9.jsonl"
    bad.write_text('{"foo": 1, "bar": "x"}\n{"foo": 2, "bar": "y"}\n', encoding="utf-8")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(bad))
    page.locator('[data-testid="stFileChipName"]').filter(has_text="acme-w9.jsonl").wait_for()
    page.locator(".st-key-ingest_batch input").fill("acme-w9")
    page.locator('[data-testid="stFormSubmitButton"] button').click()
    page.get_by_text("cannot be detected").first.wait_for(timeout=PAGE_MS)
    idle(page)
    text = main_text(page)
    assert "the kind of rows cannot be detected from its columns bar, foo" in text
    assert "invalid row(s)" not in text and "Kind of rows" in text
    assert "acme-w9" not in _cli("batches", db=store["db"]).stdout  # nothing stored
    shot(page, "item8-ingest-undetectable-kind")


# -- item 7: serving (last: it stops the module's server) ------------------------------------------------


def test_item7_deep_links_and_no_deploy_button(page, app):
    # 127.0.0.1 only (0100007F in /proc/net/tcp), the URL said
    assert set(_listening(app["port"])) == {"0100007F"}
    assert f"http://127.0.0.1:{app['port']}" in app["log"].read_text()
    open_page(page, app, "", "Overview")
    assert page.locator('[data-testid="stAppDeployButton"]').count() == 0
    assert page.get_by_role("button", name="Deploy").count() == 0
    # a shared link opens its page (the entry script has no pages/ folder beside it: no v1 pages)
    open_page(page, app, "items", "Items", "acme-w5")
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert "streamlit app" not in nav and "Overview" in nav
    shot(page, "item7-items-deep-link")


def test_item7_sigterm_stops_the_streamlit_child(app):
    proc, port = app["proc"], app["port"]
    kids = _children(proc.pid)
    assert kids, "qualitylab app runs Streamlit in a child process"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 128 + signal.SIGTERM
    deadline = time.monotonic() + 30
    while any(_alive(k) for k in kids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(k) for k in kids), "the Streamlit child kept serving after its parent stopped"
    assert not _listening(port)
    assert "stopped (SIGTERM)" in app["log"].read_text()
