"""``qualitylab items``: the comparisons behind a flag, a criterion or a hygiene row (issue 17).

``qualitylab items --batch X --filter NAME[=VALUE] [--json | --csv] [--limit N] [--offset K]``
lists one page of a filter's rows; ``--item COMPARISON_ID`` shows one item in full. Exit codes:
2 a bad call (unknown filter, a value missing or given where none is taken, --limit < 1), 5 no
such batch or comparison, 6 store errors.
"""

from __future__ import annotations

import sys

from ..errors import ExitCode, UsageError
from ..escape import terminal_json, terminal_lines, terminal_text, write_csv

CELL_CHARS = 60  # a terminal table cell is cut here (--json and --csv give every character)


def _say(text: object = "") -> None:
    print(terminal_text(text))


def _cell(v: object) -> str:
    t = "" if v is None else terminal_text(v)
    return t if len(t) <= CELL_CHARS else t[: CELL_CHARS - 1] + "…"


def _table(rows: list[dict], columns: list[str]) -> None:
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(c), *(len(t[i]) for t in cells)) if cells else len(c) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for t in cells:
        print("  ".join(v.ljust(w) for v, w in zip(t, widths, strict=True)).rstrip())


def columns_of(rows: list[dict], default: tuple[str, ...] = ("comparison_id",)) -> list[str]:
    cols: dict[str, None] = {}
    for r in rows:
        cols.update(dict.fromkeys(r))
    return [c for c in cols if c != "file_id"] or list(default)


def cmd_items(args) -> int:
    from ..results import to_jsonable
    from ..store import open_store

    if args.item is None and args.filter is None:
        raise UsageError(
            "Nothing to list", "items needs --filter NAME[=VALUE] or --item ID", "see `qualitylab items -h`"
        )
    if args.limit < 1:
        raise UsageError("Bad limit", f"--limit must be >= 1, got {args.limit}", "give --limit N with N >= 1")
    if args.offset < 0:
        raise UsageError("Bad offset", f"--offset must be >= 0, got {args.offset}", "give --offset K with K >= 0")
    from . import filters
    from .detail import item

    name = value = None
    if args.filter is not None:
        name, value = filters.parse_filter(args.filter)  # before the store is opened
    with open_store(args.db, read_only=True) as store:
        if args.item is not None:
            it = item(store, args.batch, args.item)
            if args.json:
                print(terminal_json(to_jsonable(it.to_dict())))
            elif args.csv:
                rows = [*it.human_verdicts, *it.judge_verdicts]
                write_csv(sys.stdout, columns_of(rows, ("annotator_id",)), rows)
            else:
                _print_item(it)
            return ExitCode.OK
        page = filters.items(store, args.batch, str(name), value, offset=args.offset, limit=args.limit, count=True)
    if args.json:
        print(terminal_json(to_jsonable(page.to_dict())))
    elif args.csv:
        write_csv(sys.stdout, page.columns, page.rows)
    else:
        shown = f"rows {page.offset + 1}-{page.offset + len(page.rows)}" if page.rows else "no rows"
        _say(f"{page.filter}{'=' + page.value if page.value else ''} in batch {page.batch_id}: {page.words}")
        _say(f"{page.n_rows:,} row(s); {shown} (query {page.query})")
        if page.rows:
            _table(page.rows, page.columns)
    return ExitCode.OK


