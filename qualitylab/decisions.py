"""The decision of record: append-only decisions on a batch, each on a report hash and a gate verdict.

``qualitylab decide`` appends one row to ``decisions``: the decision taken (accept, reject,
accept_partial with excluded annotators, or reopen), the verdict the gates gave on the report it
was taken on (its sha256: canonical JSON without ``methods.generated_at``), who, when, why, the
gate file's and the contract's sha256s. A later decision supersedes an earlier one; nothing is
edited. A batch whose current decision is in force (anything but reopen) is protected: ingest and
judge refuse to change it (``Store.require_open_batch``).

Policy (docs/contract.md, "Decisions"): the decision agrees with the gates when they say ACCEPT
and it accepts, or REJECT and it rejects; any other decision (including any on REVIEW or
INSUFFICIENT_EVIDENCE, and accept_partial) needs ``override_reason``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .errors import ConflictError, UsageError
from .store import Store, open_store, transaction

ACCEPT, REJECT, ACCEPT_PARTIAL, REOPEN = "accept", "reject", "accept_partial", "reopen"
DECISIONS = (ACCEPT, REJECT, ACCEPT_PARTIAL, REOPEN)
#: decisions under which the batch's data go into the accepted dataset
ACCEPTING = (ACCEPT, ACCEPT_PARTIAL)
#: (gate verdict, decision) pairs that need no override reason
AGREES = {("ACCEPT", ACCEPT), ("REJECT", REJECT)}
#: severities of the gate criteria whose annotator rows --exclude-flagged excludes
FLAG_SEVERITIES = ("review", "reject")


@dataclass(frozen=True)
class Decision:
    """One row of ``decisions``."""

    decision_id: int
    batch_id: str
    decision: str
    gate_verdict: str | None
    decided_by: str
    note: str
    decided_at: str
    report_sha256: str | None
    gates_sha256: str | None
    gates_source: str | None
    excluded: tuple[str, ...] = ()
    exclusion_reasons: tuple[dict[str, str], ...] = ()
    exclude_flagged: bool = False
    override_reason: str | None = None
    contract_name: str | None = None
    contract_version: int | None = None
    contract_sha256: str | None = None
    contract_week: int | None = None
    supersedes: int | None = None
    qualitylab_version: str = ""

    @property
    def in_force(self) -> bool:
        return self.decision != REOPEN

    @property
    def accepts(self) -> bool:
        return self.decision in ACCEPTING

    @property
    def overrides(self) -> bool:
        """Whether the decision differs from the gates' verdict (it then carries an override reason)."""
        return self.decision != REOPEN and (self.gate_verdict, self.decision) not in AGREES

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Decision:
        return cls(
            decision_id=int(row["decision_id"]),
            batch_id=row["batch_id"],
            decision=row["decision"],
            gate_verdict=row["gate_verdict"],
            decided_by=row["decided_by"],
            note=row["note"],
            decided_at=str(row["decided_at"]),
            report_sha256=row["report_sha256"],
            gates_sha256=row["gates_sha256"],
            gates_source=row["gates_source"],
            excluded=tuple(row["excluded"] or ()),
            exclusion_reasons=tuple(json.loads(row["exclusion_reasons"] or "[]")),
            exclude_flagged=bool(row["exclude_flagged"]),
            override_reason=row["override_reason"],
            contract_name=row["contract_name"],
            contract_version=row["contract_version"],
            contract_sha256=row["contract_sha256"],
            contract_week=row["contract_week"],
            supersedes=row["supersedes"],
            qualitylab_version=row["qualitylab_version"],
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision_id": self.decision_id,
            "batch_id": self.batch_id,
            "decision": self.decision,
            "in_force": self.in_force,
            "gate_verdict": self.gate_verdict,
            "override_reason": self.override_reason,
            "decided_by": self.decided_by,
            "note": self.note,
            "decided_at": self.decided_at,
            "report_sha256": self.report_sha256,
            "gates_sha256": self.gates_sha256,
            "gates_source": self.gates_source,
            "contract": None
            if self.contract_name is None
            else {
                "name": self.contract_name,
                "version": self.contract_version,
                "sha256": self.contract_sha256,
                "week": self.contract_week,
            },
            "excluded": list(self.excluded),
            "exclusion_reasons": [dict(r) for r in self.exclusion_reasons],
            "exclude_flagged": self.exclude_flagged,
            "supersedes": self.supersedes,
            "qualitylab_version": self.qualitylab_version,
        }

    def describe(self) -> str:
        """``accept_partial by dana on 2026-10-13 (decision #3; excludes h03, h07)``."""
        s = f"{self.decision} by {self.decided_by} on {self.decided_at[:10]} (decision #{self.decision_id}"
        if self.excluded:
            s += f"; excludes {', '.join(self.excluded)}"
        if self.overrides:
            s += f"; overrides the gates' {self.gate_verdict}"
        return s + ")"


