"""The ``qualitylab`` command: a thin layer over the library.

Each command parses its options, calls one library function and prints. Library errors become a
message on stderr and a documented exit code here, at one place (:func:`main`). Everything printed
goes through :func:`qualitylab.escape.terminal_text` (JSON through ``terminal_json``): names and
texts from delivered files cannot put control characters on the terminal.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__
from .errors import ExitCode, InvalidInputError, QualitylabError, UsageError
from .escape import terminal_json, terminal_text


def say(text: object = "", *, err: bool = False) -> None:
    """Print one line (to stderr with ``err``), every non-printable character escaped."""
    print(terminal_text(text), file=sys.stderr if err else sys.stdout)


def _progress(msg: str) -> None:
    if sys.stderr.isatty():
        print(f"\r\033[K{terminal_text(msg)}", end="", file=sys.stderr, flush=True)


def cmd_ingest(args) -> int:
    from .ingest import ingest

    mode = "replace" if args.replace else "append" if args.append else "new"
    on_stored = _contract_link(args)
    res = ingest(
        args.file,
        args.batch,
        db=args.db,
        vendor=args.vendor,
        delivered=args.delivered,
        kind=args.kind,
        fmt=args.format,
        quarantine=args.quarantine,
        mode=mode,
        progress=_progress,
        labels=args.labels,
        scale=args.scale or (),
        on_stored=on_stored,
    )
    if sys.stderr.isatty():
        print(file=sys.stderr)
    if res.problems:
        for p in res.problems:
            say("quarantined: " + p.format(res.file_name, res.unit), err=True)
    say(res.summary())
    if on_stored is not None:
        if res.status == "unchanged":  # the file is in the batch already: link it now
            from .contract.registry import link_batch
            from .store import open_store, transaction

            with open_store(args.db) as store, transaction(store):
                link_batch(store, args.batch, args.contract, args.week)
        say(f"batch {args.batch!r} delivers week {args.week} of contract {args.contract!r}")
    if not args.no_report:
        snapshot_step(args.db, [args.batch])
    return ExitCode.OK


def snapshot_step(db, batch_ids: list[str]) -> None:
    """After a command's data write is committed and released: compute each batch's report on a
    read-only connection and store it in a short write (``--no-report`` skips this). Progress and
    the outcome go to stderr; a failure is a warning, never the command's exit code."""
    import time

    from .snapshots import report_snapshot

    for batch_id in batch_ids:
        t = time.perf_counter()
        try:
            snap = report_snapshot(db, batch_id, progress=_progress)
        except QualitylabError as e:
            _end_progress()
            say(f"warning: report snapshot of batch {batch_id!r} not computed: {e.title}: {e.message}", err=True)
            continue
        except Exception as e:  # a bug in a report section must not fail a committed ingest
            _end_progress()
            say(f"warning: report snapshot of batch {batch_id!r} not computed: internal error: {e!r}", err=True)
            continue
        _end_progress()
        if snap.note:
            say(f"batch {batch_id}: {snap.note}", err=True)
        elif snap.source == "stored":
            say(f"batch {batch_id}: report snapshot is current (verdict {snap.verdict})", err=True)
        else:
            say(
                f"batch {batch_id}: report snapshot stored (verdict {snap.verdict}; computed in "
                f"{snap.compute_seconds:.1f} s, {time.perf_counter() - t:.1f} s with the fingerprint and the write)",
                err=True,
            )


def _end_progress() -> None:
    if sys.stderr.isatty():
        print("\r\033[K", end="", file=sys.stderr, flush=True)


def _contract_link(args):
    """``ingest --contract NAME --week N``: check the link before the file is read; the link is
    written inside the ingest's transaction (nothing is stored when it fails)."""
    if args.contract is None and args.week is None:
        return None
    if args.contract is None or args.week is None:
        raise UsageError("Incomplete contract link", "--contract and --week go together", "give both, or neither")
    from .contract.registry import check_link, read_contract
    from .store import open_store

    with open_store(args.db) as store:
        check_link(store, read_contract(store, args.contract), args.week, args.batch, vendor=args.vendor)

    def link(store) -> None:
        store.execute("contract/link", {"batch_id": args.batch, "contract_name": args.contract, "week": args.week})

    return link


