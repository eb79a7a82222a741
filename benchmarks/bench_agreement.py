"""Benchmark: Krippendorff's alpha (nominal) end to end from a store, qualitylab vs references.

Not a test. Run:  .venv/bin/python benchmarks/bench_agreement.py [--sizes 10000 100000 1000000]
                  [--reps 3] [--workdir /tmp/qualitylab-bench]

For each size (judgments; 3 human verdicts per comparison, 200 annotators, labels A/B/tie with
some agreement) it builds a store once (not timed), then times, each in a fresh subprocess so that
peak memory is per method:
  qualitylab          agreement/preference_patterns (SQL: per-item counts -> distinct patterns)
                      + coefficients.krippendorff_alpha
  kripp value_counts  SQL per-item value counts -> dense items x 3 matrix -> krippendorff.alpha(value_counts=)
  kripp dense         SQL (annotator, item, label) rows -> annotators x items matrix
                      -> krippendorff.alpha(reliability_data=)
  nltk                SQL rows -> nltk.metrics.agreement.AnnotationTask(...).alpha()  (skipped above --nltk-max)
Every path starts from opening the store and ends with the alpha value. Time: median of --reps
wall-clock runs of that work (imports excluded). Memory: the child's peak RSS (ru_maxrss, includes
the ~interpreter + library baseline, reported separately) and tracemalloc's peak of Python/numpy
allocations during the work. krippendorff (GPL-3.0) and nltk are dev-only references.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

N_ANNOTATORS = 200
PER_ITEM = 3
LABELS = ("A", "B", "tie")


def build_store(path: Path, n_judgments: int, seed: int = 1) -> None:
    import numpy as np
    import pyarrow as pa

    from qualitylab.store import open_store

    if path.exists():
        return
    rng = np.random.default_rng(seed)
    items = n_judgments // PER_ITEM
    x = rng.integers(0, N_ANNOTATORS, items)
    y = rng.integers(0, N_ANNOTATORS - 1, items)
    z = (y + 1 + rng.integers(0, N_ANNOTATORS - 2, items)) % (N_ANNOTATORS - 1)
    ann = np.stack([x, (x + 1 + y) % N_ANNOTATORS, (x + 1 + z) % N_ANNOTATORS], 1).ravel()
    truth = rng.choice(3, size=items, p=[0.5, 0.35, 0.15])
    lab = np.where(rng.random((items, PER_ITEM)) < 0.6, truth[:, None], rng.integers(0, 3, (items, PER_ITEM))).ravel()
    n = items * PER_ITEM
    tbl = pa.table(
        {
            "comparison_id": pa.array(np.char.add("c", np.repeat(np.arange(items), PER_ITEM).astype(str))),
            "annotator_id": pa.array(np.char.add("h", ann.astype(str))),
            "preference": pa.array(np.array(LABELS)[lab]),
            "source_line": pa.array(np.arange(1, n + 1)),
        }
    )
    with open_store(path) as store:
        con = store.con
        con.execute("INSERT INTO batches VALUES ('bench', 'bench', DATE '2026-01-01', now())").fetchall()
        con.register("_bench", tbl)
        con.execute("""
            INSERT INTO verdicts (batch_id, file_id, source_line, comparison_id, annotator_id, annotator_kind,
                                  preference, shown_first, shown_first_recorded)
            SELECT 'bench', 1, source_line, comparison_id, annotator_id, 'human', preference, 'A', false
            FROM _bench""").fetchall()
        con.unregister("_bench")


# -- the timed work, one function per method (run inside a child process) -----------------------


def run_qualitylab(db: str) -> float:
    from qualitylab.agreement.coefficients import krippendorff_alpha
    from qualitylab.agreement.compute import PREFERENCE_CODES, patterns_from_wide
    from qualitylab.store import open_store

    with open_store(db, read_only=True) as store:
        tbl = store.arrow("agreement/preference_patterns", {"batch_id": "bench"})
    return krippendorff_alpha(patterns_from_wide(tbl, list(PREFERENCE_CODES)), "nominal").value


def run_qualitylab_boot(db: str) -> float:
    from qualitylab.agreement.coefficients import krippendorff_alpha
    from qualitylab.agreement.compute import PREFERENCE_CODES, patterns_from_wide
    from qualitylab.store import open_store

    with open_store(db, read_only=True) as store:
        tbl = store.arrow("agreement/preference_patterns", {"batch_id": "bench"})
    return krippendorff_alpha(patterns_from_wide(tbl, list(PREFERENCE_CODES)), "nominal", n_boot=1000, seed=1).value


def run_kripp_value_counts(db: str) -> float:
    import krippendorff
    import numpy as np

    from qualitylab.store import open_store

    with open_store(db, read_only=True) as store:
        tbl = store.con.sql("""
            SELECT comparison_id, CASE preference WHEN 'B' THEN 0 WHEN 'tie' THEN 1 ELSE 2 END AS v,
                   count(*) AS n
            FROM verdicts WHERE batch_id = 'bench' AND annotator_kind = 'human'
            GROUP BY ALL""").to_arrow_table()
    _, item = np.unique(tbl.column("comparison_id").to_numpy(zero_copy_only=False), return_inverse=True)
    vc = np.zeros((item.max() + 1, 3))
    vc[item, tbl.column("v").to_numpy()] = tbl.column("n").to_numpy()
    return float(krippendorff.alpha(value_counts=vc, level_of_measurement="nominal"))


def run_kripp_dense(db: str) -> float:
    import krippendorff
    import numpy as np

    from qualitylab.store import open_store

    with open_store(db, read_only=True) as store:
        tbl = store.con.sql("""
            SELECT annotator_id, comparison_id, CASE preference WHEN 'B' THEN 0 WHEN 'tie' THEN 1 ELSE 2 END AS v
            FROM verdicts WHERE batch_id = 'bench' AND annotator_kind = 'human'""").to_arrow_table()
    _, a = np.unique(tbl.column("annotator_id").to_numpy(zero_copy_only=False), return_inverse=True)
    _, i = np.unique(tbl.column("comparison_id").to_numpy(zero_copy_only=False), return_inverse=True)
    data = np.full((a.max() + 1, i.max() + 1), np.nan)
    data[a, i] = tbl.column("v").to_numpy()
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def run_nltk(db: str) -> float:
    from nltk.metrics.agreement import AnnotationTask

    from qualitylab.store import open_store

    with open_store(db, read_only=True) as store:
        rows = store.con.sql("""
            SELECT annotator_id, comparison_id, preference
            FROM verdicts WHERE batch_id = 'bench' AND annotator_kind = 'human'""").fetchall()
    return float(AnnotationTask(data=rows).alpha())


METHODS = {
    "qualitylab": run_qualitylab,
    "qualitylab+boot1000": run_qualitylab_boot,
    "kripp value_counts": run_kripp_value_counts,
    "kripp dense": run_kripp_dense,
    "nltk": run_nltk,
}


def child(method: str, db: str, trace: bool) -> None:
    """Run one method once and print {alpha, seconds, rss_mb, baseline_rss_mb, traced_peak_mb}.

    tracemalloc slows Python-heavy code many times over, so timed runs do not trace; a separate
    traced run gives the traced peak.
    """
    import duckdb  # noqa: F401  (imports happen before timing)
    import numpy  # noqa: F401
    import pandas  # noqa: F401  (pyarrow's to_numpy may import it lazily)
    import pyarrow  # noqa: F401

    import qualitylab.agreement.compute  # noqa: F401

    if method.startswith("kripp"):
        import krippendorff  # noqa: F401
    if method == "nltk":
        import nltk.metrics.agreement  # noqa: F401
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if trace:
        tracemalloc.start()
    t0 = time.perf_counter()
    alpha = METHODS[method](db)
    secs = time.perf_counter() - t0
    traced = tracemalloc.get_traced_memory()[1] if trace else 0
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {"alpha": alpha, "seconds": secs, "rss_mb": rss, "baseline_rss_mb": base, "traced_peak_mb": traced / 2**20}
        )
    )


def _run_child(method: str, db: Path, trace: bool) -> dict:
    cmd = [sys.executable, __file__, "--child", method, str(db)] + (["--trace"] if trace else [])
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(method: str, db: Path, reps: int, trace: bool = True) -> dict:
    runs = [_run_child(method, db, False) for _ in range(reps)]
    traced = _run_child(method, db, True)["traced_peak_mb"] if trace else float("nan")
    return {
        "alpha": runs[0]["alpha"],
        "seconds": statistics.median(r["seconds"] for r in runs),
        "rss_mb": statistics.median(r["rss_mb"] for r in runs),
        "rss_over_baseline_mb": statistics.median(r["rss_mb"] - r["baseline_rss_mb"] for r in runs),
        "traced_peak_mb": traced,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument(
        "--nltk-max", type=int, default=100_000, help="skip nltk above this many judgments (it takes minutes at 1M)"
    )
    ap.add_argument("--workdir", default="/tmp/qualitylab-bench")
    ap.add_argument("--child", nargs=2, metavar=("METHOD", "DB"), help=argparse.SUPPRESS)
    ap.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child, args.trace)
        return
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    print(
        f"# alpha (nominal), {N_ANNOTATORS} annotators, {PER_ITEM} verdicts per comparison; "
        f"median of {args.reps} runs; OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE')}"
    )
    print(
        "| judgments | method | seconds | x qualitylab | peak RSS MB (over baseline) | traced peak MB "
        "| alpha | abs diff |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for size in args.sizes:
        db = work / f"bench_{size}.duckdb"
        build_store(db, size)
        results = {}
        for method in METHODS:
            if method == "nltk" and size > args.nltk_max:
                print(f"| {size:,} | nltk | skipped (> --nltk-max {args.nltk_max:,}: minutes) | | | | | |")
                continue
            slow = method == "nltk" or (method == "kripp dense" and size >= 1_000_000)
            results[method] = measure(method, db, 1 if method == "nltk" else args.reps, trace=not slow)
            r, ref = results[method], results["qualitylab"]
            print(
                f"| {size:,} | {method} | {r['seconds']:.3f} | {r['seconds'] / ref['seconds']:.1f} | "
                f"{r['rss_mb']:.0f} ({r['rss_over_baseline_mb']:.0f}) | {r['traced_peak_mb']:.1f} | "
                f"{r['alpha']:.12f} | {abs(r['alpha'] - ref['alpha']):.1e} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
