"""Scale benchmark, one command: generate, ingest, report, check, one app page, and the references.

    .venv/bin/python benchmarks/run.py --sizes 1M,10M [--workdir /tmp/qualitylab-scale] [--reps 3]
        [--json results.json] [--keep]

For each size N (pairwise judgments, benchmarks/generate.py with 2 LLM judges, a ratings file and
a rankings file) every step runs as its own child process; time = wall clock, memory = the child's
peak RSS (``ru_maxrss`` from ``os.wait4``, i.e. what ``/usr/bin/time -f %M`` reports). Steps:

  generate        benchmarks/generate.py (not a target; skipped when the files exist)
  ingest          ``qualitylab ingest pairs.parquet --batch big --db fresh.duckdb``
  bare CTAS       DuckDB alone: ``CREATE TABLE t AS SELECT * FROM read_parquet(pairs)`` into a fresh file,
                  same config as the store (memory_limit 2GB, preserve_insertion_order false)
  ingest ratings / rankings  the two sibling files into the same batch (``--kind`` from the columns)
  import          ``python -c "import qualitylab.cli; register every report section"`` (start-up share)
  --help, batches ``qualitylab --help`` and ``qualitylab batches`` (start-up of a command that computes nothing)
  sections        one report in a child, the seconds of each section (ReportContext, in report order)
  report          ``qualitylab report --batch big --json > /dev/null`` (the last repetition writes
                  the JSON into the workdir, to cross-check values)
  check           ``qualitylab check --batch big`` (exit 0/10/11 = ACCEPT/REVIEW/REJECT)
  app overview    benchmarks/bench_app.py --pages overview: AppTest, cold (empty caches) and warm
  qualitylab headline   the same four headline metrics the references compute, from the store:
                  alpha (SQL label-count patterns + coefficients.krippendorff_alpha), label
                  distribution, p_first and p_prefer_longer per annotator (one query each)
  kripp value_counts    DuckDB group-by (item x label counts of human verdicts) -> krippendorff.alpha(value_counts=)
  kripp dense     DuckDB rows -> annotators x items float matrix -> krippendorff.alpha(reliability_data=)
                  (skipped when the matrix would exceed --dense-max-gb)
  pandas          pandas.read_parquet of the delivered file's needed columns (texts included: lengths
                  are computed from them), then the four headline metrics in plain pandas (skipped
                  when the texts would exceed --pandas-max-gb in memory)

Repetitions: ``--reps`` (3) for every step at sizes <= 2M; 1 above (the 10M steps take minutes).
Medians are reported. The machine is described at the top of the output (cores, memory, CPU,
versions) and the 1-minute load average is recorded before each step. Generated files stay in the
workdir for the next run unless ``--clean``; stores are deleted after each size unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PY = sys.executable
QL = [PY, "-m", "qualitylab.cli"]
MEMORY_LIMIT = "2GB"  # the store's default (qualitylab/store.py); the bare CTAS uses the same


# -- measuring a child ---------------------------------------------------------------------------


def measure(cmd: list[str], *, stdout=None, env=None, ok=(0,)) -> dict:
    """Run ``cmd`` as a child; wall seconds and its peak RSS in MB (``ru_maxrss`` of that child only)."""
    cmd = [str(c) for c in cmd]
    load = os.getloadavg()[0]
    out = subprocess.DEVNULL if stdout is None else stdout
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, env=env, cwd=REPO)
    # read stderr while it runs (a full pipe would block the child), then reap with wait4
    err = p.stderr.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t
    if p.returncode not in ok:
        raise SystemExit(f"failed ({p.returncode}): {' '.join(map(str, cmd))}\n{err[-3000:]}")
    return {
        "s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,  # CPU seconds of the child: less sensitive to a loaded machine
        "rss_mb": usage.ru_maxrss / 1024,
        "load": load,
        "rc": p.returncode,
        "stderr": err,
    }


def repeat(n: int, fn) -> dict:
    runs = [fn(i) for i in range(n)]
    return {
        "s": statistics.median(r["s"] for r in runs),
        "cpu_s": statistics.median(r["cpu_s"] for r in runs),
        "rss_mb": max(r["rss_mb"] for r in runs),
        "runs_s": [round(r["s"], 2) for r in runs],
        "load": runs[0]["load"],
        "last": runs[-1],
    }


def child(code: str, *args) -> list[str]:
    return [PY, "-c", code, *map(str, args)]


def _cli_has(flag: str) -> bool:
    """Whether this checkout's CLI knows ``flag`` (the runner also measures older checkouts)."""
    return flag in (REPO / "qualitylab" / "cli.py").read_text(encoding="utf-8")