def _has_table(store: Store) -> bool:
    rows = store.con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'decisions'").fetchall()
    return bool(rows[0][0])


def current_decision(store: Store, batch_id: str) -> Decision | None:
    """The batch's latest decision (a ``reopen`` row included), or None when never decided."""
    if not _has_table(store):
        return None
    row = store.record("decisions/current", {"batch_id": batch_id})
    return None if row is None else Decision.from_row(row)


def decision_in_force(store: Store, batch_id: str) -> Decision | None:
    """The batch's current decision unless it is none or a reopen."""
    d = current_decision(store, batch_id)
    return d if d is not None and d.in_force else None


def history(store: Store, batch_id: str) -> list[Decision]:
    """Every decision on the batch, oldest first."""
    if not _has_table(store):
        return []
    return [Decision.from_row(r) for r in store.rows("decisions/history", {"batch_id": batch_id})]


def current_decisions(store: Store) -> dict[str, Decision]:
    """batch_id -> its current decision, for every decided batch."""
    if not _has_table(store):
        return {}
    return {r["batch_id"]: Decision.from_row(r) for r in store.rows("decisions/current_all")}


# -- exclusions ---------------------------------------------------------------------------------


def flagged_annotators(doc: dict[str, Any]) -> list[dict[str, str]]:
    """Every annotator with a review- or reject-severity screening flag in the report ``doc``.

    A flag is a row of a per-annotator list (``annotators``, ``position_bias.by_annotator``, ...)
    that a gate criterion of severity review or reject counts (``aggregate`` with ``where``), read
    with the gate engine's own rule. Returns ``[{annotator_id, reason}]`` sorted by id, one per
    annotator (reasons joined).
    """
    from .gates.engine import resolve, row_matches

    reasons: dict[str, list[str]] = {}
    for crit in (doc.get("gate") or {}).get("criteria", []):
        if crit.get("severity") not in FLAG_SEVERITIES or not crit.get("aggregate") or not crit.get("where"):
            continue
        hits, _ = resolve(doc, crit["metric"])
        for _path, node in hits:
            if not isinstance(node, list):
                continue
            for row in node:
                if not isinstance(row, dict) or row.get("annotator_id") is None:
                    continue
                if isinstance(row.get("n"), (int, float)) and row.get("n") == 0:
                    continue
                if row_matches(row, crit["where"]):
                    reasons.setdefault(str(row["annotator_id"]), []).append(
                        f"{crit['id']} ({crit['severity']}: {crit['where']} in {crit['metric']})"
                    )
    return [{"annotator_id": a, "reason": "; ".join(dict.fromkeys(r))} for a, r in sorted(reasons.items())]


def batch_annotators(store: Store, batch_id: str) -> set[str]:
    return {r["annotator_id"] for r in store.rows("decisions/batch_annotators", {"batch_id": batch_id})}


# -- deciding -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecideRequest:
    batch_id: str
    decision: str
    by: str
    note: str
    report: str | None = None
    override_reason: str | None = None
    exclude: tuple[str, ...] = ()
    exclude_flagged: bool = False
    explicit: dict[str, Any] = field(default_factory=dict)  # report options (seed, n_boot)


