"""`import qualitylab` (and the whole core) never loads streamlit; krippendorff is never a runtime import."""

import subprocess
import sys
from pathlib import Path

CORE = ["qualitylab", "qualitylab.cli", "qualitylab.ingest", "qualitylab.report", "qualitylab.store"]


def test_core_does_not_import_streamlit_or_gpl_code():
    code = (
        "import sys, importlib\n"
        f"for m in {CORE!r}: importlib.import_module(m)\n"
        "import qualitylab.report as r; r._register_area_sections()\n"
        "bad = [m for m in ('streamlit', 'krippendorff', 'nltk') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_only_the_ui_package_imports_streamlit():
    root = Path(__file__).resolve().parents[1] / "qualitylab"
    offenders = [
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if "ui" not in p.relative_to(root).parts
        and ("import streamlit" in p.read_text() or "from streamlit" in p.read_text())
    ]
    assert offenders == []


def test_no_gpl_reference_package_on_the_runtime_path():
    root = Path(__file__).resolve().parents[1] / "qualitylab"
    offenders = [
        str(p)
        for p in root.rglob("*.py")
        if "import krippendorff" in p.read_text() or "from krippendorff" in p.read_text()
    ]
    assert offenders == []
