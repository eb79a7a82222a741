"""Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven by Playwright.

Browsers cannot be downloaded here (``playwright install`` fails), so Playwright launches the system
Chromium through ``executable_path``. A missing browser is a test failure naming the package, never a
skip: ``scripts/test.sh`` (the README's test command, which ``.ci/run`` calls) installs it first.
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
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


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(proc: subprocess.Popen, base: str, within_s: float, log: Path, what: str = "the app") -> None:
    """Until the Streamlit server at ``base`` answers ``/_stcore/health`` with ok; a test failure with the end of
    its log when the process exits or ``within_s`` seconds pass first (the process is killed then)."""
    deadline = time.monotonic() + within_s
    while True:
        try:
            with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"{what} did not come up: {log.read_text()[-2000:]}")
        time.sleep(0.3)


def stop_process(proc: subprocess.Popen, within_s: float) -> None:
    """SIGTERM, then SIGKILL if it has not exited within ``within_s`` seconds."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=within_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
