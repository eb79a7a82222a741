"""Fast start: commands that compute nothing (``--help``, ``batches``, ``check`` on a stored report
snapshot) import none of the heavy numeric / UI libraries; ``--help`` not even DuckDB, and
``batches`` / ``check`` on a snapshot no numpy or pyarrow (only the command being run has its parser
built: ``cli.COMMANDS``). Which modules a command loads is asserted in a fresh interpreter (a
subprocess), not how long it takes (start-up times are in docs/scale.md)."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import verdicts, write_jsonl

from qualitylab.cli import main
from qualitylab.ingest import ingest

HEAVY = ("scipy", "statsmodels", "plotly", "streamlit", "sklearn", "pandas", "krippendorff")
#: what a command that reads a few rows of the store does not need either (Store.records)
ARRAYS = ("numpy", "pyarrow")
LIBRARIES = HEAVY + ARRAYS + ("duckdb",)


MODULES: dict[tuple[str, ...], list[str]] = {}  # the qualitylab modules each call of _loaded loaded


def _loaded(*argv: str) -> tuple[int, list[str], str]:
    """Run ``qualitylab ARGV`` in a fresh interpreter; (exit code, the LIBRARIES it loaded, stdout);
    the qualitylab modules it loaded in MODULES[argv]."""
    code = (
        "import json, sys, io, contextlib\n"
        "import qualitylab.cli as cli\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    try:\n"
        f"        rc = cli.main({list(argv)!r})\n"
        "    except SystemExit as e:\n"
        "        rc = e.code\n"
        f"heavy = sorted(m for m in {LIBRARIES!r} if m in sys.modules)\n"
        "mine = sorted(m for m in sys.modules if m.startswith('qualitylab'))\n"
        "print(json.dumps({'rc': rc, 'heavy': heavy, 'out': out.getvalue(), 'mine': mine}))\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    d = json.loads(p.stdout.strip().splitlines()[-1])
    MODULES[argv] = d["mine"]
    return d["rc"], d["heavy"], d["out"]


def test_help_imports_no_heavy_library_nor_duckdb():
    rc, heavy, out = _loaded("--help")
    assert rc == 0 and "ingest" in out and "check" in out
    assert heavy == []
    # no area module either: the help lines come from cli.COMMANDS
    assert MODULES[("--help",)] == ["qualitylab", "qualitylab.cli", "qualitylab.errors", "qualitylab.escape"]


def test_help_lists_every_command_in_order_with_the_areas_own_help_lines():
    from qualitylab import cli

    full = cli.build_parser("*")
    light = cli.build_parser(None)

    def listing(parser):
        sub = next(a for a in parser._actions if a.dest == "command")
        return [(a.dest, a.help) for a in sub._choices_actions]

    assert listing(light) == [(name, h) for name, (h, _m, _f) in cli.COMMANDS.items()]
    assert listing(full) == listing(light)  # an area's register function says what COMMANDS says
    assert light.format_help() == full.format_help()


def test_each_command_builds_only_its_own_parser(capsys):
    from qualitylab import cli

    for name in cli.COMMANDS:
        try:
            main([name, "--help"])
        except SystemExit as e:
            assert e.code == 0
        out = capsys.readouterr().out
        assert out.startswith(f"usage: qualitylab {name}") and "-h, --help" in out  # the full parser, not a stub
    with __import__("pytest").raises(SystemExit) as e:
        main(["no-such-command"])
    assert e.value.code == 2 and "invalid choice: 'no-such-command'" in capsys.readouterr().err


def test_batches_imports_no_heavy_library(tmp_path):
    db = tmp_path / "s.duckdb"
    rows = verdicts([("c1", "a1", "A"), ("c1", "a2", "B"), ("c2", "a1", "tie"), ("c2", "a2", "A")])
    ingest(write_jsonl(tmp_path / "w1.jsonl", rows), "w1", db=db)
    rc, heavy, out = _loaded("batches", "--db", str(db))
    assert rc == 0 and "w1" in out
    assert heavy == ["duckdb"]
    rc, heavy, out = _loaded("batches", "--json", "--db", str(db))
    assert rc == 0 and heavy == ["duckdb"]
    (row,) = json.loads(out)
    assert row["batch_id"] == "w1" and row["n_quarantined"] == 0 and row["n_judgments"] == 4  # numbers, not "0"


def test_check_on_a_stored_snapshot_imports_no_heavy_library(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    rows = verdicts([(f"c{i}", a, "AB"[(i + j) % 3 % 2]) for i in range(40) for j, a in enumerate(("a1", "a2", "a3"))])
    # ingest stores the batch's report snapshot after its data write
    assert main(["ingest", str(write_jsonl(tmp_path / "w1.jsonl", rows)), "--batch", "w1", "--db", str(db)]) == 0
    capsys.readouterr()
    rc, heavy, out = _loaded("check", "--batch", "w1", "--db", str(db))
    assert rc in (0, 10, 11, 12) and "batch w1" in out
    assert heavy == ["duckdb"]
    rc_json, heavy, out = _loaded("check", "--json", "--batch", "w1", "--db", str(db))
    assert rc_json == rc and heavy == ["duckdb"] and json.loads(out)["verdict"]
    # the same command without a snapshot computes the report (and so does load them)
    rc2, heavy2, _ = _loaded("check", "--batch", "w1", "--db", str(db), "--recompute")
    assert rc2 == rc and "scipy" in heavy2
