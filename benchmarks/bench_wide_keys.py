"""Memory of a JSONL file with thousands of distinct keys (issue 13 item 18).

    .venv/bin/python benchmarks/bench_wide_keys.py --keys 1000,2000,6000 [--python PY] [--cap-gb 4]

For each N, a pairwise JSONL file of N rows, each with the three required columns and one key of its
own (``k<i>``): about 90 bytes a row, so 6,000 keys make a 0.5 MB file (the case the outside review
found exhausting 6 GB). ``qualitylab ingest`` runs as a child process of ``--python`` (another
checkout's venv measures the code before a change) into a fresh store; the child's peak RSS is
``ru_maxrss`` from ``os.wait4``. ``--cap-gb`` bounds the child's address space (RLIMIT_AS) so a
run that would exhaust the machine fails instead; a failed run is reported with its exit code.
Prints one JSON line per N.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def write_file(path: Path, n: int) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps({"comparison_id": f"c{i}", "annotator_id": "a", "preference": "A", f"k{i}": i}) + "\n")


def run(python: str, path: Path, db: Path, cap_gb: float) -> dict:
    cap = int(cap_gb * 1024**3)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    t = time.perf_counter()
    p = subprocess.Popen(
        [python, "-m", "qualitylab.cli", "ingest", str(path), "--batch", "wide", "--db", str(db)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=limit,
    )
    assert p.stderr is not None
    err = p.stderr.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(p.pid, 0)
    return {
        "s": round(time.perf_counter() - t, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
        "rc": os.waitstatus_to_exitcode(status),
        "error": err.strip().splitlines()[-1][:200] if err.strip() else "",
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keys", default="1000,2000,6000", help="comma-separated numbers of distinct keys")
    ap.add_argument("--python", default=sys.executable, help="the interpreter whose qualitylab is measured")
    ap.add_argument("--cap-gb", type=float, default=4.0, help="address-space cap of the child (GB)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="qualitylab-wide-") as tmp:
        for n in (int(k) for k in args.keys.split(",")):
            path = Path(tmp) / f"wide{n}.jsonl"
            write_file(path, n)
            res = run(args.python, path, Path(tmp) / f"wide{n}.duckdb", args.cap_gb)
            print(json.dumps({"keys": n, "file_mb": round(path.stat().st_size / 1e6, 2), **res}), flush=True)


if __name__ == "__main__":
    main()