SNAPSHOTS = _cli_has("--no-report")  # stored report snapshots (issue 15 part 1)
NO_REPORT = ["--no-report"] if SNAPSHOTS else []  # ingest alone, without the snapshot step
RECOMPUTE = ["--recompute"] if SNAPSHOTS else []  # the full computation even when a snapshot exists


def rm_snapshots(db: Path) -> None:
    import duckdb

    with duckdb.connect(str(db)) as con:
        con.execute("DELETE FROM report_snapshots")


def rm_db(path: Path) -> None:
    for p in (path, Path(str(path) + ".wal")):
        if p.exists():
            p.unlink()


# -- child programs (each prints one JSON line on stdout) ------------------------------------------

BARE = """
import sys, duckdb
con = duckdb.connect(sys.argv[2], config={"memory_limit": sys.argv[3], "preserve_insertion_order": False})
con.execute("CREATE TABLE t AS SELECT * FROM read_parquet($f)", {"f": sys.argv[1]}).fetchall()
con.close()
"""

IMPORTS = """
import qualitylab.cli, qualitylab.report as r
r._register_area_sections()
"""

SECTIONS = """
import json, sys, time
from functools import partial
from qualitylab import report as R
from qualitylab.store import open_store
R._register_area_sections()
out = {}
with open_store(sys.argv[1], read_only=True) as s:
    ctx = R.ReportContext(s, sys.argv[2])
    t0 = time.perf_counter()
    for name, fn in R.SECTIONS:
        t = time.perf_counter()
        ctx.memo(f"section:{name}", partial(fn, ctx))
        out[name] = time.perf_counter() - t
print(json.dumps({"sections": out, "work_s": time.perf_counter() - t0}))
"""

QL_HEADLINE = """
import json, sys, time
t0 = time.perf_counter()
from qualitylab.store import open_store
from qualitylab.agreement.compute import PREFERENCE_CODES, patterns_from_wide
from qualitylab.agreement import coefficients as co
t1 = time.perf_counter()
with open_store(sys.argv[1], read_only=True) as s:
    s.con.execute("SET enable_progress_bar = false").fetchall()
    p = {"batch_id": "big"}
    alpha = co.krippendorff_alpha(patterns_from_wide(s.arrow("agreement/preference_patterns", p),
                                                     list(PREFERENCE_CODES))).value
    dist = {r["preference"]: r["n"] for r in s.rows("overview/label_distribution", p) if r["annotator_kind"] == "human"}
    pos = {r["annotator_id"]: r["k_first"] / r["n"] for r in s.rows("bias/position_by_annotator", p)
           if r["annotator_kind"] == "human" and r["n"]}
    lng = {r["annotator_id"]: r["k_longer"] / r["n"]
           for r in s.rows("bias/length_by_annotator", {**p, "min_diff_chars": 30})
           if r["annotator_kind"] == "human" and r["n"]}
total = sum(dist.values())
print(json.dumps({"alpha": alpha, "dist": {k: v / total for k, v in dist.items()}, "p_first": pos,
                  "p_prefer_longer": lng, "import_s": t1 - t0, "work_s": time.perf_counter() - t1}))
"""

