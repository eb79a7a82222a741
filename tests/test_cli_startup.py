"""Fast start: commands that compute nothing (``--help``, ``batches``, ``check`` on a stored report
snapshot) import none of the heavy numeric / UI libraries. Which modules a command loads is
asserted in a fresh interpreter (a subprocess), not how long it takes (start-up times are in
docs/scale.md)."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import verdicts, write_jsonl

from qualitylab.cli import main
from qualitylab.ingest import ingest

HEAVY = ("scipy", "statsmodels", "plotly", "streamlit", "sklearn", "pandas", "krippendorff")


def _loaded(*argv: str) -> tuple[int, list[str], str]:
    """Run ``qualitylab ARGV`` in a fresh interpreter; (exit code, heavy modules it loaded, stdout)."""
    code = (
        "import json, sys, io, contextlib\n"
        "import qualitylab.cli as cli\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    try:\n"
        f"        rc = cli.main({list(argv)!r})\n"
        "    except SystemExit as e:\n"
        "        rc = e.code\n"
        f"heavy = sorted(m for m in {HEAVY!r} if m in sys.modules)\n"
        "print(json.dumps({'rc': rc, 'heavy': heavy, 'out': out.getvalue()}))\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    d = json.loads(p.stdout.strip().splitlines()[-1])
    return d["rc"], d["heavy"], d["out"]


def test_help_imports_no_heavy_library():
    rc, heavy, out = _loaded("--help")
    assert rc == 0 and "ingest" in out and "check" in out
    assert heavy == []


def test_batches_imports_no_heavy_library(tmp_path):
    db = tmp_path / "s.duckdb"
    rows = verdicts([("c1", "a1", "A"), ("c1", "a2", "B"), ("c2", "a1", "tie"), ("c2", "a2", "A")])
    ingest(write_jsonl(tmp_path / "w1.jsonl", rows), "w1", db=db)
    rc, heavy, out = _loaded("batches", "--db", str(db))
    assert rc == 0 and "w1" in out
    assert heavy == []


def test_check_on_a_stored_snapshot_imports_no_heavy_library(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    rows = verdicts([(f"c{i}", a, "AB"[(i + j) % 3 % 2]) for i in range(40) for j, a in enumerate(("a1", "a2", "a3"))])
    # ingest stores the batch's report snapshot after its data write
    assert main(["ingest", str(write_jsonl(tmp_path / "w1.jsonl", rows)), "--batch", "w1", "--db", str(db)]) == 0
    capsys.readouterr()
    rc, heavy, out = _loaded("check", "--batch", "w1", "--db", str(db))
    assert rc in (0, 10, 11, 12) and "batch w1" in out
    assert heavy == []
    # the same command without a snapshot computes the report (and so does load them)
    rc2, heavy2, _ = _loaded("check", "--batch", "w1", "--db", str(db), "--recompute")
    assert rc2 == rc and "scipy" in heavy2
