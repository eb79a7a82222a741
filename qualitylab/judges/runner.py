"""Run an LLM judge over a batch through an OpenAI-compatible endpoint, cached and resumable.

``run_judge`` asks the judge about every comparison of the batch (pairwise mode; both orders when
asked) or every response (single-answer grading), and stores:

- every call in ``judge_calls`` (the cache), keyed by what was sent: (batch, mode, aspect, judge
  annotator_id, item, order) and ``call_sha256``, the SHA-256 of the request URL and body (the rendered messages, the
  model, the sampling parameters; never the key): the raw output, the parsed verdict or the reason
  it could not be parsed, tokens, latency, a cost estimate, the attempts and any error. A rerun
  makes only the calls that are missing or failed for the texts as they are now (a comparison whose
  texts changed is asked again); an unparsed output is the model's answer and is not asked again.
- the parsed verdicts as judge rows of the same batch (``verdicts``; single mode: ``ratings``), all
  under one provenance row in ``files`` with ``format = 'judge-run'``, ``kind`` pairwise or rating,
  ``file_name = 'judge-run <mode> <annotator_id> model=<model> template=<sha256[:12]>[ aspect=<a>]'``
  and ``sha256`` = the template's SHA-256. At the end of every run (also an interrupted one) the
  calls of the run's current tasks are marked as backing it (``judge_calls.file_id``) and its rows
  are rebuilt from them, so they always equal the cache for the texts as they are.

The DuckDB connection is used from the calling thread only; worker threads do HTTP and nothing else.
The API key is read from the environment by the caller, sent only in a header to the endpoint's
origin, and removed (``Endpoint.redact``) from every output, parse problem and error text before it
is stored or printed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from .. import __version__, duplicates
from ..errors import ExitCode, QualitylabError, UsageError
from ..store import Store, transaction
from .client import Endpoint, FatalEndpointError, Reply
from .parse import parse_pairwise, parse_score, to_original
from .template import Template

TEXT_CHUNK = 256  # items whose texts are fetched at once (bounded memory on big batches)


class JudgeError(QualitylabError):
    exit_code = ExitCode.JUDGE


@dataclass(frozen=True)
class RunOptions:
    mode: str = "pairwise"  # pairwise | single
    both_orders: bool = False
    concurrency: int = 4
    aspect: str = "overall"  # single mode: what is graded
    scale: tuple[float, float] = (1, 10)  # single mode: the score range
    price_prompt: float | None = None  # USD per 1k prompt tokens
    price_completion: float | None = None  # USD per 1k completion tokens (default: price_prompt)
    annotator_id: str | None = None


@dataclass(frozen=True)
class RunResult:
    batch_id: str
    annotator_id: str
    mode: str
    file_id: int
    n_tasks: int  # calls this run had to make (the cache held the rest)
    n_calls: int  # cached calls of this run's key after the run
    n_parsed: int
    n_unparsed: int
    n_failed: int
    n_stored: int  # verdicts (or ratings) stored for the batch
    n_untexted: int  # comparisons skipped: no response texts
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None

    def summary(self) -> str:
        what = "verdicts" if self.mode == "pairwise" else "ratings"
        s = (
            f"judge {self.annotator_id!r} on batch {self.batch_id!r}: {self.n_tasks} call(s) made, "
            f"{self.n_calls - self.n_tasks if self.n_calls >= self.n_tasks else 0} from the cache; "
            f"{self.n_parsed} parsed, {self.n_unparsed} unparsed (stored, not guessed), "
            f"{self.n_failed} failed; {self.n_stored} {what} stored; "
            f"tokens {self.prompt_tokens:,} in / {self.completion_tokens:,} out"
        )
        if self.cost_usd is not None:
            s += f"; estimated cost ${self.cost_usd:.4f}"
        if self.n_untexted:
            s += f"; {self.n_untexted} comparison(s) skipped: no response texts"
        return s


def default_annotator_id(model: str, template: Template, mode: str) -> str:
    """The model's name with the shipped default prompt (no rubric, no criteria), else
    ``model@<prompt sha256[:8]>`` (the template's SHA-256, or with a rubric or criteria
    :attr:`Template.prompt_sha256`): two prompts, or two rubrics, for one model are two judges."""
    default = template.builtin and template.name == mode and template.prompt_sha256 == template.sha256
    return model if default else f"{model}@{template.prompt_sha256[:8]}"


def run_judge(
    store: Store,
    batch_id: str,
    endpoint: Endpoint,
    template: Template,
    options: RunOptions = RunOptions(),
    progress: Callable[[int, int, dict], None] | None = None,
) -> RunResult:
    """Run the judge; see the module docstring. Raises :class:`JudgeError` when calls failed."""
    if store.read_only:
        raise UsageError("Store is read-only", "the judge runner writes to the store", "open it read-write")
    if options.mode not in ("pairwise", "single"):
        raise UsageError("Unknown judge mode", repr(options.mode), "use pairwise or single")
    if options.concurrency < 1:
        raise UsageError("Bad --concurrency", str(options.concurrency), "give 1 or more")
    template.check(options.mode)
    template = template.with_fields(template.rubric, template.criteria)  # refuses a missing rubric / criteria
    store.require_batch(batch_id)
    store.require_open_batch(batch_id, "a judge run")
    annotator_id = options.annotator_id or default_annotator_id(endpoint.model, template, options.mode)
    aspect = options.aspect if options.mode == "single" else ""
    key = {"batch_id": batch_id, "mode": options.mode, "aspect": aspect, "annotator_id": annotator_id}
    source = "comparisons"
    if options.mode == "pairwise":
        n_untexted = store.first("judges/count_untexted", {"batch_id": batch_id})["n"]
    else:
        if store.first("judges/count_rated_items", {"batch_id": batch_id})["n"]:
            source = "ratings"
        n_untexted = 0
    # pass 1: every task's request fingerprint (what would be sent); the cache answers those it holds
    _require_references(store, batch_id, source, template, options)
    tasks = list(_fingerprints(store, batch_id, source, endpoint, template, options))
    _register_tasks(store, tasks)
    pending = {(r["item_id"], r["shown_first"]) for r in store.rows("judges/pending_calls", key)}
    file_id = _run_file(store, batch_id, options.mode, annotator_id, endpoint.model, template, aspect)

    redact = endpoint.redact
    fatal: str | None = None
    done = 0
    counts = {"parsed": 0, "unparsed": 0, "failed": 0}
    price_in = options.price_prompt
    price_out = options.price_completion if options.price_completion is not None else price_in
    try:
        with ThreadPoolExecutor(max_workers=options.concurrency) as pool:
            inflight: dict[Future, dict] = {}
            todo = _pending_tasks(store, batch_id, source, endpoint, template, options, pending)
            exhausted = False
            while inflight or not exhausted:
                while not exhausted and fatal is None and len(inflight) < options.concurrency * 2:
                    task = next(todo, None)
                    if task is None:
                        exhausted = True
                        break
                    inflight[pool.submit(_call, endpoint, task["messages"])] = task
                if fatal is not None:
                    exhausted = True
                if not inflight:
                    break
                finished, _ = wait(list(inflight), return_when=FIRST_COMPLETED)
                for fut in finished:
                    task = inflight.pop(fut)
                    try:
                        reply = fut.result()
                    except FatalEndpointError as e:
                        fatal = redact(str(e))
                        continue
                    row = _call_row(reply, task, options, price_in, price_out)
                    for col in ("raw_output", "error", "parse_problem"):  # nothing stored holds the key
                        row[col] = redact(row[col])
                    counts["failed" if row["error"] else "parsed" if row["parsed"] else "unparsed"] += 1
                    call = {**key, "item_id": task["item_id"], "shown_first": task["shown_first"]}
                    store.execute("judges/delete_failed_call", {**call, "call_sha256": task["call_sha256"]})
                    store.execute(
                        "judges/insert_call",
                        {
                            **row,
                            **call,
                            "call_sha256": task["call_sha256"],
                            "model": endpoint.model,
                            "template_sha256": template.sha256,
                            "rubric_sha256": template.rubric_sha256,
                            "criteria_sha256": template.criteria_sha256,
                            "file_id": file_id,
                        },
                    )
                    done += 1
                    if progress:
                        progress(done, len(pending), counts)
    finally:  # also when interrupted: the run's stored rows always equal its cached calls
        n_stored = _materialise(store, batch_id, file_id, annotator_id, options.mode, aspect, source)
        store.con.execute("DROP TABLE IF EXISTS _judge_tasks")
    s = store.first("judges/run_summary", {"file_id": file_id})
    result = RunResult(
        batch_id,
        annotator_id,
        options.mode,
        file_id,
        len(pending),
        s["n_calls"],
        s["n_parsed"],
        s["n_unparsed"],
        s["n_failed"],
        n_stored,
        n_untexted,
        int(s["prompt_tokens"]),
        int(s["completion_tokens"]),
        s["cost_usd"],
    )
    if fatal:
        raise JudgeError(
            "Judge endpoint refused",
            fatal,
            "check --base-url, --model and the key in $QUALITYLAB_API_KEY / $OPENAI_API_KEY; "
            f"what finished before is stored ({result.n_parsed} parsed)",
        )
    if result.n_failed:
        raise JudgeError(
            "Judge calls failed",
            f"{result.n_failed} call(s) failed beyond retries. " + result.summary(),
            "rerun the same command: cached calls are kept and only the gaps are retried",
        )
    return result


def _call(endpoint: Endpoint, messages: list[dict[str, str]]) -> Reply:
    """One call in a worker thread: every failure but a fatal one becomes the call's recorded error."""
    try:
        return endpoint.complete(messages)
    except FatalEndpointError:
        raise
    except Exception as e:  # a bug or an unforeseen reply must not abort the run: record it, say what
        return Reply(None, error=endpoint.redact(f"unexpected {type(e).__name__}: {e}"))


