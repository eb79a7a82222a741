"""Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven by Playwright.

Browsers cannot be downloaded here (``playwright install`` fails), so Playwright launches the system
Chromium through ``executable_path``. A missing browser is a test failure naming the package, never a
skip: ``scripts/test.sh`` (the README's test command, which ``.ci/run`` calls) installs it first.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright import sync_api

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def chromium() -> Iterator[sync_api.Browser]:
    """A headless Chromium browser; fails (not skips) when the browser is missing."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's package chromium (`apt-get install -y chromium`), "
            "or run the README's test command (scripts/test.sh), which installs it when run as root"
        )
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
