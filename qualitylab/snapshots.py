"""Report snapshots: a batch's computed report kept in the store, addressed by a fingerprint of
everything it read (docs/scale.md, "Report snapshots").

A snapshot is the JSON document ``qualitylab report --json`` prints, stored in ``report_snapshots``
(schema v11) under the batch and the *request* (seed, n_boot, the gate file asked for or the batch's
own, section options) with the **fingerprint** it was computed on: the SHA-256 of the named parts in
:data:`FINGERPRINT_PARTS` (the batch row; the files of this batch and of the vendor's earlier batches
the report reads; the judge calls behind its judge runs; its scale; the options with the gate file's
contents; the contract week it is judged by; the code). A stored snapshot is used only while the
fingerprint computed now is the same — a hit is therefore never stale — and when it differs the
parts that changed are named (``stale: files, code``).

Computing never holds the write lock: the report is computed on a read-only connection, then stored
in a short separate write that first checks the fingerprint again (the batch may have changed
meanwhile). When the store is busy or cannot be written the result is kept in memory and
:attr:`Snapshot.note` says ``snapshot not stored: <why>``.

To add an input (a later issue's adjudications, say) add one line to :data:`FINGERPRINT_PARTS`
(usually ``"name": query_part("name")`` with a ``queries/snapshots/part_name.sql``): every stored
snapshot then becomes stale once, and is recomputed on its next look.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from . import __version__
from .defaults import DEFAULT_N_BOOT, DEFAULT_SEED
from .errors import NotFoundError, QualitylabError
from .store import Store, open_store, transaction

STORED, COMPUTED = "stored", "computed"
#: how long the short write waits for another writer before the snapshot is kept in memory only
WRITE_WAIT_SECONDS = 1.0


def canonical_json(doc: Any) -> str:
    """The one canonical serialisation of a JSON value (sorted keys, no spaces, UTF-8 as is)."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _sha(value: Any) -> str:
    return hashlib.sha256(canonical_json(value).encode("utf-8", "surrogatepass")).hexdigest()


def report_sha256(doc: dict[str, Any]) -> str:
    """sha256 (hex) of the report document's canonical JSON without ``methods.generated_at``."""
    methods = {k: v for k, v in (doc.get("methods") or {}).items() if k != "generated_at"}
    body = dict(doc, methods=methods)
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ReportOptions:
    """Everything a batch's report is computed with besides the store's rows."""

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

    @property
    def explicit_gates(self) -> bool:
        """Was a gate file asked for (``--gates``), rather than the batch's own (contract week or built-in)?"""
        return self.gates_text is not None and self.contract is None

    def request_sha256(self) -> str:
        """The key of what was asked (not what it resolved to): seed, n_boot, section options and the
        gate file's path when one was given, else "the batch's own gates". A changed gate file or a
        new contract link is then a *stale* snapshot of the same request, not a missing one."""
        gates = os.path.abspath(self.gates_source) if self.explicit_gates and self.gates_source else "batch"
        return _sha({"seed": self.seed, "n_boot": self.n_boot, "gates": gates, "extra": list(self.extra)})


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
    row = store.record("contract/week_gates", {"batch_id": batch_id})
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


# -- the fingerprint ------------------------------------------------------------------------------
#: a fingerprint part: (store, batch_id, options) -> a JSON-able value; its SHA-256 is the part's hash
FingerprintPart = Callable[[Store, str, ReportOptions], Any]


def query_part(name: str) -> FingerprintPart:
    """The part whose value is the rows of ``queries/snapshots/part_<name>.sql`` (params: $batch_id)."""

    def part(store: Store, batch_id: str, options: ReportOptions) -> Any:
        return store.records(f"snapshots/part_{name}", {"batch_id": batch_id})

    return part


def _options_part(store: Store, batch_id: str, options: ReportOptions) -> Any:
    return {
        "seed": options.seed,
        "n_boot": options.n_boot,
        "gates_sha256": None if options.gates_text is None else _sha(options.gates_text),
        "gates_source": options.gates_source,
        "extra": [list(kv) for kv in options.extra],
    }


def _adjudications_part(store: Store, batch_id: str) -> Any:
    """The batch's adjudications as they apply (qualitylab/adjudicated.py): accuracy against them is in the report."""
    from .adjudicated import latest

    return [[r["comparison_id"], r["adjudication_id"], r["label"], r["current"]] for r in latest(store, batch_id)]


