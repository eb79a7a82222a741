"""The sample's contract story (``sample_data/contract/sample.json``): after ``qualitylab sample`` loads
the acme batches, add the contract, link each batch to its week and record the decisions of record.

Idempotent like the rest of the sample: a stored contract is left unchanged, a linked batch keeps its
link, a batch that already has a decision gets none of the sample's.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

from ..sample import SAMPLE_DIR


def load_sample_contract(db: str | os.PathLike[str] | Path | None, *, sample_dir: Path = SAMPLE_DIR) -> Iterator[str]:
    """Add the sample contract, link and decide the sample batches; yields one line per step."""
    from ..decisions import DecideRequest, current_decision, decide
    from ..store import open_store, transaction
    from .registry import add_contract, link_batch

    plan_path = sample_dir / "contract" / "sample.json"
    if not plan_path.is_file():
        return
    plan = json.loads(plan_path.read_text(encoding="utf-8"))
    res = add_contract(db, sample_dir / "contract" / plan["contract"])
    name = res.contract.name
    if res.status == "stored":
        yield f"sample contract {name!r}: stored version {res.version}"
    with open_store(db) as store:
        present = {r["batch_id"] for r in store.rows("store/batch_names")}
        decided = {b for b in plan["links"] if b in present and current_decision(store, b) is not None}
        for batch, week in plan["links"].items():
            if batch not in present or store.one("contract/batch_link", {"batch_id": batch}) is not None:
                continue
            with transaction(store):
                link_batch(store, batch, name, int(week))
            yield f"sample batch {batch!r}: delivers week {week} of contract {name!r}"
    for d in plan["decisions"]:
        if d["batch"] not in present or d["batch"] in decided:
            continue
        got = decide(
            db,
            DecideRequest(
                batch_id=d["batch"],
                decision=d["decision"],
                by=d["by"],
                note=d["note"],
                override_reason=d.get("override_reason"),
                exclude=tuple(d.get("exclude", ())),
                exclude_flagged=bool(d.get("exclude_flagged")),
            ),
        )
        yield f"sample batch {d['batch']!r}: {got.describe()}"
