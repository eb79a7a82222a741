#!/usr/bin/env bash
# The README's test command (and what .ci/run calls): everything the tests need, then lint, types,
# and the whole test suite. Extra arguments go to pytest (e.g. `bash scripts/test.sh -k ingest`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-chromium.sh
python3 -m venv .venv
.venv/bin/pip install -q -e '.[dev]'
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