KRIPP_VALUE_COUNTS = """
import json, sys, time
t0 = time.perf_counter()
import duckdb, numpy as np, krippendorff
t1 = time.perf_counter()
con = duckdb.connect(sys.argv[1], read_only=True, config={"memory_limit": sys.argv[2]})
con.execute("SET enable_progress_bar = false").fetchall()
tbl = con.execute(
    "SELECT count(*) FILTER (WHERE preference = 'A') AS a, count(*) FILTER (WHERE preference = 'B') AS b, "
    "count(*) FILTER (WHERE preference = 'tie') AS t FROM verdicts "
    "WHERE batch_id = 'big' AND annotator_kind = 'human' GROUP BY comparison_id").fetchnumpy()
vc = np.column_stack([tbl["a"], tbl["b"], tbl["t"]]).astype(float)
t2 = time.perf_counter()
alpha = krippendorff.alpha(value_counts=vc, level_of_measurement="nominal")
t3 = time.perf_counter()
print(json.dumps({"alpha": float(alpha), "import_s": t1 - t0, "query_s": t2 - t1, "alpha_s": t3 - t2,
                  "work_s": t3 - t1}))
"""

KRIPP_DENSE = """
import json, sys, time
t0 = time.perf_counter()
import duckdb, numpy as np, krippendorff
t1 = time.perf_counter()
con = duckdb.connect(sys.argv[1], read_only=True, config={"memory_limit": sys.argv[2]})
con.execute("SET enable_progress_bar = false").fetchall()
tbl = con.execute(
    "SELECT dense_rank() OVER (ORDER BY annotator_id) - 1 AS r, dense_rank() OVER (ORDER BY comparison_id) - 1 AS i, "
    "CASE preference WHEN 'B' THEN 0 WHEN 'tie' THEN 1 ELSE 2 END AS v FROM verdicts "
    "WHERE batch_id = 'big' AND annotator_kind = 'human'").fetchnumpy()
data = np.full((int(tbl["r"].max()) + 1, int(tbl["i"].max()) + 1), np.nan)
data[tbl["r"], tbl["i"]] = tbl["v"]
t2 = time.perf_counter()
alpha = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal", value_domain=[0.0, 1.0, 2.0])
t3 = time.perf_counter()
print(json.dumps({"alpha": float(alpha), "shape": list(data.shape), "import_s": t1 - t0, "query_s": t2 - t1,
                  "alpha_s": t3 - t2, "work_s": t3 - t1}))
"""

PANDAS = """
import json, sys, time
t0 = time.perf_counter()
import numpy as np, pandas as pd
t1 = time.perf_counter()
df = pd.read_parquet(sys.argv[1], columns=["comparison_id", "annotator_id", "annotator_kind", "preference",
                                           "shown_first", "response_a", "response_b"])
t2 = time.perf_counter()
h = df[df["annotator_kind"] == "human"]
# label distribution
dist = h["preference"].value_counts(normalize=True).to_dict()
# Krippendorff's alpha, nominal: coincidences from per-item label counts (Krippendorff 2011)
vc = pd.crosstab(h["comparison_id"], h["preference"]).to_numpy(dtype=float)
m = vc.sum(1)
vc, m = vc[m >= 2], m[m >= 2]
o = (vc[:, :, None] * vc[:, None, :] - vc[:, :, None] * np.eye(vc.shape[1])) / (m - 1)[:, None, None]
o = o.sum(0)
n_c = o.sum(1); n = n_c.sum()
d_o = (n - 1) * (o.sum() - np.trace(o))
d_e = n * n - (n_c ** 2).sum()
alpha = 1 - d_o / d_e
# p_first: non-tie verdicts preferring the response shown first, per annotator
nt = h[h["preference"] != "tie"]
p_first = (nt["preference"] == nt["shown_first"]).groupby(nt["annotator_id"]).mean().to_dict()
# p_prefer_longer: non-tie verdicts with |len_a - len_b| > 30 characters preferring the longer one
la, lb = nt["response_a"].str.len(), nt["response_b"].str.len()
keep = (la - lb).abs() > 30
longer = np.where(la > lb, "A", "B")
p_longer = (nt["preference"] == longer)[keep].groupby(nt["annotator_id"][keep]).mean().to_dict()
t3 = time.perf_counter()
print(json.dumps({"alpha": float(alpha), "dist": dist, "p_first": p_first, "p_prefer_longer": p_longer,
                  "import_s": t1 - t0, "read_s": t2 - t1, "metrics_s": t3 - t2, "work_s": t3 - t1}))
"""


# -- the run -----------------------------------------------------------------------------------


