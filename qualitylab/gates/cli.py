"""``qualitylab check --batch NAME [--gates FILE] [--json]``: the acceptance verdict and its exit code.

Exit codes (qualitylab.errors.ExitCode): 0 ACCEPT, 10 REVIEW, 11 REJECT, 12 INSUFFICIENT_EVIDENCE,
so a pipeline can stop on anything but ACCEPT.
"""

from __future__ import annotations

import sys

from ..escape import terminal_json, terminal_text


def _fmt(x) -> str:
    return "—" if x is None else f"{x:.3f}"


def format_table(gate: dict) -> list[str]:
    """The lines ``check`` prints from the report's ``gate`` section: one row per criterion
    (value, interval, n, threshold, outcome) with its reason beneath, then the verdict."""
    header = ["criterion", "severity", "value", "95% CI", "n", "threshold", "outcome"]
    rows = []
    t = terminal_text  # criterion ids, reasons and gate names may quote delivered names
    for c in gate["criteria"]:
        ci = f"[{_fmt(c['ci95_low'])}, {_fmt(c['ci95_high'])}]" if c["ci95_low"] is not None else "—"
        rows.append(
            [
                t(c["id"]),
                t(c["severity"]),
                _fmt(c["value"]),
                ci,
                "—" if c["n"] is None else f"{c['n']:,}",
                t(f"{c['comparison']} {c['threshold']:g} ({c['decide']})"),
                t(c["outcome"]),
            ]
        )
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    out = [
        "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    for row, c in zip(rows, gate["criteria"], strict=True):
        out.append("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
        out.append(t(f"    {c['metric']}: {c['reason']}"))
    out.append("")
    deciding = f" — decided by {', '.join(gate['deciding'])}" if gate["deciding"] else ""
    out.append(t(f"verdict: {gate['verdict']} (exit {gate['exit_code']}){deciding}"))
    out.append(t(f"gates: {gate['name']} (gates_version {gate['gates_version']}; {gate['source']})"))
    return out


def cmd_check(args) -> int:
    from ..defaults import check_report_options
    from ..snapshots import report_snapshot

    check_report_options(args.seed, args.n_boot)
    found: dict = {}

    def read_decision(store) -> None:  # the batch's current decision, on the snapshot's connection
        from ..decisions import current_decision

        found["decision"] = current_decision(store, args.batch)

    # a bad gate file fails before any computation (snapshots.report_options validates it first);
    # without --gates a batch linked to a contract week is judged by that week's gate file
    from ..cli import against_option

    opts = {"seed": args.seed, "n_boot": args.n_boot, "gates": args.gates, "against": against_option(args)}
    snap = report_snapshot(args.db, args.batch, opts, recompute=args.recompute, read_too=read_decision)
    if snap.note:
        print(terminal_text(snap.note), file=sys.stderr)
    doc = snap.document
    gate = doc["gate"]
    decision = found["decision"]
    if args.json:
        out = {
            "report_schema_version": doc["report_schema_version"],
            "verdict": doc["verdict"],
            "exit_code": gate["exit_code"],
            "batch": doc.get("batch"),
            "methods": doc["methods"],
            "gate": gate,
            "decision": None
            if decision is None
            else {**decision.to_dict(), "report_is_current": decision.report_sha256 == snap.report_sha256},
        }
        print(terminal_json(out))
    else:
        print(terminal_text(f"batch {args.batch}"))
        for line in format_table(gate):
            print(line)
        if decision is not None:
            on = (
                "taken on this report"
                if decision.report_sha256 == snap.report_sha256
                else f"taken on report {decision.report_sha256}, not on this one ({snap.report_sha256})"
            )
            print(terminal_text(f"decision of record: {decision.describe()}; {on}"))
    return int(gate["exit_code"])


def register(subparsers, db_opt) -> None:
    from ..defaults import DEFAULT_N_BOOT, DEFAULT_SEED

    sp = subparsers.add_parser(
        "check",
        help="the batch's acceptance verdict; exit 0 ACCEPT, 10 REVIEW, 11 REJECT, 12 INSUFFICIENT_EVIDENCE",
        description="Evaluate the acceptance gates on the batch's report and print each criterion's "
        "value, interval, threshold and outcome, then the verdict. Exit codes: 0 ACCEPT, "
        "10 REVIEW, 11 REJECT, 12 INSUFFICIENT_EVIDENCE (docs/gates.md).",
    )
    sp.add_argument("--batch", required=True)
    sp.add_argument("--gates", metavar="FILE", help="a gate file (TOML, docs/gates.md); default: built-in")
    sp.add_argument("--json", action="store_true", help="print a JSON document with a top-level 'verdict'")
    sp.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of every random draw (recorded)")
    sp.add_argument("--n-boot", type=int, default=DEFAULT_N_BOOT, help="bootstrap resamples")
    from ..cli import against_opt, recompute_opt

    recompute_opt(sp)
    against_opt(sp)
    db_opt(sp)
    sp.set_defaults(func=cmd_check)