def _run_file(
    store: Store, batch_id: str, mode: str, annotator_id: str, model: str, template: Template, aspect: str
) -> int:
    name = f"judge-run {mode} {annotator_id} model={model} template={template.sha256[:12]}"
    if template.rubric_sha256:
        name += f" rubric={template.rubric_sha256[:12]}"
    if template.criteria_sha256:
        name += f" criteria={template.criteria_sha256[:12]}"
    if aspect:
        name += f" aspect={aspect}"
    row = store.one("judges/run_file", {"batch_id": batch_id, "file_name": name})
    if row:
        return row["file_id"]
    file_id = store.first("ingest/next_file_id")["file_id"]
    store.execute(
        "ingest/insert_file",
        {
            "file_id": file_id,
            "batch_id": batch_id,
            "kind": "pairwise" if mode == "pairwise" else "rating",
            "format": "judge-run",
            "file_name": name,
            "size_bytes": len(template.text.encode("utf-8")),
            "sha256": template.sha256,
            "n_rows": 0,
            "n_stored": 0,
            "n_quarantined": 0,
            "qualitylab_version": __version__,
            "extra_columns": [],
        },
    )
    return file_id


def _items(store: Store, batch_id: str, source: str, mode: str) -> Iterator[dict]:
    """Every item the judge is shown, with its texts, streamed TEXT_CHUNK rows at a time from a
    cursor of its own (bounded memory on big batches; the store's connection stays free)."""
    from ..store import sql

    cur = store.con.cursor()
    try:
        if mode == "pairwise":
            res = cur.execute(sql("judges/pairwise_items"), {"batch_id": batch_id})
        else:
            res = cur.execute(sql("judges/single_items"), {"batch_id": batch_id, "source": source})
        cols = [d[0] for d in res.description]
        while chunk := res.fetchmany(TEXT_CHUNK):
            for values in chunk:
                yield dict(zip(cols, values, strict=True))
    finally:
        cur.close()