def parse_size(s: str) -> int:
    s = s.strip().upper()
    mult = {"K": 1_000, "M": 1_000_000}.get(s[-1], 1)
    return int(float(s[:-1] if s[-1] in "KM" else s) * mult)


def label(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1_000}k" if n % 1_000 == 0 else str(n)


def machine() -> dict:
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.processor(),
    )
    free = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.strip()
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for dist in (
        "qualitylab",
        "duckdb",
        "pyarrow",
        "numpy",
        "pandas",
        "scipy",
        "statsmodels",
        "scikit-learn",
        "streamlit",
        "krippendorff",
    ):
        try:
            versions[dist] = version(dist)
        except PackageNotFoundError:
            versions[dist] = "not installed"
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "free_h": free,
        "python": platform.python_version(),
        "versions": versions,
        "kernel": platform.release(),
    }


def _ingest_steps(res, reps, ingest, pairs, ratings, rankings, db, bare_db, say) -> None:
    """ingest (without the snapshot step), the bare CTAS, then the ratings and rankings files."""
    say("ingest")
    res["ingest"] = repeat(reps, ingest)

    def bare(i):
        rm_db(bare_db)
        return measure(child(BARE, pairs, bare_db, MEMORY_LIMIT))

    say("bare CTAS")
    res["bare"] = repeat(reps, bare)
    res["bare_db_gb"] = bare_db.stat().st_size / 1e9
    res["store_db_gb_pairs"] = db.stat().st_size / 1e9
    rm_db(bare_db)

    say("ingest ratings + rankings")
    res["ingest_ratings"] = measure([*QL, "ingest", str(ratings), "--batch", "big", "--db", str(db), *NO_REPORT])
    res["ingest_rankings"] = measure([*QL, "ingest", str(rankings), "--batch", "big", "--db", str(db), *NO_REPORT])


