"""``qualitylab contract add|status|link`` and ``qualitylab decide``: thin commands over the library.

Exit codes (README "Exit codes"): 2 a contract file that cannot be evaluated or a bad decide call
(e.g. a decision that differs from the gates' verdict without --override-reason), 4 a conflict (a
different file under a stored contract name without --revise, a decided batch, a --report that
is not the batch's current one), 5 not found (contract, batch, file).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..errors import ExitCode, UsageError


def _term(x: object) -> str:
    """A line holding delivered strings, as terminal text (escape.terminal_text)."""
    from ..escape import terminal_text

    return terminal_text(x)


def _as_of(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError("Bad date", f"--as-of {value!r}", "use YYYY-MM-DD") from None


def cmd_contract_add(args) -> int:
    from .registry import add_contract

    res = add_contract(args.db, args.file, revise=args.revise)
    for line in res.summary():
        print(_term(line))
    return ExitCode.OK


def cmd_contract_link(args) -> int:
    from ..store import open_store, transaction
    from .registry import link_batch

    with open_store(args.db) as store:
        store.require_batch(args.batch)
        with transaction(store):
            contract = link_batch(store, args.batch, args.contract, args.week)
    w = contract.week(args.week)
    gates = w.gates if w else "?"
    print(_term(f"batch {args.batch!r} delivers week {args.week} of contract {contract.name!r} (judged by {gates})"))
    return ExitCode.OK


def _verdict_of(db):
    def verdict(store, batch_id: str) -> str | None:
        from ..snapshots import current_document

        v = current_document(store, batch_id).get("verdict")
        return v if isinstance(v, str) else None

    return verdict


def cmd_contract_status(args) -> int:
    from ..store import open_store
    from .status import contract_status

    with open_store(args.db, read_only=True) as store:
        names = [args.name] if args.name else [r["name"] for r in store.rows("contract/list")]
        if not names:
            print("no contracts in the store; add one with `qualitylab contract add FILE`")
            return ExitCode.OK
        statuses = [contract_status(store, n, as_of=_as_of(args.as_of), verdict_of=_verdict_of(args.db)) for n in names]
    if args.json:
        from ..escape import terminal_json

        out: Any = statuses[0].to_dict() if args.name else [s.to_dict() for s in statuses]
        print(terminal_json(out))
        return ExitCode.OK
    for i, s in enumerate(statuses):
        if i:
            print()
        for line in format_status(s):
            print(line)
    return ExitCode.OK


def _n(x: int) -> str:
    return f"{x:,}"


def format_status(s) -> list[str]:
    """The lines ``contract status`` prints: the contract, then one block per week, then totals."""
    c = s.contract
    cur = c.currency
    gold = "" if c.gold_share is None else f", gold share {c.gold_share:g}"
    out = [
        _term(
            f"contract {c.name} v{c.version} — vendor {c.vendor or '(any)'}, {len(c.weeks)} weeks from {c.start}, "
            f"overlap {c.overlap}{gold}; amounts in {cur}; as of {s.as_of}"
        )
    ]
    for w in s.weeks:
        p = w.plan
        cal = " (calibration)" if p.calibration else ""
        out.append("")
        out.append(_term(f"week {p.week}{cal}: {p.start} to {p.end}, due {p.due}; judged by {p.gates}"))
        if not w.batches:
            out.append(f"  nothing delivered ({w.delivery}{f', {w.days_late} days past due' if w.days_late else ''})")
        for b in w.batches:
            late = f", {w.days_late} days late" if w.delivery == "late" else ""
            dec = b.decision.describe() if b.decision is not None else "no decision"
            out.append(
                _term(
                    f"  batch {b.batch_id}: delivered {b.delivered or '(no date)'} ({w.delivery}{late}); "
                    f"verdict {b.verdict or '—'}; {dec}"
                )
            )
        for k in w.kinds.values():
            short = f" (short by {_n(k.short_by)})" if k.short_by else ""
            extra = []
            if k.n_redelivered:
                extra.append(f"{_n(k.n_redelivered)} re-delivered not counted")
            if k.n_defective:
                extra.append(f"{_n(k.n_defective)} defective")
            if k.n_below_overlap:
                extra.append(f"{_n(k.n_below_overlap)} below overlap")
            more = f" [{'; '.join(extra)}]" if extra else ""
            out.append(
                f"  {k.kind}: promised {_n(k.n_promised)} {k.unit}s, delivered {_n(k.n_delivered)}{short}{more}; "
                f"units {_n(k.n_units)}, accepted {_n(k.n_accepted)}; payable {_n(k.n_payable)} x "
                f"{k.price_per_unit} = {k.payable}, withheld {_n(k.n_withheld)} = {k.withheld}"
                + (f", pending {_n(k.n_pending)} = {k.pending}" if k.n_pending else "")
                + f", still due {_n(k.n_still_due)}"
            )
        for cat in w.categories:
            if cat["n_promised"] is not None:
                short = f" (short by {cat['short_by']})" if cat["short_by"] else ""
                out.append(
                    _term(
                        f"    category {cat['category']}: promised {cat['n_promised']}, delivered "
                        f"{cat['n_delivered']}{short}"
                    )
                )
        pw = w.kinds.get("pairwise")
        if pw is not None and pw.mean_overlap is not None:
            gsd = w.gold_share_delivered
            gold_short = w.gold_share is not None and gsd is not None and gsd < w.gold_share
            gold_s = (
                ""
                if gsd is None
                else f"; gold share {gsd:.3f}"
                + (f" (promised {w.gold_share:g}{', short' if gold_short else ''})" if w.gold_share is not None else "")
            )
            out.append(f"  overlap {pw.mean_overlap:.2f} annotators per comparison (promised {w.overlap}){gold_s}")
        out.append(
            f"  week total: payable {w.total('payable')}, withheld {w.total('withheld')}, pending "
            f"{w.total('pending')}, still due {w.total('still_due')}"
        )
    t = s.totals()
    out.append("")
    out.append(
        f"total: payable {s.total('payable')}, withheld {s.total('withheld')}, pending {s.total('pending')}, "
        f"still due {s.total('still_due')} {cur}; {t['n_weeks_late']} week(s) late, {t['n_weeks_short']} short"
    )
    return out


# -- decide -------------------------------------------------------------------------------------


def cmd_decide(args) -> int:
    from ..decisions import ACCEPT, ACCEPT_PARTIAL, REJECT, REOPEN, DecideRequest, decide

    decision = ACCEPT if args.accept else REJECT if args.reject else ACCEPT_PARTIAL if args.accept_partial else REOPEN
    d = decide(
        args.db,
        DecideRequest(
            batch_id=args.batch,
            decision=decision,
            by=args.by,
            note=args.note,
            report=args.report,
            override_reason=args.override_reason,
            exclude=tuple(args.exclude_annotator or ()),
            exclude_flagged=args.exclude_flagged,
        ),
    )
    if args.json:
        from ..escape import terminal_json

        print(terminal_json(d.to_dict()))
        return ExitCode.OK
    print(_term(f"batch {d.batch_id!r}: {d.describe()}"))
    print(_term(f"  on report sha256 {d.report_sha256} (gates' verdict {d.gate_verdict}; gates {d.gates_source})"))
    for r in d.exclusion_reasons:
        print(_term(f"  excluded {r['annotator_id']}: {r['reason']}"))
    if d.supersedes:
        print(f"  supersedes decision #{d.supersedes}")
    if d.in_force:
        print("  the batch is now protected: ingest and judge refuse to change it until a decision reopens it")
    return ExitCode.OK


def register(subparsers, db_opt) -> None:
    sp = subparsers.add_parser(
        "contract",
        help="the contract plan: add (or revise) it, link batches to its weeks, show the status and payable",
        description="A contract is a TOML plan of weekly deliveries (docs/contract.md). Exit codes: 2 a contract "
        "file that cannot be evaluated, 4 a conflict (another file under a stored name, a decided batch), "
        "5 not found.",
    )
    sub = sp.add_subparsers(dest="contract_command", required=True, metavar="SUBCOMMAND")

    a = sub.add_parser("add", help="validate a contract file and store it with its gate files")
    a.add_argument("file", help="the contract TOML file (gate file paths relative to it)")
    a.add_argument("--revise", action="store_true", help="store a changed file as the next version of its name")
    db_opt(a)
    a.set_defaults(func=cmd_contract_add)

    s = sub.add_parser("status", help="week by week: promised vs delivered, decisions, units, payable, still due")
    s.add_argument("name", nargs="?", help="the contract (default: every stored contract)")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.add_argument("--as-of", metavar="YYYY-MM-DD", help="the day deliveries are judged late or overdue (today)")
    db_opt(s)
    s.set_defaults(func=cmd_contract_status)

    ln = sub.add_parser("link", help="link a batch to the contract week it delivers")
    ln.add_argument("--batch", required=True)
    ln.add_argument("--contract", required=True, metavar="NAME")
    ln.add_argument("--week", required=True, type=int, metavar="N")
    db_opt(ln)
    ln.set_defaults(func=cmd_contract_link)

    d = subparsers.add_parser(
        "decide",
        help="record the decision on a batch (append-only): accept, reject, accept-partial, reopen",
        description="Append the decision of record on a batch's current report (docs/contract.md). A decision "
        "that differs from the gates' verdict needs --override-reason (else exit 2); a --report that is not "
        "the batch's current report exits 4. A decided batch is protected until a decision reopens it.",
    )
    d.add_argument("--batch", required=True)
    g = d.add_mutually_exclusive_group(required=True)
    g.add_argument("--accept", action="store_true", help="accept the batch")
    g.add_argument("--reject", action="store_true", help="reject the batch")
    g.add_argument("--accept-partial", action="store_true", help="accept it without the excluded annotators")
    g.add_argument("--reopen", action="store_true", help="lift the decision in force (the batch can change again)")
    d.add_argument("--exclude-annotator", action="append", metavar="ID", help="exclude an annotator (repeatable)")
    d.add_argument(
        "--exclude-flagged",
        action="store_true",
        help="exclude every annotator with a review- or reject-severity screening flag (resolved to ids, stored)",
    )
    d.add_argument("--by", required=True, metavar="NAME", help="who decides")
    d.add_argument("--note", required=True, metavar="TEXT", help="why, in words")
    d.add_argument("--report", metavar="SHA256", help="the report decided on (default: the batch's current one)")
    d.add_argument("--override-reason", metavar="TEXT", help="required when the decision differs from the gates")
    d.add_argument("--json", action="store_true", help="print the stored decision as JSON")
    db_opt(d)
    d.set_defaults(func=cmd_decide)
