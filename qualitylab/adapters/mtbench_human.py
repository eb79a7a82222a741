"""MT-Bench human judgments (lmsys ``mt_bench_human_judgments``, splits ``human`` and ``gpt4_pair``).

Documented schema, one object per judgment: ``question_id`` (int), ``model_a``, ``model_b``,
``winner`` (``model_a`` | ``model_b`` | ``tie`` | ``tie (bothbad)``), ``judge`` (``expert_N``,
``author_N``, ``gpt4_pair``...), ``turn`` (1 or 2: which turn was judged), ``conversation_a``,
``conversation_b`` (lists of ``{role, content}``, both turns). A JSON array, JSONL, CSV or Parquet.

Mapping: the assistant reply at turn ``t`` of each conversation -> response_a / response_b; the user
messages of turns 1..t, joined by a blank line -> prompt (a second-turn question only makes sense
after the first). comparison_id ``mtbench-q<question_id>-<model_a>-vs-<model_b>-t<turn>``, prompt_id
``mtbench-q<question_id>-t<turn>``; annotator_id = judge. Its kind comes from the dataset's own
fields, never from a name prefix (issue 14 item 3: Gemini, Llama and Mistral judges were stored as
humans by a ``gpt``/``claude``/``llm`` prefix rule): an ``annotator_kind`` column (``human`` |
``judge``) overrides; else a ``split`` column (the dataset's ``human`` / ``gpt4_pair`` splits); else
the dataset's judge field as it names its raters: ``expert_N`` and ``author_N`` (the human split)
are humans, ``gpt4_pair`` / ``gpt4_single`` (FastChat's judge splits, also as FastChat's list
``[model, prompt]``) a judge. Any other judge is refused, naming it (add ``annotator_kind``).
The upstream ``winner`` is kept as an extra column (it tells "tie (bothbad)" from "tie");
the whole conversations too when they hold more than the judged turn. ``shown_first`` is not recorded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..delivered import Delivered
from ..errors import RowProblem
from ..readers import Record
from . import Adapter, register
from ._common import contents, extras, iter_objects, messages, raw, row, with_extras

WINNERS = {"model_a": "A", "model_b": "B", "tie": "tie", "tie (bothbad)": "tie"}
USED = {
    "question_id",
    "model_a",
    "model_b",
    "winner",
    "judge",
    "turn",
    "conversation_a",
    "conversation_b",
    "annotator_kind",
}
HUMAN_RATER = re.compile(r"(expert|author)_\d+")  # the human split's raters
JUDGE_RATERS = {"gpt4_pair", "gpt4_single"}  # the dataset's / FastChat's LLM-judge splits
SPLITS = {"human": "human", "gpt4_pair": "judge", "gpt4_single": "judge"}


def judge_kind(obj: dict) -> str | None:
    """``human`` | ``judge`` from the record's own fields (module docstring), None when they do not say."""
    declared = obj.get("annotator_kind")
    if declared is not None and str(declared).strip():
        kind = str(declared).strip().lower()
        return kind if kind in ("human", "judge") else None
    split = obj.get("split")
    if split is not None and str(split).strip().lower() in SPLITS:
        return SPLITS[str(split).strip().lower()]
    judge = obj.get("judge")
    if isinstance(judge, list):  # FastChat's own files: ["gpt-4", "pair-v2"] = model and judge prompt
        return "judge" if judge else None
    name = str(judge).strip()
    if HUMAN_RATER.fullmatch(name):
        return "human"
    if name.lower() in JUDGE_RATERS:
        return "judge"
    return None


def winner_of(value) -> str | None:
    return WINNERS.get(str(value).strip().lower()) if value is not None else None