def cmd_batches(args) -> int:
    from .snapshots import stored_verdict
    from .store import open_store

    with open_store(args.db, read_only=True) as store:
        rows = store.records("overview/batches")
        for r in rows:  # from the valid stored snapshot only: nothing is computed here
            v = stored_verdict(store, r["batch_id"])
            r["verdict"], r["verdict_reason"] = v.verdict, v.reason
        if args.json:
            from .results import to_jsonable

            print(terminal_json(to_jsonable(rows)))
            return ExitCode.OK
        if not rows:
            say("no batches in the store")
            return ExitCode.OK
        cols = [
            "batch_id",
            "vendor",
            "delivered",
            "n_files",
            "n_judgments",
            "n_ratings",
            "n_ranking_rows",
            "n_quarantined",
            "verdict",
        ]
        table = [[("" if r[c] is None else terminal_text(r[c])) for c in cols] for r in rows]
        for t, r in zip(table, rows, strict=True):
            if r["verdict"] is None:
                t[-1] = "—"  # no valid stored snapshot (see --json's verdict_reason)
        widths = [max(len(c), *(len(t[i]) for t in table)) for i, c in enumerate(cols)]
        say("  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)))
        for t in table:
            say("  ".join(v.ljust(w) for v, w in zip(t, widths, strict=True)))
    return ExitCode.OK


def cmd_report(args) -> int:
    from .defaults import check_report_options
    from .snapshots import report_snapshot
    from .store import open_store

    if not (args.json or args.html or args.evidence):
        raise UsageError("Nothing to write", "report needs an output", "give --json, --html FILE and/or --evidence DIR")
    check_report_options(args.seed, args.n_boot)
    if args.html or args.evidence:
        from .evidence import check_outputs

        check_outputs(args.html, args.evidence)  # before anything is computed
    # the valid stored snapshot, else computed read-only and stored in a short write; without --gates
    # a batch linked to a contract week is judged by that week's gate file
    snap = report_snapshot(
        args.db,
        args.batch,
        {
            "seed": args.seed,
            "n_boot": args.n_boot,
            "gates": args.gates,
            "baseline": args.baseline,
            "against": against_option(args),
        },
        recompute=args.recompute,
    )
    if snap.note:
        say(snap.note, err=True)
    doc = snap.document
    if args.html or args.evidence:
        from .evidence import write_evidence

        with open_store(args.db, read_only=True) as store:
            written = write_evidence(
                store, args.batch, doc, html=args.html, evidence_dir=args.evidence, gates=args.gates
            )
        if "html" in written:
            p = Path(written["html"])
            say(f"wrote {p} (evidence pack of {args.batch}, {p.stat().st_size:,} bytes)", err=True)
        if "csv" in written:
            say(f"wrote {len(written['csv'])} CSV table(s) to {args.evidence}", err=True)
    if args.json:  # per-annotator tables bounded (report.MAX_JSON_ROWS); the evidence pack has every row
        from .report import bounded_document

        print(terminal_json(bounded_document(doc)))
    return ExitCode.OK


def cmd_sample(args) -> int:
    from .sample import load_sample

    for line in load_sample(args.db):
        say(line, err=True)
    _sample_contract(args.db)
    if not args.no_report:
        from .store import open_store

        with open_store(args.db, read_only=True) as store:
            names = [r["batch_id"] for r in store.rows("store/batch_names")]
        snapshot_step(args.db, names)
    return ExitCode.OK


def _sample_contract(db) -> None:
    """The sample's contract, links and decisions (after the batches are stored)."""
    from .contract.sample import load_sample_contract

    for line in load_sample_contract(db):
        say(line, err=True)


def cmd_app(args) -> int:
    """Serve the app: ``streamlit run`` in a child process bound to ``--host`` (127.0.0.1), the URL
    printed; SIGTERM / SIGINT to this process stop the child too (and it dies with this process)."""
    from .store import default_db_path, open_store

    db = Path(args.db) if args.db else default_db_path()
    if args.sample:
        from .sample import load_sample

        for line in load_sample(db):
            say(line, err=True)
        _sample_contract(db)
        with open_store(db, read_only=True) as store:
            names = [r["batch_id"] for r in store.rows("store/batch_names")]
        snapshot_step(db, names)  # the app opens each batch from its stored report
    env = dict(os.environ, QUALITYLAB_DB=str(db.resolve()))
    script = Path(__file__).parent / "ui" / "serve" / "streamlit_app.py"  # no pages/ folder beside it
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--browser.gatherUsageStats",
        "false",
        "--server.address",
        args.host,
        "--server.port",
        str(args.port),
        "--client.toolbarMode",
        "minimal",  # no Deploy button, no developer menu
    ]
    if args.headless:
        cmd += ["--server.headless", "true"]
    shown = f"[{args.host}]" if ":" in args.host else args.host
    say(f"qualitylab app: serving {db.resolve()} (read-only) at http://{shown}:{args.port}", err=True)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        say(f"note: --host {args.host} makes the app reachable from other machines; it has no login", err=True)
    say("stop it with Ctrl+C (or SIGTERM to this process)", err=True)
    return serve_child(cmd, env)


