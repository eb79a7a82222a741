"""LLMBar (princeton-nlp/LLMBar) datasets and evaluator results, e.g. its MT-Bench subset.

- ``dataset.json`` (a list of ``{input, output_1, output_2, label}``): one human row per pair,
  ``comparison_id`` = ``<prefix>-<index>`` (0-based index in the list), output_1 -> A, output_2 -> B,
  label 1 -> A, 2 -> B.
- ``evaluators/<judge>/<strategy>/result.json`` (the same list, each with ``results``): two judge rows
  per pair, annotator ``<judge>/<strategy>``; the last element of ``results`` holds
  ``"swap = False"`` (output_1 shown first: ``shown_first`` A) and ``"swap = True"`` (output_2 shown
  first: ``shown_first`` B), each ``winner`` already in the original numbering ("1" -> A, "2" -> B).
  A ``null`` winner (no verdict could be parsed upstream) is a problem, never guessed.

Append the result files to the dataset's batch (``--append``): the pairs share their comparison_id
because every file lists the same pairs in the same order. Numbers count the adapter's output rows
(unit ``row``): a result object gives two rows, and a problem names one of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ..delivered import Delivered
from ..errors import RowProblem
from ..readers import Record, iter_json_array
from . import Adapter, register
from ._common import extras, raw, row, with_extras

LABELS = {"1": "A", "2": "B"}
ORDERS = (("swap = False", "A"), ("swap = True", "B"))
USED = {"input", "output_1", "output_2", "label", "results"}


def layout(path: Path) -> tuple[Path, str | None, str | None]:
    """(the subset's folder, judge, strategy): ``<root>/evaluators/<judge>/<strategy>/result.json``
    or ``<root>/dataset.json``."""
    if len(path.parents) >= 4 and path.parents[2].name == "evaluators":
        return path.parents[3], path.parents[1].name, path.parent.name
    return path.parent, None, None


def prefix_of(root: Path) -> str:
    """The comparison_id prefix from the subset's folder: ``llmbar-mtbench`` stays as it is,
    ``MT-Bench`` (the upstream folder) becomes ``llmbar-mt-bench``."""
    slug = re.sub(r"[^a-z0-9]+", "-", root.name.lower()).strip("-") or "dataset"
    return slug if slug.startswith("llmbar") else f"llmbar-{slug}"


def human_annotator(prefix: str) -> str:
    """Who the dataset's label stands for: MT-Bench pairs carry the lmsys experts' majority vote;
    LLMBar's own subsets carry the authors' label."""
    return "mtbench-expert-majority" if re.search(r"mt-?bench", prefix) else "llmbar-author-label"


def read(delivered: Delivered) -> Iterator[Record]:
    path = delivered.path
    root, judge, strategy = layout(path)
    prefix = prefix_of(root)
    human = human_annotator(prefix)
    n = 0
    for pos, obj, problem in iter_json_array(delivered):
        i = pos - 1
        if problem is not None:
            n += 1
            yield n, None, RowProblem(n, None, f"element {i} of {path.name}: {problem.reason}", raw=problem.raw)
            continue
        if not isinstance(obj, dict):
            n += 1
            yield n, None, RowProblem(n, None, f"element {i} of {path.name} is not an object", raw=raw(obj))
            continue
        pair = dict(
            comparison_id=f"{prefix}-{i}",
            prompt=obj.get("input"),
            response_a=obj.get("output_1"),
            response_b=obj.get("output_2"),
        )
        more = extras(obj, USED)
        results = obj.get("results")
        if results is None:  # dataset.json: the human label
            n += 1
            label = LABELS.get(str(obj.get("label")).strip())
            if label is None:
                yield (
                    n,
                    None,
                    RowProblem(
                        n,
                        "preference",
                        f"label = {obj.get('label')!r} at index {i} of {path.name} is not 1 or 2; not guessed",
                        raw=raw(obj),
                    ),
                )
                continue
            yield n, with_extras(row(**pair, annotator_id=human, annotator_kind="human", preference=label), more), None
            continue
        judge_id = f"{judge}/{strategy}" if judge else f"{prefix}-judge"
        last = results[-1] if isinstance(results, list) and results else {}
        for key, shown in ORDERS:
            n += 1
            verdict = last.get(key) if isinstance(last, dict) else None
            winner = verdict.get("winner") if isinstance(verdict, dict) else None
            pref = LABELS.get(str(winner).strip()) if winner is not None else None
            if pref is None:
                why = (
                    "no verdict could be parsed upstream"
                    if isinstance(verdict, dict) and winner is None
                    else "not 1 or 2"
                )
                yield (
                    n,
                    None,
                    RowProblem(
                        n,
                        "preference",
                        f'{judge_id}: winner = {winner!r} for "{key}" at index {i} of {path.name} ({why}); not guessed',
                        raw=raw(obj),
                    ),
                )
                continue
            yield (
                n,
                with_extras(
                    row(**pair, annotator_id=judge_id, annotator_kind="judge", preference=pref, shown_first=shown),
                    {
                        **more,
                        "label": obj.get("label"),
                        "completion": verdict.get("completion") if isinstance(verdict, dict) else None,
                        "results_earlier": results[:-1] or None,
                    },
                ),
                None,
            )


ADAPTER = register(
    Adapter(
        name="llmbar",
        kind="pairwise",
        unit="row",
        read=read,
        labels=("A", "B"),
        doc="LLMBar dataset.json (one human row per pair) or evaluators/<judge>/<strategy>/result.json "
        "(the judge in both orders, shown_first recorded); null winners are problems, not guesses",
    )
)
