"""``qualitylab export``: write the accepted data of accepted batches (docs/contract.md).

Exit codes: 2 a bad call (format, output name, --batch and --contract together), 4 a batch whose
current decision does not accept it (nothing written), 5 not found.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ExitCode


def cmd_export(args) -> int:
    from .write import ExportRequest, export

    res = export(
        args.db,
        ExportRequest(
            fmt=args.format,
            out=Path(args.out),
            batch=args.batch,
            contract=args.contract,
            label=args.label,
            keep_ties=args.keep_ties,
        ),
    )
    from ..escape import terminal_text

    for line in res.summary():
        print(terminal_text(line))
    return ExitCode.OK


def register(subparsers, db_opt) -> None:
    from .labels import LABEL_SOURCES
    from .write import FORMATS

    sp = subparsers.add_parser(
        "export",
        help="write the accepted data (dpo, pairwise or ratings) of accepted batches, with a manifest",
        description="Write the retained data of batches whose current decision accepts them as Parquet or "
        "JSONL, and FILE.manifest.json beside it (docs/contract.md). A batch that is not accepted: exit 4, "
        "nothing written.",
    )
    g = sp.add_mutually_exclusive_group(required=True)
    g.add_argument("--batch", help="one batch (its current decision must accept it)")
    g.add_argument("--contract", metavar="NAME", help="every accepted batch linked to the contract")
    sp.add_argument("--format", required=True, choices=FORMATS, help="dpo (TRL preference rows), pairwise, ratings")
    sp.add_argument("--out", required=True, metavar="FILE", help="FILE.parquet or FILE.jsonl")
    sp.add_argument("--label", default="majority", choices=sorted(LABEL_SOURCES), help="label source of --format dpo")
    sp.add_argument("--keep-ties", action="store_true", help="dpo: write tied comparisons too, with is_tie")
    db_opt(sp)
    sp.set_defaults(func=cmd_export)
