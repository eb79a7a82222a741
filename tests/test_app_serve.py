"""`qualitylab app` as a user starts it: a real process tree, real signals (issue 19 item 7).

The command binds 127.0.0.1 unless ``--host`` says otherwise, prints the URL, asks Streamlit for a
minimal toolbar (no Deploy button: the toolbar mode passed to Streamlit), and stopping
the process the user started (SIGTERM, SIGINT, even SIGKILL) stops the Streamlit server it spawned.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from browser_helpers import free_port, wait_healthy

REPO = Path(__file__).resolve().parents[1]
STARTUP_S = 120


def _children(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            out.append(int(d.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _listening(port: int) -> list[str]:
    """Local addresses (hex, as /proc/net/tcp* writes them) listening on ``port``."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            addr, p = local.rsplit(":", 1)
            if int(p, 16) == port and state == "0A":  # LISTEN
                found.append(addr)
    return found


def _start(tmp_path: Path, *extra: str) -> tuple[subprocess.Popen, int, Path]:
    db = tmp_path / "store.duckdb"
    subprocess.run([sys.executable, "-m", "qualitylab.cli", "migrate", "--db", str(db)], check=True, timeout=120)
    port = free_port()
    log = tmp_path / "app.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "qualitylab.cli", "app", "--headless", "--port", str(port), "--db", str(db), *extra],
        cwd=tmp_path,
        stdout=open(log, "w"),
        stderr=subprocess.STDOUT,
    )
    wait_healthy(proc, f"http://127.0.0.1:{port}", STARTUP_S, log)
    return proc, port, log


def _stop_and_check(proc: subprocess.Popen, port: int, how) -> int:
    kids = _children(proc.pid)
    assert kids, "qualitylab app should run Streamlit in a child process"
    how(proc)
    rc = proc.wait(timeout=60)
    deadline = time.monotonic() + 30
    while any(_alive(k) for k in kids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(k) for k in kids), "the Streamlit child kept running after its parent stopped"
    assert not _listening(port), "something still listens on the app's port"
    return rc


def test_binds_localhost_prints_the_url_and_sigterm_stops_the_server(tmp_path):
    proc, port, log = _start(tmp_path)
    try:
        addrs = _listening(port)
        # 127.0.0.1 is 0100007F in /proc/net/tcp; never 00000000 (every interface)
        assert addrs and set(addrs) == {"0100007F"}, addrs
        text = log.read_text()
        assert f"http://127.0.0.1:{port}" in text
        assert "read-only" in text and "Ctrl+C" in text
        rc = _stop_and_check(proc, port, lambda p: p.send_signal(signal.SIGTERM))
        assert rc == 128 + signal.SIGTERM
        assert "stopped (SIGTERM)" in log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()


def test_sigint_stops_the_server(tmp_path):
    proc, port, log = _start(tmp_path)
    try:
        rc = _stop_and_check(proc, port, lambda p: p.send_signal(signal.SIGINT))
        assert rc == 128 + signal.SIGINT
    finally:
        if proc.poll() is None:
            proc.kill()


def test_the_server_dies_with_a_killed_parent_and_host_is_honoured(tmp_path):
    proc, port, log = _start(tmp_path, "--host", "0.0.0.0")
    try:
        assert "00000000" in _listening(port) or "00000000000000000000000000000000" in _listening(port)
        assert "reachable from other machines" in log.read_text()
        _stop_and_check(proc, port, lambda p: os.kill(p.pid, signal.SIGKILL))
    finally:
        if proc.poll() is None:
            proc.kill()


def test_report_html_says_what_it_wrote(tmp_path, db, capsys):
    from conftest import write_jsonl
    from gates_helpers import batch_rows

    from qualitylab.cli import main

    rows = batch_rows("x", n_comparisons=40, seed=3)
    assert main(["ingest", str(write_jsonl(tmp_path / "w1.jsonl", rows)), "--batch", "w1", "--db", str(db)]) == 0
    capsys.readouterr()
    pack, ev = tmp_path / "pack.html", tmp_path / "ev"
    args = ["report", "--batch", "w1", "--db", str(db), "--n-boot", "50", "--html", str(pack), "--evidence", str(ev)]
    assert main(args) == 0
    err = capsys.readouterr().err
    n_csv = len(list(ev.glob("*.csv")))
    assert f"wrote {pack} (evidence pack of w1, {pack.stat().st_size:,} bytes)" in err
    assert f"wrote {n_csv} CSV table(s) to {ev}" in err and n_csv > 0
