"""The accepted dataset: write the retained data of accepted batches as Parquet or JSONL, with a manifest.

``export`` reads the batches whose current decision accepts them (``--batch X``, or every batch
of ``--contract NAME``), applies each decision's exclusions and the retained-row rules of
:mod:`qualitylab.retained`, and streams the rows of one named query into the file, run on one range
of each delivered file's lines at a time and re-chunked into fixed-size row groups (memory stays
bounded at any size: no query sorts or holds more than one range of texts). Beside the file,
``FILE.manifest.json`` says what is in it and what was left out, per reason, and which decisions and
hashes it came from.

Reruns are byte-identical: a deterministic order (batch, file, line), a fixed Arrow schema, row groups of exactly
:data:`ROWS_PER_GROUP` rows, and a manifest without timestamps of its own. Nothing is written
unless the whole export succeeds (temporary files, renamed at the end).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..decisions import Decision, current_decision
from ..errors import ConflictError, UsageError
from ..retained import RATING_REASONS, VERDICT_REASONS, Scope, scoped
from ..store import Store, open_store
from .labels import LABEL_SOURCES, labels

FORMATS = ("dpo", "pairwise", "ratings")
SUFFIXES = (".parquet", ".jsonl")
ROWS_PER_GROUP = 50_000
MANIFEST_VERSION = 1
#: the TRL version whose documented preference format the dpo columns follow (docs/contract.md)
TRL_VERSION = "0.24.0"
TRL_FORMAT = {
    "version": TRL_VERSION,
    "documentation": "TRL 'Dataset formats and types', type Preference, standard format, explicit prompt",
    "columns": {"prompt": "string", "chosen": "string", "rejected": "string"},
}


def _schema(fmt: str):
    import pyarrow as pa

    s, i32, f64, ts = pa.string(), pa.int32(), pa.float64(), pa.timestamp("us")
    if fmt == "dpo":
        cols = [
            ("prompt", s),
            ("chosen", s),
            ("rejected", s),
            ("comparison_id", s),
            ("batch_id", s),
            ("n_verdicts", i32),
            ("agreement", f64),
            ("margin", f64),
            ("chosen_model", s),
            ("rejected_model", s),
            ("label_source", s),
            ("is_tie", pa.bool_()),
        ]
    elif fmt == "pairwise":
        cols = [
            ("comparison_id", s),
            ("annotator_id", s),
            ("preference", s),
            ("prompt", s),
            ("response_a", s),
            ("response_b", s),
            ("prompt_id", s),
            ("model_a", s),
            ("model_b", s),
            ("annotator_kind", s),
            ("shown_first", s),
            ("strength", i32),
            ("rating_a", f64),
            ("rating_b", f64),
            ("seconds", f64),
            ("gold", s),
            ("category", s),
            ("created_at", ts),
            ("batch_id", s),
        ]
    else:
        cols = [
            ("item_id", s),
            ("annotator_id", s),
            ("score", f64),
            ("aspect", s),
            ("prompt_id", s),
            ("prompt", s),
            ("response", s),
            ("model", s),
            ("annotator_kind", s),
            ("seconds", f64),
            ("created_at", ts),
            ("batch_id", s),
        ]
    return pa.schema(cols)


@dataclass(frozen=True)
class ExportRequest:
    fmt: str
    out: Path
    batch: str | None = None
    contract: str | None = None
    label: str = "majority"
    keep_ties: bool = False


@dataclass(frozen=True)
class ExportResult:
    path: Path
    manifest_path: Path
    manifest: dict[str, Any]

    def summary(self) -> list[str]:
        m = self.manifest
        lines = [f"wrote {m['n_rows']:,} {m['format']} row(s) to {self.path} (sha256 {m['file_sha256'][:12]}…)"]
        for b in m["batches"]:
            lines.append(f"  {b['batch_id']}: {b['decision']['decision']} (decision #{b['decision']['decision_id']})")
        for b in m["batches_not_exported"]:
            lines.append(f"  not exported: {b['batch_id']} ({b['reason']})")
        lines.append(f"manifest: {self.manifest_path}")
        return lines


def manifest_path(out: Path) -> Path:
    return (
        out.with_name(out.name + ".manifest.json")
        if out.suffix not in SUFFIXES
        else out.with_suffix(out.suffix + ".manifest.json")
    )


def _check(req: ExportRequest) -> None:
    if req.fmt not in FORMATS:
        raise UsageError("Unknown export format", repr(req.fmt), f"one of {', '.join(FORMATS)}")
    if (req.batch is None) == (req.contract is None):
        raise UsageError("What to export", "give exactly one of --batch or --contract", "")
    if req.out.suffix not in SUFFIXES:
        raise UsageError(
            "Unknown output type",
            f"{req.out}: the file name must end in .parquet or .jsonl",
            "e.g. --out train.parquet",
        )
    if req.label not in LABEL_SOURCES:
        raise UsageError("Unknown label source", repr(req.label), f"one of {', '.join(LABEL_SOURCES)}")
    if req.keep_ties and req.fmt != "dpo":
        raise UsageError("--keep-ties is for --format dpo", f"--format {req.fmt} writes every retained row", "")
    if req.out.is_dir():
        raise UsageError("Output is a folder", str(req.out), "give a file name ending in .parquet or .jsonl")
    if not req.out.parent.is_dir():
        raise UsageError("No such folder", str(req.out.parent), "create it first")


def _scope(store: Store, req: ExportRequest) -> tuple[list[Decision], list[dict[str, Any]], dict[str, Any] | None]:
    """(decisions of the batches to export, batches left out with why, the contract)."""
    contract_info = None
    if req.batch is not None:
        store.require_batch(req.batch)
        candidates = [req.batch]
    else:
        from ..contract.registry import read_contract

        c = read_contract(store, req.contract or "")
        contract_info = {"name": c.name, "version": c.version, "sha256": c.sha256}
        candidates = [r["batch_id"] for r in store.rows("contract/links", {"name": c.name})]
    take: list[Decision] = []
    left: list[dict[str, Any]] = []
    for b in candidates:
        d = current_decision(store, b)
        if d is not None and d.accepts:
            take.append(d)
        else:
            why = "no decision" if d is None else f"current decision {d.decision} (#{d.decision_id})"
            left.append({"batch_id": b, "reason": why})
    if not take:
        what = f"batch {req.batch!r}" if req.batch else f"no batch of contract {req.contract!r}"
        detail = "; ".join(f"{x['batch_id']}: {x['reason']}" for x in left) or "no batch is linked to it"
        raise ConflictError(
            "Not accepted",
            f"{what} is accepted ({detail}); nothing was written"
            if req.batch is None
            else f"{what} is not accepted ({detail}); nothing was written",
            "export only what a decision accepts: `qualitylab decide --batch NAME --accept ...`",
        )
    return take, left, contract_info


def export(db: str | os.PathLike[str] | Path | None, req: ExportRequest) -> ExportResult:
    """Write the accepted data of ``req`` and its manifest (see the module docstring)."""
    _check(req)
    out = req.out
    mpath = manifest_path(out)
    tmp, mtmp = out.with_name(f".{out.name}.tmp"), mpath.with_name(f".{mpath.name}.tmp")
    try:
        with open_store(db, read_only=True) as store:
            decisions, left, contract_info = _scope(store, req)
            scope = Scope(tuple(d.batch_id for d in decisions), {d.batch_id: d.excluded for d in decisions})
            with scoped(store, scope):
                counts = _counts(store, req)
                query, params = _rows_query(store, req)
                n_rows = _write(store, query, params, _ranges(store, req.fmt), req.fmt, tmp)
        digest = _sha256(tmp)
        manifest = _manifest(req, decisions, left, contract_info, counts, n_rows, digest, out.name)
        mtmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, out)
        os.replace(mtmp, mpath)
    finally:
        for p in (tmp, mtmp):
            if p.exists():
                p.unlink()
    return ExportResult(out, mpath, manifest)


def _rows_query(store: Store, req: ExportRequest) -> tuple[str, dict[str, Any]]:
    if req.fmt == "pairwise":
        return "export/pairwise_rows", {}
    if req.fmt == "ratings":
        return "export/rating_rows", {}
    return "export/dpo_rows", {"keep_ties": req.keep_ties}


def _ranges(store: Store, fmt: str) -> Iterator[dict[str, Any]]:
    """The (batch, file, line range) parameters the rows query is run with, in export order: each
    delivered file of each batch, its lines in ranges of :data:`ROWS_PER_GROUP`. The file order is
    the delivery order; no query ever holds more than one range of texts (memory stays bounded)."""
    files = store.rows("export/rating_files" if fmt == "ratings" else "export/verdict_files")
    for f in files:
        lo = int(f["min_line"])
        while lo <= int(f["max_line"]):
            hi = lo + ROWS_PER_GROUP - 1
            yield {"batch_id": f["batch_id"], "file_id": int(f["file_id"]), "lo": lo, "hi": hi}
            lo = hi + 1


def _counts(store: Store, req: ExportRequest) -> dict[str, dict[str, Any]]:
    """Per batch: rows in, out per reason, retained; for dpo also comparisons in and out per reason."""
    quarantined = {(r["batch_id"], r["kind"]): int(r["n_rows"]) for r in store.rows("retained/quarantined")}
    per: dict[str, dict[str, Any]] = {}
    kind, reasons, query = (
        ("rating", RATING_REASONS, "export/rating_reasons")
        if req.fmt == "ratings"
        else ("pairwise", VERDICT_REASONS, "export/verdict_reasons")
    )
    unit = "ratings" if req.fmt == "ratings" else "verdicts"
    for r in store.rows(query):
        b = per.setdefault(r["batch_id"], {unit: {"in": 0, "out": dict.fromkeys(reasons, 0), "retained": 0}})
        n = int(r["n_rows"])
        c = b[unit]
        c["in"] += n
        if r["drop_reason"] is None:
            c["retained"] += n
        else:
            c["out"][r["drop_reason"]] += n
    for batch_id, entry in per.items():
        q = quarantined.get((batch_id, kind), 0)
        entry[unit]["in"] += q
        entry[unit]["out"]["quarantined"] = q
    if req.fmt == "dpo":
        from ..retained import _body

        labels(store, req.label)
        store.con.execute("CREATE OR REPLACE TEMP TABLE _ql_label_stats AS " + _body("export/label_stats")).fetchall()
        for b in per.values():
            b["comparisons"] = {
                "in": 0,
                "out": {"tie": 0, "no_majority": 0, "missing_text": 0},
                "written": 0,
            }
        for r in store.rows("export/dpo_counts", {"keep_ties": req.keep_ties}):
            c = per[r["batch_id"]]["comparisons"]
            n = int(r["n_comparisons"])
            c["in"] += n
            if r["outcome"] == "written":
                c["written"] += n
            else:
                c["out"][r["outcome"]] += n
    return per


def _batches(store: Store, query: str, params: dict[str, Any], ranges: Iterator[dict[str, Any]]) -> Iterator[Any]:
    """The rows of ``query`` for each range in turn, as Arrow record batches."""
    for r in ranges:
        yield from store.relation(query, {**params, **r}).to_arrow_reader(ROWS_PER_GROUP)


def _chunks(batches: Iterator[Any], schema: Any, size: int) -> Iterator[Any]:
    """Re-chunk Arrow batches into tables of exactly ``size`` rows (the last may be shorter), cast to
    ``schema``: the file's row groups do not depend on how the engine chunked its output."""
    import pyarrow as pa

    buf: list[Any] = []
    n = 0
    for b in batches:
        if b.num_rows == 0:
            continue
        buf.append(b)
        n += b.num_rows
        while n >= size:
            t = pa.Table.from_batches(buf)
            yield t.slice(0, size).cast(schema)
            rest = t.slice(size)
            buf = rest.to_batches() if rest.num_rows else []
            n = rest.num_rows
    if n:
        yield pa.Table.from_batches(buf).cast(schema)


