"""``qualitylab judge``: run an LLM judge over a batch (see ``qualitylab.judges.runner``)."""

from __future__ import annotations

import os
import sys

from ..errors import ExitCode, UsageError
from ..escape import terminal_text


def cmd_judge(args) -> int:
    from ..store import open_store
    from .client import DEFAULT_BASE_URL, Endpoint, api_key_from_env
    from .runner import RunOptions, progress_bar, run_judge
    from .template import load_template

    mode = "single" if args.single else "pairwise"
    if args.single and args.both_orders:
        raise UsageError(
            "--both-orders is for pairwise verdicts",
            "single-answer grading shows one response",
            "drop --both-orders or --single",
        )
    from .template import BUILTIN, read_rubric

    template = load_template(args.prompt, mode)
    stated = BUILTIN[args.prompt].scale if args.prompt in BUILTIN else None
    low, high = _scale(args.scale) if args.scale is not None else stated or (1, 10)
    if stated and (low, high) != stated:
        raise UsageError(
            f"The prompt {args.prompt} grades on {stated[0]:g}-{stated[1]:g}",
            f"--scale {args.scale} would not match the scale the prompt states",
            f"drop --scale (or give {stated[0]:g}-{stated[1]:g}), or use a prompt file of your own",
        )
    rubric = read_rubric(args.rubric) if args.rubric else None
    template = template.with_fields(rubric=rubric, criteria=args.criteria)
    endpoint = Endpoint(
        args.base_url or os.environ.get("QUALITYLAB_JUDGE_BASE_URL") or DEFAULT_BASE_URL,
        args.model,
        api_key_from_env(),
        timeout=args.timeout,
        max_retries=args.max_retries,
        backoff=args.backoff,
        temperature=args.temperature,
        max_tokens=args.max_tokens,
    )
    options = RunOptions(
        mode=mode,
        both_orders=args.both_orders,
        concurrency=args.concurrency,
        aspect=args.aspect,
        scale=(low, high),
        price_prompt=args.price,
        price_completion=args.price_completion,
        annotator_id=args.annotator_id,
    )
    progress = progress_bar(sys.stderr) if sys.stderr.isatty() else None
    with open_store(args.db) as store:
        result = run_judge(store, args.batch, endpoint, template, options, progress)
    print(terminal_text(result.summary()))
    if not args.no_report:  # the data write is committed and the store closed
        from ..cli import snapshot_step

        snapshot_step(args.db, [args.batch])
    return ExitCode.OK


def _scale(text: str) -> tuple[float, float]:
    try:
        low, high = (float(x) for x in text.split("-", 1)) if not text.startswith("-") else (None, None)
    except ValueError:
        low = high = None
    if low is None or high is None or not low < high:
        raise UsageError("Bad --scale", repr(text), "give LOW-HIGH, e.g. 1-10")
    return low, high


def register(subparsers, db_opt) -> None:
    sp = subparsers.add_parser(
        "judge",
        help="run an LLM judge over a batch (OpenAI-compatible endpoint), cached and resumable",
        description="Ask an LLM judge about every comparison of a batch and store its verdicts as judge "
        "rows of the batch. The API key is read from $QUALITYLAB_API_KEY (else "
        "$OPENAI_API_KEY) and never stored or printed. A rerun makes only the missing calls.",
    )
    sp.add_argument("--batch", required=True, help="the batch whose comparisons are judged")
    sp.add_argument("--model", required=True, help="the model name the endpoint serves")
    sp.add_argument(
        "--base-url",
        help="the endpoint, e.g. http://localhost:8000/v1 (default: "
        "$QUALITYLAB_JUDGE_BASE_URL, else https://api.openai.com/v1)",
    )
    sp.add_argument(
        "--prompt",
        metavar="FILE",
        help="a prompt template file, or a shipped one: pairwise (default), pairwise-5way, prometheus-relative; "
        "with --single: single (default), prometheus-absolute (see docs/judges.md)",
    )
    sp.add_argument(
        "--rubric",
        metavar="FILE",
        help="a score rubric (text file) for the prompt's ${rubric}; with a prompt that names only ${criteria} "
        "(prometheus-relative) its first line is the criteria",
    )
    sp.add_argument("--criteria", metavar="TEXT", help="the evaluation criteria for the prompt's ${criteria}")
    sp.add_argument("--both-orders", action="store_true", help="ask twice, with each response shown first")
    sp.add_argument(
        "--single", action="store_true", help="single-answer grading: a score per response, stored as judge ratings"
    )
    sp.add_argument("--aspect", default="overall", help="single mode: the aspect graded (default overall)")
    sp.add_argument(
        "--scale", help="single mode: the score range LOW-HIGH (default 1-10; prometheus-absolute: 1-5, as it states)"
    )
    sp.add_argument("--concurrency", type=int, default=4, help="calls in flight at once (default 4)")
    sp.add_argument(
        "--annotator-id",
        help="the judge's annotator_id (default: the model; with another prompt, model@<template sha256[:8]>)",
    )
    sp.add_argument("--price", type=float, metavar="USD", help="price per 1k prompt tokens (cost estimate)")
    sp.add_argument(
        "--price-completion", type=float, metavar="USD", help="price per 1k completion tokens (default: --price)"
    )
    sp.add_argument(
        "--timeout",
        type=float,
        default=120.0,
        help="wall-clock seconds per attempt, the whole reply included (default 120)",
    )
    sp.add_argument("--max-retries", type=int, default=4, help="retries on timeouts, 429 and 5xx (default 4)")
    sp.add_argument("--backoff", type=float, default=1.0, help="first retry wait in seconds, doubled each time")
    sp.add_argument("--temperature", type=float, default=0.0)
    sp.add_argument("--max-tokens", type=int, default=1024)
    from ..cli import no_report_opt

    no_report_opt(sp)
    db_opt(sp)
    sp.set_defaults(func=cmd_judge)
