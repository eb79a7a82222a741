"""Ingest: upload a delivered file from the app, validated exactly like ``qualitylab ingest``.

The uploaded bytes are saved under their original file name in a temporary directory and handed to
:func:`qualitylab.ingest.ingest`, so problems read ``name.jsonl:12: column 'preference': ...`` as on
the command line, and a refused file stores nothing (one transaction). This page is the app's only
writer: it opens the store read-write for the ingest alone and closes it at once.
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from qualitylab.errors import InvalidInputError, QualitylabError
from qualitylab.escape import markdown_text as md
from qualitylab.ui import data, widgets

DEFAULT_MAX_MB = 200  # Streamlit's server.maxUploadSize default
MAX_SHOWN_LINES = 1000  # problem lines shown inline; the table below holds every one
WRITE_RETRY_SECONDS = data.WRITE_RETRY_SECONDS


def upload_limit_mb() -> int:
    """The upload limit in MB: ``server.maxUploadSize``, lowered by ``$QUALITYLAB_UPLOAD_MAX_MB`` if set."""
    try:
        server = int(st.get_option("server.maxUploadSize"))
    except Exception:  # noqa: BLE001 - the option is always defined in a running Streamlit
        server = DEFAULT_MAX_MB
    own = os.environ.get("QUALITYLAB_UPLOAD_MAX_MB")
    return max(1, min(server, int(own))) if own and own.isdigit() else server


def safe_name(name: str) -> str:
    """The uploaded file's own name without any directory part (the browser's name is untrusted)."""
    base = Path(str(name).replace("\\", "/")).name.strip().lstrip(".")
    return base or "upload"


def _formats() -> list[str]:
    from qualitylab.adapters import ADAPTERS
    from qualitylab.readers import FILE_FORMATS

    return ["(from the suffix)", *FILE_FORMATS, *sorted(ADAPTERS)]


def _kinds() -> list[str]:
    from qualitylab.schema import KINDS

    return ["(from the columns)", *sorted(KINDS)]


def run_ingest(path: Path, batch_id: str, say, **options):
    """``ingest`` through the app's one write helper (``data.write``: waits, politely, while readers or
    another writer hold the store)."""
    from qualitylab.ingest import ingest

    return data.write(lambda db: ingest(path, batch_id, db=db, progress=say, **options), say)


def problems_frame(problems, file_name: str, unit: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "file": file_name,
                unit: p.line,
                "char": p.char,
                "column": p.column,
                "reason": p.reason,
                "message": p.format(file_name, unit),
            }
            for p in problems
        ]
    )


def show_problems(lines: list[str], frame: pd.DataFrame, name: str) -> None:
    """Every problem, one per line as the CLI prints them, and the same as a downloadable table."""
    shown = lines[:MAX_SHOWN_LINES]
    st.code("\n".join(shown), language=None, wrap_lines=True)
    if len(lines) > len(shown):
        st.caption(f"{len(lines) - len(shown):,} more problems in the table below.")
    widgets.table(frame, name)


def show_error(e: QualitylabError) -> None:
    """The error as the CLI prints it: every refused row as file:line[:char]: column: reason, then title and hint."""
    if isinstance(e, InvalidInputError):
        st.error(f"**{md(e.title)}**: {md(e.message)}")
        st.caption(f"hint: {md(e.hint)}")
        show_problems(e.lines(), problems_frame(e.problems, e.file_name, e.unit), f"problems_{e.file_name}")
        return
    if data.is_busy_error(e):
        st.error(
            "**Store is busy**: another process kept writing to it for over "
            f"{WRITE_RETRY_SECONDS:.0f} s; nothing was stored. Try again when it has finished."
        )
    else:
        st.error(f"**{md(e.title)}**" + (f": {md(e.message)}" if e.message else ""))
    if e.hint:
        st.caption(f"hint: {md(e.hint)}")


def _show_last() -> None:
    last = st.session_state.get("ingest_last")
    if not last:
        return
    st.success(md(last["summary"]))
    if last["quarantined"]:
        st.caption("Quarantined rows, kept in the store with their reasons:")
        st.code("\n".join(last["quarantined"]), language=None, wrap_lines=True)
    st.caption(f"The sidebar now shows batch **{md(last['batch_id'])}**; its pages compute on first visit.")


def render() -> None:
    st.title("Ingest")
    limit = upload_limit_mb()
    st.caption(
        "Upload a delivered file: the same validation and messages as `qualitylab ingest`. A file with "
        "any invalid row is refused whole and nothing is stored, unless you choose quarantine. "
        f"Upload limit: **{limit} MB** (Streamlit's `server.maxUploadSize`; lower it with "
        "`$QUALITYLAB_UPLOAD_MAX_MB`). Bigger files: use the CLI. "
        f"Store: `{data.db_path()}`."
    )
    _show_last()
    with st.form("ingest_form", clear_on_submit=False):
        up = st.file_uploader(
            "Delivered file (.jsonl, .csv, .parquet, or a public format)", key="ingest_file", max_upload_size=limit
        )
        c1, c2, c3 = st.columns(3)
        batch_id = c1.text_input(
            "Batch", key="ingest_batch", placeholder="e.g. acme-w7", help="The batch name (required), like `--batch`."
        )
        vendor = c2.text_input("Vendor", key="ingest_vendor", help="Who delivered it, like `--vendor`.")
        delivered = c3.date_input("Delivered", value=None, key="ingest_delivered", help="Like `--delivered`.")
        c4, c5, c6 = st.columns(3)
        fmt = c4.selectbox("Format", _formats(), key="ingest_format")
        kind = c5.selectbox("Kind of rows", _kinds(), key="ingest_kind")
        mode = c6.radio(
            "If the batch already holds this kind",
            ["new", "replace", "append"],
            key="ingest_mode",
            horizontal=True,
            help="new: refuse (like the CLI's default); --replace; --append.",
        )
        quarantine = st.checkbox(
            "Quarantine invalid rows (store the valid ones, keep the others with reasons)", key="ingest_quarantine"
        )
        submitted = st.form_submit_button("Validate and ingest", type="primary")
    if not submitted:
        return
    st.session_state.pop("ingest_last", None)
    if up is None:
        st.error("Choose a file to upload first.")
        return
    if not batch_id.strip():
        st.error("Missing batch name: give the batch a name (like `--batch`).")
        return
    if up.size > limit * 1024 * 1024:
        st.error(
            f"Too large: {md(up.name)} is {up.size / 1024 / 1024:.1f} MB, over the {limit} MB upload limit; "
            "nothing was stored."
        )
        st.caption("hint: ingest it with the CLI:")
        st.code(
            f"qualitylab ingest {shlex.quote(safe_name(up.name))} --batch {shlex.quote(batch_id.strip())} "
            f"--db {shlex.quote(str(data.db_path()))}",
            language="bash",
        )
        return
    ingest_upload(
        up,
        batch_id.strip(),
        vendor=vendor.strip() or None,
        delivered=delivered if isinstance(delivered, dt.date) else None,
        fmt=None if fmt.startswith("(") else fmt,
        kind=None if kind.startswith("(") else kind,
        mode=mode,
        quarantine=quarantine,
    )


def redact(text: str, tmp: str, name: str) -> str:
    """``text`` without the server's temporary upload folder (the file is named by its own name)."""
    return text.replace(str(Path(tmp) / name), name).replace(str(Path(tmp).resolve() / name), name).replace(tmp, "")


