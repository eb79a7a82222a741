"""Contracts in the store: add (and revise) a plan with its gate files, read it back, link batches.

``contracts`` keeps every version's TOML text and validated plan; ``contract_gate_files`` the
contents of the gate files each version names, so what a week is judged by never depends on a
file on disk after ``contract add``. ``contract_links`` says which week a batch delivers.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, replace
from pathlib import Path

from .. import __version__
from ..errors import ConflictError, NotFoundError, UsageError
from ..store import Store, open_store, transaction
from .plan import BUILT_IN, Contract, load_contract_file, parse_contract


@dataclass(frozen=True)
class AddResult:
    contract: Contract
    version: int
    status: str  # stored | unchanged

    def summary(self) -> list[str]:
        c = self.contract
        if self.status == "unchanged":
            return [f"contract {c.name!r} version {self.version} is the same file (sha256 {c.sha256[:12]}…): unchanged"]
        lines = [
            f"contract {c.name!r}: stored version {self.version} ({len(c.weeks)} weeks, vendor "
            f"{c.vendor or '(any)'}, overlap {c.overlap}; sha256 {c.sha256[:12]}…)"
        ]
        for w in c.weeks:
            vol = ", ".join(f"{k} {n:,}" for k, n in w.volume.items())
            cal = " (calibration)" if w.calibration else ""
            lines.append(f"  week {w.week}{cal}: {w.start} to {w.end}, due {w.due}: {vol}; gates {w.gates}")
        if c.checks:
            lines.append("  not checked against the volume (n is not set by the plan): " + "; ".join(c.checks))
        return lines


def add_contract(db: str | os.PathLike[str] | None, path: str | Path, *, revise: bool = False) -> AddResult:
    """Validate the contract file at ``path`` and store it (version 1, or k + 1 with ``revise``).

    The same file again changes nothing. A different file under a stored name is refused (exit 4)
    unless ``revise``; a revision that would change the gate file of a week whose batch is decided
    is refused too (the decision rests on it: reopen the batch first).
    """
    contract = load_contract_file(path)
    with open_store(db) as store:
        latest = store.one("contract/latest", {"name": contract.name})
        if latest is not None and latest["sha256"] == contract.sha256:
            return AddResult(contract, int(latest["version"]), "unchanged")
        if latest is None and revise:
            raise NotFoundError(
                "No contract to revise",
                f"no contract named {contract.name!r} is stored",
                "add it without --revise (`qualitylab contract add FILE`)",
            )
        if latest is not None and not revise:
            raise ConflictError(
                "Contract exists",
                f"contract {contract.name!r} version {latest['version']} (from {latest['file_name']}, sha256 "
                f"{latest['sha256'][:12]}…) is a different file",
                "store this file as the next version with `qualitylab contract add FILE --revise`, or rename it",
            )
        version = 1 if latest is None else int(latest["version"]) + 1
        with transaction(store):
            if latest is not None:
                _check_revision(store, read_contract(store, contract.name), contract)
            store.execute(
                "contract/insert",
                {
                    "name": contract.name,
                    "version": version,
                    "sha256": contract.sha256,
                    "file_name": Path(path).name,
                    "contract_text": contract.text,
                    "plan": json.dumps(contract.plan(), sort_keys=True),
                    "vendor": contract.vendor,
                    "qualitylab_version": __version__,
                },
            )
            for gpath, text in sorted(contract.gate_texts.items()):
                store.execute(
                    "contract/insert_gate_file",
                    {
                        "name": contract.name,
                        "version": version,
                        "path": gpath,
                        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                        "gates_text": text,
                    },
                )
    return AddResult(replace(contract, version=version), version, "stored")


def _check_revision(store: Store, old: Contract, new: Contract) -> None:
    """Refuse a revision that changes what a decided batch was judged by, or drops its week."""
    for link in store.rows("contract/links", {"name": old.name}):
        decided = store.one("decisions/protected", {"batch_id": link["batch_id"]})
        if decided is None:
            continue
        old_week, new_week = old.week(int(link["week"])), new.week(int(link["week"]))
        why = None
        if new_week is None:
            why = f"drops week {link['week']}"
        elif old_week is not None and old.gates_sha256(old_week) != new.gates_sha256(new_week):
            why = f"changes the gate file of week {link['week']}"
        if why:
            raise ConflictError(
                "Batch is decided",
                f"the revision {why}, which batch {link['batch_id']!r} was decided on "
                f"({decided['decision']}, decision #{decided['decision_id']})",
                f"reopen the batch first (`qualitylab decide --batch {link['batch_id']} --reopen --by NAME "
                "--note TEXT`), or keep that week's gate file",
            )


def read_contract(store: Store, name: str, version: int | None = None) -> Contract:
    """A stored contract (latest version unless ``version``), re-validated from the stored texts."""
    row = (
        store.one("contract/latest", {"name": name})
        if version is None
        else store.one("contract/version", {"name": name, "version": version})
    )
    if row is None:
        names = [r["name"] for r in store.rows("contract/list")]
        raise NotFoundError(
            "No such contract",
            f"{name!r}" + (f" version {version}" if version is not None else "") + f" is not in {store.path}",
            f"known contracts: {', '.join(names) or '(none)'}; add one with `qualitylab contract add FILE`",
        )
    texts = {
        g["path"]: g["gates_text"] for g in store.rows("contract/gate_files", {"name": name, "version": row["version"]})
    }

    def read_gate(path: str) -> str:
        return texts[path]

    c = parse_contract(row["contract_text"], source=f"contract {name!r} v{row['version']}", read_gate=read_gate)
    return replace(c, version=int(row["version"]))


def link_batch(store: Store, batch_id: str, name: str, week: int) -> Contract:
    """Link ``batch_id`` to week ``week`` of contract ``name`` (``store`` open for writing).

    Refused (exit 4) when the batch is decided (its gate file would change under the decision) or
    belongs to another vendor than the contract's; an unknown contract or batch is exit 5, a week
    the contract does not plan exit 2.
    """
    contract = read_contract(store, name)
    check_link(store, contract, week, batch_id)
    store.execute("contract/link", {"batch_id": batch_id, "contract_name": name, "week": week})
    return contract


def check_link(store: Store, contract: Contract, week: int, batch_id: str, *, vendor: str | None = None) -> None:
    """Everything :func:`link_batch` refuses, checked before anything is written (``ingest
    --contract`` checks it before it reads the file)."""
    if contract.week(week) is None:
        raise UsageError(
            "No such week",
            f"contract {contract.name!r} plans weeks {', '.join(str(w.week) for w in contract.weeks)}, not {week}",
            "give --week one of them",
        )
    batch = store.one("ingest/batch_row", {"batch_id": batch_id})
    batch_vendor = (batch or {}).get("vendor") or vendor
    if contract.vendor and batch_vendor and batch_vendor != contract.vendor:
        raise ConflictError(
            "Vendor differs",
            f"batch {batch_id!r} is from vendor {batch_vendor!r}, contract {contract.name!r} is with "
            f"{contract.vendor!r}",
            "link the batch to a contract of its vendor",
        )
    decided = store.one("decisions/protected", {"batch_id": batch_id})
    if decided is not None:
        current = store.one("contract/batch_link", {"batch_id": batch_id})
        if current is None or current["contract_name"] != contract.name or int(current["week"]) != week:
            raise ConflictError(
                "Batch is decided",
                f"batch {batch_id!r} has a decision in force ({decided['decision']} by {decided['decided_by']}, "
                f"decision #{decided['decision_id']}); linking it would change the gate file it is judged by",
                f"reopen it first: `qualitylab decide --batch {batch_id} --reopen --by NAME --note TEXT`",
            )


def contract_of_batch(store: Store, batch_id: str) -> tuple[Contract, int] | None:
    """(the contract, week) a batch is linked to, or None."""
    link = store.one("contract/batch_link", {"batch_id": batch_id})
    if link is None:
        return None
    return read_contract(store, link["contract_name"]), int(link["week"])


def gate_path_words(path: str) -> str:
    return "the built-in gates" if path == BUILT_IN else f"gate file {path}"
