"""Cached access to the core for the pages, and the global filters. Caching lives here, in the UI layer.

The store is opened read-only for each computation and closed at once, so an ingest in another
process is never blocked for long; the cache key carries the store file's size and mtime, so a new
ingest invalidates what was computed before it. While another process (or the Ingest page) writes,
DuckDB refuses a read-only open: :func:`read_store` then shows "store busy, retrying" and retries
(see docs/app.md, "Store access").
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import streamlit as st

from qualitylab.errors import StoreError
from qualitylab.escape import markdown_text as md
from qualitylab.report import DEFAULT_N_BOOT, DEFAULT_SEED, compute_sections, report_document
from qualitylab.store import Store, default_db_path, open_store

T = TypeVar("T")

BUSY_RETRY_SECONDS = 60.0  # how long a page keeps retrying a busy store before it gives up politely
BUSY_POLL_SECONDS = 0.5

#: the global filters: session-state key of the value the pages read -> its default
FILTERS = {"vendor": None, "batch_id": None, "aspect": None, "annotator_kind": "human"}
ALL = "(all)"


# -- global filters ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Filters:
    """The sidebar's global filters as the pages should honour them.

    ``vendor`` and ``aspect`` are None for "all"; ``aspect`` is None also when the chosen aspect is
    not rated in ``batch_id``. ``annotator_kind`` is ``human``, ``judge`` or ``all``.
    """

    vendor: str | None
    batch_id: str | None
    aspect: str | None
    annotator_kind: str

    def kinds(self) -> tuple[str, ...]:
        """The annotator kinds to include: ``("human",)``, ``("judge",)`` or both."""
        return ("human", "judge") if self.annotator_kind == "all" else (self.annotator_kind,)

    def describe(self) -> str:
        """One line for a page caption, e.g. ``vendor acme, batch w5, aspect helpfulness, humans``."""
        parts = [
            f"vendor {self.vendor}" if self.vendor else "all vendors",
            f"batch {self.batch_id}" if self.batch_id else "no batch",
        ]
        if self.aspect:
            parts.append(f"aspect {self.aspect}")
        parts.append({"human": "human annotators", "judge": "LLM judges"}.get(self.annotator_kind, "humans and judges"))
        return ", ".join(parts)


def persisted_key(name: str) -> str:
    """The non-widget session-state key that keeps filter ``name`` across pages (see main.py)."""
    return f"flt_{name}"


def current_filters() -> Filters:
    """The global filters of this session (sidebar: vendor, batch, aspect, annotator kind)."""
    ss = st.session_state

    def get(name):
        v = ss.get(name, ss.get(persisted_key(name), FILTERS[name]))
        return None if v == ALL else v

    batch_id = get("batch_id")
    aspect = get("aspect")
    if aspect is not None and batch_id is not None and aspect not in batch_aspects(batch_id):
        aspect = None
    return Filters(get("vendor"), batch_id, aspect, get("annotator_kind") or "human")


def select_batch(batch_id: str) -> None:
    """Make ``batch_id`` the sidebar's batch (vendor: all) from the next run on; then ``st.rerun()``.

    A widget drawn in this run cannot be set, so the persisted keys are set and main.py copies them
    into the widgets before drawing them on the next run.
    """
    st.session_state[persisted_key("batch_id")] = batch_id
    st.session_state[persisted_key("vendor")] = ALL
    st.session_state["flt_force"] = True


def batch_aspects(batch_id: str) -> list[str]:
    """The rating aspects of a batch (any annotator kind), sorted."""
    return [r["aspect"] for r in query("signals/rating_aspects", batch_id=batch_id, annotator_kind="all")]


# -- store access --------------------------------------------------------------------------------
def db_path() -> Path:
    return default_db_path().resolve()


def store_stamp() -> tuple[str, float, int] | None:
    """(path, mtime, size) of the store and its WAL: the cache key of everything computed from it."""
    p = db_path()
    if not p.exists():
        return None
    wal = Path(str(p) + ".wal")
    st_ = p.stat()
    try:
        w = wal.stat()
    except OSError:
        w = None
    return (str(p), st_.st_mtime + (w.st_mtime if w else 0), st_.st_size + (w.st_size if w else 0))


class StoreBusy(Exception):
    """The store is being written by another process or by this app's Ingest page."""


