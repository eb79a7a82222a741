"""Benchmark: every app page rendered through Streamlit's AppTest, cold and warm cache.

Not a test. Run:
    .venv/bin/python benchmarks/bench_app.py --db /tmp/ui_1m.duckdb --batch big [--pages overview bias]
        [--reps 3] [--json out.json]

How it measures (docs/app.md, "Speed"): one process; for each page, ``st.cache_data.clear()`` and
``st.cache_resource.clear()``, then
  cold  = wall time of the first ``AppTest.run()`` that renders the page (every section it needs is
          computed from the store: open read-only, query, numeric finish; plus layout),
  warm  = median wall time of ``--reps`` further reruns of the same page (the cache holds the results;
          what remains is the sidebar's cached query, layout and Streamlit's own work).
The first run (which registers the pages) sees no store; then the batch filter is set to ``--batch``
and the page is opened. The page is reached the way a browser session
reaches /<slug>: by the url-path page hash that st.navigation registers. Times include AppTest's
script-runner overhead, not the browser's drawing or the websocket.
With ``--flow``: one session as a reviewer uses it, caches cleared once, each page's first visit in
navigation order (Overview computes the batch's whole report for its verdict; the others reuse it).
With ``--profile`` the cold run of each page also times every report section it computes
(``qualitylab.report.SECTIONS`` wrapped with a timer), so a slow page names its slow section.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "app.py")


def open_page(at, slug: str):
    """Navigate an AppTest that has run once to the page registered at /<slug> (the default page: ``/``).

    Streamlit 1.67's ``AppTest.switch_page`` takes page files only; our pages are callables, so the
    registered page's hash (what a browser at /<slug> gets) is selected directly.
    """
    from qualitylab.ui.main import all_pages

    title = next(t for s, t, *_ in all_pages() if s == slug)
    hashes = [h for h, info in at._registered_pages.items() if info.get("page_name") == title]
    if not hashes:
        raise SystemExit(f"no page registered at /{slug}")
    at._page_hash = hashes[0]
    return at


def _section_timer(log: list):
    """Wrap every registered report section with a timer appending (name, seconds) to ``log``.

    Times are exclusive: a section that reads others (the gate reads every section) is charged only
    for its own work, the sections it triggers are logged under their own names.
    """
    from qualitylab import report

    report._register_area_sections()
    stack: list[float] = []  # per open section: seconds spent in nested sections
    wrapped = []
    for name, fn in report.SECTIONS:
        fn = getattr(fn, "_inner", fn)

        def timed(ctx, fn=fn, name=name):
            stack.append(0.0)
            t = time.perf_counter()
            try:
                return fn(ctx)
            finally:
                total = time.perf_counter() - t
                nested = stack.pop()
                log.append((name, total - nested))
                if stack:
                    stack[-1] += total

        timed._inner = fn
        wrapped.append((name, timed))
    report.SECTIONS[:] = wrapped


def bench(db: str, batch: str, pages: list[str] | None, reps: int, profile: bool) -> list[dict]:
    import logging

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    logging.getLogger("streamlit").setLevel(logging.ERROR)

    from qualitylab.ui.main import all_pages

    log: list = []
    if profile:
        _section_timer(log)
    slugs = [slug for slug, *_ in all_pages()]
    out = []
    for slug in pages or slugs:
        st.cache_data.clear()
        st.cache_resource.clear()
        at = AppTest.from_file(APP, default_timeout=600)
        # a first run registers the pages; on a missing store it computes nothing
        os.environ["QUALITYLAB_DB"] = str(Path(db).resolve().parent / "no-such-store.duckdb")
        at.run()
        os.environ["QUALITYLAB_DB"] = str(Path(db).resolve())
        at.session_state["batch_id"] = batch
        open_page(at, slug)
        log.clear()
        t = time.perf_counter()
        at.run()
        cold = time.perf_counter() - t
        sections = sorted(log, key=lambda x: -x[1])
        errors = [e.value for e in at.exception]
        warm = []
        for _ in range(reps):
            t = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - t)
        row = {
            "page": slug,
            "cold_s": round(cold, 2),
            "warm_s": round(statistics.median(warm), 2),
            "warm_max_s": round(max(warm), 2),
            "exceptions": errors[:1],
            "slowest_sections": [(n, round(s, 2)) for n, s in sections[:4]],
        }
        if slug == "evidence" and not errors:
            out.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
            row = _evidence_pack(at, reps, log)
        out.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    return out


def _evidence_pack(at, reps: int, log: list) -> dict:
    """The Evidence page after "Build the evidence pack" (HTML report + CSV tables), cold and warm."""
    button = next(b for b in at.button if b.label.startswith("Build the evidence pack"))
    log.clear()
    t = time.perf_counter()
    button.click().run()
    cold = time.perf_counter() - t
    warm = []
    for _ in range(reps):
        t = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - t)
    return {
        "page": "evidence (pack built)",
        "cold_s": round(cold, 2),
        "warm_s": round(statistics.median(warm), 2),
        "warm_max_s": round(max(warm), 2),
        "exceptions": [e.value for e in at.exception][:1],
        "slowest_sections": [(n, round(s, 2)) for n, s in sorted(log, key=lambda x: -x[1])[:4]],
    }


def flow(db: str, batch: str, pages: list[str] | None) -> list[dict]:
    """A reviewer's session: caches cleared once, then every page visited once in navigation order."""
    import logging

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    from qualitylab.ui.main import all_pages

    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=600)
    os.environ["QUALITYLAB_DB"] = str(Path(db).resolve().parent / "no-such-store.duckdb")
    at.run()
    os.environ["QUALITYLAB_DB"] = str(Path(db).resolve())
    at.session_state["batch_id"] = batch
    out = []
    for slug in pages or [s for s, *_ in all_pages()]:
        open_page(at, slug)
        t = time.perf_counter()
        at.run()
        row = {
            "page": slug,
            "first_visit_s": round(time.perf_counter() - t, 2),
            "exceptions": [e.value for e in at.exception][:1],
        }
        out.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    return out


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, StopIteration):
        pass
    import duckdb
    import streamlit

    return (
        f"{cpu}, {os.cpu_count()} cores{mem}; Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}, Streamlit {streamlit.__version__}"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--db", required=True)
    p.add_argument("--batch", required=True)
    p.add_argument("--pages", nargs="*", help="page slugs (default: every page)")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--profile", action="store_true", help="time each report section on the cold run")
    p.add_argument(
        "--flow",
        action="store_true",
        help="instead: one session, caches cleared once, each page's first visit in order",
    )
    p.add_argument("--json", help="also write the rows as JSON here")
    args = p.parse_args()
    if args.flow:
        rows = flow(args.db, args.batch, args.pages)
        print(f"Machine: {machine()}\nStore: {args.db}, batch {args.batch}\n")
        print("| page (in visiting order) | first visit (s) |\n|---|---:|")
        for r in rows:
            print(f"| {r['page']}{' **exception**' if r['exceptions'] else ''} | {r['first_visit_s']} |")
        return
    rows = bench(args.db, args.batch, args.pages, args.reps, args.profile)
    print(f"Machine: {machine()}")
    print(f"Store: {args.db}, batch {args.batch}\n")
    print(f"| page | cold (s) | warm (s, median of {args.reps}) | slowest sections on the cold run (s) |")
    print("|---|---:|---:|---|")
    for r in rows:
        secs = ", ".join(f"{n} {s}" for n, s in r["slowest_sections"]) or "-"
        flag = " **exception**" if r["exceptions"] else ""
        print(f"| {r['page']}{flag} | {r['cold_s']} | {r['warm_s']} | {secs} |")
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": machine(), "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
