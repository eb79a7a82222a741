"""Time and peak memory of `qualitylab export` on a large store (docs/contract.md, "Scale").

    python benchmarks/bench_export.py DB BATCH OUTDIR [--formats dpo pairwise]

Each export runs as its own process (`python -m qualitylab.cli export ...`); the script prints one
JSON line per run with the wall seconds, the child's peak RSS (getrusage RUSAGE_CHILDREN, so one
child per script run is measured cleanly by running each format in a fresh interpreter), the
rows written and the file size. The batch must be accepted (`qualitylab decide ... --accept`).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path


def one(db: str, batch: str, fmt: str, out: Path) -> dict:
    t = time.perf_counter()
    r = subprocess.run(
        [sys.executable, "-m", "qualitylab.cli", "export", "--batch", batch, "--format", fmt, "--out", str(out),
         "--db", db],
        capture_output=True,
        text=True,
    )  # fmt: skip
    seconds = time.perf_counter() - t
    if r.returncode != 0:
        raise SystemExit(r.stderr)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    manifest = json.loads(Path(str(out) + ".manifest.json").read_text())
    return {
        "format": fmt,
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(peak_kb / 1024),
        "n_rows": manifest["n_rows"],
        "file_mb": round(out.stat().st_size / 2**20, 1),
        "verdicts_in": manifest["counts"]["verdicts"]["in"],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("batch")
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--format", default="dpo", choices=["dpo", "pairwise", "ratings"])
    ap.add_argument("--suffix", default=".parquet", choices=[".parquet", ".jsonl"])
    a = ap.parse_args()
    a.outdir.mkdir(parents=True, exist_ok=True)
    print(json.dumps(one(a.db, a.batch, a.format, a.outdir / f"{a.batch}-{a.format}{a.suffix}")), flush=True)


if __name__ == "__main__":
    main()
