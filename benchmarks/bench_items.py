"""First page of each items filter on a big batch, warm (issue 17: <= 1 s on 1M judgments).

    python benchmarks/bench_items.py --db /tmp/ui_1mv.duckdb --batch big-w2 [--reps 3]
    python benchmarks/bench_items.py --db ... --batch ... --app [--filters contested queue ...]

Opens the store read-only, runs each filter's first page (50 rows, counted, as the Items page asks)
once cold and ``--reps`` times warm (DuckDB's buffer pool warm; the app also caches the result),
and prints the median warm time per filter. ``--app`` instead renders the Items page itself through
Streamlit's AppTest at ``items?batch=B&filter=F[&value=V]`` (the first page of rows and the first
item in full: texts, verdicts, consensus, judges, linked ratings), caches cleared for each filter:
cold = the first render, warm = the median of ``--reps`` reruns (what a reviewer waits for when the
page is drawn again, e.g. after a widget change). A measurement, not a test (docs/scale.md).
"""

from __future__ import annotations

import argparse
import statistics
import time

from qualitylab.items import FILTERS, items
from qualitylab.store import open_store

APP_FILTERS = ("contested", "queue", "split", "disagrees_with_majority", "judge_disagrees", "gold_failed",
               "rating_contradicts", "few_items")  # fmt: skip


def _values(db: str, batch: str) -> tuple[str | None, str | None]:
    """A human annotator and a judge of ``batch`` (the values of filters that need one)."""
    with open_store(db, read_only=True) as s:
        people = s.rows("items/annotators", {"batch_id": batch})
    human = next((r["annotator_id"] for r in people if r["annotator_kind"] == "human"), None)
    judge = next((r["annotator_id"] for r in people if r["annotator_kind"] == "judge"), None)
    return human, judge


def bench_app(db: str, batch: str, filters: list[str], reps: int) -> None:
    """The Items page through AppTest, per filter: cold (caches cleared) and warm (median of reruns)."""
    import logging
    import os
    import sys
    from pathlib import Path

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_app import APP, machine, open_page

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    human, judge = _values(db, batch)
    print(machine())
    print(f"{'filter':28} {'cold s':>8} {'warm s':>8} {'warm max':>8}  first page")
    for name in filters:
        spec = FILTERS[name]
        value = (judge if spec.value == "judge" else human) if spec.required else None
        st.cache_data.clear()
        st.cache_resource.clear()
        at = AppTest.from_file(APP, default_timeout=600)
        os.environ["QUALITYLAB_DB"] = str(Path(db).resolve().parent / "no-such-store.duckdb")
        at.run()  # registers the pages without computing anything
        os.environ["QUALITYLAB_DB"] = str(Path(db).resolve())
        at.query_params["batch"] = batch
        at.query_params["filter"] = name
        if value is not None:
            at.query_params["value"] = value
        open_page(at, "items")
        t = time.perf_counter()
        at.run()
        cold = time.perf_counter() - t
        warm = []
        for _ in range(reps):
            t = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - t)
        head = next((c.value for c in at.caption if "query `" in c.value), "")
        shown = head.split(". ", 1)[1].split(" (query", 1)[0] if ". " in head else "?"
        errors = [e.value for e in at.exception]
        print(f"{name:28} {cold:8.2f} {statistics.median(warm):8.2f} {max(warm):8.2f}  {shown}"
              + (f"  EXCEPTION {errors[0]}" if errors else ""), flush=True)  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--batch", required=True)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--app", action="store_true", help="time the Items page through AppTest")
    ap.add_argument("--filters", nargs="*", default=list(APP_FILTERS), help="with --app: the filters to open")
    args = ap.parse_args()
    if args.app:
        bench_app(args.db, args.batch, args.filters, args.reps)
        return
    human, judge = _values(args.db, args.batch)
    with open_store(args.db, read_only=True) as s:
        print(f"{'filter':28} {'cold s':>8} {'warm s':>8} {'rows':>10}")
        for name, spec in FILTERS.items():
            value = (judge if spec.value == "judge" else human) if spec.required else None
            if spec.required and value is None:
                continue
            t = time.perf_counter()
            page = items(s, args.batch, name, value, count=True)
            cold = time.perf_counter() - t
            warm = []
            for _ in range(args.reps):
                t = time.perf_counter()
                items(s, args.batch, name, value, count=True)
                warm.append(time.perf_counter() - t)
            print(f"{name:28} {cold:8.3f} {statistics.median(warm):8.3f} {page.n_rows:>10,}")


if __name__ == "__main__":
    main()