def conversation_turn(obj: dict, turn: int | None, n: int, source: str):
    """(prompt, response_a, response_b, multi) for turn ``turn`` (None = every turn, joined), or a
    problem. ``multi`` says the conversations hold more than what was mapped."""
    conv_a, conv_b = messages(obj.get("conversation_a")), messages(obj.get("conversation_b"))
    if conv_a is None or conv_b is None:
        col = "response_a" if conv_a is None else "response_b"
        return RowProblem(
            n, col, f"conversation_{col[-1]} is not a list of {{role, content}} messages ({source})", raw=raw(obj)
        )
    users_a, users_b = contents(conv_a, "user"), contents(conv_b, "user")
    said_a, said_b = contents(conv_a, "assistant"), contents(conv_b, "assistant")
    if turn is None:
        k = max(len(users_a), len(users_b))
        if users_a != users_b:
            return RowProblem(
                n,
                "prompt",
                f"conversation_a and conversation_b differ in the user's messages ({source}); not one comparison",
                raw=raw(obj),
            )
        return "\n\n".join(users_a), "\n\n".join(said_a), "\n\n".join(said_b), k > 1
    if turn < 1 or len(said_a) < turn or len(said_b) < turn or len(users_a) < turn:
        return RowProblem(
            n,
            "turn",
            f"turn {turn} is not in both conversations ({len(said_a)} and {len(said_b)} assistant replies; {source})",
            raw=raw(obj),
        )
    if users_a[:turn] != users_b[:turn]:
        return RowProblem(
            n,
            "prompt",
            f"conversation_a and conversation_b differ in the user's messages up to "
            f"turn {turn} ({source}); not one comparison",
            raw=raw(obj),
        )
    multi = len(conv_a) > 2 * turn or len(conv_b) > 2 * turn or turn > 1
    return "\n\n".join(users_a[:turn]), said_a[turn - 1], said_b[turn - 1], multi


def read(delivered: Delivered) -> Iterator[Record]:
    path = delivered.path
    for n, obj, problem in iter_objects(delivered):
        if obj is None:  # a record either parsed or has its problem
            yield n, None, problem
            continue
        source = f"record {n} of {path.name}"
        missing = [c for c in ("question_id", "model_a", "model_b", "winner", "judge", "turn") if obj.get(c) is None]
        if missing:
            col = {"judge": "annotator_id", "question_id": "comparison_id", "winner": "preference"}.get(
                missing[0], missing[0]
            )
            yield n, None, RowProblem(n, col, f"missing {', '.join(missing)} ({source})", raw=raw(obj))
            continue
        pref = winner_of(obj["winner"])
        if pref is None:
            yield (
                n,
                None,
                RowProblem(
                    n,
                    "preference",
                    f"winner = {obj['winner']!r} is not model_a, model_b, tie or tie (bothbad) ({source}); not guessed",
                    raw=raw(obj),
                ),
            )
            continue
        try:
            turn = int(obj["turn"])
        except (TypeError, ValueError):
            yield n, None, RowProblem(n, "turn", f"turn = {obj['turn']!r} is not an integer ({source})", raw=raw(obj))
            continue
        kind = judge_kind(obj)
        if kind is None:
            declared = obj.get("annotator_kind")
            why = (
                f"annotator_kind = {declared!r} is not human or judge"
                if declared is not None and str(declared).strip()
                else f"judge {obj['judge']!r}: cannot tell a human rater from an LLM judge (the dataset names "
                "its humans expert_N / author_N and its judge gpt4_pair; a name is not guessed)"
            )
            yield (
                n,
                None,
                RowProblem(n, "annotator_kind", f"{why} ({source}); add an annotator_kind column", raw=raw(obj)),
            )
            continue
        mapped = conversation_turn(obj, turn, n, source)
        if isinstance(mapped, RowProblem):
            yield n, None, mapped
            continue
        prompt, resp_a, resp_b, multi = mapped
        qid, ma, mb = obj["question_id"], obj["model_a"], obj["model_b"]
        who = "/".join(map(str, obj["judge"])) if isinstance(obj["judge"], list) else obj["judge"]
        more = extras(obj, USED)
        if multi:
            more.update(conversation_a=messages(obj["conversation_a"]), conversation_b=messages(obj["conversation_b"]))
        yield (
            n,
            with_extras(
                row(
                    comparison_id=f"mtbench-q{qid}-{ma}-vs-{mb}-t{turn}",
                    prompt_id=f"mtbench-q{qid}-t{turn}",
                    annotator_id=who,
                    annotator_kind=kind,
                    preference=pref,
                    prompt=prompt,
                    response_a=resp_a,
                    response_b=resp_b,
                    model_a=ma,
                    model_b=mb,
                ),
                {"winner": obj["winner"], "turn": turn, **more},
            ),
            None,
        )


ADAPTER = register(
    Adapter(
        name="mtbench-human",
        kind="pairwise",
        unit="record",
        read=read,
        labels=("A", "B", "tie"),
        doc="lmsys MT-Bench human judgments (question_id, model_a, model_b, winner, judge, turn, "
        "conversation_a/b) as a JSON array, JSONL, CSV or Parquet; one verdict per record",
    )
)
