"""The app as a reviewer uses it: `streamlit run app.py` on 127.0.0.1, driven in headless Chromium.

Debian's /usr/bin/chromium through Playwright's ``executable_path`` (browsers cannot be downloaded
here; scripts/test.sh installs chromium with apt). The sample delivery is loaded with ``qualitylab sample``;
key numbers on the pages are checked against ``qualitylab report --batch acme-w5 --json``; a bad
file is uploaded on the Ingest page; no page may show a Streamlit exception. Screenshots go to
test-artifacts/screenshots/ (gitignored).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from browser_helpers import chromium, free_port, stop_process, wait_healthy

from qualitylab.numbers import fmt_number
from qualitylab.ui.main import all_pages

REPO = Path(__file__).resolve().parents[1]
SHOTS = REPO / "test-artifacts" / "screenshots"
BATCH = "acme-w5"
PAGE_TIMEOUT_MS = 90_000

pytestmark = pytest.mark.browser


def _cli(*args: str, db: Path) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "qualitylab.cli", *args, "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> tuple[Path, dict]:
    db = tmp_path_factory.mktemp("e2e") / "store.duckdb"
    _cli("sample", db=db)
    doc = json.loads(_cli("report", "--batch", BATCH, "--json", db=db))
    return db, doc


@pytest.fixture(scope="module")
def server(store):
    """``streamlit run app.py`` on a free port of 127.0.0.1; stopped in a finally."""
    db, _ = store
    port = free_port()
    log = open(db.parent / "streamlit.log", "w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(REPO / "app.py"),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--server.fileWatcherType",
            "none",
        ],
        cwd=db.parent,
        env=dict(os.environ, QUALITYLAB_DB=str(db)),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(proc, base, 60, db.parent / "streamlit.log", "streamlit")
        yield base
    finally:
        stop_process(proc, 15)
        log.close()


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def wait_idle(page, timeout_ms: int = PAGE_TIMEOUT_MS) -> None:
    """Until the script run that the last action started has finished."""
    page.wait_for_timeout(300)  # let a rerun request reach the server and flip the state
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout_ms)
    page.wait_for_timeout(200)


def goto_page(page, title: str) -> None:
    nav = page.locator('[data-testid="stSidebarNav"]')
    more = nav.locator('[data-testid="stSidebarNavViewButton"]')
    if more.count() and "more" in more.inner_text().lower():
        more.click()
    # the link's text is the Material icon's ligature name glued to the title ("handshakeAgreement")
    nav.locator('[data-testid="stSidebarNavLink"]').filter(has_text=re.compile(rf"{re.escape(title)}$")).click()
    page.locator("h1").filter(has_text=title).first.wait_for(timeout=PAGE_TIMEOUT_MS)
    wait_idle(page)


def filter_box(page, key: str):
    """The combobox of the sidebar filter whose widget key is ``key`` (Streamlit adds ``st-key-<key>``)."""
    return page.locator(f'[data-testid="stSidebar"] .st-key-{key} input[role="combobox"]')


def choose(page, key: str, option: str) -> None:
    """Pick ``option`` in the sidebar filter ``key``, as a person does: open the box, click the option."""
    filter_box(page, key).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)
    assert filter_box(page, key).input_value() == option


def metric(page, label: str) -> str:
    m = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(rf"^{re.escape(label)}$"))
    )
    return m.first.locator('[data-testid="stMetricValue"]').inner_text().strip()


def assert_no_exception(page, where: str) -> None:
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, f"{where}: {errors.first.inner_text()[:1000]}"


def test_every_page_in_a_browser(server, store, browser):
    db, doc = store
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page_errors: list[str] = []
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    page.goto(server + "/")
    page.wait_for_selector('[data-testid="stAppViewContainer"]')
    page.locator("h1").filter(has_text="Overview").first.wait_for()
    filter_box(page, "batch_id").wait_for()
    wait_idle(page)
    choose(page, "batch_id", BATCH)

    # Overview: counts and verdict of the JSON report
    page.get_by_text(f"Batch {BATCH}").first.wait_for()
    assert metric(page, "Judgments") == f"{doc['counts']['n_judgments']:,}"
    assert metric(page, "Comparisons") == f"{doc['counts']['n_comparisons']:,}"
    assert metric(page, "Annotators") == f"{doc['counts']['n_annotators']:,}"
    verdict = page.locator('[data-testid="stAlert"]').filter(has_text="Verdict:").first.inner_text()
    assert doc["verdict"] in verdict and doc["verdict"] == "REJECT"  # sample_data/manifest.json: w5 rejected
    assert_no_exception(page, "Overview")
    page.screenshot(path=str(SHOTS / "01-overview.png"), full_page=True)

    for i, (slug, title, *_) in enumerate(all_pages()[1:], start=2):
        goto_page(page, title)
        # the global filter survived the page switch
        assert filter_box(page, "batch_id").input_value() == BATCH
        assert_no_exception(page, title)
        if slug == "agreement":
            alpha = doc["agreement"]["preference"]["krippendorff_alpha"]
            alpha = alpha if "value" in alpha else alpha["nominal"]
            assert metric(page, "Krippendorff's alpha (nominal)") == fmt_number(alpha["value"])
        if slug == "bias":
            assert metric(page, "p_first (batch)") == fmt_number(doc["position_bias"]["p_first"]["value"])
            assert page.locator(".js-plotly-plot").count() >= 1  # the funnel plots are drawn
        if slug == "evidence":
            assert f"Batch {BATCH}: {doc['verdict']}" in page.locator("h3").all_inner_texts()
        if slug == "ingest":
            _upload_a_bad_file(page, db)
        page.screenshot(path=str(SHOTS / f"{i:02d}-{slug}.png"), full_page=True)
    assert not page_errors, page_errors


def _upload_a_bad_file(page, db: Path) -> None:
    bad = db.parent / "acme-w7.jsonl"
    rows = [
        {"comparison_id": "c1", "annotator_id": "h01", "preference": "A"},
        {"comparison_id": "c2", "annotator_id": "h01", "preference": "maybe"},
    ]
    bad.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(bad))
    page.locator('[data-testid="stFileChipName"]').filter(has_text="acme-w7.jsonl").wait_for()
    page.locator(".st-key-ingest_batch input").fill("acme-w7")
    page.locator('[data-testid="stFormSubmitButton"] button').click()
    page.get_by_text("nothing was stored").first.wait_for()
    wait_idle(page)
    code = page.locator('[data-testid="stCode"]').first.inner_text()
    assert "acme-w7.jsonl:2: column 'preference':" in code
    assert "acme-w7" not in _cli("batches", db=db)  # nothing stored
