"""UltraFeedback fine-grained (openbmb/UltraFeedback, MIT): GPT-4's per-aspect ratings of each completion.

One record is one instruction: ``source``, ``instruction``, ``models``, ``completions`` (four, fewer
in some records), ``correct_answers``, ``incorrect_answers``. Each completion has ``model``,
``principle``, ``custom_system_prompt``, ``response``, ``annotations`` {aspect: {``Rating``,
``Rationale``, and for truthfulness / helpfulness ``Type`` and ``Rationale For Rating``}} (the
repository's first README has each aspect as a one-element list of that object: read too),
``critique``, ``overall_score`` and ``fine-grained_score``.

Rows (kind rating), per completion: one per aspect rated (``instruction_following``, ``honesty``,
``truthfulness``, ``helpfulness``: ``Rating`` "1".."5"; any other aspect key is read the same way),
plus aspect ``overall`` = ``overall_score`` (the critique's 1-10 score) when present. ``Rating``
"N/A" (GPT-4 found the aspect not applicable: the templates allow it for instruction_following and
honesty) is not a score: no row for that aspect, and the completion's rows list it in the extra
column ``not_applicable``; a completion left with no score at all is a problem. ``fine-grained_score``
(upstream's mean of the aspect ratings) is kept as an extra column, never stored as a rating: it
is derived. No rankings are made: ranking the four by a score would be the ratings again, and
the report's ratings-vs-rankings check would compare them with themselves.

Ids: prompt_id = sha256(instruction) in hex, as HuggingFaceH4's ultrafeedback_binarized computes
its ``prompt_id`` (so these ratings share the prompt with the binarized pairs of ``chosen-rejected``);
item_id ``ultrafeedback-<prompt_id>-<n>`` (n = the completion's 1-based position); model = the
completion's ``model``. annotator_id ``ultrafeedback-gpt-4``, kind judge (as for the binarized pairs).

Every row of a record carries the record's number: one bad value (a rating outside 1-5, an
overall_score outside 1-10, a completion without a response) refuses, or quarantines, the whole
instruction, never three of its completions. Declared scale: each of the four aspects 1-5,
overall 1-10.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator
from typing import Any

from ..delivered import Delivered
from ..errors import RowProblem
from ..readers import Record
from . import Adapter, register
from ._common import extras, maybe_json, per_record, raw, row, text, with_extras
from .helpsteer2 import whole_number

ASPECTS = ("instruction_following", "honesty", "truthfulness", "helpfulness")
OVERALL = "overall"
RATER = "ultrafeedback-gpt-4"
NOT_APPLICABLE = "N/A"
RECORD_KEYS = {"instruction", "completions"}
COMPLETION_KEYS = {"model", "response", "annotations", "overall_score", "fine-grained_score"}


def prompt_id(instruction: str) -> str:
    """sha256 of the instruction in hex: HuggingFaceH4's prompt_id of the same prompt."""
    return hashlib.sha256((text(instruction) or "").encode("utf-8")).hexdigest()


def _annotation(value: Any) -> dict | str | None:
    """One aspect's annotation object; a one-element list of it is read too; else why not."""
    value = maybe_json(value)
    if isinstance(value, list):
        if not value:
            return None
        if len(value) > 1:
            return f"holds {len(value)} annotations of one aspect; one is read per aspect"
        value = value[0]
    if not isinstance(value, dict):
        return f"is not an annotation object ({type(value).__name__})"
    return value


def _overall(value: Any) -> float | str | None:
    if value is None:
        return None
    v: Any = value
    if isinstance(v, str):
        try:
            v = float(v)
        except ValueError:
            return f"{value!r} is not a number"
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        return f"{text(value)!r} is not a number"
    if not 1 <= v <= 10:
        return f"{text(value)} is outside UltraFeedback's overall scale 1-10"
    return float(v)


