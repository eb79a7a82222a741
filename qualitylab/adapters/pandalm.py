"""PandaLM's human-annotated test set (WeOpenML/PandaLM ``data/testset-v1.json``), with its judges.

One source object (``idx``) gives one comparison ``pandalm-<idx>``: response1 -> A, response2 -> B,
three human verdicts (``annotator1``..``annotator3``: 1 = response1 better, 2 = response2 better,
0 = tie) and, when the judge files sit beside the test set, one verdict per judge
(``gpt-3.5-turbo-testset-v1.json``: ``gpt_result`` "1" / "2" / "Tie" / "garbage";
``pandalm-7b-testset-v1.json``: ``pandalm_result`` 1 / 2 / 0). "garbage" (the judge's output could
not be parsed upstream) is yielded as a problem, never guessed. ``shown_first`` is not recorded.

Numbers count the adapter's output rows (unit ``row``): one source object gives up to five rows,
and a problem must name one row, not the whole object. Each problem's reason names the source file
and ``idx``; its ``raw`` is the source object.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..delivered import Delivered
from ..errors import RowProblem, UsageError
from ..readers import Record, iter_json_array
from . import Adapter, register
from ._common import extras, raw, row, with_extras

HUMANS = ("annotator1", "annotator2", "annotator3")
HUMAN_LABELS = {"1": "A", "2": "B", "0": "tie"}
#: judge id -> (file name prefix, result key, label map); the file is "<prefix>-<test set name>"
JUDGES = {
    "gpt-3.5-turbo": ("gpt-3.5-turbo", "gpt_result", {"1": "A", "2": "B", "tie": "tie"}),
    "pandalm-7b": ("pandalm-7b", "pandalm_result", {"1": "A", "2": "B", "0": "tie"}),
}
#: source keys that canonical columns take (everything else goes in as extra columns)
USED = {"idx", "motivation_app", "cmp_key", "instruction", "response1", "response2", *HUMANS}


def prompt_of(instruction: str | None, input_: str | None) -> str:
    """instruction, then a blank line and the input when there is one (the input is also kept
    as the extra column ``input``, so the split is exact)."""
    instruction = instruction or ""
    return f"{instruction}\n\n{input_}" if input_ else instruction


def _pair(obj: dict) -> dict:
    """The comparison's columns, shared by every verdict on it."""
    cmp_key = obj.get("cmp_key")
    models = cmp_key.split("_") if isinstance(cmp_key, str) else []
    pair = dict(
        comparison_id=f"pandalm-{obj['idx']}",
        prompt=prompt_of(obj.get("instruction"), obj.get("input")),
        response_a=obj.get("response1"),
        response_b=obj.get("response2"),
        category=obj.get("motivation_app"),
    )
    if len(models) == 2:
        pair.update(model_a=models[0], model_b=models[1])
    elif cmp_key is not None:
        pair["cmp_key"] = cmp_key  # not "modelA_modelB": kept as it is, not split
    return pair


def _judge_files(path: Path) -> dict[str, tuple[Path, dict[int, dict], list[RowProblem]]]:
    """The judge files beside the test set, each as {idx: object} and the problems of its elements."""
    found = {}
    for judge, (prefix, _key, _labels) in JUDGES.items():
        p = path.with_name(f"{prefix}-{path.name}")
        if p.is_file():
            by_idx, problems = {}, []
            for pos, o, problem in iter_json_array(Delivered(p)):
                if problem is not None:
                    problems.append(
                        RowProblem(
                            None, "preference", f"{judge}: element {pos} of {p.name}: {problem.reason}", raw=problem.raw
                        )
                    )
                elif isinstance(o, dict) and "idx" in o:
                    by_idx[o["idx"]] = o
            found[judge] = (p, by_idx, problems)
    return found


def read(delivered: Delivered) -> Iterator[Record]:
    path = delivered.path
    records = list(iter_json_array(delivered))
    data = [obj for _, obj, _ in records]
    if data and isinstance(data[0], dict) and not set(HUMANS) & set(data[0]):
        raise UsageError(
            "Not the PandaLM test set",
            f"{path.name} has no annotator1..annotator3 columns",
            "give testset-v1.json; the judge files beside it are read with it",
        )
    judges = _judge_files(path)
    n = 0
    seen = set()
    for pos, obj, problem in records:
        if problem is not None:
            n += 1
            yield n, None, RowProblem(n, None, f"record {pos} of {path.name}: {problem.reason}", raw=problem.raw)
            continue
        if not isinstance(obj, dict) or "idx" not in obj:
            n += 1
            yield n, None, RowProblem(n, "comparison_id", f"record {pos} of {path.name} has no idx", raw=raw(obj))
            continue
        seen.add(obj["idx"])
        pair = _pair(obj)
        more = extras(obj, USED)  # e.g. input
        for ann in HUMANS:
            n += 1
            label = HUMAN_LABELS.get(str(obj.get(ann)).strip())
            if label is None:
                yield (
                    n,
                    None,
                    RowProblem(
                        n,
                        "preference",
                        f"{ann} = {obj.get(ann)!r} at idx {obj['idx']} of {path.name} is not 1, 2 or 0; not guessed",
                        raw=raw(obj),
                    ),
                )
                continue
            yield (
                n,
                with_extras(
                    row(**pair, annotator_id=ann, annotator_kind="human", preference=label),
                    {**more, "source_file": path.name},
                ),
                None,
            )
        for judge, (jpath, by_idx, _) in judges.items():
            jobj = by_idx.get(obj["idx"])
            if jobj is None:
                continue
            _prefix, key, labels = JUDGES[judge]
            n += 1
            value = jobj.get(key)
            label = labels.get(str(value).strip().lower())
            if label is None:
                why = (
                    "the judge's output could not be parsed upstream"
                    if value == "garbage"
                    else "not one of the judge's labels"
                )
                yield (
                    n,
                    None,
                    RowProblem(
                        n,
                        "preference",
                        f"{judge}: {key} = {value!r} at idx {obj['idx']} of {jpath.name} is not "
                        f"a verdict ({why}); not guessed",
                        raw=raw(jobj),
                    ),
                )
                continue
            jmore = {k: v for k, v in jobj.items() if k not in ("idx", key)}  # reasons, references
            yield (
                n,
                with_extras(
                    row(**pair, annotator_id=judge, annotator_kind="judge", preference=label),
                    {**more, **jmore, "source_file": jpath.name},
                ),
                None,
            )
    for judge, (jpath, by_idx, problems) in judges.items():
        for p in problems:
            n += 1
            yield n, None, RowProblem(n, p.column, p.reason, raw=p.raw)
        for idx in sorted(set(by_idx) - seen, key=str):
            n += 1
            yield (
                n,
                None,
                RowProblem(
                    n,
                    "comparison_id",
                    f"{judge}: idx {idx} of {jpath.name} has no pair in {path.name}",
                    raw=raw(by_idx[idx]),
                ),
            )


ADAPTER = register(
    Adapter(
        name="pandalm",
        kind="pairwise",
        unit="row",
        read=read,
        labels=("A", "B", "tie"),
        doc="PandaLM test set (testset-v1.json): 3 human verdicts per pair, plus the gpt-3.5-turbo and "
        "pandalm-7b judge files found beside it; 'garbage' judge outputs are problems, not guesses",
    )
)