def serve_child(cmd: list[str], env: dict[str, str]) -> int:
    """Run ``cmd`` until it exits, or until this process gets SIGTERM / SIGINT: then stop the child
    (SIGTERM, SIGKILL after 10 s) and return 128 + the signal's number. On Linux the child also gets
    SIGTERM if this process dies without a chance to stop it (``PR_SET_PDEATHSIG``)."""
    import signal
    import subprocess

    def die_with_parent() -> None:  # runs in the child, before exec
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG = 1
        except (OSError, AttributeError):
            pass

    got: list[int] = []
    child = subprocess.Popen(cmd, env=env, preexec_fn=die_with_parent if sys.platform == "linux" else None)

    def stop(signum, _frame) -> None:
        got.append(signum)
        if child.poll() is None:
            child.terminate()

    old = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        while True:
            try:
                rc = child.wait(timeout=10 if got else None)
                break
            except subprocess.TimeoutExpired:
                child.kill()
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
    if got:
        say(f"qualitylab app: stopped ({signal.Signals(got[0]).name})", err=True)
        return 128 + got[0]
    return rc


def cmd_migrate(args) -> int:
    from .store import open_store

    with open_store(args.db) as store:
        say(f"{store.path}: schema version {store.schema_version()}")
    return ExitCode.OK


def no_report_opt(sp) -> None:
    sp.add_argument(
        "--no-report",
        action="store_true",
        help="do not compute and store the batch's report snapshot afterwards (report, check and the app "
        "compute it on their first look)",
    )


def against_opt(sp) -> None:
    sp.add_argument(
        "--against",
        action="append",
        metavar="[FORMAT=]FILE",
        help="a public preference set to check the batch against (repeatable): its comparisons with the same "
        "prompt and responses (either order) are reported as re-delivered (redelivered_against); FORMAT is a "
        "--format name (e.g. chosen-rejected, mtbench-human, llmbar) or jsonl/csv/parquet (default: by suffix)",
    )


def against_option(args) -> tuple[str, ...] | None:
    """``--against`` specs, each read now (a bad or missing file fails before anything is computed)."""
    specs = tuple(dict.fromkeys(getattr(args, "against", None) or ()))
    if not specs:
        return None
    from .against import against_set

    for spec in specs:
        against_set(spec)
    return specs


def recompute_opt(sp) -> None:
    sp.add_argument(
        "--recompute", action="store_true", help="compute the report even when a valid stored snapshot exists"
    )


def db_opt(sp) -> None:
    sp.add_argument("--db", help="store file (default: $QUALITYLAB_DB, else ./qualitylab.duckdb)")