def is_busy_error(e: BaseException) -> bool:
    """Does ``e`` mean "someone else is writing the store right now"?"""
    text = str(e).lower()
    if isinstance(e, StoreError):
        return e.title == "Store is busy" or "lock" in text
    # same process, another configuration: a read-only reader while the Ingest page writes (or back)
    return isinstance(e, duckdb.ConnectionException) and "different configuration" in text


@contextmanager
def read_store(path: str | Path) -> Iterator[Store]:
    """The store opened read-only for one computation; :class:`StoreBusy` while it is being written."""
    try:
        store = open_store(path, read_only=True, wait_seconds=0)
    except (StoreError, duckdb.Error) as e:
        if is_busy_error(e):
            raise StoreBusy(str(e)) from e
        raise
    with store:
        yield store


def retry_busy(fn: Callable[[], T], *, what: str = "the store") -> T:
    """Call ``fn``; while the store is busy show "store busy, retrying" and retry.

    After :data:`BUSY_RETRY_SECONDS` the page stops with a friendly warning instead of an exception.
    """
    deadline = time.monotonic() + BUSY_RETRY_SECONDS
    note = None
    attempt = 0
    try:
        while True:
            try:
                return fn()
            except StoreBusy:
                attempt += 1
                if time.monotonic() > deadline:
                    break
                if note is None:
                    note = st.empty()
                note.info(
                    f"Store busy: another process is writing to {what} (an ingest?). Retrying… (attempt {attempt})",
                    icon="⏳",
                )
                time.sleep(BUSY_POLL_SECONDS)
    finally:
        if note is not None:
            note.empty()
    st.warning(
        f"The store is still busy after {BUSY_RETRY_SECONDS:.0f} s: another process is writing to "
        f"{md(db_path())}. This page will load once it has finished — rerun (R) in a moment.",
        icon="⏳",
    )
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises


# -- the app's one way to write ---------------------------------------------------------------------
WRITE_RETRY_SECONDS = 60.0  # how long a write waits for readers or another writer to let go of the store


def write(fn: Callable[[Path], T], say: Callable[[str], None] | None = None) -> T:
    """Run ``fn(store_path)`` — one short read-write open and transaction, closed at once — retrying
    every 0.5 s while the store is busy (readers of this app, another process writing), for up to
    :data:`WRITE_RETRY_SECONDS`. The app writes only through here: the Ingest page and the Items
    page's adjudications (README and docs/app.md, "write policy"); everything else opens the store
    read-only, and decisions stay CLI-only."""
    deadline = time.monotonic() + WRITE_RETRY_SECONDS
    while True:
        try:
            return fn(db_path())
        except Exception as e:  # noqa: BLE001 - only "busy" is retried, everything else re-raised
            if not is_busy_error(e) or time.monotonic() > deadline:
                raise
            if say is not None:
                say("store busy (another process is reading or writing it), retrying…")
            time.sleep(BUSY_POLL_SECONDS)


# -- cached calls --------------------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=256)
def _query(stamp, name: str, params: tuple) -> list[dict[str, Any]]:
    with read_store(stamp[0]) as store:
        return store.rows(name, dict(params))


def query(name: str, **params) -> list[dict[str, Any]]:
    """Rows of a named query (cached per store state); [] when there is no store yet."""
    stamp = store_stamp()
    if stamp is None:
        return []
    return retry_busy(lambda: _query(stamp, name, tuple(sorted(params.items()))))


@st.cache_data(show_spinner="Computing…", max_entries=64)
def _sections(stamp, batch_id: str, names: tuple[str, ...], seed: int, n_boot: int, options: tuple) -> dict[str, Any]:
    with read_store(stamp[0]) as store:
        opts = _options(store, batch_id, options)
        return compute_sections(store, batch_id, list(names), seed=seed, n_boot=n_boot, options=opts)