def run_size(n: int, work: Path, reps_small: int, args) -> dict:
    lab = label(n)
    reps = reps_small if n <= 2_000_000 else 1
    pairs = work / f"pairs_{lab}.parquet"
    ratings, rankings = work / f"pairs_{lab}_ratings.parquet", work / f"pairs_{lab}_rankings.parquet"
    db, bare_db = work / f"store_{lab}.duckdb", work / f"bare_{lab}.duckdb"
    res: dict = {"n": n, "label": lab, "reps": reps}

    def say(m):
        print(f"[{lab}] {m}", file=sys.stderr, flush=True)

    if not (pairs.exists() and ratings.exists() and rankings.exists()):
        say("generating")
        res["generate"] = measure(
            [PY, str(REPO / "benchmarks/generate.py"), n, pairs, "--judges", 2, "--ratings", "--rankings"]
        )
    res["file_gb"] = pairs.stat().st_size / 1e9

    def ingest(i):
        rm_db(db)
        return measure([*QL, "ingest", str(pairs), "--batch", "big", "--db", str(db), *NO_REPORT])

    reuse = args.reuse_store and db.exists()
    if reuse:
        say(f"reusing {db} (no ingest, no bare CTAS)")
    else:
        _ingest_steps(res, reps, ingest, pairs, ratings, rankings, db, bare_db, say)
    res["store_db_gb"] = db.stat().st_size / 1e9

    say("imports")
    res["imports"] = repeat(reps_small, lambda i: measure(child(IMPORTS)))
    say("--help, batches")
    res["help"] = repeat(reps_small, lambda i: measure([*QL, "--help"]))
    res["batches"] = repeat(reps_small, lambda i: measure([*QL, "batches", "--db", str(db)]))

    report_json = work / f"report_{lab}.json"

    def report(i):
        if i == reps - 1:
            with open(report_json, "wb") as f:
                return measure([*QL, "report", "--batch", "big", "--json", "--db", str(db), *RECOMPUTE], stdout=f)
        return measure([*QL, "report", "--batch", "big", "--json", "--db", str(db), *RECOMPUTE])

    say("report")
    res["report"] = repeat(reps, report)

    say("report sections")
    res["sections"] = _measure_json(child(SECTIONS, db, "big"))

    say("check")
    check = [*QL, "check", "--batch", "big", "--db", str(db)]
    res["check"] = repeat(reps, lambda i: measure([*check, *RECOMPUTE], ok=(0, 10, 11, 12)))
    res["check"]["verdict_rc"] = res["check"]["last"]["rc"]
    if SNAPSHOTS:
        say("check, first time: computes and stores the snapshot; then check on the stored snapshot")
        rm_snapshots(db)
        res["snapshot_step"] = measure(check, ok=(0, 10, 11, 12))
        res["check_snapshot"] = repeat(reps_small, lambda i: measure(check, ok=(0, 10, 11, 12)))

    say("app overview (AppTest)")
    app_json = work / f"app_{lab}.json"
    app = measure(
        [
            PY,
            str(REPO / "benchmarks/bench_app.py"),
            "--db",
            str(db),
            "--batch",
            "big",
            "--pages",
            "overview",
            "--reps",
            str(reps_small),
            "--json",
            str(app_json),
        ]
    )
    row = json.loads(app_json.read_text())["rows"][0]
    res["app"] = {
        "cold_s": row["cold_s"],
        "warm_s": row["warm_s"],
        "rss_mb": app["rss_mb"],
        "cpu_s": app["cpu_s"],
        "load": app["load"],
        "exceptions": row["exceptions"],
    }

    def refs(code, *a):
        return repeat(reps, lambda i: _measure_json(child(code, *a)))

    say("qualitylab headline metrics")
    res["ql_headline"] = refs(QL_HEADLINE, db)
    say("krippendorff value_counts")
    res["kripp_vc"] = refs(KRIPP_VALUE_COUNTS, db, MEMORY_LIMIT)
    dense_gb = _dense_gb(db)
    if dense_gb <= args.dense_max_gb:
        say(f"krippendorff dense ({dense_gb:.1f} GB matrix)")
        res["kripp_dense"] = refs(KRIPP_DENSE, db, MEMORY_LIMIT)
    else:
        res["kripp_dense"] = {
            "skipped": f"the annotators x items matrix would be {dense_gb:.1f} GB "
            f"(> --dense-max-gb {args.dense_max_gb})"
        }
    text_gb = _text_gb(db)
    if text_gb <= args.pandas_max_gb:
        say(f"pandas ({text_gb:.1f} GB of text)")
        res["pandas"] = refs(PANDAS, pairs)
    else:
        res["pandas"] = {
            "skipped": f"the texts alone are {text_gb:.1f} GB of UTF-8 (pandas needs more "
            f"as Python/Arrow strings; > --pandas-max-gb {args.pandas_max_gb})"
        }

    res["check_values"] = cross_check(report_json, res)
    if not args.keep:
        rm_db(db)
    return res


def _measure_json(cmd) -> dict:
    """``measure`` of a child that prints one JSON line (its values and its own inner timings)."""
    import tempfile

    with tempfile.TemporaryFile() as f:
        m = measure(cmd, stdout=f)
        f.seek(0)
        lines = [ln for ln in f.read().decode().splitlines() if ln.startswith("{")]
        m["out"] = json.loads(lines[-1])
    m["work_s"] = m["out"]["work_s"]
    return m


def _dense_gb(db: Path) -> float:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        a, i = con.execute(
            "SELECT count(DISTINCT annotator_id), count(DISTINCT comparison_id) FROM verdicts "
            "WHERE batch_id = 'big' AND annotator_kind = 'human'"
        ).fetchall()[0]
    return a * i * 8 / 1e9


def _text_gb(db: Path) -> float:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT (sum(len_a_chars) + sum(len_b_chars)) / 1e9 FROM verdicts").fetchall()[0][0]