def _other_vendors_part(store: Store, batch_id: str, options: ReportOptions) -> Any:
    """The hygiene check other_vendor_items' own rows: the report reads other vendors' verdicts only
    through it, so a snapshot is stale exactly when the overlap changes (another vendor's batch with
    other items changes nothing). One join of this batch's pair hashes with other vendors' verdicts."""
    return store.records("hygiene/other_vendor_items", {"batch_id": batch_id})


def _against_part(store: Store, batch_id: str, options: ReportOptions) -> Any:
    """The public sets named with ``--against``: each file's format, SHA-256 and size (its content)."""
    specs = dict(options.extra).get("against") or ()
    if not specs:
        return []  # (without importing the readers: check on a snapshot starts fast)
    from .against import spec_digest

    return [spec_digest(s) for s in ([specs] if isinstance(specs, str) else specs)]


def _code_part(store: Store, batch_id: str, options: ReportOptions) -> Any:
    from .schema import SCHEMA_VERSION

    return {"code_sha256": code_fingerprint(), "qualitylab_version": __version__, "schema_version": SCHEMA_VERSION}


#: Everything a report depends on, by name (the order is the order of the parts' hashes). One line
#: per input; a later input (adjudications, ...) adds its line here.
FINGERPRINT_PARTS: dict[str, FingerprintPart] = {
    "batch": query_part("batch"),  # the batch row: vendor, delivered date
    "files": query_part("files"),  # files of this batch and of the vendor's earlier batches it reads
    "other_vendors": _other_vendors_part,  # what the batch shares with other vendors' batches
    "judge_runs": query_part("judge_runs"),  # the judge calls behind the batch's judge runs
    "scales": query_part("scales"),  # the declared or inferred scale
    "options": _options_part,  # seed, n_boot, gate file contents, section options
    "contract": lambda store, batch_id, options: options.contract,  # the contract week judging it
    "adjudications": lambda store, batch_id, options: _adjudications_part(store, batch_id),  # post-hoc gold
    "against": _against_part,  # the contents of the public sets named with --against
    "code": _code_part,  # qualitylab's .py/.sql/.toml files as installed, the DuckDB version
}


@dataclass(frozen=True)
class Fingerprint:
    sha256: str
    parts: dict[str, str]  # part name -> SHA-256 of its value

    def changed(self, stored_parts: dict[str, str]) -> list[str]:
        """The names of the parts that differ from a stored snapshot's (new or dropped parts too)."""
        names = list(self.parts) + [n for n in stored_parts if n not in self.parts]
        return [n for n in names if self.parts.get(n) != stored_parts.get(n)]


def fingerprint(store: Store, batch_id: str, options: ReportOptions) -> Fingerprint:
    """The fingerprint of ``batch_id``'s report with ``options`` on the store as it is now."""
    parts = {name: _sha(fn(store, batch_id, options)) for name, fn in FINGERPRINT_PARTS.items()}
    return Fingerprint(_sha(parts), parts)


def code_files(roots: list[Path] | None = None) -> list[tuple[str, Path]]:
    """(name, path) of every .py, .sql and .toml file of qualitylab as installed: the package and
    its queries (outside the package in an editable install), sorted, each file once (a root inside
    an earlier root, such as a wheel's ``qualitylab/queries``, is read under the earlier one).
    Directories are walked without resolving each file (``check`` on a snapshot reads this list)."""
    if roots is None:
        from .store import QUERIES_DIR

        roots = [Path(__file__).resolve().parent, QUERIES_DIR.resolve()]
    out: list[tuple[str, Path]] = []
    walked: list[Path] = []
    for i, root in enumerate(roots):
        real = root.resolve()
        if any(real == w or w in real.parents for w in walked):
            continue  # its files were listed under an earlier root
        walked.append(real)
        for dirpath, dirnames, filenames in os.walk(real):
            dirnames[:] = [d for d in dirnames if d != "__pycache__"]
            rel = Path(dirpath).relative_to(real)
            for f in filenames:
                full = Path(dirpath, f)
                if full.suffix in (".py", ".sql", ".toml") and full.is_file():
                    out.append((f"{i}/{(rel / f).as_posix()}", full))
    return sorted(out)


