"""Benchmark: the report on a batch with many annotators on a few shared comparisons (issue 13 item 19).

Not a test. Run:  .venv/bin/python benchmarks/bench_many_annotators.py [--annotators 2000 5000]
                  [--comparisons 3] [--workdir /tmp/qualitylab-many] [--sections]

For each annotator count N it writes one delivered pairwise file (Parquet) where every one of N human
annotators judges each of --comparisons shared comparisons (labels A/B/tie, some agreement, a
strength), ingests it with the real ``qualitylab ingest`` into a fresh store (not timed), then times,
each in a fresh child process (wall clock; peak RSS = the child's ``ru_maxrss`` from ``os.wait4``):

  report      ``qualitylab report --batch many --json`` (stdout to a file: its size is the JSON size)
  agreement   the agreement section alone (``build_report(sections=["agreement"])``), JSON size too

With --sections it also prints each report section's seconds (in one process, in report order).
The targets (issue 13 item 19): 5,000 annotators on shared items in under 30 s, under 1 GB, a JSON
under 10 MB. Results: docs/agreement.md "Many annotators".
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

LABELS = ("A", "B", "tie")


def write_file(path: Path, n_annotators: int, n_comparisons: int, seed: int = 1) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 3, n_comparisons)
    ann = np.repeat(np.arange(n_annotators), n_comparisons)
    comp = np.tile(np.arange(n_comparisons), n_annotators)
    lab = np.where(rng.random(ann.size) < 0.6, truth[comp], rng.integers(0, 3, ann.size))
    pref = np.array(LABELS)[lab]
    strength = np.where(pref == "tie", 0, rng.integers(0, 4, ann.size))
    tbl = pa.table(
        {
            "comparison_id": pa.array(np.char.add("c", comp.astype(str))),
            "annotator_id": pa.array(np.char.add("h", ann.astype(str))),
            "preference": pa.array(pref),
            "strength": pa.array(strength),
            "shown_first": pa.array(np.where(rng.random(ann.size) < 0.5, "A", "B")),
            "prompt": pa.array(np.char.add("prompt ", comp.astype(str))),
            "response_a": pa.array(np.char.add("an answer ", comp.astype(str))),
            "response_b": pa.array(np.char.add("a much longer other answer ", comp.astype(str))),
            "seconds": pa.array(rng.uniform(20, 90, ann.size)),
        }
    )
    pq.write_table(tbl, path)


def child(cmd: list[str], stdout: Path | None = None) -> tuple[float, float, int]:
    """(seconds, peak RSS MB, exit code) of one child process."""
    t0 = time.perf_counter()
    out = open(stdout, "wb") if stdout else subprocess.DEVNULL
    try:
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(p.pid, 0)
        err = p.stderr.read().decode() if p.stderr else ""
    finally:
        if stdout:
            out.close()
    rc = os.waitstatus_to_exitcode(status)
    if rc != 0:
        print(err, file=sys.stderr)
    return time.perf_counter() - t0, usage.ru_maxrss / 1024, rc


AGREEMENT_ONLY = """
import json, sys
from qualitylab.report import build_report
from qualitylab.store import open_store
with open_store(sys.argv[1], read_only=True) as s:
    doc = build_report(s, "many", sections=["agreement"])
json.dump(doc, sys.stdout, indent=2, ensure_ascii=False)
"""

SECTIONS = """
import sys, time
from qualitylab.report import ReportContext, SECTIONS, _register_area_sections
from qualitylab.store import open_store
_register_area_sections()
with open_store(sys.argv[1], read_only=True) as s:
    ctx = ReportContext(s, "many")
    for name, fn in SECTIONS:
        t0 = time.perf_counter()
        ctx.memo(f"section:{name}", lambda fn=fn: fn(ctx))
        print(f"  section {name:<10} {time.perf_counter() - t0:7.2f} s", flush=True)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--annotators", type=int, nargs="+", default=[2000, 5000])
    ap.add_argument("--comparisons", type=int, default=3)
    ap.add_argument("--workdir", default="/tmp/qualitylab-many")
    ap.add_argument("--sections", action="store_true", help="also time each report section")
    args = ap.parse_args()
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    py = sys.executable
    ql = [py, "-m", "qualitylab.cli"]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    rows = []
    for n in args.annotators:
        f = work / f"many-{n}x{args.comparisons}.parquet"
        db = work / f"many-{n}x{args.comparisons}.duckdb"
        write_file(f, n, args.comparisons)
        db.unlink(missing_ok=True)
        _, _, rc = child([*ql, "ingest", str(f), "--batch", "many", "--db", str(db), "--no-report"])
        if rc != 0:
            raise SystemExit(f"ingest failed ({rc})")
        for what, cmd in (
            ("report", [*ql, "report", "--batch", "many", "--json", "--db", str(db)]),
            ("agreement", [py, "-c", AGREEMENT_ONLY, str(db)]),
        ):
            out = work / f"{what}-{n}.json"
            load = os.getloadavg()[0]
            secs, rss, rc = child(cmd, out)
            size = out.stat().st_size / 1e6
            row = dict(
                annotators=n,
                comparisons=args.comparisons,
                step=what,
                seconds=round(secs, 2),
                peak_rss_mb=round(rss),
                json_mb=round(size, 2),
                exit_code=rc,
                load=round(load, 2),
            )
            if what == "report" and rc == 0:  # the largest top-level keys of the JSON, MB
                doc = json.loads(out.read_text(encoding="utf-8"))
                sizes = {k: len(json.dumps(v, ensure_ascii=False)) / 1e6 for k, v in doc.items()}
                row["largest_keys_mb"] = {k: round(v, 3) for k, v in sorted(sizes.items(), key=lambda kv: -kv[1])[:5]}
                row["tables_left_out"] = sorted(
                    f"{k}.{kk}" if kk else k
                    for k, v in doc.items()
                    for kk in (
                        [""]
                        if k.endswith("_left_out")
                        else [x for x in v if str(x).endswith("_left_out")]
                        if isinstance(v, dict)
                        else []
                    )
                    if kk or k.endswith("_left_out")
                )
            if what == "agreement" and rc == 0:
                doc = json.loads(out.read_text(encoding="utf-8"))
                pref = doc["agreement"]["preference"]
                row["n_pairs_listed"] = len(pref["cohen_kappa_pairs"])
                row["pairs_left_out"] = pref.get("cohen_kappa_pairs_left_out")
            rows.append(row)
            print(json.dumps(row), flush=True)
        if args.sections:
            subprocess.run([py, "-c", SECTIONS, str(db)], check=True)
    print()
    print("| annotators | step | seconds | peak RSS MB | JSON MB | load |")
    print("|---:|---|---:|---:|---:|---:|")
    for r in rows:
        cells = (f"{r['annotators']:,}", r["step"], r["seconds"], r["peak_rss_mb"], r["json_mb"], r["load"])
        print("| " + " | ".join(str(c) for c in cells) + " |")


if __name__ == "__main__":
    main()
