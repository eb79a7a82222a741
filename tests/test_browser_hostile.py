"""Delivered ids and names planted with Markdown / HTML that fetches URLs, in a real browser (issue 13
items 8 and 9).

A store whose batch, vendor, annotator ids, model names, rating aspect and category carry
``![x](http://127.0.0.1:<port>/leak.png)``, raw ``<img src=...>`` and links is served with
``streamlit run app.py`` and every page is opened in headless Chromium. A local listener on that port
counts hits and Playwright records every request the page makes: none may go to the planted URLs, no
``<img>`` or ``<a>`` may point there, and the payloads are shown as text. The CSV downloads of the
Annotators and Distributions pages are saved and read back: no formula cell.
"""

from __future__ import annotations

import csv
import io
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from browser_helpers import chromium
from conftest import write_jsonl
from gates_helpers import batch_rows
from test_browser_e2e import (  # the app server and page helpers of the e2e test
    PAGE_TIMEOUT_MS,
    SHOTS,
    _cli,
    assert_no_exception,
    goto_page,
    server,  # noqa: F401 (a fixture)
    wait_idle,
)

from qualitylab.escape import FORMULA_PREFIXES
from qualitylab.ui.main import all_pages

pytestmark = pytest.mark.browser


class Listener:
    """An HTTP server on 127.0.0.1 that answers everything with a 1x1 PNG and counts the hits."""

    def __init__(self):
        self.hits: list[str] = []
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                listener.hits.append(self.path)
                png = bytes.fromhex(
                    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6300010000050001e2266ad40000000049454e44ae426082"
                )
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(png)))
                self.end_headers()
                self.wfile.write(png)

            do_POST = do_HEAD = do_GET

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.port = self.httpd.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def listener():
    s = Listener()
    yield s
    s.close()


def payloads(origin: str) -> dict[str, str]:
    return {
        "batch": f"w2 ![b]({origin}/batch.png)",
        "previous_batch": f"w1 <img src={origin}/prev.png>",
        "vendor": f"acme ![v]({origin}/vendor.png) [site]({origin}/vendor-link)",
        "clicker": f"![a]({origin}/annotator.png)",
        "html_annotator": f'<img src="{origin}/html.png"> h9',
        "csv_annotator": f'=HYPERLINK("{origin}/csv","x")',
        "judge": f"judge ![j]({origin}/judge.png)",
        "model_a": "=cmd|' /C calc'!A0",
        "model_b": f"m2 ![m]({origin}/model.png)",
        "aspect": f"help ![s]({origin}/aspect.png)",
        "category": f"cat :red[![c]({origin}/category.png)]",
    }


@pytest.fixture(scope="module")
def store(tmp_path_factory, listener):
    """(db, payloads): two batches of one hostile vendor; the later one is the sidebar's default."""
    p = payloads(listener.origin)
    tmp = tmp_path_factory.mktemp("hostile")
    db = tmp / "store.duckdb"
    annotators = ("h1", p["clicker"], p["html_annotator"], p["csv_annotator"])
    for name, delivered, seed in ((p["previous_batch"], "2026-10-05", 1), (p["batch"], "2026-10-12", 2)):
        rows = batch_rows("x", n_comparisons=40, seed=seed, annotators=annotators, first_clicker=p["clicker"])
        for i, r in enumerate(rows):
            r.update(model_a=p["model_a"], model_b=p["model_b"], category=p["category"], prompt_id=f"p{i // 3}")
        rows += [{**r, "annotator_id": p["judge"], "annotator_kind": "judge", "preference": "A"} for r in rows[::3]]
        path = write_jsonl(tmp / f"b{seed}.jsonl", rows)
        _cli("ingest", str(path), "--batch", name, "--vendor", p["vendor"], "--delivered", delivered, db=db)
        ratings = [
            {
                "item_id": f"i{k}",
                "annotator_id": a,
                "score": 1 + (k + j) % 5,
                "aspect": p["aspect"],
                "prompt_id": f"p{k}",
                "model": p["model_b"] if k % 2 else p["model_a"],
                "response": "r" * (k + 3),
            }
            for k in range(20)
            for j, a in enumerate(annotators[:3])
        ]
        path = write_jsonl(tmp / f"r{seed}.jsonl", ratings)
        _cli("ingest", str(path), "--batch", name, "--kind", "rating", db=db)
    return db, p


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def _download(page, name: str) -> list[list[str]]:
    """Click the page's 'Download <name>.csv' button; the file's rows."""
    button = page.locator('[data-testid="stDownloadButton"] button').filter(has_text=f"Download {name}.csv")
    with page.expect_download(timeout=PAGE_TIMEOUT_MS) as d:
        button.first.click()
    text = open(d.value.path(), encoding="utf-8").read()
    return list(csv.reader(io.StringIO(text)))


def test_no_page_fetches_a_planted_url_and_every_payload_shows_as_text(server, store, browser, listener):  # noqa: F811
    db, p = store
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1800}, accept_downloads=True)
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page_errors: list[str] = []
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    page.goto(server + "/")
    page.locator("h1").filter(has_text="Overview").first.wait_for()
    wait_idle(page)
    planted = listener.origin
    seen_text = ""
    downloads: dict[str, list[list[str]]] = {}
    for i, (slug, title, *_) in enumerate(all_pages(), start=1):
        if i > 1:
            goto_page(page, title)
        if slug == "agreement":  # the rating aspect is a radio option there (rendered as Markdown)
            page.get_by_text("Ratings: ", exact=False).first.click()
            wait_idle(page)
        if slug == "judges":
            page.locator("h2").first.wait_for()
        if slug == "annotators":
            downloads["annotators"] = _download(page, "annotators")
        if slug == "distributions":
            downloads["model_pairs"] = _download(page, "labels_by_model_pair")
        assert_no_exception(page, title)
        html = page.content()
        assert not re.search(rf"<img[^>]+src=\"?{re.escape(planted)}", html), f"{title}: an <img> to the listener"
        assert not re.search(rf"<a[^>]+href=\"?{re.escape(planted)}", html), f"{title}: a link to the listener"
        seen_text += page.locator('[data-testid="stAppViewContainer"]').inner_text() + "\n"
        page.screenshot(path=str(SHOTS / f"hostile-{i:02d}-{slug}.png"), full_page=True)
    page.wait_for_timeout(1000)  # anything late would have been asked for by now
    leaked = [u for u in requests if u.startswith(planted)]
    assert leaked == [] and listener.hits == [], (leaked, listener.hits)
    assert not page_errors, page_errors
    # the payloads are shown, as the characters they are (headings, alerts, flags, captions)
    seen_text = seen_text.replace("\u2060", "")  # the invisible word joiners that break autolinks
    for key in ("batch", "previous_batch", "clicker", "judge"):
        assert p[key] in seen_text, (key, p[key])
    # the CSV downloads: the formula cells neutralised, the other values intact
    ann = downloads["annotators"]
    ids = {row[0] for row in ann[1:]}
    assert "'" + p["csv_annotator"] in ids and p["clicker"] in ids
    models = {c for row in downloads["model_pairs"][1:] for c in row}
    assert "'" + p["model_a"] in models and p["model_b"] in models
    for rows in downloads.values():
        for row in rows:
            for cell in row:
                if cell.startswith(FORMULA_PREFIXES):
                    float(cell)  # only a plain number may start with + or -


def test_the_cli_shows_the_same_store_without_escapes_gone_wrong(store):
    db, p = store
    out = json.loads(_cli("batches", "--json", db=db))
    assert {b["batch_id"] for b in out} == {p["batch"], p["previous_batch"]}
