"""Chosen/rejected pair sets: Anthropic HH-RLHF and UltraFeedback binarized (and alike).

- HH-RLHF: ``chosen`` and ``rejected`` are whole transcripts ``"\\n\\nHuman: ...\\n\\nAssistant: ..."``.
  prompt = the conversation both share before the final ``"\\n\\nAssistant:"`` (leading blank lines
  removed), responses = the text after it (stripped). When the two do not share that prefix the
  record is a problem, not a guess. annotator_id ``hh-rlhf-crowdworkers`` (a pool, not one person).
- UltraFeedback binarized: ``prompt``, ``prompt_id``, ``chosen`` / ``rejected`` as lists of
  ``{role, content}`` (the responses are the last assistant messages), ``score_chosen`` /
  ``score_rejected`` -> rating_a / rating_b. The labels come from GPT-4's ratings: annotator_id
  ``ultrafeedback-gpt-4``, kind ``judge``. ``messages`` (a copy of ``chosen`` there) is not stored
  again when it equals ``chosen``.
- Otherwise: a ``prompt`` column and plain-text ``chosen`` / ``rejected``; annotator_id
  ``chosen-rejected-source``.

Placement. Putting every chosen response in A would make "A preferred" a certainty: a position
artefact, not a finding. The chosen response goes to A or B by a seeded hash instead:
``sha256("qualitylab/chosen-rejected/v1" + NUL + comparison_id)``, lowest bit of the first byte
(0 -> A): deterministic, balanced in expectation, independent of the content's order. ``shown_first``
is not recorded (the sets do not say how the pair was shown). comparison_id: ``ultrafeedback-<prompt_id>``,
else ``<id>`` when the source has an ``id``, else ``hh-<16 hex of sha256(chosen, rejected)>`` for HH-RLHF
(``pair-<...>`` of the prompt and both texts for other sets).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..delivered import Delivered
from ..errors import RowProblem
from ..readers import Record
from . import Adapter, register
from ._common import contents, extras, messages, per_record, raw, row, seeded_bit, short_hash, text, with_extras

SALT = "qualitylab/chosen-rejected/v1"
MARK = "\n\nAssistant:"
USED = {"chosen", "rejected", "prompt", "prompt_id", "score_chosen", "score_rejected", "id"}


def chosen_slot(comparison_id: str) -> str:
    """A or B: where the chosen response goes (see the module docstring)."""
    return "A" if seeded_bit(comparison_id, SALT) == 0 else "B"


def split_hh(chosen: str, rejected: str) -> tuple[str, str, str] | str:
    """(prompt, chosen reply, rejected reply), or the reason they cannot be split."""
    ic, ir = chosen.rfind(MARK), rejected.rfind(MARK)
    if ic < 0 or ir < 0:
        return "no '\\n\\nAssistant:' turn in " + ("chosen" if ic < 0 else "rejected")
    if chosen[:ic] != rejected[:ir]:
        return "chosen and rejected do not share the conversation before the final assistant turn"
    return chosen[:ic].lstrip("\n"), chosen[ic + len(MARK) :].strip(), rejected[ir + len(MARK) :].strip()


def _source_id(obj: dict, prefix: str, *texts: str | None) -> str:
    """The source's ``id`` when it has one, else ``<prefix>-<16 hex of sha256 of the texts>``."""
    if obj.get("id") is not None:
        return str(obj["id"])
    return f"{prefix}-{short_hash(*(t or '' for t in texts))}"


def _last_assistant(msgs: list[dict]) -> str | None:
    said = contents(msgs, "assistant")
    return said[-1] if said else None


def _map(n: int, obj: dict, source: str):
    chosen, rejected = obj.get("chosen"), obj.get("rejected")
    more = extras(obj, USED)
    ratings = (obj.get("score_chosen"), obj.get("score_rejected"))
    msgs_c, msgs_r = messages(chosen), messages(rejected)
    if msgs_c is not None and msgs_r is not None:  # UltraFeedback binarized
        resp_c, resp_r = _last_assistant(msgs_c), _last_assistant(msgs_r)
        if resp_c is None or resp_r is None:
            return RowProblem(
                n,
                "response_a",
                f"no assistant message in {'chosen' if resp_c is None else 'rejected'} ({source})",
                raw=raw(obj),
            )
        if msgs_c[:-1] != msgs_r[:-1]:
            return RowProblem(
                n, "prompt", f"chosen and rejected differ before their last message ({source})", raw=raw(obj)
            )
        prompt = obj.get("prompt")
        if prompt is None:
            prompt = "\n\n".join(contents(msgs_c[:-1], "user"))
        if messages(more.get("messages")) == msgs_c:
            more.pop("messages")
        pid = obj.get("prompt_id")
        cid = f"ultrafeedback-{pid}" if pid is not None else _source_id(obj, "pair", text(prompt), resp_c, resp_r)
        who, kind = ("ultrafeedback-gpt-4", "judge") if ratings[0] is not None else ("chosen-rejected-source", "human")
        if len(msgs_c) > 2:
            more.update(chosen_messages=msgs_c[:-1])
    elif isinstance(chosen, str) and isinstance(rejected, str) and MARK in chosen and obj.get("prompt") is None:
        split = split_hh(chosen, rejected)  # HH-RLHF transcripts
        if isinstance(split, str):
            return RowProblem(n, "prompt", f"{split} ({source}); not guessed", raw=raw(obj))
        prompt, resp_c, resp_r = split
        pid = None
        cid = _source_id(obj, "hh", chosen, rejected)
        who, kind = "hh-rlhf-crowdworkers", "human"
    elif isinstance(chosen, str) and isinstance(rejected, str):  # prompt + plain texts
        prompt, resp_c, resp_r = obj.get("prompt"), chosen, rejected
        pid = obj.get("prompt_id")
        cid = _source_id(obj, "pair", text(prompt), chosen, rejected)
        who, kind = "chosen-rejected-source", "human"
    else:
        col = "response_a" if not isinstance(chosen, (str, list)) else "response_b"
        return RowProblem(
            n,
            col,
            f"chosen/rejected are neither texts nor lists of {{role, content}} messages ({source})",
            raw=raw(obj),
        )
    slot = chosen_slot(cid)
    a, b = (resp_c, resp_r) if slot == "A" else (resp_r, resp_c)
    ra, rb = ratings if slot == "A" else ratings[::-1]
    return with_extras(
        row(
            comparison_id=cid,
            prompt_id=pid,
            annotator_id=who,
            annotator_kind=kind,
            preference=slot,
            prompt=prompt,
            response_a=a,
            response_b=b,
            rating_a=ra,
            rating_b=rb,
        ),
        more,
    )


def read(delivered: Delivered) -> Iterator[Record]:
    return per_record(delivered, _map)


ADAPTER = register(
    Adapter(
        name="chosen-rejected",
        kind="pairwise",
        unit="record",
        read=read,
        labels=("A", "B"),
        doc="chosen/rejected pair sets: HH-RLHF transcripts, UltraFeedback binarized message lists with "
        "scores; the chosen response is placed in A or B by a seeded hash of the id (balanced)",
    )
)
