"""Cached access to the core for the pages. Caching lives here, in the UI layer only.

The store is opened read-only for each computation and closed at once, so an ingest in another
process is never blocked for long; the cache key carries the store file's size and mtime, so a new
ingest invalidates what was computed before it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from qualitylab.report import DEFAULT_N_BOOT, DEFAULT_SEED, compute_sections
from qualitylab.store import default_db_path, open_store


def db_path() -> Path:
    return default_db_path().resolve()


def store_stamp() -> tuple[str, float, int] | None:
    """(path, mtime, size) of the store and its WAL: the cache key of everything computed from it."""
    p = db_path()
    if not p.exists():
        return None
    wal = Path(str(p) + ".wal")
    st_ = p.stat()
    w = wal.stat() if wal.exists() else None
    return (str(p), st_.st_mtime + (w.st_mtime if w else 0), st_.st_size + (w.st_size if w else 0))


@st.cache_data(show_spinner=False, max_entries=64)
def _query(stamp, name: str, params: tuple) -> list[dict[str, Any]]:
    with open_store(stamp[0], read_only=True) as store:
        return store.rows(name, dict(params))


def query(name: str, **params) -> list[dict[str, Any]]:
    """Rows of a named query (cached per store state)."""
    stamp = store_stamp()
    if stamp is None:
        return []
    return _query(stamp, name, tuple(sorted(params.items())))


@st.cache_data(show_spinner="Computing…", max_entries=64)
def _sections(stamp, batch_id: str, names: tuple[str, ...], seed: int, n_boot: int,
              options: tuple) -> dict[str, Any]:
    with open_store(stamp[0], read_only=True) as store:
        return compute_sections(store, batch_id, list(names), seed=seed, n_boot=n_boot, options=dict(options))


def sections(batch_id: str, *names: str, **options) -> dict[str, Any]:
    """Typed results of report sections for a batch (see ``qualitylab.report.SECTIONS``)."""
    stamp = store_stamp()
    seed = st.session_state.get("seed", DEFAULT_SEED)
    n_boot = st.session_state.get("n_boot", DEFAULT_N_BOOT)
    return _sections(stamp, batch_id, tuple(names), seed, n_boot, tuple(sorted(options.items())))
