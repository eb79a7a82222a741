"""The evidence pack in headless Chromium (Debian's /usr/bin/chromium) with the network blocked.

Every request that is not for the file itself is aborted and recorded: none may be attempted. The
charts must render (plotly draws an <svg> in each chart div), with no console error and no dialog
(a hostile payload that ran would call alert()).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_helpers import chromium
from gates_helpers import batch_rows, ingest_batch

from qualitylab.cli import main

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("browser")
    db = tmp / "store.duckdb"
    hostile = dict(
        prompt="<script>alert('p')</script>",
        response_a="</td></table><img src=x onerror=alert('a')>",
        response_b="</script><!--<svg onload=alert('b')>",
    )
    evil = "<img src=x onerror=alert('id')>"
    for i, (week, p_truth) in enumerate((("w1", 0.85), ("w2", 0.85), ("w3", 0.0))):
        ingest_batch(
            tmp,
            db,
            week,
            batch_rows(
                week, seed=10 + i, p_truth=p_truth, first_clicker=evil, annotators=("h1", "h2", "h3", evil), **hostile
            ),
            vendor="acme",
            delivered=f"2026-10-{5 + 7 * i:02d}",
        )
    out = tmp / "w3.html"
    assert main(["report", "--batch", "w3", "--db", str(db), "--html", str(out), "--n-boot", "100"]) == 0
    return out


def test_renders_offline_with_charts_and_no_errors(pack):
    attempted, errors, dialogs = [], [], []
    with chromium() as browser:
        page = browser.new_page()

        def route(r):
            if r.request.url.startswith("file://"):
                r.continue_()
            else:
                attempted.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(pack.as_uri(), wait_until="load")
        page.wait_for_function(
            "() => [...document.querySelectorAll('div.chart')].every(d => d.querySelector('svg.main-svg'))",
            timeout=30_000,
        )
        charts = page.eval_on_selector_all("div.chart", "ds => ds.map(d => [d.id, d.querySelectorAll('svg').length])")
        verdict = page.inner_text("span.verdict")
        cells = page.eval_on_selector_all("td.text, div.textblock", "ts => ts.map(t => t.innerText)")
        n_img = page.eval_on_selector_all("img, iframe", "xs => xs.length")
    assert attempted == []
    assert errors == []
    assert dialogs == []
    assert n_img == 0
    ids = {i for i, n in charts if n > 0}
    assert {"fig-criteria", "fig-trends", "fig-position_bias", "fig-labels"} <= ids, charts
    assert verdict == "REJECT"
    assert any("</td></table><img src=x onerror=alert('a')>" in c for c in cells)
