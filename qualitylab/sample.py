"""Load the bundled sample data (``sample_data/``) into a store, following ``sample_data/load.json``.

After the files, the adjudications named by the manifest's ``adjudication`` key are recorded
(``qualitylab adjudicate``), before ``qualitylab sample`` records the sample's decisions.

``load.json`` is a list of ``{file, batch, vendor, delivered, format?, kind?, quarantine?, labels?,
scale?}`` in load order (``labels`` / ``scale``: the scale the protocol offered, as ``ingest
--labels`` / ``--scale``). Batches already in the store are left alone.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

from .errors import NotFoundError


def _sample_dir() -> Path:
    """``$QUALITYLAB_SAMPLE_DIR``, else the installed package ``qualitylab.sample_data`` (a wheel ships
    the data files; an editable install maps it to the checkout's ``sample_data/``), else the
    checkout's ``sample_data/``."""
    if os.environ.get("QUALITYLAB_SAMPLE_DIR"):
        return Path(os.environ["QUALITYLAB_SAMPLE_DIR"])
    try:
        from importlib.resources import files

        return Path(str(files("qualitylab.sample_data")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[1] / "sample_data"


SAMPLE_DIR = _sample_dir()


def load_plan(sample_dir: Path = SAMPLE_DIR) -> list[dict]:
    plan = sample_dir / "load.json"
    if not plan.is_file():
        raise NotFoundError(
            "No sample data",
            f"{plan} not found",
            "run from a clone of the repository installed with `pip install -e .`",
        )
    return json.loads(plan.read_text(encoding="utf-8"))


def load_sample(db=None, *, sample_dir: Path = SAMPLE_DIR) -> Iterator[str]:
    """Ingest every sample file of batches not yet in the store; yields one line per file."""
    from .ingest import ingest
    from .store import open_store

    plan = load_plan(sample_dir)
    with open_store(db) as store:
        present = {r["batch_id"] for r in store.rows("store/batch_names")}
        for batch in dict.fromkeys(e["batch"] for e in plan):
            if batch in present:
                yield f"sample batch {batch!r} is already in the store: left as it is"
        for entry in plan:
            if entry["batch"] in present:
                continue
            res = ingest(
                sample_dir / entry["file"],
                entry["batch"],
                store=store,
                vendor=entry.get("vendor"),
                delivered=entry.get("delivered"),
                kind=entry.get("kind"),
                fmt=entry.get("format"),
                quarantine=entry.get("quarantine", False),
                mode="append",
                labels=entry.get("labels"),
                scale=entry.get("scale", ()),
            )
            yield res.summary()
        adj = _adjudication(sample_dir)
        if adj is not None and adj["batch"] not in present and (sample_dir / adj["file"]).is_file():
            yield _record_adjudications(store, sample_dir, adj)


def _adjudication(sample_dir: Path) -> dict | None:
    """The manifest's 'adjudication' key (file, batch, by), or None."""
    m = sample_dir / "manifest.json"
    if not m.is_file():
        return None
    adj: dict | None = json.loads(m.read_text(encoding="utf-8")).get("adjudication")
    return adj


def _record_adjudications(store, sample_dir: Path, adj: dict) -> str:
    """The sample's adjudications (``qualitylab adjudicate``), recorded before its decisions."""
    from .items.adjudications import read_file, record_in
    from .store import one_writer, transaction

    rows = read_file(sample_dir / adj["file"])
    with one_writer(store.path), transaction(store):
        res = record_in(store, adj["batch"], rows, by=adj["by"], source=adj["file"])
    return res.summary()