def internal_error(e: BaseException, tmp: str, name: str) -> QualitylabError:
    """A failure that is not one of the library's errors (a bug), as an error box: its type and message,
    no traceback, no server paths."""
    message = redact(f"{type(e).__name__}: {e}", tmp, name)
    return QualitylabError("Internal error", f"{name} was not ingested ({message})", "this is a bug; please report it")


def ingest_upload(up, batch_id: str, **options) -> None:
    """Save the upload under its own name in a temporary directory, ingest it, report like the CLI.

    Every failure ends in an error box (the library's message and hint, or "Internal error" with the
    exception's message), never a traceback; nothing names the server's temporary folder.
    """
    name = safe_name(up.name)
    error: QualitylabError | None = None
    with tempfile.TemporaryDirectory(prefix="qualitylab-upload-") as tmp:
        path = Path(tmp) / name
        with open(path, "wb") as f:
            f.write(up.getbuffer())
        with st.status(f"Ingesting {md(name)} into batch {md(batch_id)}…", expanded=False) as status:
            try:
                res = run_ingest(path, batch_id, lambda msg: status.update(label=md(msg)), **options)
            except QualitylabError as e:
                error = e
                e.message, e.hint = redact(e.message, tmp, name), redact(e.hint, tmp, name)
            except Exception as e:  # noqa: BLE001 - a bug: shown as an error box, never as a traceback
                error = internal_error(e, tmp, name)
            if error is not None:
                status.update(
                    label=f"{md(name)} refused" if isinstance(error, InvalidInputError) else f"{md(name)} not ingested",
                    state="error",
                )
            else:
                status.update(label=md(res.summary()), state="complete")
    if error is not None:  # outside the (collapsed) status box, so the reviewer sees it
        show_error(error)
        return
    st.session_state["ingest_last"] = {
        "batch_id": res.batch_id,
        "summary": res.summary(),
        "quarantined": ["quarantined: " + p.format(res.file_name, res.unit) for p in res.problems],
    }
    data.select_batch(res.batch_id)
    st.rerun()
