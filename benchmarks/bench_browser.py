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
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from browser_helpers import ARGS, CHROMIUM  # noqa: E402

TITLES = {
    "overview": ("", "Overview"),
    "agreement": ("agreement", "Agreement"),
    "trends": ("trends", "Trends"),
    "ingest": ("ingest", "Ingest"),  # a page that reads no report: the cost of the server, the session and drawing
}
PAGE_MS = 600_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server(db: str, log: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "qualitylab.cli", "app", "--headless", "--port", str(port), "--db", db],
        cwd=log.parent,
        env=dict(os.environ, STREAMLIT_SERVER_FILE_WATCHER_TYPE="none"),
        stdout=open(log, "w"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return proc, base
        except OSError:
            time.sleep(0.3)
        if proc.poll() is not None:
            break
    proc.kill()
    raise SystemExit(f"the app did not come up: {log.read_text()[-2000:]}")


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
    from playwright import sync_api

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--db", required=True)
    p.add_argument("--batch", required=True)
    p.add_argument("--pages", nargs="*", default=["overview", "agreement", "trends"], choices=list(TITLES))
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--json", help="also write the rows as JSON here")
    args = p.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        for name in args.pages:
            slug, title = TITLES[name]
            proc, base = _server(args.db, Path(tmp) / f"app-{name}.log")
            try:
                url = f"{base}/{slug}?batch={args.batch}"
                cold, text = _visit(browser, url, title)
                warm = [_visit(browser, url, title)[0] for _ in range(args.reps)]
            finally:
                proc.terminate()
                proc.wait(timeout=60)
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
        browser.close()
    if args.json:
        Path(args.json).write_text(json.dumps({"db": args.db, "batch": args.batch, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