def cross_check(report_json: Path, res: dict) -> dict:
    """Largest differences between the report's values and each reference's (they must agree)."""
    doc = json.loads(report_json.read_text())
    alpha = doc["agreement"]["preference"]["krippendorff_alpha"]["value"]
    dist = {k: v["value"] for k, v in doc["label_distribution"]["human"].items()}
    pf = {r["annotator_id"]: r["p_first"] for r in doc["position_bias"]["by_annotator"]}
    pl = {r["annotator_id"]: r["p_prefer_longer"] for r in doc["length_bias"]["by_annotator"]}
    out = {"report_alpha": alpha}
    for name in ("ql_headline", "kripp_vc", "kripp_dense", "pandas"):
        o = res.get(name, {}).get("last", {}).get("out")
        if not o:
            continue
        d = {"alpha": abs(o["alpha"] - alpha)}
        if "dist" in o:
            d["label_distribution"] = max(abs(o["dist"].get(k, 0) - v) for k, v in dist.items())
            d["p_first"] = max(abs(o["p_first"][a] - v) for a, v in pf.items() if v is not None)
            d["p_prefer_longer"] = max(abs(o["p_prefer_longer"][a] - v) for a, v in pl.items() if v is not None)
        out[name] = d
    return out


# -- output ------------------------------------------------------------------------------------


def fmt_s(x):
    return f"{x:.1f}" if x >= 10 else f"{x:.2f}"


