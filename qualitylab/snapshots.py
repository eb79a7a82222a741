"""Report snapshots — a stand-in with the API issue 15 lands (``report_sha256``, ``report_options``,
``report_snapshot``, ``current_document``), computing the report in memory. Issue 15 replaces
this module with stored snapshots addressed by a fingerprint; issue 16's contract-week gate
resolution (:func:`report_options`) and its fingerprint part move into that module unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import NotFoundError
from .report import DEFAULT_N_BOOT, DEFAULT_SEED
from .store import Store, open_store

STORED, COMPUTED = "stored", "computed"


def canonical_json(doc: Any) -> str:
    """The one canonical serialisation of a JSON value (sorted keys, no spaces, UTF-8 as is)."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def report_sha256(doc: dict[str, Any]) -> str:
    """sha256 (hex) of the report document's canonical JSON without ``methods.generated_at``."""
    methods = {k: v for k, v in (doc.get("methods") or {}).items() if k != "generated_at"}
    body = dict(doc, methods=methods)
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ReportOptions:
    """Everything a batch's report is computed with besides the store's rows (see issue 15)."""

    seed: int = DEFAULT_SEED
    n_boot: int = DEFAULT_N_BOOT
    gates_text: str | None = None
    gates_source: str | None = None
    extra: tuple[tuple[str, Any], ...] = ()
    contract: dict[str, Any] | None = None  # the contract week whose gate file judges the batch

    def context_options(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.extra)
        if self.gates_text is not None:
            out["gates_text"] = self.gates_text
            out["gates_source"] = self.gates_source
        return out


def report_options(store: Store, batch_id: str, explicit: dict[str, Any] | None = None) -> ReportOptions:
    """The options ``batch_id``'s report is computed with: the one place they are resolved.

    ``explicit`` holds what the caller asked for (``seed``, ``n_boot``, ``gates`` = a gate file
    path, section options). Without an explicit ``gates``, a batch linked to a contract week is
    judged by that week's gate file, as stored with the contract (``contract/week_gates``); an
    unlinked batch by the built-in gates.
    """
    opts = dict(explicit or {})
    seed = opts.pop("seed", None)
    n_boot = opts.pop("n_boot", None)
    gates = opts.pop("gates", None)
    text = source = None
    contract = None
    if gates is not None:
        from .gates.config import parse_gates

        p = Path(gates)
        if not p.is_file():
            raise NotFoundError(
                "No gate file",
                f"{p} does not exist",
                "give --gates a TOML file (format in docs/gates.md), or omit it for the defaults",
            )
        text, source = p.read_text(encoding="utf-8"), str(p)
        parse_gates(text, source=source)  # validate now
    else:
        text, source, contract = contract_week_gates(store, batch_id)
    extra = tuple(sorted((k, v) for k, v in opts.items() if v is not None))
    return ReportOptions(
        seed=DEFAULT_SEED if seed is None else int(seed),
        n_boot=DEFAULT_N_BOOT if n_boot is None else int(n_boot),
        gates_text=text,
        gates_source=source,
        extra=extra,
        contract=contract,
    )


def contract_week_gates(store: Store, batch_id: str) -> tuple[str | None, str | None, dict[str, Any] | None]:
    """(gate text, source, contract part) of a batch linked to a contract week; (None, None, None)
    for an unlinked batch. A week judged by the built-in gates has text None and a contract part."""
    if not _has_table(store, "contract_links"):
        return None, None, None
    row = Store.one(store, "contract/week_gates", {"batch_id": batch_id})
    if row is None:
        return None, None, None
    part = {
        "contract": row["contract_name"],
        "version": row["contract_version"],
        "week": row["week"],
        "gates": row["gates_path"],
        "gates_sha256": row["gates_sha256"],
    }
    if row["gates_text"] is None:
        return None, None, part
    source = f"contract {row['contract_name']} v{row['contract_version']} week {row['week']}: {row['gates_path']}"
    return row["gates_text"], source, part


def _has_table(store: Store, name: str) -> bool:
    rows = store.con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = $n", {"n": name}
    ).fetchall()
    return bool(rows[0][0])


@dataclass(frozen=True)
class Snapshot:
    batch_id: str
    options: ReportOptions
    document: dict[str, Any]
    source: str
    stored: bool
    computed_at: str
    compute_seconds: float
    note: str | None = None

    @property
    def report_sha256(self) -> str:
        return report_sha256(self.document)

    @property
    def verdict(self) -> str | None:
        v = self.document.get("verdict")
        return v if isinstance(v, str) else None


def compute(
    store: Store, batch_id: str, options: ReportOptions, *, progress: Callable[[str], None] | None = None
) -> Snapshot:
    from .report import compute_sections, report_document

    t = time.perf_counter()
    results = compute_sections(
        store, batch_id, seed=options.seed, n_boot=options.n_boot, options=options.context_options()
    )
    doc = report_document(results, seed=options.seed, n_boot=options.n_boot)
    return Snapshot(
        batch_id, options, doc, COMPUTED, False, doc["methods"].get("generated_at", ""), time.perf_counter() - t
    )


def report_snapshot(
    db: str | os.PathLike[str] | Path | None,
    batch_id: str,
    explicit: dict[str, Any] | None = None,
    *,
    recompute: bool = False,
    write: bool = True,
    progress: Callable[[str], None] | None = None,
) -> Snapshot:
    """The report of ``batch_id`` (computed in memory by this stand-in)."""
    with open_store(db, read_only=True) as store:
        store.require_batch(batch_id)
        options = report_options(store, batch_id, explicit)
        return compute(store, batch_id, options, progress=progress)


def current_document(store: Store, batch_id: str, explicit: dict[str, Any] | None = None) -> dict[str, Any]:
    """``batch_id``'s report document on an open store."""
    return compute(store, batch_id, report_options(store, batch_id, explicit)).document