def _orders(options: RunOptions) -> list[str]:
    if options.mode == "single":
        return ["-"]
    return ["A", "B"] if options.both_orders else ["A"]


def _fingerprints(
    store: Store, batch_id: str, source: str, endpoint: Endpoint, template: Template, options: RunOptions
) -> Iterator[tuple[str, str, str]]:
    """(item_id, shown_first, call_sha256) of every call the run needs."""
    for item in _items(store, batch_id, source, options.mode):
        for order in _orders(options):
            yield (
                item["item_id"],
                order,
                endpoint.call_sha256(_messages(template, options, {**item, "shown_first": order})),
            )


def _require_references(store: Store, batch_id: str, source: str, template: Template, options: RunOptions) -> None:
    """A prompt naming ${reference_answer} outside an [if reference_answer] block needs one for every item."""
    if not template.requires_reference:
        return
    missing = [i["item_id"] for i in _items(store, batch_id, source, options.mode) if not i["reference_answer"]]
    if missing:
        raise UsageError(
            "Items without a reference answer",
            f"{template.name} uses ${{reference_answer}}, and {len(missing)} item(s) have none (first: {missing[0]!r})",
            "deliver a reference_answer column for every item, or put the reference in an "
            "[if reference_answer] ... [end] block of the prompt (docs/judges.md)",
        )


def _register_tasks(store: Store, tasks: list[tuple[str, str, str]]) -> None:
    import pyarrow as pa

    item_ids, orders, shas = (list(c) for c in zip(*tasks, strict=True)) if tasks else ([], [], [])
    table = pa.table(
        {
            "item_id": pa.array(item_ids, pa.string()),
            "shown_first": pa.array(orders, pa.string()),
            "call_sha256": pa.array(shas, pa.string()),
        }
    )
    store.con.register("_judge_tasks_arrow", table)
    try:
        store.con.execute("CREATE OR REPLACE TEMP TABLE _judge_tasks AS SELECT * FROM _judge_tasks_arrow").fetchall()
    finally:
        store.con.unregister("_judge_tasks_arrow")


