"""AlpacaEval annotations (tatsu-lab/alpaca_eval), in both of its published layouts (told apart per record).

1. An automatic annotator's ``annotations.json`` (``results/<model>/<annotator>/annotations.json``):
   ``instruction``, ``output_1`` / ``generator_1`` (the baseline), ``output_2`` / ``generator_2``,
   ``annotator`` (e.g. ``weighted_alpaca_eval_gpt4_turbo``), ``preference``, ``dataset``,
   ``price_per_example``, ``time_per_example`` and, for the weighted annotators, ``raw_completion``.
2. The AlpacaFarm human cross-annotations (``alpaca_farm_human_crossannotations.json``, the
   ``tatsu-lab/alpaca_eval`` dataset; the layout of AlpacaEval's ``tests/test_analyze.py``):
   ``instruction``, ``output_1``, ``output_2``, ``preference``, ``annotator_index`` (which crowd
   worker), ``dataset``, ``datasplit``, ``index``, ``n_annotated``; no generator names.

``preference`` is AlpacaEval's scale: 1 = output_1 preferred, 2 = output_2 preferred, 1.5 a draw,
fractional values (the weighted annotators') = 1 + P(output_2 preferred); 0 is AlpacaEval's older
draw code, read as 1.5 as its ``metrics/helpers.py`` does. So ``preference_soft`` = preference - 1
(P(B preferred)), and ``preference`` = A below 0.5, B above, tie at exactly 0.5 (AlpacaEval's
``n_wins`` / ``n_wins_base`` / ``n_draws``). A missing or NaN preference (not annotated: AlpacaEval
drops it from the win rate) or one outside 1-2 is a problem, never guessed.

prompt = instruction, response_a = output_1, response_b = output_2, model_a / model_b = the
generators, category = dataset. comparison_id ``alpacaeval-<16 hex of sha256(instruction, output_1,
output_2, generator_1, generator_2)>`` (the set has no id; the humans who judged one pair share it),
prompt_id ``alpacaeval-<16 hex of sha256(instruction)>`` (the bootstrap's cluster). annotator_id =
``annotator`` (an LLM judge) or ``alpacafarm-human-<annotator_index>`` (human); an
``annotator_kind`` column overrides the kind. ``shown_first`` is not recorded (AlpacaEval shuffles
the order and reports the preference in the original numbering). Every other field is kept as an
extra column (``time_per_example`` too: a per-annotator estimate, not the time of one verdict).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from ..delivered import Delivered
from ..errors import RowProblem
from ..readers import Record
from . import Adapter, register
from ._common import extras, per_record, raw, row, short_hash, with_extras

USED = {"instruction", "output_1", "output_2", "generator_1", "generator_2", "annotator", "preference", "dataset"}
HUMAN_PREFIX = "alpacafarm-human-"


def soft_of(value: Any) -> float | str:
    """preference_soft = AlpacaEval's preference - 1 (0 read as the draw 1.5), or why it cannot be read."""
    if isinstance(value, bool) or value is None:
        return "missing (not annotated; AlpacaEval drops it from the win rate)"
    try:
        p = float(value)
    except (TypeError, ValueError):
        return f"{value!r} is not a number"
    if math.isnan(p):
        return "NaN (not annotated; AlpacaEval drops it from the win rate)"
    if p == 0.0:
        p = 1.5  # AlpacaEval's backward-compatible draw code (metrics/helpers.py)
    if not 1.0 <= p <= 2.0:
        return f"{value!r} is outside AlpacaEval's 1-2 scale"
    return p - 1.0


def label_of(soft: float) -> str:
    """The hard preference on the side of 0.5 the soft value lies (AlpacaEval's wins / draws)."""
    return "A" if soft < 0.5 else "B" if soft > 0.5 else "tie"


def _record(n: int, obj: dict, source: str) -> dict[str, str | None] | RowProblem:
    soft = soft_of(obj.get("preference"))
    if isinstance(soft, str):
        return RowProblem(n, "preference", f"preference {soft} ({source}); not guessed", raw=raw(obj))
    if obj.get("annotator") is not None:
        annotator, kind = str(obj["annotator"]), "judge"
    elif obj.get("annotator_index") is not None:
        annotator, kind = f"{HUMAN_PREFIX}{obj['annotator_index']}", "human"
    else:
        return RowProblem(
            n,
            "annotator_id",
            f"neither annotator (an AlpacaEval annotator) nor annotator_index (a human cross-annotation) ({source})",
            raw=raw(obj),
        )
    more = extras(obj, USED)
    if "annotator_kind" in more:
        kind = str(more.pop("annotator_kind")).strip().lower()  # validated by ingest
    instruction = obj.get("instruction")
    texts = [str(obj.get(c) or "") for c in ("instruction", "output_1", "output_2", "generator_1", "generator_2")]
    return with_extras(
        row(
            comparison_id=f"alpacaeval-{short_hash(*texts)}",
            prompt_id=f"alpacaeval-{short_hash(texts[0])}",
            annotator_id=annotator,
            annotator_kind=kind,
            preference=label_of(soft),
            preference_soft=soft,
            prompt=instruction,
            response_a=obj.get("output_1"),
            response_b=obj.get("output_2"),
            model_a=obj.get("generator_1"),
            model_b=obj.get("generator_2"),
            category=obj.get("dataset"),
        ),
        {"preference_alpacaeval": obj.get("preference"), **more},
    )


def read(delivered: Delivered) -> Iterator[Record]:
    return per_record(delivered, _record)


ADAPTER = register(
    Adapter(
        name="alpaca-eval",
        kind="pairwise",
        unit="record",
        read=read,
        labels=("A", "B", "tie"),
        doc="AlpacaEval annotations (results/<model>/<annotator>/annotations.json) or its AlpacaFarm human "
        "cross-annotations: preference 1/2/1.5 or fractional -> preference and preference_soft = preference - 1",
    )
)
