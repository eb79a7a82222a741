"""Packaging: the top-level ``queries/`` and ``sample_data/`` ship inside the package, for an editable
install (this checkout) and for a built wheel installed into a fresh venv outside the checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import tomllib
import venv
from pathlib import Path

from conftest import REPO, verdicts, write_jsonl


def _pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def test_package_list_names_every_package_directory():
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(REPO).parts)
        for p in (REPO / "qualitylab").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    assert found | {"qualitylab.queries", "qualitylab.sample_data"} == listed


def test_editable_install_reads_queries_from_the_top_level_folder():
    from qualitylab.sample import SAMPLE_DIR
    from qualitylab.store import QUERIES_DIR, query_names, sql

    assert QUERIES_DIR.resolve() == (REPO / "queries").resolve()
    assert SAMPLE_DIR.resolve() == (REPO / "sample_data").resolve()
    assert not (REPO / "qualitylab" / "queries").exists()
    names = query_names()
    on_disk = sorted(str(p.relative_to(REPO / "queries").with_suffix("")) for p in (REPO / "queries").rglob("*.sql"))
    assert names == on_disk and len(names) > 50
    for name in names:
        assert sql(name).strip()


def test_built_wheel_outside_the_checkout_ingests_reports_and_loads_the_sample(tmp_path):
    """Build the wheel, install it (no deps: those come from this venv through a .pth line, so the
    editable install's finder is not on the path) into a fresh venv in tmp, and run the CLI there."""
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(REPO)],
        check=True,
        capture_output=True,
    )
    wheel = next(dist.glob("qualitylab-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    py = env_dir / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
    )
    (site / "_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")

    work = tmp_path / "elsewhere"
    work.mkdir()
    rows = verdicts([(f"c{i}", a, "AB"[(i + (a == "x")) % 2]) for i in range(30) for a in ("x", "y", "z")])
    data = write_jsonl(work / "w1.jsonl", rows)
    env = {k: v for k, v in os.environ.items() if k not in ("QUALITYLAB_DB", "QUALITYLAB_SAMPLE_DIR", "PYTHONPATH")}
    env["QUALITYLAB_DB"] = str(work / "store.duckdb")

    def run(*args):
        return subprocess.run(
            [str(env_dir / "bin" / "qualitylab"), *args], cwd=work, env=env, capture_output=True, text=True, timeout=300
        )

    where = subprocess.run(
        [str(py), "-c", "import qualitylab.store as s; print(s.QUERIES_DIR)"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(site) and not Path(where).is_relative_to(REPO)

    r = run("ingest", str(data), "--batch", "w1", "--vendor", "v")
    assert r.returncode == 0, r.stderr
    r = run("report", "--batch", "w1", "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["counts"]["n_judgments"] == 90
    assert doc["agreement"]["preference"]["krippendorff_alpha"]["value"] is not None

    env["QUALITYLAB_DB"] = str(work / "sample.duckdb")
    r = run("sample")
    assert r.returncode == 0, r.stderr
    assert "acme-w6" in r.stderr and "stored" in r.stderr