def _pending_tasks(
    store: Store,
    batch_id: str,
    source: str,
    endpoint: Endpoint,
    template: Template,
    options: RunOptions,
    pending: set[tuple[str, str]],
) -> Iterator[dict]:
    """Pass 2: the calls still to make, with their messages, in item order."""
    if not pending:
        return
    for item in _items(store, batch_id, source, options.mode):
        for order in _orders(options):
            if (item["item_id"], order) in pending:
                task = {**item, "shown_first": order}
                messages = _messages(template, options, task)
                yield {**task, "messages": messages, "call_sha256": endpoint.call_sha256(messages)}


def _messages(template: Template, options: RunOptions, task: dict) -> list[dict[str, str]]:
    if options.mode == "pairwise":
        first, second = (
            (task["response_a"], task["response_b"])
            if task["shown_first"] == "A"
            else (task["response_b"], task["response_a"])
        )
        return template.messages(
            question=task["prompt"], answer_a=first, answer_b=second, reference_answer=task["reference_answer"]
        )
    low, high = options.scale
    return template.messages(
        question=task["prompt"],
        answer=task["response"],
        reference_answer=task["reference_answer"],
        aspect=options.aspect,
        scale_low=f"{low:g}",
        scale_high=f"{high:g}",
    )


def _call_row(reply: Reply, task: dict, options: RunOptions, price_in, price_out) -> dict:
    row = {
        "raw_output": reply.text,
        "parsed": False,
        "parse_problem": None,
        "preference": None,
        "strength": None,
        "score": None,
        "prompt_tokens": reply.prompt_tokens,
        "completion_tokens": reply.completion_tokens,
        "latency_ms": reply.latency_ms,
        "cost_usd": None,
        "attempts": reply.attempts,
        "error": reply.error,
    }
    if price_in is not None and reply.prompt_tokens is not None:
        row["cost_usd"] = (reply.prompt_tokens * price_in + (reply.completion_tokens or 0) * price_out) / 1000
    if reply.error or reply.text is None:
        row["error"] = reply.error or "no output"
        return row
    if options.mode == "pairwise":
        p = parse_pairwise(reply.text)
        if p.ok and p.preference is not None:
            row.update(parsed=True, preference=to_original(p.preference, task["shown_first"]), strength=p.strength)
    else:
        p = parse_score(reply.text, *options.scale)
        if p.ok:
            row.update(parsed=True, score=p.score)
    row["parse_problem"] = p.problem
    return row


def _materialise(
    store: Store,
    batch_id: str,
    file_id: int,
    annotator_id: str,
    mode: str,
    aspect: str,
    source: str,
) -> int:
    """Rebuild the run's stored rows from the calls that back it, in one transaction; returns how many.

    The calls that back the run are those of its current tasks (_judge_tasks): a call made on texts
    that have since changed no longer backs it, and its verdict is not stored.
    """
    call = {"file_id": file_id, "batch_id": batch_id, "mode": mode, "aspect": aspect, "annotator_id": annotator_id}
    p = {"batch_id": batch_id, "file_id": file_id, "annotator_id": annotator_id}
    with transaction(store):
        store.execute("judges/detach_run_calls", {"file_id": file_id})
        store.execute("judges/attach_run_calls", call)
        if mode == "pairwise":
            store.execute("judges/delete_run_verdicts", {"file_id": file_id})
            store.execute("judges/insert_run_verdicts", p)
            n = store.first("ingest/count_file_pairwise", {"file_id": file_id})["n"]
        else:
            store.execute("judges/delete_run_ratings", {"file_id": file_id})
            store.execute("judges/insert_run_ratings", {**p, "source": source})
            n = store.first("ingest/count_file_rating", {"file_id": file_id})["n"]
        duplicates.mark(store, batch_id)
        calls = store.first("judges/run_summary", {"file_id": file_id})
        store.execute("judges/update_run_file", {"file_id": file_id, "n_rows": calls["n_calls"], "n_stored": n})
    return int(n)


def progress_bar(stream) -> Callable[[int, int, dict], None]:
    """A one-line progress bar for a terminal: ``[#####.....] 50/100 calls  2 unparsed  0 failed``."""
    last = [0.0]

    def show(done: int, total: int, counts: dict) -> None:
        now = time.monotonic()
        if done < total and now - last[0] < 0.1:
            return
        last[0] = now
        width = 30
        fill = int(width * done / total) if total else width
        stream.write(
            f"\r\033[K[{'#' * fill}{'.' * (width - fill)}] {done}/{total} calls  "
            f"{counts['unparsed']} unparsed  {counts['failed']} failed"
        )
        if done >= total:
            stream.write("\n")
        stream.flush()

    return show
