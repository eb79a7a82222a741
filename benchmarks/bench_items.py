"""First page of each items filter on a big batch, warm (issue 17: <= 1 s on 1M judgments).

    python benchmarks/bench_items.py --db /tmp/ui_1mv.duckdb --batch big-w2 [--reps 3]

Opens the store read-only, runs each filter's first page (50 rows, counted, as the Items page asks)
once cold and ``--reps`` times warm (DuckDB's buffer pool warm; the app also caches the result),
and prints the median warm time per filter. A measurement, not a test (docs/scale.md).
"""

from __future__ import annotations

import argparse
import statistics
import time

from qualitylab.items import FILTERS, items
from qualitylab.store import open_store


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--batch", required=True)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    with open_store(args.db, read_only=True) as s:
        people = s.rows("items/annotators", {"batch_id": args.batch})
        human = next((r["annotator_id"] for r in people if r["annotator_kind"] == "human"), None)
        judge = next((r["annotator_id"] for r in people if r["annotator_kind"] == "judge"), None)
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