def hash_code(roots: list[Path] | None = None) -> str:
    """SHA-256 over the names and contents of :func:`code_files`, and the DuckDB version."""
    import duckdb

    h = hashlib.sha256(f"duckdb {duckdb.__version__}\n".encode())
    for name, p in code_files(roots):
        h.update(name.encode("utf-8") + b"\0" + hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


@cache
def code_fingerprint() -> str:
    """:func:`hash_code` of this installation (once per process). ``__version__`` alone does not
    change between commits; this does, whenever a query or a line of the numeric core does."""
    return hash_code()


# -- snapshots ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Snapshot:
    """A batch's report and where it came from.

    ``source`` is :data:`STORED` (read from the store, valid for the fingerprint computed now) or
    :data:`COMPUTED`; ``stored`` says whether the document is in the store now; ``why`` why it was
    computed ("no stored snapshot", "stale: files", "--recompute"); ``note`` what the command says
    about it ("snapshot not stored: ..."), None when there is nothing to say.
    """

    batch_id: str
    options: ReportOptions
    document: dict[str, Any]
    source: str
    stored: bool
    computed_at: str
    compute_seconds: float
    note: str | None = None
    fingerprint: Fingerprint | None = None
    why: str | None = None

    @property
    def report_sha256(self) -> str:
        return report_sha256(self.document)

    @property
    def verdict(self) -> str | None:
        v = self.document.get("verdict")
        return v if isinstance(v, str) else None


@dataclass(frozen=True)
class Lookup:
    """The stored snapshot of a request: the row when valid, else why not (``missing`` / ``stale: parts``)."""

    fingerprint: Fingerprint
    row: dict[str, Any] | None
    why: str | None


def lookup(store: Store, batch_id: str, options: ReportOptions, *, with_document: bool = True) -> Lookup:
    """Is there a valid stored snapshot of ``batch_id`` for ``options``? (The row, or why not.)"""
    fp = fingerprint(store, batch_id, options)
    name = "snapshots/lookup" if with_document else "snapshots/lookup_fingerprint"
    row = store.record(name, {"batch_id": batch_id, "request_sha256": options.request_sha256()})
    if row is None:
        return Lookup(fp, None, "no stored snapshot")
    if row["fingerprint"] == fp.sha256:
        return Lookup(fp, row, None)
    changed = fp.changed(json.loads(row["parts"]))
    return Lookup(fp, None, "stale: " + (", ".join(changed) or "fingerprint") + " changed")


def compute(
    store: Store, batch_id: str, options: ReportOptions, *, progress: Callable[[str], None] | None = None
) -> Snapshot:
    """Compute the report on ``store`` (any connection; nothing is written)."""
    from .report import compute_sections, report_document

    if progress is not None:
        progress(f"computing the report of batch {batch_id}")
    t = time.perf_counter()
    results = compute_sections(
        store, batch_id, seed=options.seed, n_boot=options.n_boot, options=options.context_options()
    )
    doc = report_document(results, seed=options.seed, n_boot=options.n_boot)
    return Snapshot(
        batch_id, options, doc, COMPUTED, False, doc["methods"].get("generated_at", ""), time.perf_counter() - t
    )


def read_or_compute(
    store: Store,
    batch_id: str,
    options: ReportOptions,
    *,
    recompute: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Snapshot:
    """The valid stored snapshot, else the report computed on ``store`` (in memory; nothing is written)."""
    found = lookup(store, batch_id, options)
    if found.row is not None and not recompute:
        return _from_row(batch_id, options, found)
    why = "--recompute" if found.row is not None else found.why
    if progress is not None and why:
        progress(f"batch {batch_id}: {why}")
    snap = compute(store, batch_id, options, progress=progress)
    return replace(snap, fingerprint=found.fingerprint, why=why)


def _from_row(batch_id: str, options: ReportOptions, found: Lookup) -> Snapshot:
    row = found.row or {}
    at = row["computed_at"]
    return Snapshot(
        batch_id,
        options,
        json.loads(row["document"]),
        STORED,
        True,
        at.isoformat(timespec="seconds") if isinstance(at, dt.datetime) else str(at),
        float(row["compute_seconds"]),
        fingerprint=found.fingerprint,
    )


def stored_snapshot(store: Store, batch_id: str, options: ReportOptions) -> tuple[Snapshot | None, str | None]:
    """(the valid stored snapshot, None), or (None, why there is none: ``no stored snapshot`` /
    ``stale: <parts> changed``); nothing is computed (the app's read-only look)."""
    found = lookup(store, batch_id, options)
    if found.row is None:
        return None, found.why
    return _from_row(batch_id, options, found), None


def save(db: str | os.PathLike[str] | Path | None, snap: Snapshot) -> str | None:
    """Store ``snap`` in a short write of its own; None when stored, else why not (busy, read-only,
    the batch changed while it was computed). Never raises for a store that cannot be written."""
    if snap.fingerprint is None:
        return "no fingerprint"
    try:
        with open_store(db, wait_seconds=WRITE_WAIT_SECONDS) as store, transaction(store):
            if not store.batch_exists(snap.batch_id):
                return f"batch {snap.batch_id!r} was removed while its report was computed"
            now = fingerprint(store, snap.batch_id, snap.options)
            if now.sha256 != snap.fingerprint.sha256:
                changed = ", ".join(now.changed(snap.fingerprint.parts))
                return f"the batch changed while its report was computed ({changed})"
            store.execute(
                "snapshots/put",
                {
                    "batch_id": snap.batch_id,
                    "request_sha256": snap.options.request_sha256(),
                    "fingerprint": now.sha256,
                    "parts": json.dumps(now.parts, sort_keys=True),
                    "document": json.dumps(snap.document, ensure_ascii=True),
                    "report_sha256": snap.report_sha256,
                    "verdict": snap.verdict,
                    "computed_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
                    "compute_seconds": snap.compute_seconds,
                    "qualitylab_version": __version__,
                },
            )
    except QualitylabError as e:
        return f"{e.title.lower()}" + (f" ({e.hint})" if e.hint else "")
    return None


def report_snapshot(
    db: str | os.PathLike[str] | Path | None,
    batch_id: str,
    explicit: dict[str, Any] | None = None,
    *,
    recompute: bool = False,
    write: bool = True,
    progress: Callable[[str], None] | None = None,
    read_too: Callable[[Store], None] | None = None,
) -> Snapshot:
    """The report of ``batch_id``: the valid stored snapshot, else computed on a read-only
    connection and then (``write``) stored in a short separate write. When it cannot be stored the
    snapshot is returned all the same, with ``note`` = ``snapshot not stored: <why>``.
    ``read_too`` is called with that read-only connection once the batch is known to exist (``check``
    reads the batch's current decision there: one connection for the whole command)."""
    with open_store(db, read_only=True) as store:
        store.require_batch(batch_id)
        if read_too is not None:
            read_too(store)
        options = report_options(store, batch_id, explicit)
        snap = read_or_compute(store, batch_id, options, recompute=recompute, progress=progress)
    if snap.source == STORED or not write:
        return snap
    if progress is not None:
        progress(f"storing the report of batch {batch_id}")
    why = save(db, snap)
    if why is None:
        return replace(snap, stored=True)
    return replace(snap, note=f"snapshot not stored: {why}")


def current_document(store: Store, batch_id: str, explicit: dict[str, Any] | None = None) -> dict[str, Any]:
    """``batch_id``'s report document on an open store: the valid stored snapshot, else computed
    (in memory: an open connection is not the place for the separate short write)."""
    return read_or_compute(store, batch_id, report_options(store, batch_id, explicit)).document


@dataclass(frozen=True)
class StoredVerdict:
    """A batch's verdict from its valid stored snapshot (built-in request: default seed, n_boot and
    the batch's own gates), or None with the reason (``qualitylab batches``, the Overview)."""

    batch_id: str
    verdict: str | None
    reason: str | None
    computed_at: str | None = None


def stored_verdict(store: Store, batch_id: str) -> StoredVerdict:
    """The verdict of ``batch_id``'s valid stored snapshot, without computing anything."""
    found = lookup(store, batch_id, report_options(store, batch_id, None), with_document=False)
    if found.row is None:
        hint = f"`qualitylab report --batch {batch_id} --json` or `qualitylab check --batch {batch_id}` stores one"
        return StoredVerdict(batch_id, None, f"{found.why}; {hint}")
    at = found.row["computed_at"]
    return StoredVerdict(
        batch_id, found.row["verdict"], None, at.isoformat(timespec="seconds") if isinstance(at, dt.datetime) else at
    )