def _print_item(it) -> None:
    t, c = it.texts, it.consensus
    _say(f"comparison {it.comparison_id} of batch {it.batch_id}")
    _say(
        f"prompt_id {t['prompt_id']}  model_a {t['model_a']}  model_b {t['model_b']}  category {t['category']}"
        + (f"  ({t['n_texts']} different texts among its rows)" if t["n_texts"] > 1 else "")
    )
    _say(
        f"consensus: {c['majority'] or 'no strict majority (contested)'} "
        f"(A {c['n_a']}, B {c['n_b']}, tie {c['n_tie']} of {c['n_human']} human verdicts)"
        + (f"; gold {c['gold']}" if c["gold"] else "")
    )
    for adj in it.adjudications:
        _say(f"adjudicated: {adj['label']} by {adj['adjudicated_by']} at {adj['adjudicated_at']}: {adj['note']}")
    for key, title in (("prompt", "PROMPT"), ("response_a", "RESPONSE A"), ("response_b", "RESPONSE B")):
        print(f"--- {title} ---")
        print(terminal_lines(t[key]))
    cols = ["annotator_id", "annotator_kind", "preference", "strength", "shown_first", "seconds", "gold"]
    cols += ["created_at", "file_name", "source_line"]
    print("--- VERDICTS ---")
    _table(it.human_verdicts, cols)
    if it.judge_verdicts:
        print("--- JUDGE VERDICTS (both orders: shown_first) ---")
        _table(it.judge_verdicts, cols)
    if it.ratings:
        print("--- RATINGS (same prompt_id and model) ---")
        _table(it.ratings, columns_of(it.ratings))
    if it.rankings:
        print("--- RANKINGS (same prompt_id and model) ---")
        _table(it.rankings, columns_of(it.rankings))


def cmd_adjudicate(args) -> int:
    from .adjudications import adjudicate_file

    res = adjudicate_file(args.db, args.batch, args.file, by=args.by)
    _say(res.summary())
    if not args.no_report:  # adjudications are in the snapshot's fingerprint; the write is committed and closed
        from ..cli import snapshot_step

        snapshot_step(args.db, [args.batch])
    return ExitCode.OK


def register(subparsers, db_opt) -> None:
    from ..cli import no_report_opt
    from .filters import DEFAULT_LIMIT, FILTERS, _usage

    sp = subparsers.add_parser(
        "items",
        help="the comparisons behind a flag, criterion or hygiene row (--filter), or one item (--item)",
        description="List one page of the items behind a flag: --filter "
        + ", ".join(_usage(s) for s in FILTERS.values())
        + ". --item ID shows one comparison in full (texts, every verdict, consensus, judges in both orders, "
        "linked ratings and rankings, file and line). Exit codes: 2 bad call, 5 no such batch or comparison.",
    )
    sp.add_argument("--batch", required=True)
    g = sp.add_mutually_exclusive_group()
    g.add_argument("--filter", metavar="NAME[=VALUE]", help="the filter (see above)")
    g.add_argument("--item", metavar="COMPARISON_ID", help="show one comparison in full")
    out = sp.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON")
    out.add_argument("--csv", action="store_true", help="print CSV (header even when empty)")
    sp.add_argument("--limit", type=int, default=DEFAULT_LIMIT, help=f"rows per page (default {DEFAULT_LIMIT})")
    sp.add_argument("--offset", type=int, default=0, help="rows to skip (the page: offset / limit)")
    db_opt(sp)
    sp.set_defaults(func=cmd_items)

    sp = subparsers.add_parser(
        "adjudicate",
        help="record your own labels on comparisons (append-only; they take precedence over the majority)",
        description="Record adjudications from FILE (.csv or .jsonl; columns comparison_id, label = A|B|tie, note) "
        "for batch --batch by --by NAME, in one transaction, each with the SHA-256 of the comparison's texts; "
        "then the batch's report snapshot is computed and stored (adjudications are among its inputs; "
        "--no-report skips that, a failed snapshot is a warning). Exit codes: 3 a bad row (nothing stored; "
        "every problem listed), 4 the batch is decided, 5 no such batch or file, 2 a bad call.",
    )
    sp.add_argument("file", help="the adjudication file (.csv or .jsonl)")
    sp.add_argument("--batch", required=True)
    sp.add_argument("--by", required=True, metavar="NAME", help="who adjudicated (recorded)")
    no_report_opt(sp)
    db_opt(sp)
    sp.set_defaults(func=cmd_adjudicate)