def _ingest_parser(sub, db_opt) -> None:
    from .adapters import ADAPTERS
    from .readers import FILE_FORMATS
    from .schema import KINDS

    sp = sub.add_parser("ingest", help=COMMANDS["ingest"][0])
    sp.add_argument("file", help="a .jsonl, .csv or .parquet file (or a public format, see --format)")
    sp.add_argument("--batch", required=True, help="the batch name, e.g. 2026-W14")
    sp.add_argument("--vendor", help="who delivered the batch")
    sp.add_argument("--delivered", help="delivery date, YYYY-MM-DD")
    sp.add_argument("--kind", choices=sorted(KINDS), help="the kind of rows (default: from the columns)")
    sp.add_argument(
        "--format",
        choices=sorted(FILE_FORMATS + tuple(ADAPTERS)),
        help="file format (default: from the suffix) or a public format's name",
    )
    sp.add_argument(
        "--quarantine",
        action="store_true",
        help="store the valid rows and keep the invalid ones, with reasons, in quarantine",
    )
    sp.add_argument(
        "--labels",
        metavar="A,B|A,B,tie",
        help="the preference labels the protocol offered (default: inferred, no tie anywhere -> A,B)",
    )
    sp.add_argument(
        "--scale",
        action="append",
        metavar="[ASPECT=]LOW-HIGH",
        help="the score range offered, per rating aspect or for all (repeatable; pairwise files: the strength "
        "range, e.g. strength=0-3); default: inferred from the delivered values",
    )
    g = sp.add_mutually_exclusive_group()
    g.add_argument("--replace", action="store_true", help="replace the batch's rows of this kind")
    g.add_argument("--append", action="store_true", help="add this file to the batch's rows of this kind")
    sp.add_argument("--contract", metavar="NAME", help="the contract the batch delivers (with --week)")
    sp.add_argument("--week", type=int, metavar="N", help="the contract week the batch delivers (with --contract)")
    no_report_opt(sp)
    db_opt(sp)
    sp.set_defaults(func=cmd_ingest)


def _batches_parser(sub, db_opt) -> None:
    sp = sub.add_parser("batches", help=COMMANDS["batches"][0])
    sp.add_argument("--json", action="store_true", help="print JSON")
    db_opt(sp)
    sp.set_defaults(func=cmd_batches)


def _report_parser(sub, db_opt) -> None:
    from .defaults import DEFAULT_N_BOOT, DEFAULT_SEED

    sp = sub.add_parser("report", help=COMMANDS["report"][0])
    sp.add_argument("--batch", required=True)
    sp.add_argument("--json", action="store_true", help="print the JSON report to stdout")
    sp.add_argument("--html", metavar="FILE", help="write the self-contained HTML evidence report")
    sp.add_argument("--evidence", metavar="DIR", help="write the evidence tables as CSV files")
    sp.add_argument("--gates", metavar="FILE", help="the gate file of the verdict (default: built-in; docs/gates.md)")
    sp.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of every random draw (recorded)")
    sp.add_argument("--n-boot", type=int, default=DEFAULT_N_BOOT, help="bootstrap resamples")
    recompute_opt(sp)
    sp.add_argument(
        "--baseline",
        metavar="MODEL",
        help="the model the length-controlled win rates are against (default: the one model in every comparison)",
    )
    against_opt(sp)
    db_opt(sp)
    sp.set_defaults(func=cmd_report)


def _sample_parser(sub, db_opt) -> None:
    sp = sub.add_parser("sample", help=COMMANDS["sample"][0])
    no_report_opt(sp)
    db_opt(sp)
    sp.set_defaults(func=cmd_sample)


def _app_parser(sub, db_opt) -> None:
    sp = sub.add_parser("app", help=COMMANDS["app"][0])
    sp.add_argument("--sample", action="store_true", help="load the sample data first if it is missing")
    sp.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 = every interface, no login)",
    )
    sp.add_argument("--port", type=int, default=8501)
    sp.add_argument("--headless", action="store_true", help="do not open a browser")
    db_opt(sp)
    sp.set_defaults(func=cmd_app)


def _migrate_parser(sub, db_opt) -> None:
    sp = sub.add_parser("migrate", help=COMMANDS["migrate"][0])
    db_opt(sp)
    sp.set_defaults(func=cmd_migrate)


