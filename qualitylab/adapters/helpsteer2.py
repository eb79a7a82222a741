"""NVIDIA HelpSteer2 (CC-BY-4.0): its attribute ratings, and its preferences (HelpSteer2-Preference).

``helpsteer2`` (ratings; ``train.jsonl.gz`` / ``validation.jsonl.gz``): one record is one response,
``prompt``, ``response`` and five attributes, each an integer 0-4: ``helpfulness``, ``correctness``,
``coherence``, ``complexity``, ``verbosity``. A record gives five rating rows (aspect = the
attribute, score = its value), all numbered by the record: a record with one bad value is refused
(or quarantined) whole, never stored in part. item_id ``helpsteer2-<16 hex of sha256(prompt,
response)>``; prompt_id ``helpsteer2-<16 hex of sha256(prompt)>`` (the two responses to a prompt
share it, and so does the preference file's pair). A released score is the dataset's aggregate of
several annotators (the mean of the three who agree most, rounded, says the card): annotator_id
``helpsteer2-annotators`` (a pool, human), not one person. The format declares the scale 0-4 for
each attribute (qualitylab/scales.py).

The same format reads ``disagreements/disagreements.jsonl.gz``: the same record with each attribute
a list of the individual annotators' labels (2 to 5). Label k of each list -> a row of annotator
``<item_id>-annotator-<k>``: the set does not say who rated what, so an annotator id never spans two
responses (no false identity for per-annotator statistics); within one response position k is
taken as one annotator across the five attributes. Pooled agreement (Krippendorff's alpha, Fleiss'
kappa, ICC(1)) needs no identities. Ingest it into its own batch: beside the released aggregates
the pool ``helpsteer2-annotators`` would count as one more rater.

``helpsteer2-preference`` (pairwise; ``preference/preference.jsonl.gz``): ``prompt``, ``response_1``,
``response_2``, ``preference_strength`` -3..3 (-3 response 1 much better, -2 better, -1 slightly
better, 0 about the same, 1..3 the same for response 2), ``preference_statement``,
``preference_elaboration``, ``three_most_similar_preferences``, ``all_preferences_unprocessed``,
``split``. response_1 -> A, response_2 -> B (the set's own order; ``shown_first`` is not recorded);
strength < 0 -> A, > 0 -> B, 0 -> tie; strength = its absolute value (1 slightly better, 2 better,
3 much better: the canonical 0-3 scale; a tie has strength 0). comparison_id ``helpsteer2-pair-<16
hex of sha256(prompt, response_1, response_2)>``, annotator_id ``helpsteer2-preference-annotators``
(human: the released strength aggregates several annotators'; the individual ones stay in the extra
columns, unidentified, so they are not verdicts of their own). Declares labels A,B,tie and strength 0-3.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from ..delivered import Delivered
from ..errors import RowProblem
from ..readers import Record
from . import Adapter, register
from ._common import extras, maybe_json, per_record, raw, row, short_hash, text, with_extras

ATTRIBUTES = ("helpfulness", "correctness", "coherence", "complexity", "verbosity")
LOW, HIGH = 0, 4
RATER = "helpsteer2-annotators"
PREFERENCE_RATER = "helpsteer2-preference-annotators"
PAIR_KEYS = ("response_1", "response_2", "preference_strength")


def whole_number(value: Any, low: int, high: int) -> int | str:
    """An integer low..high from a JSON number or a CSV/text cell, else the reason it is not one."""
    v: Any = value
    if isinstance(v, str):
        try:
            v = float(v.strip())
        except ValueError:
            return f"{text(value)!r} is not a number"
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        return f"{text(value)!r} is not a number"
    if not float(v).is_integer() or not low <= v <= high:
        return f"{text(value)} is not a whole number from {low} to {high}"
    return int(v)


def prompt_id(prompt: str) -> str:
    return f"helpsteer2-{short_hash(prompt)}"


def _ratings(n: int, obj: dict, where: str) -> list[dict[str, str | None]] | RowProblem:
    if "response" not in obj and all(k in obj for k in PAIR_KEYS):
        return RowProblem(
            n, "response", f"a HelpSteer2-Preference record ({where}): use --format helpsteer2-preference", raw=raw(obj)
        )
    prompt, response = obj.get("prompt"), obj.get("response")
    for col, v in (("prompt", prompt), ("response", response)):
        if not isinstance(v, str):
            return RowProblem(n, col, f"missing or not text ({where})", raw=raw(obj))
    # the disagreements file: every attribute a list of the individual annotators' labels
    listed = [a for a in ATTRIBUTES if isinstance(maybe_json(obj.get(a)), list)]
    if listed and len(listed) < len(ATTRIBUTES):
        a = next(a for a in ATTRIBUTES if a not in listed)
        why = f"not a list of labels while {listed[0]} is one (a disagreements record lists every attribute; {where})"
        return RowProblem(n, a, why, raw=raw(obj))
    scores: list[tuple[str, str, int]] = []  # (attribute, annotator_id, score)
    item = f"helpsteer2-{short_hash(prompt, response)}"  # type: ignore[arg-type]
    for a in ATTRIBUTES:
        value = maybe_json(obj.get(a))
        if value is None or value == []:
            why = f"missing: HelpSteer2 rates every response on all five attributes ({where})"
            return RowProblem(n, a, why, raw=raw(obj))
        for k, v in enumerate(value if listed else [value]):
            got = whole_number(v, LOW, HIGH)
            if isinstance(got, str):
                at = f"{a}[{k}]" if listed else a
                return RowProblem(n, at, f"{got} (HelpSteer2 rates each attribute 0-4; {where})", raw=raw(obj))
            scores.append((a, f"{item}-annotator-{k + 1}" if listed else RATER, got))
    more = extras(obj, {"prompt", "response", *ATTRIBUTES})
    return [
        with_extras(
            row(
                item_id=item,
                prompt_id=prompt_id(prompt),  # type: ignore[arg-type]
                annotator_id=who,
                annotator_kind="human",
                aspect=a,
                score=score,
                prompt=prompt,
                response=response,
            ),
            more,
            "rating",
        )
        for a, who, score in scores
    ]


def read_ratings(delivered: Delivered) -> Iterator[Record]:
    return per_record(delivered, _ratings)


def _preference(n: int, obj: dict, where: str) -> dict[str, str | None] | RowProblem:
    if "response" in obj and not any(k in obj for k in PAIR_KEYS):
        why = f"a HelpSteer2 ratings record ({where}): use --format helpsteer2"
        return RowProblem(n, "response_1", why, raw=raw(obj))
    prompt, r1, r2 = obj.get("prompt"), obj.get("response_1"), obj.get("response_2")
    for col, v in (("prompt", prompt), ("response_1", r1), ("response_2", r2)):
        if not isinstance(v, str):
            return RowProblem(n, col, f"missing or not text ({where})", raw=raw(obj))
    if obj.get("preference_strength") is None:
        return RowProblem(n, "preference_strength", f"missing ({where})", raw=raw(obj))
    s = whole_number(obj["preference_strength"], -3, 3)
    if isinstance(s, str):
        return RowProblem(n, "preference_strength", f"{s} (HelpSteer2-Preference: -3..3; {where})", raw=raw(obj))
    return with_extras(
        row(
            comparison_id=f"helpsteer2-pair-{short_hash(prompt, r1, r2)}",  # type: ignore[arg-type]
            prompt_id=prompt_id(prompt),  # type: ignore[arg-type]
            annotator_id=PREFERENCE_RATER,
            annotator_kind="human",
            preference="A" if s < 0 else "B" if s > 0 else "tie",
            strength=abs(s),
            prompt=prompt,
            response_a=r1,
            response_b=r2,
        ),
        extras(obj, {"prompt", "response_1", "response_2"}),  # preference_strength kept as published
    )


def read_preferences(delivered: Delivered) -> Iterator[Record]:
    return per_record(delivered, _preference)


RATINGS = register(
    Adapter(
        name="helpsteer2",
        kind="rating",
        unit="record",
        read=read_ratings,
        scale=tuple(f"{a}={LOW}-{HIGH}" for a in ATTRIBUTES),
        doc="NVIDIA HelpSteer2 ratings: five 0-4 attributes per response (helpfulness, correctness, coherence, "
        "complexity, verbosity) as five rating rows with aspects; the 0-4 scale is declared",
    )
)

PREFERENCES = register(
    Adapter(
        name="helpsteer2-preference",
        kind="pairwise",
        unit="record",
        read=read_preferences,
        labels=("A", "B", "tie"),
        scale=("strength=0-3",),
        doc="NVIDIA HelpSteer2-Preference: preference_strength -3..3 between response_1 (A) and response_2 (B) "
        "-> preference A/B/tie and strength 0-3",
    )
)