def decide(db: str | os.PathLike[str] | Path | None, req: DecideRequest) -> Decision:
    """Append a decision on ``req.batch_id`` and return it (see the module docstring).

    Bad calls raise UsageError (exit 2): an unknown decision, no --by or --note, exclusions without
    accept_partial or an accept_partial that excludes nothing, an annotator not in the batch, a
    decision that differs from the gates' verdict without --override-reason, a reopen of a batch
    with no decision in force. A ``report`` hash that is not the batch's current report is a
    ConflictError (exit 4); an unknown batch NotFoundError (exit 5).
    """
    from .snapshots import report_snapshot

    if req.decision not in DECISIONS:
        raise UsageError("Unknown decision", repr(req.decision), f"one of {', '.join(DECISIONS)}")
    for what, value in (("--by", req.by), ("--note", req.note)):
        if not value or not value.strip():
            raise UsageError("Missing " + what, f"a decision needs {what}", "say who decides and why, in words")
    if (req.exclude or req.exclude_flagged) and req.decision != ACCEPT_PARTIAL:
        raise UsageError(
            "Exclusions need --accept-partial",
            f"--exclude-annotator / --exclude-flagged go with --accept-partial, not a decision of {req.decision}",
            "use --accept-partial to accept the batch without some annotators' verdicts",
        )
    snap = report_snapshot(db, req.batch_id, req.explicit or None)
    doc = snap.document
    current_sha = snap.report_sha256
    if req.report is not None and req.report.strip().lower() != current_sha:
        raise ConflictError(
            "Not the current report",
            f"--report {req.report} is not batch {req.batch_id!r}'s current report ({current_sha})",
            "decide on the current report: `qualitylab report --batch NAME --json` shows it (the hash of its "
            "canonical JSON without methods.generated_at), or leave --report out to decide on it",
        )
    verdict = doc.get("verdict")
    with open_store(db, read_only=True) as store:
        known = batch_annotators(store, req.batch_id)
        before = store.rows("ingest/batch_files", {"batch_id": req.batch_id})
        previous = current_decision(store, req.batch_id)
        link = store.one("contract/batch_link", {"batch_id": req.batch_id})
    reasons: dict[str, str] = {}
    unknown = sorted(set(req.exclude) - known)
    if unknown:
        raise UsageError(
            "Unknown annotator",
            f"{', '.join(map(repr, unknown))} gave no verdict, rating or ranking in batch {req.batch_id!r}",
            f"annotators of the batch: {', '.join(sorted(known)) or '(none)'}",
        )
    for a in req.exclude:
        reasons[a] = "--exclude-annotator"
    if req.exclude_flagged:
        for f in flagged_annotators(doc):
            reasons[f["annotator_id"]] = (
                f"{reasons[f['annotator_id']]}; flagged: {f['reason']}"
                if f["annotator_id"] in reasons
                else f"flagged: {f['reason']}"
            )
    if req.decision == ACCEPT_PARTIAL and not reasons:
        raise UsageError(
            "Nothing excluded",
            "--accept-partial excludes no annotator"
            + (" (--exclude-flagged found no review- or reject-severity flag)" if req.exclude_flagged else ""),
            "name annotators with --exclude-annotator ID, or accept the whole batch with --accept",
        )
    if req.decision == REOPEN and (previous is None or not previous.in_force):
        raise UsageError("Nothing to reopen", f"batch {req.batch_id!r} has no decision in force", "")
    if req.decision != REOPEN and (verdict, req.decision) not in AGREES and not (req.override_reason or "").strip():
        raise UsageError(
            "Override reason required",
            f"the gates' verdict on batch {req.batch_id!r} is {verdict}; the decision {req.decision} differs from it",
            "say why with --override-reason TEXT (a decision agrees with the gates only when it accepts an ACCEPT "
            "or rejects a REJECT)",
        )
    excluded = sorted(reasons)
    with open_store(db) as store, transaction(store):
        if store.rows("ingest/batch_files", {"batch_id": req.batch_id}) != before:
            raise ConflictError(
                "Batch changed",
                f"batch {req.batch_id!r} changed while its report was computed",
                "decide again on the new report",
            )
        now_previous = current_decision(store, req.batch_id)
        if (now_previous and now_previous.decision_id) != (previous and previous.decision_id):
            raise ConflictError("Decided meanwhile", f"batch {req.batch_id!r} got another decision meanwhile", "")
        store.execute(
            "decisions/insert",
            {
                "batch_id": req.batch_id,
                "decision": req.decision,
                "gate_verdict": verdict,
                "override_reason": (req.override_reason or "").strip() or None,
                "decided_by": req.by.strip(),
                "note": req.note.strip(),
                "report_sha256": current_sha,
                "gates_sha256": (doc.get("gate") or {}).get("sha256"),
                "gates_source": (doc.get("gate") or {}).get("source"),
                "contract_name": link["contract_name"] if link else None,
                "contract_version": link["contract_version"] if link else None,
                "contract_sha256": link["contract_sha256"] if link else None,
                "contract_week": link["week"] if link else None,
                "excluded": excluded,
                "exclusion_reasons": json.dumps([{"annotator_id": a, "reason": reasons[a]} for a in excluded]),
                "exclude_flagged": req.exclude_flagged,
                "supersedes": previous.decision_id if previous else None,
                "qualitylab_version": __version__,
            },
        )
        new = current_decision(store, req.batch_id)
    if new is None:  # pragma: no cover - the insert above makes one
        raise ConflictError("Decision not stored", req.batch_id, "")
    return new