#: Every command, in ``--help`` order: name -> (the help line, the module and function that add its
#: parser, ``register(subparsers, db_opt)``). Only the command being run has its parser built (and
#: its module imported): ``--help`` and the light commands import no area (fast start, docs/scale.md).
#: An area's register function may add several commands (contract adds contract and decide); its
#: help lines must equal these (tests/test_cli_startup.py checks).
COMMANDS: dict[str, tuple[str, str, str]] = {
    "ingest": ("validate a delivered file and store it as (part of) a batch", "qualitylab.cli", "_ingest_parser"),
    "batches": ("list the batches with provenance and counts", "qualitylab.cli", "_batches_parser"),
    "report": (
        "the batch's report as JSON (stdout), HTML evidence pack, CSV tables",
        "qualitylab.cli",
        "_report_parser",
    ),
    "sample": ("load the bundled sample data into the store", "qualitylab.cli", "_sample_parser"),
    "app": ("start the report app (Streamlit)", "qualitylab.cli", "_app_parser"),
    "migrate": ("create the store or bring it to the current schema version", "qualitylab.cli", "_migrate_parser"),
    "check": (
        "the batch's acceptance verdict; exit 0 ACCEPT, 10 REVIEW, 11 REJECT, 12 INSUFFICIENT_EVIDENCE",
        "qualitylab.gates.cli",
        "register",
    ),
    "judge": (
        "run an LLM judge over a batch (OpenAI-compatible endpoint), cached and resumable",
        "qualitylab.judges.cli",
        "register",
    ),
    "contract": (
        "the contract plan: add (or revise) it, link batches to its weeks, show the status and payable",
        "qualitylab.contract.cli",
        "register",
    ),
    "decide": (
        "record the decision on a batch (append-only): accept, reject, accept-partial, reopen",
        "qualitylab.contract.cli",
        "register",
    ),
    "export": (
        "write the accepted data (dpo, pairwise or ratings) of accepted batches, with a manifest",
        "qualitylab.export.cli",
        "register",
    ),
    "items": (
        "the comparisons behind a flag, criterion or hygiene row (--filter), or one item (--item)",
        "qualitylab.items.cli",
        "register",
    ),
    "adjudicate": (
        "record your own labels on comparisons (append-only; they take precedence over the majority)",
        "qualitylab.items.cli",
        "register",
    ),
}


def _command_name(argv: list[str]) -> str | None:
    """The command named on the command line: its first word that is not an option (the top-level
    options, --help and --version, take no value)."""
    return next((a for a in argv if not a.startswith("-")), None)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser with ``command``'s full sub-parser (every command's with ``"*"``); the other
    commands get a sub-parser with their help line only, which is all ``--help`` shows."""
    import importlib

    p = argparse.ArgumentParser(prog="qualitylab", description="Quality control for human preference data.")
    p.add_argument("--version", action="version", version=f"qualitylab {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    chosen = COMMANDS[command][1:] if command in COMMANDS else None
    for name, (help_line, module, function) in COMMANDS.items():
        if name in sub.choices:  # added with an earlier command by the same register function
            continue
        if command == "*" or (module, function) == chosen:
            getattr(importlib.import_module(module), function)(sub, db_opt)
        else:
            sub.add_parser(name, help=help_line, add_help=False)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(_command_name(argv)).parse_args(argv)
    try:
        return int(args.func(args))
    except InvalidInputError as e:
        for line in e.lines():
            say(line, err=True)
        say(f"error: {e.title}: {e.message}", err=True)
        say(f"hint: {e.hint}", err=True)
        return int(e.exit_code)
    except QualitylabError as e:
        say(f"error: {e.title}" + (f": {e.message}" if e.message else ""), err=True)
        if e.hint:
            say(f"hint: {e.hint}", err=True)
        return int(e.exit_code)
    except KeyboardInterrupt:
        say("interrupted", err=True)
        return 130


if __name__ == "__main__":
    sys.exit(main())