def table(results: list[dict]) -> str:
    labs = [r["label"] for r in results]
    lines = [
        "| step | " + " | ".join(f"{lab}: time (s) | {lab}: CPU (s) | {lab}: peak RSS (MB)" for lab in labs) + " |",
        "|---|" + "---:|---:|---:|" * len(labs),
    ]

    def row(name, key, sub=None):
        cells = []
        for r in results:
            m = r.get(key, {})
            if "skipped" in m or not m:
                cells += ["skipped", "", ""]
                continue
            s = m["s"] if sub is None else m[sub]
            cells += [
                fmt_s(s) + (f" ({', '.join(map(str, m['runs_s']))})" if "runs_s" in m and len(m["runs_s"]) > 1 else ""),
                fmt_s(m["cpu_s"]) if sub is None and "cpu_s" in m else "",
                f"{m['rss_mb']:.0f}",
            ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")

    row("ingest pairwise (`qualitylab ingest`)", "ingest")
    row("bare DuckDB CTAS of the same file", "bare")
    row("ingest ratings file", "ingest_ratings")
    row("ingest rankings file", "ingest_rankings")
    row("import qualitylab + every area", "imports")
    row("`qualitylab --help`", "help")
    row("`qualitylab batches`", "batches")
    row("report --json (full)", "report")
    row("report sections, one process (sum below)", "sections")
    row("check (computes)", "check")
    row("check, first: computes and stores the snapshot", "snapshot_step")
    row("check on a stored snapshot", "check_snapshot")
    row("app Overview, cold (AppTest)", "app", "cold_s")
    row("app Overview, warm (AppTest)", "app", "warm_s")
    row("qualitylab headline metrics (process)", "ql_headline")
    row("krippendorff value_counts (process)", "kripp_vc")
    row("krippendorff dense (process)", "kripp_dense")
    row("pandas headline metrics (process)", "pandas")
    return "\n".join(lines)


def section_table(results: list[dict]) -> str:
    """Seconds of each report section (the 'sections' step), one column per size."""
    have = [r for r in results if "out" in r.get("sections", {})]
    if not have:
        return ""
    names = list(have[0]["sections"]["out"]["sections"])
    lines = ["| section | " + " | ".join(f"{r['label']}: s" for r in have) + " |", "|---|" + "---:|" * len(have)]
    for n in names:
        lines.append(f"| {n} | " + " | ".join(fmt_s(r["sections"]["out"]["sections"].get(n, 0.0)) for r in have) + " |")
    lines.append("| total | " + " | ".join(fmt_s(r["sections"]["out"]["work_s"]) for r in have) + " |")
    return "\n".join(lines)


def ratios(results: list[dict]) -> list[str]:
    out = []
    for r in results:
        L = r["label"]
        if "ingest" in r:
            out.append(
                f"{L}: ingest / bare CTAS = {r['ingest']['s'] / r['bare']['s']:.2f}x wall, "
                f"{r['ingest']['cpu_s'] / r['bare']['cpu_s']:.2f}x CPU (target <= 1.5x)"
            )
        target = 6 if r["n"] <= 1_000_000 else 30
        out.append(
            f"{L}: report = {r['report']['s']:.1f} s wall, {r['report']['cpu_s']:.1f} s CPU (target <= {target} s at "
            f"1M / 10M), of which start-up imports {r['imports']['s']:.1f} s"
        )
        if "help" in r:
            out.append(
                f"{L}: --help {r['help']['s']:.2f} s ({r['help']['cpu_s']:.2f} s CPU), "
                f"batches {r['batches']['s']:.2f} s ({r['batches']['cpu_s']:.2f} s CPU) (target <= 0.3 s)"
            )
        steps = [
            k
            for k in ("ingest", "bare", "ingest_ratings", "ingest_rankings", "report", "check", "snapshot_step", "app")
            if k in r
        ]
        out.append(
            f"{L}: peak RSS " + ", ".join(f"{k} {r[k]['rss_mb']:.0f} MB" for k in steps) + " (target <= 2560 MB)"
        )
        for name, key in (
            ("krippendorff value_counts", "kripp_vc"),
            ("krippendorff dense", "kripp_dense"),
            ("pandas", "pandas"),
        ):
            m = r.get(key, {})
            if "s" in m:
                q = r["ql_headline"]
                out.append(
                    f"{L}: {name} / qualitylab headline: process {m['s'] / q['s']:.2f}x, "
                    f"work without imports {m['last']['work_s'] / q['last']['work_s']:.2f}x, "
                    f"peak RSS {m['rss_mb'] / q['rss_mb']:.2f}x"
                )
        out.append(f"{L}: largest |difference| from the report: {json.dumps(r['check_values'])}")
    if len(results) > 1:
        a, b = results[0], results[-1]
        k = b["n"] / a["n"]
        for step in ("ingest", "bare", "report", "check"):
            if step not in a or step not in b:
                continue
            out.append(
                f"{b['label']} / {a['label']} {step}: {b[step]['s'] / a[step]['s']:.1f}x "
                f"(data {k:.0f}x; target <= {k:.0f}x)"
            )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1M", help="comma-separated sizes, e.g. 1M,10M")
    ap.add_argument("--workdir", default="/tmp/qualitylab-scale")
    ap.add_argument("--reps", type=int, default=3, help="repetitions at sizes <= 2M (1 above)")
    ap.add_argument("--dense-max-gb", type=float, default=1.0)
    ap.add_argument("--pandas-max-gb", type=float, default=4.0)
    ap.add_argument("--json", help="write every measurement here")
    ap.add_argument("--keep", action="store_true", help="keep the stores")
    ap.add_argument(
        "--reuse-store",
        action="store_true",
        help="use an existing store_<size>.duckdb in the workdir: no ingest or bare CTAS (measure the rest again)",
    )
    ap.add_argument("--clean", action="store_true", help="delete the generated files at the end")
    args = ap.parse_args()
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    info = machine()
    info["load_start"] = os.getloadavg()
    print(f"nproc {info['nproc']}; CPU {info['cpu']}; Python {info['python']}; kernel {info['kernel']}")
    print(info["free_h"])
    print("versions: " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()))
    results = []
    for s in args.sizes.split(","):
        results.append(run_size(parse_size(s), work, args.reps, args))
        print(table(results[-1:]), file=sys.stderr, flush=True)  # partial results as they come
        (work / "partial.json").write_text(json.dumps({"machine": info, "results": results}, default=str))
    info["load_end"] = os.getloadavg()
    print(
        f"\nload average (1, 5, 15 min) at start {info['load_start']}, at end {info['load_end']}; "
        f"per step (1 min, first repetition): "
        + "; ".join(
            f"{r['label']} "
            + ", ".join(
                f"{k} {r[k]['load']:.1f}"
                for k in ("ingest", "bare", "help", "batches", "report", "sections", "check", "app")
                if "load" in r.get(k, {})
            )
            for r in results
        )
    )
    print()
    print(table(results))
    print()
    print(section_table(results))
    print()
    print("\n".join(ratios(results)))
    if args.json:
        for r in results:
            for v in r.values():
                if isinstance(v, dict):
                    v.pop("stderr", None)
                    v.get("last", {}).pop("stderr", None)
        Path(args.json).write_text(json.dumps({"machine": info, "results": results}, indent=2, default=str))
    if args.clean:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
