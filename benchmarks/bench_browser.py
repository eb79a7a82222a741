"""Benchmark: app pages in a real browser (headless Chromium), cold and warm, on a store whose snapshots exist.

Not a test. Run:
    .venv/bin/python benchmarks/bench_browser.py --db /tmp/qlscale/store_1M.duckdb --batch big \
        [--pages overview agreement trends] [--reps 3] [--json out.json]

How it measures (docs/app.md, "Speed"): for each page, a new ``qualitylab app --headless`` server (empty
Streamlit caches: the first visit is cold), then
  cold  = wall time from ``page.goto(/<slug>?batch=BATCH)`` in a new browser session until the page's title is
          drawn and Streamlit reports its script run finished (``data-test-script-state="notRunning"``),
  warm  = the median of ``--reps`` more visits, each in a new browser session of the same server (a new
          Streamlit session; the server's caches hold the results).
Unlike benchmarks/bench_app.py (AppTest), this includes the websocket, the browser's drawing and Streamlit's
front end. The store must hold the batch's report snapshot for the fast path (``qualitylab check`` stores it);
the page says "Report computed in memory" otherwise, and the row records which it was (``from_snapshot``).
Chromium: /usr/bin/chromium (tests/browser_helpers.py; ``scripts/ensure-chromium.sh`` installs it).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from browser_helpers import chromium, free_port, stop_process, wait_healthy  # noqa: E402

TITLES = {
    "overview": ("", "Overview"),
    "agreement": ("agreement", "Agreement"),
    "trends": ("trends", "Trends"),
    "ingest": ("ingest", "Ingest"),  # a page that reads no report: the cost of the server, the session and drawing
}
PAGE_MS = 600_000


def _server(db: str, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "qualitylab.cli", "app", "--headless", "--port", str(port), "--db", db],
        cwd=log.parent,
        env=dict(os.environ, STREAMLIT_SERVER_FILE_WATCHER_TYPE="none"),
        stdout=open(log, "w"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    wait_healthy(proc, base, 180, log)
    return proc, base


def _visit(browser, url: str, title: str) -> tuple[float, str]:
    context = browser.new_context(viewport={"width": 1400, "height": 1600})
    page = context.new_page()
    page.set_default_timeout(PAGE_MS)
    t0 = time.perf_counter()
    page.goto(url)
    page.locator("h1").filter(has_text=title).first.wait_for()
    # the script run that draws the page has started once the title is there; wait for it to finish
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
    s = time.perf_counter() - t0
    text = page.locator('[data-testid="stMain"]').inner_text()
    context.close()
    return s, text


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--db", required=True)
    p.add_argument("--batch", required=True)
    p.add_argument("--pages", nargs="*", default=["overview", "agreement", "trends"], choices=list(TITLES))
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--json", help="also write the rows as JSON here")
    args = p.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp, chromium() as browser:
        for name in args.pages:
            slug, title = TITLES[name]
            proc, base = _server(args.db, Path(tmp) / f"app-{name}.log")
            try:
                url = f"{base}/{slug}?batch={args.batch}"
                cold, text = _visit(browser, url, title)
                warm = [_visit(browser, url, title)[0] for _ in range(args.reps)]
            finally:
                stop_process(proc, 60)
            row = {
                "page": name,
                "cold_s": round(cold, 2),
                "warm_s": round(statistics.median(warm), 2),
                "warm_runs_s": [round(w, 2) for w in warm],
                "from_snapshot": "From the stored report snapshot" in text and "Report computed in memory" not in text,
                "load": os.getloadavg()[0],
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps({"db": args.db, "batch": args.batch, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
