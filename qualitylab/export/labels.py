"""Label sources of the dpo export: one small function per source over the retained verdicts.

A **label source** is a function ``(store) -> pyarrow.Table | str`` run inside
``retained.scoped`` (the temp view ``_ql_verdict_rows`` holds the retained human verdicts,
``drop_reason IS NULL``). It returns one row per comparison it labels — columns ``batch_id``,
``comparison_id``, ``label`` (``A``, ``B``, ``tie`` or NULL = no label) and ``label_source`` —
as an Arrow table or as the name of a named query that selects them. :func:`labels` runs the
chosen base source (``--label``, default ``majority``), then every **override** source in
:data:`OVERRIDES` order: where an override labels a comparison, its label wins. What a label
means for the row (``agreement``, ``margin``, ties, no majority) is computed once, afterwards, from
the retained verdicts against the final label (``queries/export/label_stats.sql``), so a new source
needs no statistics of its own.

How later issues plug in (docs/contract.md, "Label sources"): issue 18 registers
``LABEL_SOURCES["dawid-skene"]`` (the posterior label of each comparison, ``label_source =
'dawid_skene'``); issue 17 appends an ``adjudication`` override (``label_source =
'adjudication'``), so an adjudicated label takes precedence over any base source.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..store import Store

#: a label source: (store in retained scope) -> an Arrow table or a named query (see the module docstring)
LabelSource = Callable[[Store], Any]


def majority(store: Store) -> str:
    """The strict majority of the retained human verdicts (``queries/export/majority_labels.sql``)."""
    return "export/majority_labels"


def dawid_skene(store: Store) -> Any:
    """The Dawid-Skene posterior label of each comparison, fitted per batch on its retained human
    verdicts (``qualitylab.agreement.competence.posterior_labels``: EM as crowd-kit's DawidSkene,
    argmax, ties A before B before tie); ``label_source = 'dawid_skene'``."""
    import pyarrow as pa

    from ..agreement.competence import posterior_labels

    rows = store.arrow("export/ds_answers", {}).to_pydict()
    out: dict[str, list] = {"batch_id": [], "comparison_id": [], "label": [], "label_source": []}
    batches = rows["batch_id"]
    start = 0
    while start < len(batches):  # rows are ordered by batch: one fit per batch
        end = start
        while end < len(batches) and batches[end] == batches[start]:
            end += 1
        part = {k: rows[k][start:end] for k in ("comparison_id", "annotator_id", "preference")}
        for c, lab in posterior_labels(part).items():
            out["batch_id"].append(batches[start])
            out["comparison_id"].append(c)
            out["label"].append(lab)
            out["label_source"].append("dawid_skene")
        start = end
    return pa.table(out, schema=pa.schema([(k, pa.string()) for k in out]))


def adjudication(store: Store) -> Any:
    """The buyer's current adjudications of the batches in scope (``qualitylab.adjudicated.current``:
    latest per comparison, on its present texts), ``label_source = 'adjudication'``."""
    import pyarrow as pa

    from ..adjudicated import current

    rows = []
    for (batch_id,) in store.con.execute("SELECT batch_id FROM _ql_scope ORDER BY batch_id").fetchall():
        for cid, label in sorted(current(store, batch_id).items()):
            rows.append({"batch_id": batch_id, "comparison_id": cid, "label": label, "label_source": "adjudication"})
    schema = pa.schema(
        [
            ("batch_id", pa.string()),
            ("comparison_id", pa.string()),
            ("label", pa.string()),
            ("label_source", pa.string()),
        ]
    )
    return pa.Table.from_pylist(rows, schema=schema)


#: base sources, by the name ``qualitylab export --label`` takes
LABEL_SOURCES: dict[str, LabelSource] = {"majority": majority, "dawid-skene": dawid_skene}
#: override sources, highest precedence first (issue 17: adjudication)
OVERRIDES: list[tuple[str, LabelSource]] = [("adjudication", adjudication)]

LABELS_TABLE = "_ql_labels"


def labels(store: Store, source: str) -> str:
    """Create the temp table ``_ql_labels`` of the final labels; returns its name."""
    import pyarrow as pa

    if source not in LABEL_SOURCES:
        from ..errors import UsageError

        raise UsageError("Unknown label source", repr(source), f"one of {', '.join(LABEL_SOURCES)}")
    con = store.con
    layers = [("base", LABEL_SOURCES[source])] + OVERRIDES
    names = []
    for i, (_name, fn) in enumerate(layers):
        got = fn(store)
        view = f"_ql_label_layer_{i}"
        if isinstance(got, str):
            from ..retained import _body

            con.execute(f"CREATE OR REPLACE TEMP TABLE {view} AS " + _body(got)).fetchall()
        else:
            table = got if isinstance(got, pa.Table) else pa.table(got)
            con.register(f"{view}_arrow", table)
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE {view} AS SELECT batch_id, comparison_id, label, label_source "
                f"FROM {view}_arrow"
            ).fetchall()
            con.unregister(f"{view}_arrow")
        names.append(view)
    # the final label: the highest-precedence layer that labels the comparison, else the base's
    base, overrides = names[0], names[1:][::-1]
    label = "b.label"
    src = "b.label_source"
    joins = ""
    for j, o in enumerate(overrides):
        joins += f" LEFT JOIN {o} o{j} ON o{j}.batch_id = b.batch_id AND o{j}.comparison_id = b.comparison_id"
        label = f"CASE WHEN o{j}.label IS NOT NULL THEN o{j}.label ELSE {label} END"
        src = f"CASE WHEN o{j}.label IS NOT NULL THEN o{j}.label_source ELSE {src} END"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {LABELS_TABLE} AS SELECT b.batch_id, b.comparison_id, "
        f"{label} AS label, {src} AS label_source FROM {base} b{joins}"
    ).fetchall()
    for n in names:
        con.execute(f"DROP TABLE IF EXISTS {n}").fetchall()
    return LABELS_TABLE