def _write(
    store: Store, query: str, params: dict[str, Any], ranges: Iterator[dict[str, Any]], fmt: str, path: Path
) -> int:
    schema = _schema(fmt)
    n = 0
    chunks = _chunks(_batches(store, query, params, ranges), schema, ROWS_PER_GROUP)
    if path.name.endswith(".parquet.tmp"):
        import pyarrow.parquet as pq

        with pq.ParquetWriter(str(path), schema, compression="zstd", write_statistics=True) as w:
            for t in chunks:
                w.write_table(t, row_group_size=ROWS_PER_GROUP)
                n += t.num_rows
    else:
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            for t in chunks:
                for row in t.to_pylist():
                    f.write(json.dumps(_json_row(row), ensure_ascii=False) + "\n")
                n += t.num_rows
    return n


def _json_row(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _total(per: dict[str, dict[str, Any]], unit: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for b in per.values():
        c = b.get(unit)
        if c is None:
            continue
        for k, v in c.items():
            if isinstance(v, dict):
                t = out.setdefault(k, {})
                for r, n in v.items():
                    t[r] = t.get(r, 0) + n
            else:
                out[k] = out.get(k, 0) + v
    return out


def _manifest(
    req: ExportRequest,
    decisions: list[Decision],
    left: list[dict[str, Any]],
    contract_info: dict[str, Any] | None,
    counts: dict[str, dict[str, Any]],
    n_rows: int,
    digest: str,
    file_name: str,
) -> dict[str, Any]:
    unit = "ratings" if req.fmt == "ratings" else "verdicts"
    schema = _schema(req.fmt)
    m: dict[str, Any] = {
        "manifest_version": MANIFEST_VERSION,
        "qualitylab_version": __version__,
        "format": req.fmt,
        "file": file_name,
        "file_type": "parquet" if file_name.endswith(".parquet") else "jsonl",
        "file_sha256": digest,
        "n_rows": n_rows,
        "columns": [{"name": f.name, "type": str(f.type)} for f in schema],
        "scope": {"batch": req.batch} if req.batch else {"contract": contract_info},
        "batches": [
            {
                "batch_id": d.batch_id,
                "decision": {
                    "decision_id": d.decision_id,
                    "decision": d.decision,
                    "decided_by": d.decided_by,
                    "decided_at": d.decided_at,
                    "gate_verdict": d.gate_verdict,
                    "override_reason": d.override_reason,
                },
                "report_sha256": d.report_sha256,
                "gates_sha256": d.gates_sha256,
                "contract": None
                if d.contract_name is None
                else {
                    "name": d.contract_name,
                    "version": d.contract_version,
                    "sha256": d.contract_sha256,
                    "week": d.contract_week,
                },
                "excluded_annotators": [dict(r) for r in d.exclusion_reasons],
                "counts": counts.get(d.batch_id, {}),
            }
            for d in decisions
        ],
        "batches_not_exported": left,
        "counts": {unit: _total(counts, unit)},
        "rules": {
            unit: "a stored row is left out for the first reason that applies, in the order of 'out'; "
            "docs/contract.md, 'The accepted dataset'",
        },
    }
    if req.fmt == "dpo":
        m["counts"]["comparisons"] = _total(counts, "comparisons")
        m["label"] = {
            "source": req.label,
            "overrides": [],
            "rule": "the strict majority (more than half) of the retained human verdicts; as many for A as for B "
            "is a tie; otherwise no majority",
            "keep_ties": req.keep_ties,
        }
        from .labels import OVERRIDES

        m["label"]["overrides"] = [name for name, _ in OVERRIDES]
        m["trl"] = TRL_FORMAT
    return m