def _options(store: Store, batch_id: str, options: tuple) -> dict[str, Any]:
    """The page's section options over the batch's resolved report options (``snapshots.report_options``:
    a batch linked to a contract week is judged by that week's gate file)."""
    from qualitylab.snapshots import report_options

    return {**report_options(store, batch_id, None).context_options(), **dict(options)}


@st.cache_data(
    show_spinner="Computing the batch's report (every section; pages are instant afterwards)…", max_entries=32
)
def _report(stamp, batch_id: str, seed: int, n_boot: int, options: tuple) -> dict[str, Any]:
    with read_store(stamp[0]) as store:
        opts = _options(store, batch_id, options)
        return compute_sections(store, batch_id, None, seed=seed, n_boot=n_boot, options=opts)


@st.cache_resource(show_spinner=False)
def _full_reports() -> set:
    """Keys of the full reports computed in this process (so single-section calls reuse them)."""
    return set()


#: sections that read every other section: asking for one computes (and caches) the whole report
WHOLE_REPORT_SECTIONS = frozenset({"gate"})


def sections(batch_id: str, *names: str, **options) -> dict[str, Any]:
    """Typed results of report sections for a batch (see ``qualitylab.report.SECTIONS``).

    The result holds at least the top-level keys of the named sections (possibly more). The gate
    reads every section, so asking for it computes the whole report once and caches it; any later
    call for the same batch and options is then served from that report instead of recomputing.
    """
    stamp = store_stamp()
    seed = st.session_state.get("seed", DEFAULT_SEED)
    n_boot = st.session_state.get("n_boot", DEFAULT_N_BOOT)
    opts = tuple(sorted(options.items()))
    key = (stamp, batch_id, seed, n_boot, opts)
    if WHOLE_REPORT_SECTIONS.intersection(names) or key in _full_reports():
        out = retry_busy(lambda: _report(stamp, batch_id, seed, n_boot, opts))
        _full_reports().add(key)
        return out
    return retry_busy(lambda: _sections(stamp, batch_id, tuple(names), seed, n_boot, opts))


@st.cache_data(show_spinner=False, max_entries=64)
def _stored_snapshot(stamp, batch_id: str, seed: int, n_boot: int):
    """The batch's valid stored snapshot (``qualitylab.snapshots``), or the lookup's reason why not."""
    from qualitylab.snapshots import report_options, stored_snapshot

    with read_store(stamp[0]) as store:
        return stored_snapshot(store, batch_id, report_options(store, batch_id, {"seed": seed, "n_boot": n_boot}))


def snapshot(batch_id: str):
    """The batch's report as a :class:`qualitylab.snapshots.Snapshot`: the valid stored snapshot, else
    computed in memory (the app opens the store read-only and never stores one) from the cached full
    report, so the pages that need typed sections reuse that computation. A computed one says why
    (``why``: no stored snapshot, stale: which part changed); :func:`snapshot_notice` shows it."""
    from dataclasses import replace

    from qualitylab.snapshots import COMPUTED, Snapshot

    stamp = store_stamp()
    seed = st.session_state.get("seed", DEFAULT_SEED)
    n_boot = st.session_state.get("n_boot", DEFAULT_N_BOOT)
    snap, why = retry_busy(lambda: _stored_snapshot(stamp, batch_id, seed, n_boot))
    if snap is not None:
        return snap
    key = (stamp, batch_id, seed, n_boot, ())
    doc = retry_busy(lambda: _computed_document(stamp, batch_id, seed, n_boot))
    _full_reports().add(key)  # the typed sections of that report serve the other pages
    options = retry_busy(lambda: _report_options(stamp, batch_id, seed, n_boot))
    computed = Snapshot(batch_id, options, doc, COMPUTED, False, doc["methods"].get("generated_at", ""), 0.0)
    return replace(computed, why=why)