def _completion(
    n: int, i: int, c: Any, instruction: str, pid: str, common: dict[str, Any], where: str, obj: dict
) -> list[dict[str, str | None]] | RowProblem:
    at = f"completions[{i}]"
    if not isinstance(c, dict):
        return RowProblem(n, at, f"is not an object ({where})", raw=raw(obj))
    if not isinstance(c.get("response"), str):
        return RowProblem(n, f"{at}.response", f"missing or not text ({where})", raw=raw(obj))
    notes = maybe_json(c.get("annotations"))
    if notes is None:
        notes = {}
    if not isinstance(notes, dict):
        return RowProblem(n, f"{at}.annotations", f"is not an object of aspects ({where})", raw=raw(obj))
    scores: list[tuple[str, int | float, dict[str, Any]]] = []
    not_applicable: list[str] = []
    for aspect, value in notes.items():
        note = _annotation(value)
        if note is None:
            continue
        if isinstance(note, str):
            return RowProblem(n, f"{at}.annotations.{aspect}", f"{note} ({where})", raw=raw(obj))
        rating = note.get("Rating")
        if isinstance(rating, str) and rating.strip() == NOT_APPLICABLE:
            not_applicable.append(aspect)
            continue
        col = f"{at}.annotations.{aspect}.Rating"
        if rating is None:
            return RowProblem(n, col, f"missing ({where})", raw=raw(obj))
        got = whole_number(rating, 1, 5)
        if isinstance(got, str):
            return RowProblem(n, col, f"{got} (UltraFeedback rates 1-5 or N/A; {where})", raw=raw(obj))
        scores.append((aspect, got, {k: v for k, v in note.items() if k != "Rating"}))
    overall = _overall(c.get("overall_score"))
    if isinstance(overall, str):
        return RowProblem(n, f"{at}.overall_score", f"{overall} ({where})", raw=raw(obj))
    if overall is not None:
        scores.append((OVERALL, overall, {"critique": c.get("critique")}))
    if not scores:
        why = f"no score to store (no rating, or every aspect N/A, and no overall_score; {where})"
        return RowProblem(n, f"{at}.annotations", why, raw=raw(obj))
    per = dict(common)
    per.update(extras(c, COMPLETION_KEYS | {"critique"}))
    per["completion"] = i + 1
    if c.get("fine-grained_score") is not None:
        per["fine-grained_score"] = c["fine-grained_score"]
    if not_applicable:
        per["not_applicable"] = not_applicable
    out = []
    for aspect, score, note in scores:
        out.append(
            with_extras(
                row(
                    item_id=f"ultrafeedback-{pid}-{i + 1}",
                    prompt_id=pid,
                    annotator_id=RATER,
                    annotator_kind="judge",
                    aspect=aspect,
                    score=score,
                    model=c.get("model"),
                    prompt=instruction,
                    response=c["response"],
                ),
                {**per, **note},
                "rating",
            )
        )
    return out


def _record(n: int, obj: dict, where: str) -> list[dict[str, str | None]] | RowProblem:
    instruction = obj.get("instruction")
    if not isinstance(instruction, str):
        hint = "; binarized pairs (chosen/rejected) are --format chosen-rejected" if "chosen" in obj else ""
        return RowProblem(n, "instruction", f"missing or not text ({where}){hint}", raw=raw(obj))
    completions = maybe_json(obj.get("completions"))
    if hasattr(completions, "tolist"):  # numpy arrays from pandas-written Parquet
        completions = completions.tolist()
    if not isinstance(completions, list) or not completions:
        return RowProblem(n, "completions", f"missing, empty or not a list ({where})", raw=raw(obj))
    pid = prompt_id(instruction)
    common = extras(obj, RECORD_KEYS)
    models = maybe_json(common.get("models"))
    if isinstance(models, list) and models == [c.get("model") for c in completions if isinstance(c, dict)]:
        common.pop("models")  # the completions' own models, in order: not stored again
    rows: list[dict[str, str | None]] = []
    for i, c in enumerate(completions):
        got = _completion(n, i, c, instruction, pid, common, where, obj)
        if isinstance(got, RowProblem):
            return got
        rows.extend(got)
    return rows


def read(delivered: Delivered) -> Iterator[Record]:
    return per_record(delivered, _record)


ADAPTER = register(
    Adapter(
        name="ultrafeedback",
        kind="rating",
        unit="record",
        read=read,
        scale=(*(f"{a}=1-5" for a in ASPECTS), f"{OVERALL}=1-10"),
        doc="UltraFeedback fine-grained (openbmb/UltraFeedback): GPT-4's 1-5 ratings of each completion on "
        "instruction_following, honesty, truthfulness, helpfulness ('N/A' not stored) and its 1-10 overall_score",
    )
)
