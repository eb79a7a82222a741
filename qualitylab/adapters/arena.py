"""Chatbot Arena battles, in either of the two public schemas (told apart per record).

1. ``chatbot_arena_conversations`` (lmsys, 33K battles): ``question_id``, ``model_a``, ``model_b``,
   ``winner`` (``model_a`` | ``model_b`` | ``tie`` | ``tie (bothbad)``), ``judge`` (the anonymised
   user), ``conversation_a``, ``conversation_b`` (lists of ``{role, content}``), ``turn`` (how many
   turns), ``anony``, ``language``, ``tstamp`` (Unix seconds), ``openai_moderation``, ``toxic_chat_tag``.
2. ``arena-human-preference-55k`` (the Kaggle competition's train.csv): ``id``, ``model_a``,
   ``model_b``, ``prompt``, ``response_a``, ``response_b`` (JSON-encoded lists, one string per turn),
   ``winner_model_a``, ``winner_model_b``, ``winner_tie`` (exactly one is 1).

The vote covers the whole conversation, so prompt = every user turn and response_x = every reply of
model x, each joined by a blank line (with more than one turn, the turns are also kept as extra
columns). comparison_id ``arena-<question_id>`` / ``arena55k-<id>``; annotator_id = ``judge``, or,
in the 55k set, which names no voter, the pool ``arena-anonymous-voters`` (not one person).
``tstamp`` -> created_at (UTC). Every other column is kept as an extra column. ``shown_first`` is not
recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ..delivered import Delivered
from ..errors import RowProblem
from ..readers import Record
from . import Adapter, register
from ._common import extras, maybe_json, messages, per_record, raw, row, text, with_extras
from .mtbench_human import conversation_turn, winner_of

POOL_55K = "arena-anonymous-voters"
USED_CONV = {"question_id", "model_a", "model_b", "winner", "judge", "conversation_a", "conversation_b", "tstamp"}
USED_55K = {
    "id",
    "model_a",
    "model_b",
    "prompt",
    "response_a",
    "response_b",
    "winner_model_a",
    "winner_model_b",
    "winner_tie",
}


def _utc(tstamp) -> str | None:
    try:
        return dt.datetime.fromtimestamp(float(tstamp), dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    except (TypeError, ValueError, OverflowError):
        return None


def _conversations(n: int, obj: dict, source: str):
    missing = [c for c in ("question_id", "model_a", "model_b", "winner", "judge") if obj.get(c) is None]
    if missing:
        return RowProblem(
            n,
            "preference" if missing[0] == "winner" else None,
            f"missing {', '.join(missing)} ({source})",
            raw=raw(obj),
        )
    pref = winner_of(obj["winner"])
    if pref is None:
        return RowProblem(
            n,
            "preference",
            f"winner = {obj['winner']!r} is not model_a, model_b, tie or tie (bothbad) ({source}); not guessed",
            raw=raw(obj),
        )
    mapped = conversation_turn(obj, None, n, source)
    if isinstance(mapped, RowProblem):
        return mapped
    prompt, resp_a, resp_b, multi = mapped
    more = extras(obj, USED_CONV)
    if multi:
        more.update(conversation_a=messages(obj["conversation_a"]), conversation_b=messages(obj["conversation_b"]))
    created = _utc(obj.get("tstamp"))
    if obj.get("tstamp") is not None and created is None:
        more["tstamp"] = obj["tstamp"]  # unreadable: kept as delivered, not dropped
    return with_extras(
        row(
            comparison_id=f"arena-{obj['question_id']}",
            annotator_id=obj["judge"],
            annotator_kind="human",
            preference=pref,
            prompt=prompt,
            response_a=resp_a,
            response_b=resp_b,
            model_a=obj["model_a"],
            model_b=obj["model_b"],
            created_at=created,
        ),
        {"winner": obj["winner"], **more},
    )


def _turns(value) -> list[str] | None:
    value = maybe_json(value)
    if isinstance(value, str):
        return [value]
    if hasattr(value, "tolist"):
        value = value.tolist()
    if not isinstance(value, list):
        return None
    return [text(v) or "" for v in value]


def _flag(value) -> int | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return int(f) if f in (0.0, 1.0) else None


def _arena55k(n: int, obj: dict, source: str):
    flags = {k: _flag(obj.get(k)) for k in ("winner_model_a", "winner_model_b", "winner_tie")}
    if any(v is None for v in flags.values()) or sum(v or 0 for v in flags.values()) != 1:
        shown = {k: obj.get(k) for k in flags}
        return RowProblem(
            n,
            "preference",
            f"winner_model_a/winner_model_b/winner_tie = {shown} is not exactly one 1 ({source}); not guessed",
            raw=raw(obj),
        )
    pref = "A" if flags["winner_model_a"] else "B" if flags["winner_model_b"] else "tie"
    parsed = {c: _turns(obj.get(c)) for c in ("prompt", "response_a", "response_b")}
    bad = [c for c, v in parsed.items() if v is None]
    if bad:
        return RowProblem(n, bad[0], f"{bad[0]} is not a JSON list of strings ({source})", raw=raw(obj))
    turns = {c: v or [] for c, v in parsed.items()}
    more = extras(obj, USED_55K)
    if max(len(v) for v in turns.values()) > 1:
        more.update(
            prompt_turns=turns["prompt"], response_a_turns=turns["response_a"], response_b_turns=turns["response_b"]
        )
    return with_extras(
        row(
            comparison_id=f"arena55k-{obj.get('id', n)}",
            annotator_id=POOL_55K,
            annotator_kind="human",
            preference=pref,
            prompt="\n\n".join(turns["prompt"]),
            response_a="\n\n".join(turns["response_a"]),
            response_b="\n\n".join(turns["response_b"]),
            model_a=obj.get("model_a"),
            model_b=obj.get("model_b"),
        ),
        more,
    )


def _record(n: int, obj: dict, source: str) -> dict[str, str | None] | RowProblem:
    if "conversation_a" in obj:
        return _conversations(n, obj, source)
    if "winner_model_a" in obj or "response_a" in obj:
        return _arena55k(n, obj, source)
    return RowProblem(n, None, f"neither Arena schema: no conversation_a nor winner_model_a ({source})", raw=raw(obj))


def read(delivered: Delivered) -> Iterator[Record]:
    return per_record(delivered, _record)


ADAPTER = register(
    Adapter(
        name="arena",
        kind="pairwise",
        unit="record",
        read=read,
        labels=("A", "B", "tie"),
        doc="Chatbot Arena battles: chatbot_arena_conversations (conversation_a/b, judge, tstamp, ...) or "
        "arena-human-preference-55k (prompt/response_a/response_b JSON lists, winner_* flags)",
    )
)