@st.cache_data(show_spinner=False, max_entries=32)
def _computed_document(stamp, batch_id: str, seed: int, n_boot: int) -> dict[str, Any]:
    """The JSON document of the cached full report (the report computed in memory, once per store state)."""
    return report_document(_report(stamp, batch_id, seed, n_boot, ()), seed=seed, n_boot=n_boot)


@st.cache_data(show_spinner=False, max_entries=64)
def _report_options(stamp, batch_id: str, seed: int, n_boot: int):
    from qualitylab.snapshots import report_options

    with read_store(stamp[0]) as store:
        return report_options(store, batch_id, {"seed": seed, "n_boot": n_boot})


def report_json(batch_id: str) -> dict[str, Any]:
    """The batch's JSON report (as ``qualitylab report --json`` prints it): its valid stored snapshot,
    else computed in memory from the cached full report."""
    return snapshot(batch_id).document


@st.cache_data(show_spinner=False, max_entries=16)
def _batch_verdicts(stamp) -> dict[str, tuple[str | None, str | None]]:
    from qualitylab.snapshots import stored_verdict

    with read_store(stamp[0]) as store:
        out = {}
        for r in store.rows("overview/batches"):
            v = stored_verdict(store, r["batch_id"])
            out[r["batch_id"]] = (v.verdict, v.reason)
        return out


def batch_verdicts() -> dict[str, tuple[str | None, str | None]]:
    """batch_id -> (verdict, reason) from each batch's valid stored snapshot (``qualitylab batches``'
    ``verdict`` / ``verdict_reason``): nothing is computed; None with the reason when there is none."""
    stamp = store_stamp()
    if stamp is None:
        return {}
    return retry_busy(lambda: _batch_verdicts(stamp))


def gate_json(batch_id: str) -> dict[str, Any]:
    """The report's ``gate`` section as JSON (criteria, verdict, deciding, source), from :func:`report_json`."""
    gate: dict[str, Any] = report_json(batch_id)["gate"]
    return gate


def snapshot_notice(batch_ids: list[str] | str) -> None:
    """Say on the page where the report of each batch came from: a caption for stored snapshots, a
    warning naming the batches whose stored snapshot is missing or stale (computed in memory here)."""
    ids = [batch_ids] if isinstance(batch_ids, str) else list(batch_ids)
    snaps = [snapshot(b) for b in ids]
    computed = [s for s in snaps if s.source != "stored"]
    if computed:
        what = "; ".join(f"{md(s.batch_id)}: {md(s.why or 'no stored snapshot')}" for s in computed)
        st.warning(
            f"Report computed in memory for this page: the stored report snapshot is missing or stale ({what}). "
            "The app opens the store read-only and does not store it; `qualitylab report --batch NAME --json`, "
            "`qualitylab check --batch NAME` or the next ingest does.",
            icon=":material/pending:",
        )
    stored = [s for s in snaps if s.source == "stored"]
    if stored and not computed:
        at = ", ".join(sorted({s.computed_at for s in stored}))
        st.caption(f'From the stored report snapshot (computed {md(at)}; docs/scale.md, "Report snapshots").')


def vendor_trend_rows(doc: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The vendor's gate metrics up to this batch with the week-over-week tests, from cached reports.

    What ``qualitylab.evidence.vendor_trend_rows`` computes for the CLI (each batch under its own gate file), without
    recomputing a report the app already holds. None for a batch without a vendor.
    """
    from qualitylab.gates.trends import metric_rows, week_over_week

    batch = doc.get("batch") or {}
    if not batch.get("vendor"):
        return None
    mine = sorted(
        (b for b in query("overview/batches") if b.get("vendor") == batch["vendor"]),
        key=lambda b: (str(b.get("delivered")), b["batch_id"]),
    )
    names = [b["batch_id"] for b in mine]
    if batch["batch_id"] in names:
        mine = mine[: names.index(batch["batch_id"]) + 1]
    rows: list[dict[str, Any]] = []
    for b in mine:
        rows += metric_rows(b, gate_json(b["batch_id"]))
    return week_over_week(rows)


# -- contract, decisions, export -------------------------------------------------------------------
@st.cache_data(show_spinner="Reading the contract…", max_entries=16)
def _contract_status(stamp, name: str, as_of: str):
    import datetime as dt

    from qualitylab.contract.status import contract_status

    with read_store(stamp[0]) as store:
        return contract_status(store, name, as_of=dt.date.fromisoformat(as_of))


def contract_status(name: str):
    """The contract's week-by-week status (``qualitylab contract status``), as of today; cached per store state."""
    import datetime as dt

    stamp = store_stamp()
    return retry_busy(lambda: _contract_status(stamp, name, dt.date.today().isoformat()))


@st.cache_data(show_spinner=False, max_entries=64)
def _decision(stamp, batch_id: str):
    from qualitylab.decisions import current_decision

    with read_store(stamp[0]) as store:
        return current_decision(store, batch_id)


def decision(batch_id: str):
    """The batch's current decision of record (``qualitylab decide``), or None."""
    stamp = store_stamp()
    if stamp is None:
        return None
    return retry_busy(lambda: _decision(stamp, batch_id))


@st.cache_data(show_spinner=False, max_entries=64)
def _decision_history(stamp, batch_id: str):
    from qualitylab.decisions import history

    with read_store(stamp[0]) as store:
        return history(store, batch_id)


def decision_history(batch_id: str):
    stamp = store_stamp()
    return retry_busy(lambda: _decision_history(stamp, batch_id))


def export_file_name(stem: str, suffix: str) -> str:
    """A download's file name from a batch or contract name (delivered text): letters, digits, ``.``, ``_``
    and ``-`` kept, anything else (path separators, spaces, controls) as ``_``."""
    import re

    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._") or "accepted"
    return safe + suffix


@st.cache_data(show_spinner="Writing the accepted data…", max_entries=8)
def _export(stamp, batch: str | None, contract: str | None, fmt: str, name: str, keep_ties: bool):
    import tempfile

    from qualitylab.export.write import ExportRequest, export

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / name
        res = export(stamp[0], ExportRequest(fmt, out, batch=batch, contract=contract, keep_ties=keep_ties))
        return out.read_bytes(), res.manifest_path.read_bytes(), res.manifest


def export_files(*, batch: str | None = None, contract: str | None = None, fmt: str, name: str, keep_ties=False):
    """(file bytes, manifest bytes, manifest) of ``qualitylab export`` into a temporary folder as ``name``
    (:func:`export_file_name`; the manifest's ``file`` is that name, as with ``--out name``)."""
    stamp = store_stamp()
    return retry_busy(lambda: _export(stamp, batch, contract, fmt, name, keep_ties))


# -- items (issue 17) ------------------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=128)
def _item_page(stamp, batch_id: str, name: str, value: str | None, offset: int, limit: int, options: tuple):
    from qualitylab.items import items

    with read_store(stamp[0]) as store:
        return items(store, batch_id, name, value, offset=offset, limit=limit, count=True, **dict(options))


def item_page(batch_id: str, name: str, value: str | None, *, offset: int = 0, limit: int = 50, **options):
    """One page of an items filter (``qualitylab items``), counted; cached per store state."""
    stamp = store_stamp()
    opts = tuple(sorted(options.items()))
    return retry_busy(lambda: _item_page(stamp, batch_id, name, value, offset, limit, opts))


@st.cache_data(show_spinner=False, max_entries=64)
def _item(stamp, batch_id: str, comparison_id: str):
    from qualitylab.items import item

    with read_store(stamp[0]) as store:
        return item(store, batch_id, comparison_id)


def item(batch_id: str, comparison_id: str):
    """One comparison in full (``qualitylab items --item``); cached per store state."""
    stamp = store_stamp()
    return retry_busy(lambda: _item(stamp, batch_id, comparison_id))
